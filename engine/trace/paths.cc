#include "engine/trace/paths.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace ariadne::trace {
namespace {

constexpr uint64_t kNone = UINT64_MAX;

// One side of the search: for each visited output, its depth and the output it was reached from.
struct Side {
  absl::flat_hash_map<uint64_t, std::pair<uint32_t, uint64_t>> seen;  // out -> (depth, parent)
  std::vector<uint64_t> frontier;
  uint32_t depth = 0;
};

}  // namespace

UtxoPaths FindPaths(const graph::TxGraph& g, std::span<const uint64_t> sources,
                    std::span<const uint64_t> targets, const PathOptions& o) {
  UtxoPaths r;
  Side fwd, back;
  for (uint64_t s : sources) {
    if (fwd.seen.emplace(s, std::make_pair(0u, kNone)).second) fwd.frontier.push_back(s);
  }
  for (uint64_t t : targets) {
    if (back.seen.emplace(t, std::make_pair(0u, kNone)).second) back.frontier.push_back(t);
  }
  std::vector<uint64_t> meets;
  // A meeting output must be reached from the source by at least one transaction: an output the
  // source and the target both received is not a path between them.
  auto check_meet = [&](uint64_t out) {
    auto f = fwd.seen.find(out);
    auto b = back.seen.find(out);
    if (f != fwd.seen.end() && b != back.seen.end() && f->second.first > 0) meets.push_back(out);
  };
  for (uint64_t t : targets) check_meet(t);
  while (meets.empty() && fwd.depth + back.depth < o.max_hops &&
         !(fwd.frontier.empty() && back.frontier.empty())) {
    if (fwd.seen.size() + back.seen.size() > o.max_visits) {
      r.truncated = true;
      break;
    }
    if (o.cancelled && o.cancelled()) {
      r.cancelled = true;
      break;
    }
    // Expand the smaller frontier by one transaction.
    const bool forward = !fwd.frontier.empty() &&
                         (back.frontier.empty() || fwd.frontier.size() <= back.frontier.size());
    Side& side = forward ? fwd : back;
    std::vector<uint64_t> next;
    ++side.depth;
    for (uint64_t out : side.frontier) {
      TxNum tx = forward ? g.SpentBy(OutNum(out)) : g.TxOf(OutNum(out));
      if (!tx.valid()) continue;
      if (forward) {
        for (uint64_t p = g.FirstOut(tx); p < g.FirstOut(TxNum(tx.value() + 1)); ++p) {
          if (side.seen.emplace(p, std::make_pair(side.depth, out)).second) {
            next.push_back(p);
            check_meet(p);
          }
        }
      } else {
        for (uint64_t i = g.FirstIn(tx); i < g.FirstIn(TxNum(tx.value() + 1)); ++i) {
          const uint64_t p = g.Input(i).value();
          if (side.seen.emplace(p, std::make_pair(side.depth, out)).second) {
            next.push_back(p);
            check_meet(p);
          }
        }
      }
    }
    side.frontier = std::move(next);
  }
  if (meets.empty()) return r;
  std::sort(meets.begin(), meets.end());
  meets.erase(std::unique(meets.begin(), meets.end()), meets.end());
  // Keep the shortest meetings only.
  uint32_t best = UINT32_MAX;
  for (uint64_t m : meets) best = std::min(best, fwd.seen[m].first + back.seen[m].first);
  for (uint64_t m : meets) {
    if (r.paths.size() >= o.max_paths) break;
    if (fwd.seen[m].first + back.seen[m].first != best) continue;
    std::vector<PathStep> path;
    // Source side: walk parents back to a source output.
    for (uint64_t out = m; fwd.seen[out].second != kNone; out = fwd.seen[out].second) {
      path.push_back({g.TxOf(OutNum(out)), OutNum(out)});
    }
    std::reverse(path.begin(), path.end());
    // Target side: each step's output was spent by the transaction creating the next one.
    for (uint64_t out = m; back.seen[out].second != kNone;) {
      const uint64_t child = back.seen[out].second;
      path.push_back({g.TxOf(OutNum(child)), OutNum(child)});
      out = child;
    }
    r.paths.push_back(std::move(path));
  }
  r.hops = best;
  return r;
}

}  // namespace ariadne::trace
