#include "heuristics/evm_clustering.h"

#include <algorithm>
#include <fstream>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/core/eip55.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "engine/graph/label_index.h"
#include "engine/graph/union_find.h"
#include "engine/store/codec.h"
#include "engine/store/commit_batch.h"
#include "engine/store/evm_store.h"
#include "engine/store/scan.h"
#include "heuristics/evm_candidates.h"

namespace ariadne::heuristics {

using store::EvmHeuristic;

std::string EvmClusterParams::ToSpec() const {
  return absl::StrCat(
      "deposit_window=", deposit_window_blocks, ",deposit_tolerance_bps=", deposit_tolerance_bps,
      ",airdrop_min_recipients=", airdrop_min_recipients, ",exchanges_listed=", exchanges.size());
}

EvmClusterResult BuildEvmClusters(const graph::AccountGraph& g,
                                  const std::vector<ApprovalEvent>& approvals,
                                  const absl::flat_hash_set<uint32_t>& exchanges,
                                  const EvmClusterParams& params) {
  EvmClusterResult r;
  r.params = params.ToSpec();
  std::vector<EvmCandidate> candidates;
  for (uint32_t d = 0; d < g.account_count(); ++d) {
    r.deposit_addresses += DepositCandidates(g, d, exchanges, params, &candidates) ? 1 : 0;
  }
  for (uint32_t a = 0; a < g.account_count(); ++a) {
    r.airdrops += AirdropCandidates(g, a, exchanges, params, &candidates);
  }
  Approvals approved;
  for (const ApprovalEvent& e : approvals) approved.Add(e);
  SelfAuthorizationCandidates(g, approved, 0, g.transfer_count(), &candidates);
  graph::UnionFind uf(g.account_count());
  ApplyCandidates(std::move(candidates), &uf, &r.evidence, &r.unions);
  return r;
}

absl::StatusOr<EvmClusterInputs> LoadEvmClusterInputs(const store::Store& store,
                                                      const EvmClusterParams& params) {
  EvmClusterInputs in;
  ASSIGN_OR_RETURN(in.graph, graph::AccountGraph::Load(store));
  ASSIGN_OR_RETURN(const std::vector<graph::MemberLabel> rows, graph::LoadAccountLabels(store));
  ASSIGN_OR_RETURN(const std::unique_ptr<graph::LabelIndex> labels,
                   graph::LabelIndex::Build(rows, nullptr));
  in.exchanges = labels->MembersIn({"exchange"});
  for (const evm::Address& a : params.exchanges) {
    auto id = store::FindEvmAccount(store, a);
    if (id.ok()) in.exchanges.insert(*id);
  }
  RETURN_IF_ERROR(store::ScanRows(store, store::Cf::kEvmApproval, "", [&](auto k, auto v) {
    ASSIGN_OR_RETURN(const store::EvmApprovalRow row, store::DecodeEvmApprovalRow(v));
    if (k.size() != 9) return absl::DataLossError("corrupt evm_approval key");
    in.approvals.push_back(
        {store::GetBE(k.data(), 5), row.owner, row.spender, row.asset, !row.value.IsZero()});
    return absl::OkStatus();
  }));
  return in;
}

absl::StatusOr<EvmClusterResult> RebuildEvmClusters(store::Store* store,
                                                    const EvmClusterParams& params) {
  ASSIGN_OR_RETURN(const EvmClusterInputs in, LoadEvmClusterInputs(*store, params));
  EvmClusterResult r = BuildEvmClusters(*in.graph, in.approvals, in.exchanges, params);

  uint8_t old_gen = 0;
  bool had = false;
  if (auto m = store->ReadMeta(store::kMetaEvmCluster); m.ok()) {
    auto meta = store::DecodeClusterMeta(*m, store::kMetaEvmCluster);
    if (!meta.ok()) return meta.status();
    old_gen = meta->gen;
    had = true;
  }
  store::ClusterMeta meta;
  meta.gen = had ? static_cast<uint8_t>(old_gen + 1) : 0;
  meta.policy = r.params;
  meta.processed_txs = in.graph->tx_count();
  meta.unions = r.evidence.size();
  store::CommitBatch batch;
  uint64_t last_tx = UINT64_MAX;
  uint32_t index = 0;
  for (const store::EvmEvidenceRow& e : r.evidence) {
    index = e.tx == last_tx ? index + 1 : 0;
    last_tx = e.tx;
    batch.Put(store::Cf::kEvmEvidence, store::EvmEvidenceKey(meta.gen, e.tx, index),
              store::EncodeEvmEvidence(e));
  }
  batch.Put(store::Cf::kMeta, store::kMetaEvmCluster, store::EncodeClusterMeta(meta));
  auto committer = store::Committer::Create(store, store->dir() / "evm-cluster-staging");
  if (!committer.ok()) return committer.status();
  if (absl::Status s = (*committer)->Commit(&batch); !s.ok()) return s;
  // The old generation's rows are stale now; remove them.
  if (had && old_gen != meta.gen) {
    rocksdb::WriteBatch wb;
    std::unique_ptr<rocksdb::Iterator> it(
        store->db()->NewIterator(rocksdb::ReadOptions(), store->handle(store::Cf::kEvmEvidence)));
    const char gen = static_cast<char>(old_gen);
    for (it->Seek(std::string(1, gen)); it->Valid() && it->key()[0] == gen; it->Next()) {
      wb.Delete(store->handle(store::Cf::kEvmEvidence), it->key());
    }
    if (!it->status().ok()) return store::FromRocks(it->status(), "reading old EVM evidence");
    rocksdb::Status s = store->db()->Write(rocksdb::WriteOptions(), &wb);
    if (!s.ok()) return store::FromRocks(s, "deleting old EVM evidence");
  }
  return r;
}

absl::StatusOr<std::vector<evm::Address>> ReadAddressList(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path.string(), ": cannot read"));
  std::vector<evm::Address> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    absl::string_view v = absl::StripAsciiWhitespace(line);
    if (v.empty() || v[0] == '#') continue;
    // The first field of a CSV line is the address.
    v = v.substr(0, v.find(','));
    auto a = evm::ParseAddress(SV(v));
    if (!a.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path.string(), " line ", n, ": ", AV(SV(a.status().message()))));
    }
    out.push_back(*a);
  }
  return out;
}

}  // namespace ariadne::heuristics
