// Flows across the boundary of every cluster of a UTXO chain, from the transaction graph: what
// reached a cluster from transactions with no input of the cluster ("received") and what left it
// (inputs of the cluster minus outputs returning to it, i.e. change: "sent"). received - sent is
// the cluster's unspent balance.
//
// Memory: 36 bytes per cluster.
#ifndef ARIADNE_ENGINE_GRAPH_CLUSTER_TOTALS_H_
#define ARIADNE_ENGINE_GRAPH_CLUSTER_TOTALS_H_

#include <cstdint>
#include <span>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/graph/address_index.h"
#include "engine/graph/cluster_index.h"
#include "engine/graph/tx_graph.h"
#include "engine/store/height_index.h"

namespace ariadne::graph {

struct ClusterTotals {
  int64_t received = 0;
  int64_t sent = 0;
  uint64_t tx_count = 0;
  uint32_t first_height = UINT32_MAX;
  uint32_t last_height = 0;
};

// Returns: the totals of every cluster, by ClusterIndex::Ordinal, over the first `txs`
//          transactions (all when more). `clusters` must have no overlay.
std::vector<ClusterTotals> ComputeClusterTotals(const TxGraph& graph,
                                                const store::HeightIndex& heights,
                                                const ClusterIndex& clusters,
                                                uint64_t txs = UINT64_MAX);
// The same into `out` (one per cluster ordinal; e.g. a file's mapping).
void ComputeClusterTotals(const TxGraph& graph, const store::HeightIndex& heights,
                          const ClusterIndex& clusters, uint64_t txs, std::span<ClusterTotals> out);

// The totals of a clustering mapped from the cluster files: the files' totals (by base ordinal,
// over their first `base_txs` transactions) plus what the transactions after them add; a cluster
// the overlay's unions made starts from the sum of its parts, corrected for the transactions that
// touch two parts (found through `addresses` from every part but the largest). Time: proportional
// to the transactions after the files and to those of the smaller parts of merged clusters, not
// to the chain.
class OverlaidTotals {
 public:
  // Args: base: by C ordinal; served: by F ordinal (a settled clustering: see
  //       ClusterIndex::ServedPart); previous (optional): the totals of an earlier index over the
  //       same files (`previous_clusters`): a merged cluster made of the same parts takes its sum
  //       of parts from there instead of reading its parts' transactions again (a refresh), and
  //       one that grew from an earlier merged cluster (all of whose parts it still has) starts
  //       from that one's sum, reading only what its other parts add.
  OverlaidTotals(const TxGraph& graph, const store::HeightIndex& heights,
                 const ClusterIndex& clusters, const AddressIndex& addresses,
                 std::span<const ClusterTotals> base, std::span<const ClusterTotals> served,
                 uint64_t base_txs, const OverlaidTotals* previous = nullptr,
                 const ClusterIndex* previous_clusters = nullptr);
  // Returns: the totals of cluster `c`.
  const ClusterTotals& Of(const ClusterIndex& clusters, ClusterId c) const {
    auto it = changed_.find(c.value());
    if (it != changed_.end()) return it->second;
    if (c.value() < clusters.base_members()) return PartTotals(clusters, c.value());
    static const ClusterTotals kNone;
    return kNone;
  }
  // Returns: the merged clusters summed from an earlier merged cluster they grew from.
  uint64_t grown() const { return grown_; }

 private:
  const ClusterTotals& PartTotals(const ClusterIndex& clusters, uint32_t part) const {
    return clusters.ServedPart(part) ? served_[clusters.PartOrdinal(part)]
                                     : base_[clusters.PartOrdinal(part)];
  }
  std::span<const ClusterTotals> base_, served_;
  absl::flat_hash_map<uint32_t, ClusterTotals> changed_;
  absl::flat_hash_map<uint32_t, ClusterTotals> merged_;  // merged clusters as of the files
  uint64_t grown_ = 0;
};

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_CLUSTER_TOTALS_H_
