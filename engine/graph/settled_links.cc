#include "engine/graph/settled_links.h"

#include <algorithm>
#include <deque>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/store/codec.h"

namespace ariadne::graph {
namespace {

// A union-find over the few ids it is given (the rest are their own sets), the smallest id the
// root, with the sizes of the roots (base_size for an id never joined).
class SparseUnionFind {
 public:
  explicit SparseUnionFind(std::function<uint32_t(uint32_t)> base_size)
      : base_size_(std::move(base_size)) {}
  uint32_t Find(uint32_t x) {
    for (;;) {
      auto it = parent_.find(x);
      if (it == parent_.end() || it->second == x) return x;
      auto up = parent_.find(it->second);
      if (up != parent_.end()) it->second = up->second;  // path halving
      x = it->second;
    }
  }
  uint32_t Size(uint32_t root) const {
    auto it = size_.find(root);
    return it == size_.end() ? base_size_(root) : it->second;
  }
  void Unite(uint32_t a, uint32_t b) {
    const uint32_t ra = Find(a), rb = Find(b);
    if (ra == rb) return;
    const uint32_t s = Size(ra) + Size(rb);
    parent_.emplace(ra, ra);
    parent_.emplace(rb, rb);
    parent_[std::max(ra, rb)] = std::min(ra, rb);
    size_[std::min(ra, rb)] = s;
  }
  const absl::flat_hash_map<uint32_t, uint32_t>& joined() const { return parent_; }

 private:
  std::function<uint32_t(uint32_t)> base_size_;
  absl::flat_hash_map<uint32_t, uint32_t> parent_, size_;
};

}  // namespace

std::vector<uint32_t> SettleEdges(std::span<const PendingEdge> edges,
                                  const std::function<uint32_t(uint32_t)>& cluster_of,
                                  const std::function<uint32_t(uint32_t)>& size, uint32_t guard) {
  // A union-find over the clusters the candidates join (by id), with their sizes, guarded as
  // ClusterBuilder guards change links.
  absl::flat_hash_map<uint32_t, uint32_t> parent, sizes;  // sizes: of roots
  auto find = [&](uint32_t x) {
    if (parent.emplace(x, x).second) {
      sizes[x] = size(x);
      return x;
    }
    for (uint32_t p = parent[x]; p != x; p = parent[x]) {
      const uint32_t grandparent = parent[p];
      parent[x] = grandparent;
      x = grandparent;
    }
    return x;
  };
  std::vector<uint32_t> linked;
  for (uint32_t i = 0; i < edges.size(); ++i) {
    const PendingEdge& p = edges[i];
    const uint32_t ra = find(cluster_of(p.anchor)), rb = find(cluster_of(p.change));
    if (ra == rb) continue;
    const uint32_t sa = sizes[ra], sb = sizes[rb];
    if (guard > 0 && std::max(sa, sb) > guard) continue;
    parent[std::max(ra, rb)] = std::min(ra, rb);
    sizes[std::min(ra, rb)] = sa + sb;
    linked.push_back(i);
  }
  return linked;
}

absl::StatusOr<std::vector<PendingEdge>> ReadPendingEdges(const store::Store& store, uint8_t gen,
                                                          uint64_t from_tx, uint8_t skip_rules) {
  std::vector<PendingEdge> edges;
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::string start(1, static_cast<char>(gen));
  store::PutBE64(&start, from_tx << 24);
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(ro, store.handle(store::Cf::kClusterPending)));
  for (it->Seek(start); it->Valid() && static_cast<uint8_t>(it->key()[0]) == gen; it->Next()) {
    if (it->key().size() != 9) return absl::DataLossError("corrupt cluster_pending key");
    ASSIGN_OR_RETURN(store::PendingRow p, store::DecodePending(std::string_view(
                                              it->value().data(), it->value().size())));
    if (p.rule & skip_rules) continue;
    PendingEdge e;
    e.key = store::GetBE(it->key().data() + 1, 8);
    e.anchor = p.anchor;
    e.change = p.change;
    e.rule = p.rule;
    edges.push_back(e);
  }
  RETURN_IF_ERROR(store::FromRocks(it->status(), "reading pending change candidates"));
  return edges;
}

