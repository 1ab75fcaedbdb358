#include "engine/evm/account_clusters.h"

#include <algorithm>
#include <deque>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/graph/union_find.h"

namespace ariadne::account {

absl::StatusOr<std::unique_ptr<ClusterIndex>> ClusterIndex::Build(const store::Store& store,
                                                                  const Graph& graph) {
  auto meta_value = store.ReadMeta(store::kMetaEvmCluster);
  if (!meta_value.ok()) {
    return absl::NotFoundError(
        "the store has no EVM clustering: run `ariadne index evm --db DIR` to build it");
  }
  auto meta = store::DecodeEvmClusterMeta(*meta_value);
  if (!meta.ok()) return meta.status();
  if (meta->processed_txs != graph.tx_count()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the EVM clustering covers ", meta->processed_txs, " transactions, the store ",
                     graph.tx_count(), ": run `ariadne index evm --db DIR` to rebuild it"));
  }
  std::vector<store::EvmEvidenceRow> evidence;
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  const char gen = static_cast<char>(meta->gen);
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(ro, store.handle(store::Cf::kEvmEvidence)));
  for (it->Seek(std::string(1, gen)); it->Valid() && it->key()[0] == gen; it->Next()) {
    auto row = store::DecodeEvmEvidence(std::string_view(it->key().data(), it->key().size()),
                                        std::string_view(it->value().data(), it->value().size()));
    if (!row.ok()) return row.status();
    if (row->a >= graph.account_count() || row->b >= graph.account_count()) {
      return absl::DataLossError("EVM evidence names an unknown account");
    }
    evidence.push_back(*row);
  }
  if (!it->status().ok()) return store::FromRocks(it->status(), "reading EVM evidence");
  return FromEvidence(graph.account_count(), std::move(evidence), meta->params);
}

std::unique_ptr<ClusterIndex> ClusterIndex::FromEvidence(
    uint32_t n, std::vector<store::EvmEvidenceRow> evidence, std::string params) {
  std::unique_ptr<ClusterIndex> ci(new ClusterIndex());
  ci->params_ = std::move(params);
  ci->evidence_ = std::move(evidence);
  graph::UnionFind uf(n);
  for (const store::EvmEvidenceRow& e : ci->evidence_) uf.Union(e.a, e.b);
  ci->dense_.assign(n, 0);
  std::vector<uint32_t> dense_of_root(n, UINT32_MAX);
  for (uint32_t a = 0; a < n; ++a) {
    const uint32_t id = uf.SetId(a);
    if (id == a) {
      dense_of_root[a] = static_cast<uint32_t>(ci->roots_.size());
      ci->roots_.push_back(a);
    }
    ci->dense_[a] = dense_of_root[id];  // id <= a: numbered already
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
  ci->adj_offsets_.assign(uint64_t{n} + 1, 0);
  for (const auto& e : ci->evidence_) {
    ci->adj_offsets_[e.a + 1]++;
    ci->adj_offsets_[e.b + 1]++;
  }
  for (uint32_t a = 0; a < n; ++a) ci->adj_offsets_[a + 1] += ci->adj_offsets_[a];
  ci->adj_.resize(ci->adj_offsets_[n]);
  std::vector<uint32_t> fill(ci->adj_offsets_.begin(), ci->adj_offsets_.end() - 1);
  for (uint32_t i = 0; i < ci->evidence_.size(); ++i) {
    ci->adj_[fill[ci->evidence_[i].a]++] = i;
    ci->adj_[fill[ci->evidence_[i].b]++] = i;
  }
  return ci;
}

std::span<const uint32_t> ClusterIndex::Members(uint32_t c) const {
  const uint32_t d = dense_[c];
  return {members_.data() + offsets_[d], members_.data() + offsets_[d + 1]};
}

absl::StatusOr<std::vector<store::EvmEvidenceRow>> ClusterIndex::Explain(uint32_t from,
                                                                         uint32_t to) const {
  if (dense_[from] != dense_[to])
    return absl::NotFoundError("the accounts are in different clusters");
  std::vector<store::EvmEvidenceRow> path;
  if (from == to) return path;
  // Breadth-first search over the evidence forest (a tree per cluster: the path is unique).
  absl::flat_hash_map<uint32_t, uint32_t> via;
  std::deque<uint32_t> queue = {from};
  via[from] = UINT32_MAX;
  while (!queue.empty() && !via.contains(to)) {
    const uint32_t x = queue.front();
    queue.pop_front();
    for (uint32_t k = adj_offsets_[x]; k < adj_offsets_[x + 1]; ++k) {
      const store::EvmEvidenceRow& e = evidence_[adj_[k]];
      const uint32_t y = e.a == x ? e.b : e.a;
      if (via.emplace(y, adj_[k]).second) queue.push_back(y);
    }
  }
  if (!via.contains(to)) return absl::InternalError("EVM evidence forest is disconnected");
  for (uint32_t x = to; x != from;) {
    const store::EvmEvidenceRow& e = evidence_[via[x]];
    const uint32_t prev = e.a == x ? e.b : e.a;
    store::EvmEvidenceRow step = e;
    step.a = prev;
    step.b = x;
    path.push_back(step);
    x = prev;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace ariadne::account
