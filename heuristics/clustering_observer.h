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
#include <filesystem>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "engine/store/commit_batch.h"
#include "engine/store/resolved_tx.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"
#include "heuristics/cluster_builder.h"
#include "heuristics/cluster_file.h"

namespace ariadne::heuristics {

struct ClusteringObserverOptions {
  // Default kClusterUndoBlocks (1,000): blocks whose consumed candidates keep undo rows; a deeper
  // rewind rebuilds the clustering.
  uint32_t undo_blocks = store::kClusterUndoBlocks;
  // Default 288 (two days of blocks): blocks whose union-find changes are journaled in memory (and
  // in the files beside the store), so that rewinding them needs no reload; a deeper rewind
  // reloads the union-find from the evidence rows once the rows are rewound.
  uint32_t journal_blocks = 288;
  // Default true: the union-find lives in a memory-mapped file beside the store and the clustering
  // is saved there when a run ends (cluster_file.h); false keeps it on the heap and loads it from
  // the evidence rows at every run.
  bool files = true;
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
  uint64_t MappedBytes() const override;
  // Saves the clustering beside the store (when it holds exactly the store's state).
  absl::Status OnRunEnd(const store::ChainState& durable) override;

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
  // Whether the union-find was loaded from the files beside the store (rather than replayed from
  // the evidence rows) in this run, and rewound through its journal.
  bool loaded_from_files() const { return loaded_from_files_; }
  uint64_t journal_rewinds() const { return journal_rewinds_; }

 private:
  ClusteringObserver() = default;
  absl::Status EnsureLoaded();
  // Opens the files beside the store; keeps the builder only when they held the store's
  // clustering (replays the rows into it otherwise when `replay`, else drops it).
  absl::Status OpenFiles(bool replay);
  std::filesystem::path FilesDir() const { return store_->dir() / "index-cache"; }
  // Returns: the first TxNum of the block at `height` (seen in this run, or read from the store).
  absl::StatusOr<TxNum> FirstTxNum(uint32_t height) const;

  store::Store* store_ = nullptr;
  ClusteringObserverOptions options_;
  std::unique_ptr<ClusterBuilder> builder_;  // loaded lazily
  std::unique_ptr<ClusterFile> file_;        // where builder_'s union-find lives
  bool tried_files_ = false;
  bool changed_ = false;  // since the builder was loaded
  bool loaded_from_files_ = false;
  uint64_t journal_rewinds_ = 0;
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
