#include "heuristics/cluster_rows.h"

namespace ariadne::heuristics {

using store::Cf;

store::EvidenceRow ToRow(const Evidence& e, TxNum at) {
  return {e.a, e.b, static_cast<uint8_t>(e.kind), e.rule, e.tx, at};
}
Evidence FromRow(const store::EvidenceRow& r) {
  return {r.a, r.b, static_cast<EvidenceKind>(r.kind), r.rule, r.tx};
}
store::PendingRow ToRow(const PendingChange& p) {
  return {p.anchor, p.change, p.rule, p.version, p.locktime_set};
}
PendingChange FromRow(const store::PendingRow& r) {
  return {r.anchor, r.change, r.rule, r.version, r.locktime_set};
}

std::string GenPrefix(uint8_t gen) { return std::string(1, static_cast<char>(gen)); }

void PutEvidence(const ClusterBuilder& b, uint8_t gen, TxNum* at, uint32_t* index,
                 store::CommitBatch* batch) {
  for (size_t i = 0; i < b.evidence().size(); ++i) {
    const TxNum made = b.evidence_at()[i];
    if (made != *at) {
      *at = made;
      *index = 0;
    }
    batch->Put(Cf::kEvidence, store::EvidenceKey(gen, made, (*index)++),
               store::EncodeEvidence(ToRow(b.evidence()[i], made)));
  }
}

void PutUndo(const ClusterBuilder& b, uint8_t gen, TxNum keep_from, TxNum* spend, uint16_t* index,
             store::CommitBatch* batch) {
  for (const ConsumedPending& c : b.pending_removed()) {
    if (c.spend.value() < keep_from.value()) continue;
    if (c.spend != *spend) {
      *spend = c.spend;
      *index = 0;
    }
    batch->Put(Cf::kClusterUndo, store::ClusterUndoKey(gen, c.spend, (*index)++),
               store::EncodeUndoPending({c.key, ToRow(c.pending)}));
  }
}

void PruneUndo(uint8_t gen, uint32_t blocks, uint32_t from_height, TxNum keep_from,
               store::CommitBatch* batch) {
  if (keep_from.value() > 0) {
    batch->DeleteRange(Cf::kClusterUndo, store::ClusterUndoKey(gen, TxNum(0), 0),
                       store::ClusterUndoKey(gen, keep_from, 0));
  }
  batch->Put(Cf::kMeta, store::kMetaClusterUndo,
             store::EncodeClusterUndoMeta({gen, blocks, from_height}));
}

}  // namespace ariadne::heuristics
