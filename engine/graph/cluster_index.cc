#include "engine/graph/cluster_index.h"

#include <algorithm>
#include <deque>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "engine/graph/union_find.h"

namespace ariadne::graph {

absl::StatusOr<ClusterArrays> ClusterIndex::Partition(uint32_t n, std::span<const ClusterLink> a,
                                                      std::span<const ClusterLink> b,
                                                      std::span<uint32_t> dense_out) {
  ClusterArrays ci;
  if (dense_out.empty()) {
    ci.dense.resize(n);
    dense_out = ci.dense;
  } else if (dense_out.size() != n) {
    return absl::InternalError("Partition: the room for each member's cluster is not one each");
  }
  uint32_t* dense = dense_out.data();
  {
    UnionFind uf(n);
    for (std::span<const ClusterLink> links : {a, b}) {
      for (const ClusterLink& l : links) {
        if (l.a >= n || l.b >= n) return absl::DataLossError("evidence names an unknown address");
        uf.Union(l.a, l.b);
      }
    }
    // Clusters numbered in order of id (a set's id is its smallest member: numbered before the
    // others), members by counting sort.
    for (uint32_t m = 0; m < n; ++m) {
      const uint32_t id = uf.SetId(m);
      if (id == m) {
        dense[m] = static_cast<uint32_t>(ci.roots.size());
        ci.roots.push_back(m);
      } else {
        dense[m] = dense[id];
      }
    }
  }
  const size_t clusters = ci.roots.size();
  ci.offsets.assign(clusters + 1, 0);
  for (uint32_t m = 0; m < n; ++m) ci.offsets[dense[m] + 1]++;
  for (size_t c = 0; c < clusters; ++c) ci.offsets[c + 1] += ci.offsets[c];
  ci.members.resize(n);
  // Each cluster's cursor is its offset, moved one place on; afterwards they are shifted back.
  for (uint32_t m = 0; m < n; ++m) ci.members[ci.offsets[dense[m]]++] = m;
  for (size_t c = clusters; c > 0; --c) ci.offsets[c] = ci.offsets[c - 1];
  ci.offsets[0] = 0;
  return ci;
}

void ClusterIndex::Adjacency(uint32_t n, std::span<const ClusterLink> links,
                             std::vector<uint32_t>* offsets, std::vector<uint32_t>* adj) {
  offsets->assign(uint64_t{n} + 1, 0);
  for (const ClusterLink& l : links) {
    (*offsets)[l.a + 1]++;
    (*offsets)[l.b + 1]++;
  }
  for (uint32_t m = 0; m < n; ++m) (*offsets)[m + 1] += (*offsets)[m];
  adj->resize(offsets->back());
  // Each member's cursor is its offset, moved one place on; afterwards they are shifted back.
  for (uint32_t i = 0; i < links.size(); ++i) {
    (*adj)[(*offsets)[links[i].a]++] = i;
    (*adj)[(*offsets)[links[i].b]++] = i;
  }
  for (uint32_t m = n; m > 0; --m) (*offsets)[m] = (*offsets)[m - 1];
  (*offsets)[0] = 0;
}

absl::StatusOr<ClusterArrays> ClusterIndex::BuildArrays(uint32_t n,
                                                        std::span<const ClusterLink> links) {
  ASSIGN_OR_RETURN(ClusterArrays ci, Partition(n, links));
  ci.links.assign(links.begin(), links.end());
  Adjacency(n, ci.links, &ci.adj_offsets, &ci.adj);
  return ci;
}

absl::StatusOr<std::unique_ptr<ClusterIndex>> ClusterIndex::Build(
    uint32_t n, std::span<const ClusterLink> links, std::string policy) {
  std::unique_ptr<ClusterIndex> ci(new ClusterIndex());
  ci->policy_ = std::move(policy);
  auto arrays = BuildArrays(n, links);
  if (!arrays.ok()) return arrays.status();
  ci->owned_ = *std::move(arrays);
  const ClusterArrays& o = ci->owned_;
  ci->a_ = {o.dense, o.roots, o.offsets, o.members, o.links, o.adj_offsets, o.adj};
  ci->members_total_ = n;
  ci->cluster_count_ = static_cast<uint32_t>(o.roots.size());
  return ci;
}

absl::StatusOr<std::unique_ptr<ClusterIndex>> ClusterIndex::Overlaid(
    ClusterSpans base, std::shared_ptr<const void> holder, uint32_t n,
    std::span<const ClusterLink> overlay, std::string policy) {
  return Overlaid(base, SettledSpans{}, {}, std::move(holder), n, overlay, std::move(policy));
}

absl::StatusOr<std::unique_ptr<ClusterIndex>> ClusterIndex::Overlaid(
    ClusterSpans base, const SettledSpans& settled, absl::flat_hash_set<uint32_t> dirty,
    std::shared_ptr<const void> holder, uint32_t n, std::span<const ClusterLink> overlay,
    std::string policy) {
  std::unique_ptr<ClusterIndex> ci(new ClusterIndex());
  ci->policy_ = std::move(policy);
  ci->holder_ = std::move(holder);
  ci->a_ = base;
  const uint32_t n0 = static_cast<uint32_t>(base.dense.size());
  if (n < n0) return absl::DataLossError("the cluster files have more members than the store");
  ci->members_total_ = n;
  uint64_t clusters = base.roots.size() + uint64_t{n - n0};
  if (!settled.served.dense.empty()) {
    if (settled.served.dense.size() != n0) {
      return absl::DataLossError("the settled clustering has another member count");
    }
    ci->has_s_ = true;
    ci->s_ = settled;
    ci->dirty_ = std::move(dirty);
    clusters = settled.served.roots.size() + uint64_t{n - n0};
    // A dirty F cluster is its C clusters again.
    absl::flat_hash_set<uint32_t> parts;
    for (uint32_t f : ci->dirty_) {
      const uint32_t d = settled.served.dense[f];
      parts.clear();
      for (uint32_t k = settled.served.offsets[d]; k < settled.served.offsets[d + 1]; ++k) {
        const uint32_t m = settled.served.members[k];
        parts.insert(base.roots[base.dense[m]]);
      }
      clusters += parts.size() - 1;
    }
  }
  if (overlay.empty() && n == n0 && ci->dirty_.empty()) {
    ci->cluster_count_ = static_cast<uint32_t>(clusters);
    return ci;
  }
  auto over = std::make_unique<Overlay>();
  over->links.assign(overlay.begin(), overlay.end());
  over->new_ids.resize(n - n0);
  for (uint32_t i = 0; i < n - n0; ++i) over->new_ids[i] = n0 + i;
  // Union-find over the parts (base clusters and new members) the overlay touches (by id: each is
  // the smallest member of what it stands for, so a group's id is its smallest entity).
  absl::flat_hash_map<uint32_t, uint32_t> parent;
  auto find = [&](uint32_t x) {
    if (parent.emplace(x, x).second) return x;
    for (uint32_t p = parent[x]; p != x; p = parent[x]) {
      const uint32_t grandparent = parent[p];
      parent[x] = grandparent;  // path halving
      x = grandparent;
    }
    return x;
  };
  const uint32_t first_link = static_cast<uint32_t>(base.links.size() + settled.links.size());
  for (uint32_t i = 0; i < overlay.size(); ++i) {
    const ClusterLink& l = overlay[i];
    if (l.a >= n || l.b >= n) return absl::DataLossError("evidence names an unknown address");
    const uint32_t ra = find(ci->PartOf(l.a)), rb = find(ci->PartOf(l.b));
    if (ra != rb) {
      // The smaller id stays the root: the root is the group's id.
      parent[std::max(ra, rb)] = std::min(ra, rb);
      --clusters;
    }
    const uint32_t link = first_link + i;
    over->adj[l.a].push_back(link);
    over->adj[l.b].push_back(link);
  }
  for (const auto& [entity, unused] : parent) {
    const uint32_t root = find(entity);
    over->final_of[entity] = root;
    std::unique_ptr<Merged>& m = over->merged[root];
    if (m == nullptr) m = std::make_unique<Merged>();
    m->parts.push_back(entity);
  }
  ci->over_ = std::move(over);
  for (auto& [root, m] : ci->over_->merged) {
    std::sort(m->parts.begin(), m->parts.end());
    for (uint32_t part : m->parts) m->size += ci->PartMembers(part).size();
  }
  ci->cluster_count_ = static_cast<uint32_t>(clusters);
  return ci;
}

const absl::flat_hash_map<uint32_t, std::unique_ptr<ClusterIndex::Merged>>& ClusterIndex::merged()
    const {
  static const auto* const kNone = new absl::flat_hash_map<uint32_t, std::unique_ptr<Merged>>();
  return over_ != nullptr ? over_->merged : *kNone;
}

std::span<const uint32_t> ClusterIndex::PartMembers(uint32_t part) const {
  if (part >= base_members()) {
    return std::span<const uint32_t>(&over_->new_ids[part - base_members()], 1);
  }
  if (ServedPart(part)) {
    const uint32_t d = s_.served.dense[part];
    return s_.served.members.subspan(s_.served.offsets[d],
                                     s_.served.offsets[d + 1] - s_.served.offsets[d]);
  }
  const uint32_t d = a_.dense[part];
  return a_.members.subspan(a_.offsets[d], a_.offsets[d + 1] - a_.offsets[d]);
}

uint32_t ClusterIndex::Size(ClusterId c) const {
  if (over_ != nullptr) {
    auto it = over_->merged.find(c.value());
    if (it != over_->merged.end()) return it->second->size;
  }
  return static_cast<uint32_t>(Members(c).size());
}

std::span<const uint32_t> ClusterIndex::Members(ClusterId c) const {
  if (over_ != nullptr) {
    auto it = over_->merged.find(c.value());
    if (it != over_->merged.end()) {
      const Merged& m = *it->second;
      std::call_once(m.sorted, [&] {
        m.members.reserve(m.size);
        for (uint32_t part : m.parts) {
          const auto p = PartMembers(part);
          m.members.insert(m.members.end(), p.begin(), p.end());
        }
        std::sort(m.members.begin(), m.members.end());
      });
      return m.members;
    }
    if (c.value() >= base_members()) {
      return std::span<const uint32_t>(&over_->new_ids[c.value() - base_members()], 1);
    }
  }
  return PartMembers(c.value());
}

absl::StatusOr<std::vector<LinkStep>> ClusterIndex::Explain(uint32_t from, uint32_t to) const {
  if (ClusterOf(from) != ClusterOf(to)) {
    return absl::NotFoundError("the addresses are in different clusters");
  }
  std::vector<LinkStep> path;
  if (from == to) return path;
  // Breadth-first search over the evidence forest (a tree per cluster: the path is unique). A
  // member's unions: the base's, then the overlay's (the order they were made in).
  absl::flat_hash_map<uint32_t, uint32_t> via;  // member -> link that reached it
  std::deque<uint32_t> queue = {from};
  via[from] = UINT32_MAX;
  auto visit = [&](uint32_t x, uint32_t link) {
    const ClusterLink& l = Link(link);
    const uint32_t y = l.a == x ? l.b : l.a;
    if (via.emplace(y, link).second) queue.push_back(y);
  };
  while (!queue.empty() && !via.contains(to)) {
    const uint32_t x = queue.front();
    queue.pop_front();
    if (x < base_members()) {
      for (uint32_t k = a_.adj_offsets[x]; k < a_.adj_offsets[x + 1]; ++k) visit(x, a_.adj[k]);
      // F's settled links, unless they were settled again (dirty).
      if (ServedPart(x)) {
        const uint32_t first = static_cast<uint32_t>(a_.links.size());
        for (uint32_t k = s_.adj_offsets[x]; k < s_.adj_offsets[x + 1]; ++k) {
          visit(x, first + s_.adj[k]);
        }
      }
    }
    if (over_ != nullptr) {
      auto it = over_->adj.find(x);
      if (it != over_->adj.end()) {
        for (uint32_t link : it->second) visit(x, link);
      }
    }
  }
  if (!via.contains(to)) return absl::InternalError("evidence forest is disconnected");
  for (uint32_t x = to; x != from;) {
    const uint32_t link = via[x];
    const ClusterLink& l = Link(link);
    const uint32_t prev = l.a == x ? l.b : l.a;
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
