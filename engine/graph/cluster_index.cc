#include "engine/graph/cluster_index.h"

#include <algorithm>
#include <deque>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"
#include "engine/graph/union_find.h"

namespace ariadne::graph {

absl::StatusOr<std::unique_ptr<ClusterIndex>> ClusterIndex::Build(
    uint32_t n, std::span<const ClusterLink> links, std::string policy) {
  std::unique_ptr<ClusterIndex> ci(new ClusterIndex());
  ci->policy_ = std::move(policy);
  ci->links_.assign(links.begin(), links.end());
  UnionFind uf(n);
  for (const ClusterLink& l : links) {
    if (l.a >= n || l.b >= n) return absl::DataLossError("evidence names an unknown address");
    uf.Union(l.a, l.b);
  }
  // Clusters numbered in order of id, members by counting sort.
  ci->dense_.assign(n, 0);
  std::vector<uint32_t> dense_of_root(n, UINT32_MAX);
  for (uint32_t a = 0; a < n; ++a) {
    const uint32_t id = uf.SetId(a);
    if (id == a) {
      dense_of_root[a] = static_cast<uint32_t>(ci->roots_.size());
      ci->roots_.push_back(a);
    }
    ci->dense_[a] = dense_of_root[id];  // id <= a: already numbered
  }
  const size_t clusters = ci->roots_.size();
  ci->offsets_.assign(clusters + 1, 0);
  for (uint32_t a = 0; a < n; ++a) ci->offsets_[ci->dense_[a] + 1]++;
  for (size_t c = 0; c < clusters; ++c) ci->offsets_[c + 1] += ci->offsets_[c];
  ci->members_.resize(n);
  std::vector<uint32_t> fill(ci->offsets_.begin(), ci->offsets_.end() - 1);
  for (uint32_t a = 0; a < n; ++a) ci->members_[fill[ci->dense_[a]]++] = a;
  // The evidence forest's adjacency (both directions), for explanations.
  ci->adj_offsets_.assign(uint64_t{n} + 1, 0);
  for (const ClusterLink& l : ci->links_) {
    ci->adj_offsets_[l.a + 1]++;
    ci->adj_offsets_[l.b + 1]++;
  }
  for (uint32_t a = 0; a < n; ++a) ci->adj_offsets_[a + 1] += ci->adj_offsets_[a];
  ci->adj_.resize(ci->adj_offsets_[n]);
  fill.assign(ci->adj_offsets_.begin(), ci->adj_offsets_.end() - 1);
  for (uint32_t i = 0; i < ci->links_.size(); ++i) {
    ci->adj_[fill[ci->links_[i].a]++] = i;
    ci->adj_[fill[ci->links_[i].b]++] = i;
  }
  return ci;
}

std::span<const uint32_t> ClusterIndex::Members(ClusterId c) const {
  const uint32_t d = dense_[c.value()];
  return std::span<const uint32_t>(members_.data() + offsets_[d], offsets_[d + 1] - offsets_[d]);
}

absl::StatusOr<std::vector<LinkStep>> ClusterIndex::Explain(uint32_t from, uint32_t to) const {
  if (dense_[from] != dense_[to]) {
    return absl::NotFoundError("the addresses are in different clusters");
  }
  std::vector<LinkStep> path;
  if (from == to) return path;
  // Breadth-first search over the evidence forest (a tree per cluster: the path is unique).
  absl::flat_hash_map<uint32_t, uint32_t> via;  // member -> link that reached it
  std::deque<uint32_t> queue = {from};
  via[from] = UINT32_MAX;
  while (!queue.empty() && !via.contains(to)) {
    const uint32_t x = queue.front();
    queue.pop_front();
    for (uint32_t k = adj_offsets_[x]; k < adj_offsets_[x + 1]; ++k) {
      const ClusterLink& l = links_[adj_[k]];
      const uint32_t y = l.a == x ? l.b : l.a;
      if (via.emplace(y, adj_[k]).second) queue.push_back(y);
    }
  }
  if (!via.contains(to)) return absl::InternalError("evidence forest is disconnected");
  for (uint32_t x = to; x != from;) {
    const uint32_t link = via[x];
    const uint32_t prev = links_[link].a == x ? links_[link].b : links_[link].a;
    path.push_back({link, prev, x});
    x = prev;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

absl::Status CheckCoverage(std::string_view clustering, uint64_t processed, uint64_t transactions,
                           std::string_view rebuild) {
  if (processed == transactions) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(AV(clustering), " covers ", processed,
                                                    " transactions, the store ", transactions,
                                                    ": run ", AV(rebuild)));
}

}  // namespace ariadne::graph
