// Stored clusterings: loading one into a ClusterBuilder and rebuilding it under another policy
// without re-indexing (clustering_observer.h keeps it up to date while indexing).
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
#include "engine/graph/settled_links.h"
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

// SettledLinks over a clustering already built from the stored rows (ClusterBuilder::SettlePending
// with the builder's union-find and sizes replaced by `cluster_of` and `size`): the same links,
// without replaying every union. Memory: the pending rows and the clusters they join.
absl::StatusOr<std::vector<store::EvidenceRow>> SettledLinksOver(
    const store::Store& store, const std::function<uint32_t(uint32_t)>& cluster_of,
    const std::function<uint32_t(uint32_t)>& size);

// How `policy` settles its pending candidates for serving (the cluster files record it).
graph::SettleParams SettleParamsOf(const ClusteringPolicy& policy);

// Reads the stored clustering's meta; NOT_FOUND when the store has none.
absl::StatusOr<store::ClusterMeta> ReadClusterMeta(const store::Store& store);

// Loads the stored clustering (union-find from the evidence rows, pending candidates).
// Returns: NOT_FOUND when there is none, FAILED_PRECONDITION when it does not cover the store's
// transactions (it must be rebuilt).
absl::StatusOr<std::unique_ptr<ClusterBuilder>> LoadClustering(const store::Store& store);
// The same into an empty `builder` of the stored policy (e.g. one whose union-find is mapped).
absl::Status LoadClusteringInto(const store::Store& store, ClusterBuilder* builder);

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
// Undo rows (docs/schema.md, cluster_undo) are written for the spends of the last `undo_blocks`
// blocks, as the indexer keeps them.
// `before_live` (optional) is called when every row of the new generation is written but before
// its meta row: what it puts into the batch is committed with that row, atomically (the cluster
// files' meta/cluster_files, engine/graph/cluster_files.h).
using BeforeLive = std::function<absl::Status(const store::ClusterMeta&, store::CommitBatch*)>;
absl::StatusOr<ReclusterResult> Recluster(store::Store* store, const ClusteringPolicy& policy,
                                          std::function<void(uint64_t, uint64_t)> progress = {},
                                          size_t evidence_chunk = kDefaultEvidenceChunk,
                                          uint32_t undo_blocks = store::kClusterUndoBlocks,
                                          const BeforeLive& before_live = {});

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_CLUSTERING_H_
