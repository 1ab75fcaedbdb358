#include "engine/graph/cluster_totals.h"

#include <algorithm>

namespace ariadne::graph {
namespace {

// Adds transaction `t` (at `height`) to the totals of the clusters it touches: cluster_of(AddrId)
// names a member's cluster, totals_of(cluster) its totals (nullptr: not counted here).
template <typename ClusterOf, typename TotalsOf>
void AddTx(const TxGraph& graph, TxNum tx, uint32_t height, ClusterOf cluster_of,
           TotalsOf totals_of, std::vector<uint32_t>* inside, std::vector<uint32_t>* touched) {
  inside->clear();
  for (uint64_t i = graph.FirstIn(tx); i < graph.FirstIn(TxNum(tx.value() + 1)); ++i) {
    const OutNum o = graph.Input(i);
    const AddrId a = graph.Addr(o);
    if (!a.valid()) continue;
    const uint32_t d = cluster_of(a);
    if (ClusterTotals* t = totals_of(d)) t->sent += graph.Value(o);
    inside->push_back(d);
  }
  std::sort(inside->begin(), inside->end());
  inside->erase(std::unique(inside->begin(), inside->end()), inside->end());
  *touched = *inside;
  for (uint64_t o = graph.FirstOut(tx); o < graph.FirstOut(TxNum(tx.value() + 1)); ++o) {
    const AddrId a = graph.Addr(OutNum(o));
    if (!a.valid()) continue;
    const uint32_t d = cluster_of(a);
    ClusterTotals* t = totals_of(d);
    if (std::binary_search(inside->begin(), inside->end(), d)) {
      if (t != nullptr) t->sent -= graph.Value(OutNum(o));  // change back to the cluster
    } else {
      if (t != nullptr) t->received += graph.Value(OutNum(o));
      touched->push_back(d);
    }
  }
  std::sort(touched->begin(), touched->end());
  touched->erase(std::unique(touched->begin(), touched->end()), touched->end());
  for (uint32_t d : *touched) {
    ClusterTotals* ct = totals_of(d);
    if (ct == nullptr) continue;
    ct->tx_count++;
    ct->first_height = std::min(ct->first_height, height);
    ct->last_height = std::max(ct->last_height, height);
  }
}

}  // namespace

std::vector<ClusterTotals> ComputeClusterTotals(const TxGraph& graph,
                                                const store::HeightIndex& heights,
                                                const ClusterIndex& clusters, uint64_t txs) {
  std::vector<ClusterTotals> totals(clusters.cluster_count());
  std::vector<uint32_t> inside;  // clusters (ordinals) of this transaction's inputs
  std::vector<uint32_t> touched;
  uint32_t height = 0;
  const uint64_t n = std::min(txs, graph.tx_count());
  for (uint64_t t = 0; t < n; ++t) {
    while (height + 1 < heights.blocks() && heights.FirstTxNum(height + 1) <= t) ++height;
    AddTx(
        graph, TxNum(t), height, [&](AddrId a) { return clusters.OrdinalOf(a.value()); },
        [&](uint32_t d) { return &totals[d]; }, &inside, &touched);
  }
  return totals;
}

OverlaidTotals::OverlaidTotals(const TxGraph& graph, const store::HeightIndex& heights,
                               const ClusterIndex& clusters, const AddressIndex& addresses,
                               std::span<const ClusterTotals> base, uint64_t base_txs)
    : base_(base) {
  std::vector<uint32_t> inside, touched;
  auto cluster_of = [&](AddrId a) { return clusters.ClusterOf(a.value()).value(); };
  // The clusters the overlay made: every transaction of their members, counted again.
  std::vector<uint64_t> txs;
  for (const auto& [c, members] : clusters.merged()) {
    txs.clear();
    for (uint32_t m : members) {
      for (uint64_t o : addresses.Received(AddrId(m))) {
        txs.push_back(graph.TxOf(OutNum(o)).value());
        const TxNum s = graph.SpentBy(OutNum(o));
        if (s.valid()) txs.push_back(s.value());
      }
    }
    std::sort(txs.begin(), txs.end());
    txs.erase(std::unique(txs.begin(), txs.end()), txs.end());
    ClusterTotals& ct = changed_[c];
    const uint32_t cluster = c;
    for (uint64_t t : txs) {
      AddTx(
          graph, TxNum(t), heights.HeightOf(TxNum(t)), cluster_of,
          [&](uint32_t d) { return d == cluster ? &ct : nullptr; }, &inside, &touched);
    }
  }
  // The others: the files' totals plus the transactions after them.
  const auto& merged = clusters.merged();
  uint32_t height = 0;
  for (uint64_t t = base_txs; t < graph.tx_count(); ++t) {
    if (t == base_txs) height = heights.HeightOf(TxNum(t));
    while (height + 1 < heights.blocks() && heights.FirstTxNum(height + 1) <= t) ++height;
    AddTx(
        graph, TxNum(t), height, cluster_of,
        [&](uint32_t d) -> ClusterTotals* {
          if (merged.contains(d)) return nullptr;
          auto [it, inserted] = changed_.try_emplace(d);
          if (inserted && d < clusters.base_members()) {
            it->second = base_[clusters.Ordinal(ClusterId(d))];
          }
          return &it->second;
        },
        &inside, &touched);
  }
}

}  // namespace ariadne::graph
