#include "engine/trace/account_paths.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace ariadne::trace {

AccountPaths FindAccountPaths(const graph::AccountGraph& g, std::span<const uint32_t> sources,
                              std::span<const uint32_t> targets, const PathOptions& o) {
  AccountPaths r;
  const absl::flat_hash_set<uint32_t> target_set(targets.begin(), targets.end());
  const absl::flat_hash_set<uint32_t> source_set(sources.begin(), sources.end());
  struct Visit {
    uint32_t account;
    uint64_t arrival;  // TransferNum that arrived (UINT64_MAX for a source: any time)
    uint32_t parent;   // visit index, UINT32_MAX for a source
  };
  const uint32_t zero = g.zero_account().value();
  // Returns: the transfers out of a visit's account after it arrived there.
  auto later_out = [&g](const Visit& v) {
    std::span<const TransferNum> out = g.Out(AccountId(v.account));
    return v.arrival == UINT64_MAX
               ? out
               : out.subspan(std::upper_bound(out.begin(), out.end(), TransferNum(v.arrival)) -
                             out.begin());
  };
  std::vector<Visit> visits;
  absl::flat_hash_map<uint32_t, uint64_t> best;  // account -> earliest arrival so far
  std::vector<uint32_t> layer;
  for (uint32_t s : sources) {
    layer.push_back(static_cast<uint32_t>(visits.size()));
    visits.push_back({s, UINT64_MAX, UINT32_MAX});
    best[s] = 0;
  }
  std::vector<uint32_t> next;
  for (uint32_t hop = 1; hop <= o.max_hops && !layer.empty(); ++hop) {
    next.clear();
    // Per account reached in this layer: the earliest arrival (one visit per account and layer).
    absl::flat_hash_map<uint32_t, uint32_t> reached;
    for (uint32_t vi : layer) {
      if (o.cancelled && o.cancelled()) {
        r.cancelled = true;
        return r;
      }
      const Visit v = visits[vi];
      if (v.account == zero && v.parent != UINT32_MAX) continue;
      for (const TransferNum tn : later_out(v)) {
        const uint64_t t = tn.value();
        const uint32_t to = g.To(tn).value();
        if (to == v.account || g.Amount(tn).IsZero()) continue;
        if (o.asset.has_value() && g.AssetOf(tn) != *o.asset) continue;
        if (source_set.contains(to)) continue;
        auto b = best.find(to);
        if (b != best.end() && b->second <= t) continue;  // reached as early before
        if (visits.size() >= o.max_visits) {
          r.truncated = true;
          break;
        }
        auto [rit, inserted] = reached.emplace(to, static_cast<uint32_t>(visits.size()));
        if (inserted) {
          visits.push_back({to, t, vi});
          next.push_back(rit->second);
        } else if (t < visits[rit->second].arrival) {
          visits[rit->second] = {to, t, vi};
        }
      }
    }
    for (uint32_t vi : next) {
      auto [b, inserted] = best.emplace(visits[vi].account, visits[vi].arrival);
      if (!inserted) b->second = std::min(b->second, visits[vi].arrival);
    }
    // Paths end at every transfer into a target in this layer (not only the earliest).
    if (!target_set.empty()) {
      std::vector<std::vector<TransferNum>> found;
      for (uint32_t vi : layer) {
        const Visit v = visits[vi];
        if (v.account == zero && v.parent != UINT32_MAX) continue;
        for (const TransferNum t : later_out(v)) {
          if (found.size() >= o.max_paths) break;
          const uint32_t to = g.To(t).value();
          if (!target_set.contains(to) || g.Amount(t).IsZero() || to == v.account) continue;
          if (o.asset.has_value() && g.AssetOf(t) != *o.asset) continue;
          std::vector<TransferNum> path = {t};
          for (uint32_t p = vi; visits[p].parent != UINT32_MAX; p = visits[p].parent) {
            path.push_back(TransferNum(visits[p].arrival));
          }
          std::reverse(path.begin(), path.end());
          found.push_back(std::move(path));
        }
      }
      if (!found.empty()) {
        r.paths = std::move(found);
        r.hops = hop;
        return r;
      }
    }
    if (r.truncated) return r;
    layer.swap(next);
  }
  return r;
}

}  // namespace ariadne::trace
