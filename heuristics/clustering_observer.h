// Keeps the stored clustering up to date while `ariadne index` appends and rewinds blocks: an
// IndexObserver whose rows go into the indexer's atomic commits.
//
// Appending: each commit carries the new evidence rows, the pending candidates added and deleted,
// undo rows for the candidates that spends consumed (kept for the last kClusterUndoBlocks blocks)
// and meta/cluster.
// Rewinding: each rewound block's evidence rows (keyed by the transaction that made the union) and
// pending candidates (keyed by the paying transaction) are deleted, and the candidates its spends
// consumed are put back from the undo rows, in the same write that removes the block's chain rows.
// The union-find is never rewound: it is loaded from the evidence rows after the rewinds, when the
// run applies its first block (which every run that applies blocks does anyway). A rewind deeper
// than the undo window, or on a store written before undo rows existed, falls back to rebuilding
// the clustering once the run ends (Finish).
#ifndef ARIADNE_HEURISTICS_CLUSTERING_OBSERVER_H_
#define ARIADNE_HEURISTICS_CLUSTERING_OBSERVER_H_

#include <deque>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "engine/store/commit_batch.h"
#include "engine/store/resolved_tx.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"
#include "heuristics/cluster_builder.h"

namespace ariadne::heuristics {

struct ClusteringObserverOptions {
  // Default kClusterUndoBlocks (1,000): blocks whose consumed candidates keep undo rows; a deeper
  // rewind rebuilds the clustering.
  uint32_t undo_blocks = store::kClusterUndoBlocks;
};

class ClusteringObserver : public store::IndexObserver {
 public:
  // Reads the stored clustering's meta, or starts the default policy's on an empty store. When the
  // stored one does not cover the store (an older index, an interrupted rebuild), it is rebuilt
  // first. The union-find is loaded when first needed (Prepare or the first transaction).
  static absl::StatusOr<std::unique_ptr<ClusteringObserver>> Create(
      store::Store* store, const ClusteringObserverOptions& options = ClusteringObserverOptions());

  void OnTx(const store::ResolvedTx& tx) override;
  absl::Status OnCommit(store::CommitBatch* batch) override;
  absl::Status OnRewind(const store::Store& store, uint32_t height, const store::BlockRow& block,
                        rocksdb::WriteBatch* batch) override;
  // Loads the clustering and reserves its union-find for `addresses_at_end`. Returns: the bytes of
  // the union-find, cluster sizes and pending candidates at the run's end (estimated).
  absl::StatusOr<uint64_t> Prepare(uint64_t addresses_at_end) override;

  // After a rewind beyond the undo window the clusters must be rebuilt: call Finish.
  bool needs_rebuild() const { return needs_rebuild_; }
  // Rebuilds when needed (after the index run's last commit).
  absl::Status Finish(store::Store* store);
  // Returns: what this run's transactions did (zero when none were applied).
  const ClusterCounters& counters() const;
  // Returns: the canonical spec of the clustering's policy.
  const std::string& policy_spec() const { return meta_.policy; }
  // Rewinds done through the undo rows in this run (not counting a fallback).
  uint64_t blocks_rewound() const { return blocks_rewound_; }

 private:
  ClusteringObserver() = default;
  absl::Status EnsureLoaded();
  // Returns: the first TxNum of the block at `height` (seen in this run, or read from the store).
  absl::StatusOr<TxNum> FirstTxNum(uint32_t height) const;

  store::Store* store_ = nullptr;
  ClusteringObserverOptions options_;
  std::unique_ptr<ClusterBuilder> builder_;  // loaded lazily, dropped by rewinds
  absl::Status load_status_;
  store::ClusterMeta meta_;
  uint64_t processed_ = 0;
  TxNum current_tx_;
  uint32_t index_in_tx_ = 0;
  TxNum undo_spend_;
  uint16_t undo_index_ = 0;
  std::deque<std::pair<uint32_t, uint64_t>> block_first_;  // (height, first TxNum), recent
  int64_t tip_height_ = -1;                                // height of the last transaction seen
  uint64_t blocks_rewound_ = 0;
  bool needs_rebuild_ = false;
  ClusterCounters run_counters_;
};

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_CLUSTERING_OBSERVER_H_
