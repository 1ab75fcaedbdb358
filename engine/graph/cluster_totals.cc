#include "engine/graph/cluster_totals.h"

#include <algorithm>

namespace ariadne::graph {

std::vector<ClusterTotals> ComputeClusterTotals(const TxGraph& graph,
                                                const store::HeightIndex& heights,
                                                const ClusterIndex& clusters) {
  std::vector<ClusterTotals> totals(clusters.cluster_count());
  std::vector<uint32_t> inside;  // clusters (ordinals) of this transaction's inputs
  std::vector<uint32_t> touched;
  uint32_t height = 0;
  for (uint64_t t = 0; t < graph.tx_count(); ++t) {
    while (height + 1 < heights.blocks() && heights.FirstTxNum(height + 1) <= t) ++height;
    inside.clear();
    touched.clear();
    const TxNum tx(t);
    for (uint64_t i = graph.FirstIn(tx); i < graph.FirstIn(TxNum(t + 1)); ++i) {
      const OutNum o = graph.Input(i);
      const AddrId a = graph.Addr(o);
      if (!a.valid()) continue;
      const uint32_t d = clusters.OrdinalOf(a.value());
      totals[d].sent += graph.Value(o);
      inside.push_back(d);
    }
    std::sort(inside.begin(), inside.end());
    inside.erase(std::unique(inside.begin(), inside.end()), inside.end());
    touched = inside;
    for (uint64_t o = graph.FirstOut(tx); o < graph.FirstOut(TxNum(t + 1)); ++o) {
      const AddrId a = graph.Addr(OutNum(o));
      if (!a.valid()) continue;
      const uint32_t d = clusters.OrdinalOf(a.value());
      if (std::binary_search(inside.begin(), inside.end(), d)) {
        totals[d].sent -= graph.Value(OutNum(o));  // change back to the cluster
      } else {
        totals[d].received += graph.Value(OutNum(o));
        touched.push_back(d);
      }
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (uint32_t d : touched) {
      ClusterTotals& ct = totals[d];
      ct.tx_count++;
      ct.first_height = std::min(ct.first_height, height);
      ct.last_height = std::max(ct.last_height, height);
    }
  }
  return totals;
}

}  // namespace ariadne::graph
