#include "heuristics/evm_clustering_observer.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "engine/core/status_macros.h"
#include "engine/graph/cluster_index.h"
#include "engine/store/commit_batch.h"
#include "engine/store/evm_store.h"
#include "engine/store/scan.h"

namespace ariadne::heuristics {

absl::StatusOr<std::unique_ptr<EvmClusteringObserver>> EvmClusteringObserver::Create(
    store::Store* store, const EvmClusterParams& params) {
  std::unique_ptr<EvmClusteringObserver> o(new EvmClusteringObserver());
  o->params_ = params;
  ASSIGN_OR_RETURN(const store::EvmChainState state, store::ReadEvmState(*store));
  auto meta_value = store->ReadMeta(store::kMetaEvmCluster);
  bool current = false;
  if (meta_value.ok()) {
    ASSIGN_OR_RETURN(o->meta_, store::DecodeClusterMeta(*meta_value, store::kMetaEvmCluster));
    current = o->meta_.policy == params.ToSpec() && o->meta_.processed_txs == state.tx_count;
  } else if (!absl::IsNotFound(meta_value.status())) {
    return meta_value.status();
  }
  if (!current && state.tx_count > 0) {
    // Another store's clustering, other parameters, or one that missed commits: rebuild.
    ASSIGN_OR_RETURN(const EvmClusterResult r, RebuildEvmClusters(store, params));
    o->unions_ = r.unions;
    o->rebuilt_ = true;
    ASSIGN_OR_RETURN(o->meta_, store::DecodeClusterMeta(*store->ReadMeta(store::kMetaEvmCluster),
                                                        store::kMetaEvmCluster));
  } else if (!current) {
    o->meta_ = store::ClusterMeta();  // an empty store: the first commit writes generation 0
    o->meta_.policy = params.ToSpec();
  }
  ASSIGN_OR_RETURN(o->inputs_, LoadEvmClusterInputs(*store, params));
  o->exchange_addresses_.insert(params.exchanges.begin(), params.exchanges.end());
  RETURN_IF_ERROR(store::ScanRows(*store, store::Cf::kLabels, std::string(1, store::kLabelChainEvm),
                                  [&](std::string_view k, std::string_view v) -> absl::Status {
                                    ASSIGN_OR_RETURN(const store::LabelRow row,
                                                     store::DecodeLabel(v));
                                    if (k.size() >= 1 + evm::Address::kSize &&
                                        absl::AsciiStrToLower(row.category) == "exchange") {
                                      o->exchange_addresses_.insert(evm::Address::FromBytes(
                                          reinterpret_cast<const uint8_t*>(k.data() + 1)));
                                    }
                                    return absl::OkStatus();
                                  }));
  for (const ApprovalEvent& e : o->inputs_.approvals) o->approvals_.Add(e);
  o->inputs_.approvals.clear();
  o->uf_.Grow(o->inputs_.graph->account_count());
  ASSIGN_OR_RETURN(const std::vector<store::EvmEvidenceRow> evidence,
                   graph::ReadUnions<store::EvmEvidenceRow>(
                       *store, store::Cf::kEvmEvidence, o->meta_.gen, store::DecodeEvmEvidence));
  for (const store::EvmEvidenceRow& e : evidence) {
    if (e.a >= o->uf_.size() || e.b >= o->uf_.size()) {
      return absl::DataLossError("EVM evidence names an unknown account");
    }
    o->uf_.Union(e.a, e.b);
    ++o->next_index_[e.tx];
  }
  return o;
}

absl::Status EvmClusteringObserver::OnCommit(const store::EvmCommitRows& rows,
                                             store::CommitBatch* batch) {
  graph::AccountGraph& g = *inputs_.graph;
  const uint64_t first_transfer = g.transfer_count();
  for (size_t i = 0; i < rows.accounts.size(); ++i) {
    if (exchange_addresses_.contains(rows.accounts[i])) {
      inputs_.exchanges.insert(g.account_count() + static_cast<uint32_t>(i));
    }
  }
  RETURN_IF_ERROR(g.Append({rows.accounts, rows.assets, rows.blocks, rows.txs, rows.transfers}));
  uf_.Grow(g.account_count());
  for (const auto& [tx, a] : rows.approvals) {
    approvals_.Add({tx, a.owner, a.spender, a.asset, !a.value.IsZero()});
  }
  // What the commit touched: accounts that sent or received (deposit addresses), distributors of
  // token transfers, and the distributors of what the senders of token transfers received
  // (airdrops whose participants moved on).
  std::vector<uint32_t> accounts, distributors;
  for (uint64_t n = first_transfer; n < g.transfer_count(); ++n) {
    const TransferNum t(n);
    const AccountId from = g.From(t);
    accounts.push_back(from.value());
    accounts.push_back(g.To(t).value());
    if (g.AssetOf(t).value() == store::kEtherAsset) continue;
    distributors.push_back(from.value());
    for (TransferNum r : g.In(from)) {
      if (g.AssetOf(r) == g.AssetOf(t)) distributors.push_back(g.From(r).value());
    }
  }
  for (std::vector<uint32_t>* v : {&accounts, &distributors}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  std::vector<EvmCandidate> candidates;
  for (uint32_t d : accounts) DepositCandidates(g, d, inputs_.exchanges, params_, &candidates);
  for (uint32_t a : distributors) AirdropCandidates(g, a, inputs_.exchanges, params_, &candidates);
  SelfAuthorizationCandidates(g, approvals_, first_transfer, g.transfer_count(), &candidates);
  std::vector<store::EvmEvidenceRow> evidence;
  ApplyCandidates(std::move(candidates), &uf_, &evidence, &unions_);
  for (const store::EvmEvidenceRow& e : evidence) {
    batch->Put(store::Cf::kEvmEvidence, store::EvmEvidenceKey(meta_.gen, e.tx, next_index_[e.tx]++),
               store::EncodeEvmEvidence(e));
  }
  meta_.processed_txs = g.tx_count();
  meta_.unions += evidence.size();
  batch->Put(store::Cf::kMeta, store::kMetaEvmCluster, store::EncodeClusterMeta(meta_));
  return absl::OkStatus();
}

}  // namespace ariadne::heuristics
