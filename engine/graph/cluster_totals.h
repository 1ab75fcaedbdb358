// Flows across the boundary of every cluster of a UTXO chain, from the transaction graph: what
// reached a cluster from transactions with no input of the cluster ("received") and what left it
// (inputs of the cluster minus outputs returning to it, i.e. change: "sent"). received - sent is
// the cluster's unspent balance.
//
// Memory: 36 bytes per cluster.
#ifndef ARIADNE_ENGINE_GRAPH_CLUSTER_TOTALS_H_
#define ARIADNE_ENGINE_GRAPH_CLUSTER_TOTALS_H_

#include <cstdint>
#include <vector>

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

// Returns: the totals of every cluster, by ClusterIndex::Ordinal.
std::vector<ClusterTotals> ComputeClusterTotals(const TxGraph& graph,
                                                const store::HeightIndex& heights,
                                                const ClusterIndex& clusters);

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_CLUSTER_TOTALS_H_
