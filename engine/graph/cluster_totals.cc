#include "engine/graph/cluster_totals.h"

#include <algorithm>
#include <optional>

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
  ComputeClusterTotals(graph, heights, clusters, txs, totals);
  return totals;
}

void ComputeClusterTotals(const TxGraph& graph, const store::HeightIndex& heights,
                          const ClusterIndex& clusters, uint64_t txs,
                          std::span<ClusterTotals> totals) {
  std::fill(totals.begin(), totals.end(), ClusterTotals());
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
}

OverlaidTotals::OverlaidTotals(const TxGraph& graph, const store::HeightIndex& heights,
                               const ClusterIndex& clusters, const AddressIndex& addresses,
                               std::span<const ClusterTotals> base,
                               std::span<const ClusterTotals> served, uint64_t base_txs,
                               const OverlaidTotals* previous,
                               const ClusterIndex* previous_clusters)
    : base_(base), served_(served) {
  // Whether `previous` holds cluster c made of the same parts (each a C or an F cluster alike).
  auto same_parts = [&](uint32_t c, const ClusterIndex::Merged& m) {
    if (previous == nullptr || previous_clusters == nullptr) return false;
    auto it = previous_clusters->merged().find(c);
    if (it == previous_clusters->merged().end() || it->second->parts != m.parts) return false;
    for (uint32_t part : m.parts) {
      if (part < clusters.base_members() &&
          clusters.ServedPart(part) != previous_clusters->ServedPart(part)) {
        return false;
      }
    }
    return previous->merged_.contains(c);
  };
  std::vector<uint32_t> inside, touched;
  auto cluster_of = [&](AddrId a) { return clusters.ClusterOf(a.value()).value(); };
  // The clusters the overlay made, as of the files: the sum of their parts' totals, corrected for
  // the transactions that touch two parts or more (all of them touch a part other than the
  // largest: only those parts' transactions are read).
  std::vector<uint64_t> txs;
  absl::flat_hash_map<uint32_t, ClusterTotals> parts;
  // The largest cluster `previous` merged whose parts are all parts of `m` (served alike): its sum
  // stands for them, so that only what the other parts add is read. Returns: its id, or none.
  auto grown_from = [&](const ClusterIndex::Merged& m) -> std::optional<uint32_t> {
    if (previous == nullptr || previous_clusters == nullptr) return std::nullopt;
    std::optional<uint32_t> best;
    uint32_t best_size = 0;
    for (uint32_t part : m.parts) {
      if (part >= previous_clusters->member_count()) continue;
      const uint32_t pc = previous_clusters->ClusterOf(part).value();
      auto it = previous_clusters->merged().find(pc);
      if (it == previous_clusters->merged().end() || it->second->size <= best_size ||
          !previous->merged_.contains(pc)) {
        continue;
      }
      bool inside = true;
      for (uint32_t q : it->second->parts) {
        inside = std::binary_search(m.parts.begin(), m.parts.end(), q) &&
                 (q >= clusters.base_members() ||
                  clusters.ServedPart(q) == previous_clusters->ServedPart(q));
        if (!inside) break;
      }
      if (!inside) continue;
      best = pc;
      best_size = it->second->size;
    }
    return best;
  };
  for (const auto& [c, merged] : clusters.merged()) {
    if (same_parts(c, *merged)) {
      merged_[c] = changed_[c] = previous->merged_.at(c);
      continue;
    }
    // The units summed: the earlier merged cluster it grew from (one unit, keyed by its id), and
    // each other part.
    const std::optional<uint32_t> grown = grown_from(*merged);
    const ClusterIndex::Merged* before =
        grown.has_value() ? previous_clusters->merged().at(*grown).get() : nullptr;
    auto in_before = [&](uint32_t part) {
      return before != nullptr &&
             std::binary_search(before->parts.begin(), before->parts.end(), part);
    };
    auto unit_of = [&](uint32_t part) { return in_before(part) ? *grown : part; };
    ClusterTotals t;
    uint32_t largest = UINT32_MAX;  // a unit
    uint64_t largest_size = 0;
    if (before != nullptr) {
      ++grown_;
      t = previous->merged_.at(*grown);
      largest = *grown;
      largest_size = before->size;
    }
    for (uint32_t part : merged->parts) {
      if (in_before(part)) continue;
      if (largest == UINT32_MAX || clusters.PartMembers(part).size() > largest_size) {
        largest = part;
        largest_size = clusters.PartMembers(part).size();
      }
      if (part >= clusters.base_members()) continue;  // added after the files: nothing before
      const ClusterTotals& p = PartTotals(clusters, part);
      t.received += p.received;
      t.sent += p.sent;
      t.tx_count += p.tx_count;
      t.first_height = std::min(t.first_height, p.first_height);
      t.last_height = std::max(t.last_height, p.last_height);
    }
    txs.clear();
    for (uint32_t part : merged->parts) {
      if (unit_of(part) == largest) continue;
      for (uint32_t m : clusters.PartMembers(part)) {
        for (uint64_t o : addresses.Received(AddrId(m))) {
          const TxNum made = graph.TxOf(OutNum(o));
          if (made.value() >= base_txs) break;  // chain order: the rest are later too
          txs.push_back(made.value());
          const TxNum s = graph.SpentBy(OutNum(o));
          if (s.valid() && s.value() < base_txs) txs.push_back(s.value());
        }
      }
    }
    std::sort(txs.begin(), txs.end());
    txs.erase(std::unique(txs.begin(), txs.end()), txs.end());
    const uint32_t cluster = c;
    for (uint64_t tx : txs) {
      ClusterTotals whole;
      parts.clear();
      AddTx(
          graph, TxNum(tx), 0, cluster_of,
          [&](uint32_t d) { return d == cluster ? &whole : nullptr; }, &inside, &touched);
      AddTx(
          graph, TxNum(tx), 0, [&](AddrId a) { return unit_of(clusters.PartOf(a.value())); },
          [&](uint32_t unit) -> ClusterTotals* {
            return clusters.ClusterOf(unit).value() == cluster ? &parts[unit] : nullptr;
          },
          &inside, &touched);
      t.received += whole.received;
      t.sent += whole.sent;
      t.tx_count += whole.tx_count;
      for (const auto& [unit, p] : parts) {
        t.received -= p.received;
        t.sent -= p.sent;
        t.tx_count -= p.tx_count;
      }
    }
    merged_[c] = changed_[c] = t;
  }
  // The others: the files' totals plus the transactions after them.
  uint32_t height = 0;
  for (uint64_t t = base_txs; t < graph.tx_count(); ++t) {
    if (t == base_txs) height = heights.HeightOf(TxNum(t));
    while (height + 1 < heights.blocks() && heights.FirstTxNum(height + 1) <= t) ++height;
    AddTx(
        graph, TxNum(t), height, cluster_of,
        [&](uint32_t d) -> ClusterTotals* {
          auto [it, inserted] = changed_.try_emplace(d);
          if (inserted && d < clusters.base_members()) {
            it->second = PartTotals(clusters, d);
          }
          return &it->second;
        },
        &inside, &touched);
  }
}

}  // namespace ariadne::graph
