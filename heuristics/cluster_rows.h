// The rows of a stored clustering as the builder's types: evidence (one per union), pending change
// candidates and the undo rows of consumed candidates (docs/schema.md, cluster_undo), and writing
// them into a commit. Shared by the rebuild (clustering.h) and the indexer's observer
// (clustering_observer.h), so that both write exactly the same rows.
#ifndef ARIADNE_HEURISTICS_CLUSTER_ROWS_H_
#define ARIADNE_HEURISTICS_CLUSTER_ROWS_H_

#include <cstdint>
#include <string>

#include "engine/store/commit_batch.h"
#include "engine/store/schema.h"
#include "heuristics/cluster_builder.h"

namespace ariadne::heuristics {

store::EvidenceRow ToRow(const Evidence& e, TxNum at);
Evidence FromRow(const store::EvidenceRow& r);
store::PendingRow ToRow(const PendingChange& p);
PendingChange FromRow(const store::PendingRow& r);

// Returns: the one-byte key prefix of a clustering generation's rows.
std::string GenPrefix(uint8_t gen);

// Appends the builder's evidence rows, keyed by the transaction that made each union, with
// per-transaction indexes continuing from *at / *index.
void PutEvidence(const ClusterBuilder& b, uint8_t gen, TxNum* at, uint32_t* index,
                 store::CommitBatch* batch);

// Appends undo rows for the candidates consumed by spends at or after `keep_from` (spends of
// blocks older than the undo window get none), with per-spend indexes continuing from *spend /
// *index.
void PutUndo(const ClusterBuilder& b, uint8_t gen, TxNum keep_from, TxNum* spend, uint16_t* index,
             store::CommitBatch* batch);

// Appends the deletion of generation `gen`'s undo rows of spends before `keep_from` (the first
// transaction of the window's first block, at `from_height`), and the meta row that says from
// which height undo rows are kept.
void PruneUndo(uint8_t gen, uint32_t blocks, uint32_t from_height, TxNum keep_from,
               store::CommitBatch* batch);

// Returns: the window's first height for a chain whose tip is `tip_height` (-1: empty).
inline uint32_t UndoFromHeight(int64_t tip_height, uint32_t blocks) {
  return tip_height + 1 > static_cast<int64_t>(blocks)
             ? static_cast<uint32_t>(tip_height + 1 - blocks)
             : 0;
}

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_CLUSTER_ROWS_H_
