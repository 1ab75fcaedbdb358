#include "engine/graph/cluster_index.h"

#include <algorithm>
#include <deque>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/graph/union_find.h"
#include "engine/store/codec.h"

namespace ariadne::graph {

absl::StatusOr<std::unique_ptr<ClusterIndex>> ClusterIndex::Build(const store::Store& store,
                                                                  const TxGraph& graph,
                                                                  const store::HeightIndex& heights,
                                                                  const SettleFn& settle) {
  auto meta_value = store.ReadMeta(store::kMetaCluster);
  if (!meta_value.ok()) {
    return absl::NotFoundError("the store has no clustering: run `ariadne recluster`");
  }
  auto meta = store::DecodeClusterMeta(*meta_value);
  if (!meta.ok()) return meta.status();
  if (meta->processed_txs != graph.tx_count()) {
    return absl::FailedPreconditionError(absl::StrCat("the clustering covers ", meta->processed_txs,
                                                      " transactions, the graph ", graph.tx_count(),
                                                      ": run `ariadne recluster`"));
  }
  auto state = store.ReadState();
  if (!state.ok()) return state.status();
  std::unique_ptr<ClusterIndex> ci(new ClusterIndex());
  ci->policy_ = meta->policy;
  const uint32_t n = state->addr_count;

  // Evidence of the active generation, and the union-find it implies.
  UnionFind uf(n);
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  const char gen = static_cast<char>(meta->gen);
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(ro, store.handle(store::Cf::kEvidence)));
  for (it->Seek(std::string(1, gen)); it->Valid() && it->key()[0] == gen; it->Next()) {
    auto row = store::DecodeEvidence(std::string_view(it->key().data(), it->key().size()),
                                     std::string_view(it->value().data(), it->value().size()));
    if (!row.ok()) return row.status();
    if (row->a >= n || row->b >= n) return absl::DataLossError("evidence names an unknown address");
    uf.Union(row->a, row->b);
    ci->evidence_.push_back(*row);
  }
  if (!it->status().ok()) return store::FromRocks(it->status(), "reading evidence");
  if (settle) {
    auto settled = settle(ci->evidence_);
    if (!settled.ok()) return settled.status();
    for (const store::EvidenceRow& row : *settled) {
      if (row.a >= n || row.b >= n) {
        return absl::DataLossError("a settled link names an unknown address");
      }
      uf.Union(row.a, row.b);
      ci->evidence_.push_back(row);
    }
  }

  // Dense cluster numbering in order of cluster id, members by counting sort.
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
  {
    std::vector<uint32_t> fill(ci->offsets_.begin(), ci->offsets_.end() - 1);
    for (uint32_t a = 0; a < n; ++a) ci->members_[fill[ci->dense_[a]]++] = a;
  }

  // Totals across cluster boundaries, from the transaction graph.
  ci->totals_.assign(clusters, ClusterTotals());
  std::vector<uint32_t> inside;  // dense clusters of this transaction's inputs
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
      const uint32_t d = ci->dense_[a.value()];
      ci->totals_[d].sent += graph.Value(o);
      inside.push_back(d);
    }
    std::sort(inside.begin(), inside.end());
    inside.erase(std::unique(inside.begin(), inside.end()), inside.end());
    touched = inside;
    for (uint64_t o = graph.FirstOut(tx); o < graph.FirstOut(TxNum(t + 1)); ++o) {
      const AddrId a = graph.Addr(OutNum(o));
      if (!a.valid()) continue;
      const uint32_t d = ci->dense_[a.value()];
      if (std::binary_search(inside.begin(), inside.end(), d)) {
        ci->totals_[d].sent -= graph.Value(OutNum(o));  // change back to the cluster
      } else {
        ci->totals_[d].received += graph.Value(OutNum(o));
        touched.push_back(d);
      }
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (uint32_t d : touched) {
      ClusterTotals& ct = ci->totals_[d];
      ct.tx_count++;
      ct.first_height = std::min(ct.first_height, height);
      ct.last_height = std::max(ct.last_height, height);
    }
  }

  // Evidence adjacency (both directions) for explanations.
  ci->adj_offsets_.assign(n + 1, 0);
  for (const auto& e : ci->evidence_) {
    ci->adj_offsets_[e.a + 1]++;
    ci->adj_offsets_[e.b + 1]++;
  }
  for (uint32_t a = 0; a < n; ++a) ci->adj_offsets_[a + 1] += ci->adj_offsets_[a];
  ci->adj_.resize(ci->adj_offsets_[n]);
  {
    std::vector<uint32_t> fill(ci->adj_offsets_.begin(), ci->adj_offsets_.end() - 1);
    for (uint32_t i = 0; i < ci->evidence_.size(); ++i) {
      ci->adj_[fill[ci->evidence_[i].a]++] = i;
      ci->adj_[fill[ci->evidence_[i].b]++] = i;
    }
  }
  return ci;
}

std::span<const uint32_t> ClusterIndex::Members(ClusterId c) const {
  const uint32_t d = dense_[c.value()];
  return std::span<const uint32_t>(members_.data() + offsets_[d], offsets_[d + 1] - offsets_[d]);
}

absl::StatusOr<std::vector<store::EvidenceRow>> ClusterIndex::Explain(AddrId from,
                                                                      AddrId to) const {
  if (dense_[from.value()] != dense_[to.value()]) {
    return absl::NotFoundError("the addresses are in different clusters");
  }
  std::vector<store::EvidenceRow> path;
  if (from == to) return path;
  // Breadth-first search over the evidence forest (a tree per cluster: the path is unique).
  absl::flat_hash_map<uint32_t, uint32_t> via;  // address -> evidence index that reached it
  std::deque<uint32_t> queue = {from.value()};
  via[from.value()] = UINT32_MAX;
  while (!queue.empty() && !via.contains(to.value())) {
    const uint32_t x = queue.front();
    queue.pop_front();
    for (uint32_t k = adj_offsets_[x]; k < adj_offsets_[x + 1]; ++k) {
      const store::EvidenceRow& e = evidence_[adj_[k]];
      const uint32_t y = e.a == x ? e.b : e.a;
      if (via.emplace(y, adj_[k]).second) queue.push_back(y);
    }
  }
  if (!via.contains(to.value())) return absl::InternalError("evidence forest is disconnected");
  for (uint32_t x = to.value(); x != from.value();) {
    const store::EvidenceRow& e = evidence_[via[x]];
    const uint32_t prev = e.a == x ? e.b : e.a;
    store::EvidenceRow step = e;
    step.a = prev;  // oriented along the path
    step.b = x;
    path.push_back(step);
    x = prev;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace ariadne::graph
