// Stored clusterings: loading one into a ClusterBuilder, keeping it up to date while indexing
// (an IndexObserver whose rows are committed atomically with the chain rows), and rebuilding it
// under another policy without re-indexing.
//
// What is stored (docs/clustering.md): the policy (meta/cluster), every union as an evidence row,
// and the change candidates awaiting their spend (cluster_pending). The union-find itself is
// rebuilt from the evidence rows when loaded (about a second per 10 million unions), so it never
// has to be rewritten as clusters merge.
#ifndef ARIADNE_HEURISTICS_CLUSTERING_H_
#define ARIADNE_HEURISTICS_CLUSTERING_H_

#include <functional>
#include <memory>
#include <span>

#include "absl/status/statusor.h"
#include "engine/store/commit_batch.h"
#include "engine/store/resolved_tx.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"
#include "heuristics/cluster_builder.h"

namespace ariadne::heuristics {

// The links the serving view adds to the stored evidence: under a deferring policy, the change
// candidates whose output is still unspent (ClusterBuilder::SettlePending), as evidence rows of
// kind kChangeUnspent. Empty for other policies.
// Args: stored: the active generation's evidence rows (the caller has read them already).
absl::StatusOr<std::vector<store::EvidenceRow>> SettledLinks(
    const store::Store& store, std::span<const store::EvidenceRow> stored);

// Reads the stored clustering's meta; NOT_FOUND when the store has none.
absl::StatusOr<store::ClusterMeta> ReadClusterMeta(const store::Store& store);

// Loads the stored clustering (union-find from the evidence rows, pending candidates).
// Returns: NOT_FOUND when there is none, FAILED_PRECONDITION when it does not cover the store's
// transactions (it must be rebuilt).
absl::StatusOr<std::unique_ptr<ClusterBuilder>> LoadClustering(const store::Store& store);

struct ReclusterResult {
  ClusterCounters counters;
  uint64_t addresses = 0;
  uint64_t clusters = 0;
  uint64_t largest_cluster = 0;
  double seconds = 0;
};

// Builds the clustering of every indexed transaction under `policy`.
// Out: *builder (optional): the builder, for in-memory use (e.g. evaluating a policy).
absl::StatusOr<ReclusterResult> BuildClusters(const store::Store& store,
                                              const ClusteringPolicy& policy,
                                              std::unique_ptr<ClusterBuilder>* builder,
                                              std::function<void(uint64_t, uint64_t)> progress);

// Rebuilds and stores the clustering under `policy`, replacing the previous one atomically: the
// new generation's evidence is written in chunks of `evidence_chunk` unions while it is built
// (invisible to readers), and its meta row, which makes it the live one, in the last commit; the
// old generation's rows are deleted after.
inline constexpr size_t kDefaultEvidenceChunk = size_t{4} << 20;
absl::StatusOr<ReclusterResult> Recluster(store::Store* store, const ClusteringPolicy& policy,
                                          std::function<void(uint64_t, uint64_t)> progress = {},
                                          size_t evidence_chunk = kDefaultEvidenceChunk);

// Keeps the stored clustering up to date while `ariadne index` appends blocks.
class ClusteringObserver : public store::IndexObserver {
 public:
  // Loads the stored clustering, or starts the default policy's on an empty store. When the stored
  // one does not cover the store (an older index, an interrupted rebuild), it is rebuilt first.
  static absl::StatusOr<std::unique_ptr<ClusteringObserver>> Create(store::Store* store);

  void OnTx(const store::ResolvedTx& tx) override;
  absl::Status OnCommit(store::CommitBatch* batch) override;
  absl::Status OnRewind(store::Store* store, int32_t new_tip_height) override;

  // After a rewind the clusters must be rebuilt (a union cannot be undone): call Finish.
  bool needs_rebuild() const { return needs_rebuild_; }
  // Rebuilds when needed (after the index run's last commit).
  absl::Status Finish(store::Store* store);
  const ClusterBuilder& builder() const { return *builder_; }

 private:
  ClusteringObserver() = default;
  std::unique_ptr<ClusterBuilder> builder_;
  store::ClusterMeta meta_;
  uint64_t processed_ = 0;
  TxNum current_tx_;
  uint32_t index_in_tx_ = 0;
  size_t evidence_written_ = 0;
  std::vector<uint64_t> added_this_batch_;
  bool needs_rebuild_ = false;
};

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_CLUSTERING_H_