absl::StatusOr<std::vector<ResettledLink>> ResettleSince(
    const ClusterSpans& base, const SettledLayer& layer, uint32_t members,
    std::span<const ClusterLink> unions, std::span<const PendingEdge> added, uint64_t base_txs,
    const TxGraph& graph, uint32_t guard, absl::flat_hash_set<uint32_t>* dirty, uint64_t* nodes) {
  const uint32_t n0 = static_cast<uint32_t>(base.dense.size());
  // C parts: a stored cluster (by id) or a member added after the files.
  auto part = [&](uint32_t m) { return m < n0 ? base.roots[base.dense[m]] : m; };
  auto part_size = [&](uint32_t p) -> uint32_t {
    if (p >= n0) return 1;
    const uint32_t d = base.dense[p];
    return base.offsets[d + 1] - base.offsets[d];
  };
  // C' = C and the unions since: nodes are groups of parts.
  SparseUnionFind nodes_uf(part_size);
  std::vector<uint32_t> seeds;
  for (const ClusterLink& l : unions) {
    if (l.a >= members || l.b >= members) {
      return absl::DataLossError("evidence names an unknown address");
    }
    nodes_uf.Unite(part(l.a), part(l.b));
    seeds.push_back(l.a);
  }
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> parts_of;  // node -> parts (joined only)
  for (const auto& [p, unused] : nodes_uf.joined()) parts_of[nodes_uf.Find(p)].push_back(p);
  auto node = [&](uint32_t m) { return nodes_uf.Find(part(m)); };
  // The candidates added since, by part of either end.
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> added_of;
  for (uint32_t i = 0; i < added.size(); ++i) {
    const PendingEdge& e = added[i];
    if (e.anchor >= members || e.change >= members) {
      return absl::DataLossError(
          absl::StrCat("pending candidate ", e.key, " names an unknown address"));
    }
    added_of[part(e.anchor)].push_back(i);
    added_of[part(e.change)].push_back(i);
    seeds.push_back(e.anchor);
  }
  // The candidates consumed since: their change output spent by a later transaction.
  auto consumed = [&](const PendingEdge& e) {
    return graph.SpentBy(OutNum(graph.FirstOut(e.tx()) + e.vout())).valid();
  };
  for (uint64_t t = base_txs; t < graph.tx_count(); ++t) {
    for (uint64_t i = graph.FirstIn(TxNum(t)); i < graph.FirstIn(TxNum(t + 1)); ++i) {
      const OutNum o = graph.Input(i);
      const TxNum pt = graph.TxOf(o);
      if (pt.value() >= base_txs) continue;
      const uint64_t key = (pt.value() << 24) | (o.value() - graph.FirstOut(pt));
      auto it = std::lower_bound(layer.pending.begin(), layer.pending.end(), key,
                                 [](const PendingEdge& e, uint64_t k) { return e.key < k; });
      if (it != layer.pending.end() && it->key == key) {
        seeds.push_back(it->anchor);  // both ends: the candidate no longer joins them
        seeds.push_back(it->change);
      }
    }
  }
  // Everything connected to a seed by a candidate (a union of whole components of the candidate
  // graph: outside it nothing changed, so F's grouping holds there).
  absl::flat_hash_set<uint32_t> visited;
  std::deque<uint32_t> queue;
  auto visit = [&](uint32_t m) {
    const uint32_t n = node(m);
    if (visited.insert(n).second) queue.push_back(n);
  };
  for (uint32_t m : seeds) visit(m);
  absl::flat_hash_set<uint64_t> from_files;
  absl::flat_hash_set<uint32_t> from_added;
  auto for_parts = [&](uint32_t n, auto&& fn) {
    auto it = parts_of.find(n);
    if (it == parts_of.end()) {
      fn(n);
    } else {
      for (uint32_t p : it->second) fn(p);
    }
  };
  while (!queue.empty()) {
    const uint32_t n = queue.front();
    queue.pop_front();
    for_parts(n, [&](uint32_t p) {
      if (p < n0) {
        const uint32_t d = base.dense[p];
        for (uint32_t k = layer.pending_offsets[d]; k < layer.pending_offsets[d + 1]; ++k) {
          const uint32_t e = layer.pending_adj[k];
          const PendingEdge& pe = layer.pending[e];
          if (consumed(pe) || !from_files.insert(e).second) continue;
          visit(pe.anchor);
          visit(pe.change);
        }
      }
      auto it = added_of.find(p);
      if (it == added_of.end()) return;
      for (uint32_t e : it->second) {
        if (!from_added.insert(e).second) continue;
        visit(added[e].anchor);
        visit(added[e].change);
      }
    });
  }
  // Settle them again, in key order, over C'.
  std::vector<PendingEdge> edges;
  edges.reserve(from_files.size() + from_added.size());
  for (uint64_t e : from_files) edges.push_back(layer.pending[e]);
  for (uint32_t e : from_added) edges.push_back(added[e]);
  std::sort(edges.begin(), edges.end(),
            [](const PendingEdge& a, const PendingEdge& b) { return a.key < b.key; });
  const std::vector<uint32_t> linked = SettleEdges(
      edges, node, [&](uint32_t n) { return nodes_uf.Size(n); }, guard);
  std::vector<ResettledLink> out;
  out.reserve(linked.size());
  for (uint32_t i : linked) {
    const PendingEdge& e = edges[i];
    out.push_back({e.anchor, e.change, e.key, e.rule});
  }
  for (uint32_t n : visited) {
    for_parts(n, [&](uint32_t p) {
      if (p < n0) dirty->insert(layer.served.roots[layer.served.dense[p]]);
    });
  }
  *nodes = visited.size();
  // A group settled again into exactly F's links (nothing inside it changed: the change was next
  // to it) stays whole: its links and totals are F's.
  auto group = [&](uint32_t m) { return layer.served.roots[layer.served.dense[m]]; };
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> inside;  // group -> indices into out
  for (uint32_t i = 0; i < out.size(); ++i) {
    const ResettledLink& l = out[i];
    if (l.anchor < n0 && l.change < n0 && group(l.anchor) == group(l.change)) {
      inside[group(l.anchor)].push_back(i);
    }
  }
  using Key = std::tuple<uint32_t, uint32_t, uint64_t, uint8_t>;
  std::vector<Key> before, after;
  std::vector<bool> keep(out.size(), true);
  for (auto it = dirty->begin(); it != dirty->end();) {
    const uint32_t g = *it;
    before.clear();
    after.clear();
    const uint32_t d = layer.served.dense[g];
    for (uint32_t k = layer.served.offsets[d]; k < layer.served.offsets[d + 1]; ++k) {
      const uint32_t m = layer.served.members[k];
      for (uint32_t j = layer.adj_offsets[m]; j < layer.adj_offsets[m + 1]; ++j) {
        const ClusterLink& l = layer.links[layer.adj[j]];
        if (l.a != m) continue;  // once per link
        const LinkEvidence& e = layer.evidence[layer.adj[j]];
        before.emplace_back(l.a, l.b, e.tx, e.rule);
      }
    }
    auto in = inside.find(g);
    if (in != inside.end()) {
      for (uint32_t i : in->second) {
        after.emplace_back(out[i].anchor, out[i].change, out[i].key >> 24, out[i].rule);
      }
    }
    std::sort(before.begin(), before.end());
    std::sort(after.begin(), after.end());
    if (before != after) {
      ++it;
      continue;
    }
    if (in != inside.end()) {
      for (uint32_t i : in->second) keep[i] = false;
    }
    dirty->erase(it++);
  }
  std::vector<ResettledLink> kept;
  kept.reserve(out.size());
  for (uint32_t i = 0; i < out.size(); ++i) {
    if (keep[i]) kept.push_back(out[i]);
  }
  return kept;
}

}  // namespace ariadne::graph
