#include "engine/account/account_backend.h"

#include <algorithm>
#include <map>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/core/eip55.h"
#include "engine/core/hex.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "engine/query/validate.h"
#include "engine/store/evm_store.h"

namespace ariadne::account {
namespace {

using evm::U256;

std::string StatusName(uint8_t s) { return s == 0 ? "success" : s == 1 ? "failed" : "unknown"; }

std::string KindName(uint8_t k) {
  static constexpr const char* kNames[] = {"native", "internal", "erc20",
                                           "erc721", "erc1155",  "fee"};
  return k < 6 ? kNames[k] : "unknown";
}

// Returns: a - b as a signed decimal.
std::string SignedDiff(const U256& a, const U256& b) {
  U256 d;
  if (U256::CheckedSub(a, b, &d)) return d.ToDecimal();
  (void)U256::CheckedSub(b, a, &d);
  return "-" + d.ToDecimal();
}

U256 Add(const U256& a, const U256& b) {
  U256 r;
  return U256::CheckedAdd(a, b, &r) ? r : U256::Max();
}

}  // namespace

absl::StatusOr<std::unique_ptr<AccountBackend>> AccountBackend::Open(const store::Store& store) {
  std::unique_ptr<AccountBackend> b(new AccountBackend(store));
  ASSIGN_OR_RETURN(b->graph_, graph::AccountGraph::Load(store));
  uint64_t rows_read = 0;
  auto rows = graph::LoadAccountLabels(store, &rows_read);
  RETURN_IF_ERROR(b->AdoptClustersAndLabels(b->LoadClusters(), std::move(rows), rows_read));
  return b;
}

absl::StatusOr<std::unique_ptr<query::ChainBackend>> AccountBackend::Refreshed(
    const store::Store& store) const {
  return Open(store);
}

absl::StatusOr<std::unique_ptr<graph::ClusterIndex>> AccountBackend::LoadClusters() {
  ASSIGN_OR_RETURN(graph::StoredClustering<store::EvmEvidenceRow> stored,
                   graph::ReadClustering<store::EvmEvidenceRow>(
                       store_, store::kMetaEvmCluster, store::Cf::kEvmEvidence,
                       store::DecodeEvmEvidence, graph_->tx_count(), "the EVM clustering",
                       "`ariadne index evm --db DIR`", NoClustering()));
  evidence_ = std::move(stored.unions);
  return graph::IndexUnions<store::EvmEvidenceRow>(graph_->account_count(), evidence_,
                                                   stored.meta.policy);
}

absl::StatusOr<query::ChainStatus> AccountBackend::Status() const {
  ASSIGN_OR_RETURN(const store::EvmChainState state, store::ReadEvmState(store_));
  query::ChainStatus s;
  s.model = model();
  s.network = std::string(Params(store_.network()).name);
  s.chain_id = state.chain_id;
  s.tip_height = static_cast<int32_t>(std::min<int64_t>(state.tip_number, INT32_MAX));
  if (state.tip_number >= 0) {
    s.tip_hash = evm::HashHex(state.tip_hash);
    auto block = store::ReadEvmBlock(store_, static_cast<uint64_t>(state.tip_number));
    if (block.ok()) s.tip_time = static_cast<uint32_t>(block->timestamp);
  }
  s.tx_count = state.tx_count;
  s.address_count = state.account_count;
  s.transfer_count = state.transfer_count;
  s.asset_count = state.asset_count;
  s.log_count = state.log_count;
  s.block_count = state.block_count;
  s.blocks_without_traces =
      state.traces_counted ? static_cast<int64_t>(state.blocks_without_traces) : -1;
  s.schema_version = store::kSchemaVersion;
  return s;
}

absl::StatusOr<uint32_t> AccountBackend::ResolveMember(std::string_view text) const {
  if (text.empty()) return absl::InvalidArgumentError("address is empty");
  auto a = evm::ParseAddress(text);
  if (!a.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid address '", query::Clip(text), "': ", a.status().message()));
  }
  auto id = store::FindEvmAccount(store_, *a);
  if (absl::IsNotFound(id.status())) {
    return absl::NotFoundError(
        absl::StrCat("address ", evm::ToChecksumAddress(*a), " never appeared on chain"));
  }
  if (id.ok() && *id >= graph_->account_count()) {
    return absl::UnavailableError("the address is newer than the loaded graph");
  }
  return id;
}

std::string AccountBackend::MemberName(uint32_t member) const {
  if (member >= graph_->account_count()) return "";
  return evm::ToChecksumAddress(graph_->AccountAddress(AccountId(member)));
}

absl::Status AccountBackend::NoClustering() const {
  return absl::FailedPreconditionError(
      "the store has no EVM clustering: run `ariadne index evm --db DIR` to build it");
}

std::string AccountBackend::AssetName(AssetId asset) const {
  if (asset.value() == store::kEtherAsset) return "ETH";
  return evm::ToChecksumAddress(graph_->Asset(asset).contract);
}

std::string AccountBackend::StandardName(AssetId asset) const {
  return std::string(store::AssetStandardName(graph_->Asset(asset).standard));
}

query::AssetAmount AccountBackend::Amount(AssetId asset, const U256& amount) const {
  query::AssetAmount a;
  a.asset = AssetName(asset);
  a.standard = StandardName(asset);
  a.amount = amount.ToDecimal();
  return a;
}

absl::StatusOr<AssetId> AccountBackend::ResolveAsset(std::string_view text) const {
  if (absl::AsciiStrToUpper(AV(text)) == "ETH") return AssetId(store::kEtherAsset);
  auto a = evm::ParseAddress(text);
  if (!a.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid asset '", query::Clip(text),
                     "' (ETH or a token contract): ", a.status().message()));
  }
  for (uint32_t i = 1; i < graph_->asset_count(); ++i) {
    if (graph_->Asset(AssetId(i)).contract == *a) return AssetId(i);
  }
  return absl::NotFoundError(
      absl::StrCat("no token transfers of contract ", evm::ToChecksumAddress(*a), " are indexed"));
}

std::string AccountBackend::TxHashString(TxNum tx) const {
  auto row = store::ReadEvmTx(store_, tx.value());
  return row.ok() ? evm::HashHex(row->hash) : absl::StrCat("<tx ", tx.value(), ">");
}

namespace {

void FillTotals(const store::EvmTotals& t, query::AssetBalance* b) {
  b->received = t.received.ToDecimal();
  b->sent = t.sent.ToDecimal();
  b->fees = t.fees.ToDecimal();
  b->balance = SignedDiff(t.received, Add(t.sent, t.fees));
  b->received_count = t.received_count;
  b->sent_count = t.sent_count;
  const bool seen = t.first_block != UINT64_MAX;
  b->first_block = seen ? static_cast<int64_t>(t.first_block) : -1;
  b->last_block = seen ? static_cast<int64_t>(t.last_block) : -1;
  b->overflow = t.overflow;
}

}  // namespace

query::AssetBalance AccountBackend::Balance(AssetId asset, const store::EvmTotals& t) const {
  query::AssetBalance b;
  b.asset = AssetName(asset);
  b.standard = StandardName(asset);
  b.fungible = store::IsFungible(graph_->Asset(asset).standard);
  FillTotals(t, &b);
  return b;
}

absl::Status AccountBackend::FillAddress(uint32_t member, query::AddressSummary* s) const {
  ASSIGN_OR_RETURN(const store::EvmAccountRow row, store::ReadEvmAccount(store_, member));
  std::vector<std::pair<uint32_t, store::EvmTotals>> totals;
  RETURN_IF_ERROR(store::ReadEvmTotals(store_, member, &totals));
  s->address = evm::ToChecksumAddress(row.address);
  s->type = row.contract ? "contract" : "account";
  for (const auto& [asset, t] : totals) {
    if (asset == store::kAccountTotalsAsset) {
      s->tx_count = t.tx_count;
      if (t.first_block != UINT64_MAX) {
        s->first_seen_height = static_cast<int32_t>(t.first_block);
        s->last_seen_height = static_cast<int32_t>(t.last_block);
      }
      continue;
    }
    if (asset >= graph_->asset_count()) continue;  // newer than the graph
    s->assets.push_back(Balance(AssetId(asset), t));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> AccountBackend::HistoryPage(uint32_t member, uint64_t from, uint32_t limit,
                                                     bool newest_first,
                                                     std::vector<uint64_t>* txs) const {
  return store::ReadEvmHistory(store_, member, from, limit, newest_first, txs);
}

absl::StatusOr<bool> AccountBackend::FillHistoryEntry(uint32_t member, uint64_t tx,
                                                      query::HistoryEntry* e) const {
  ASSIGN_OR_RETURN(const store::EvmTxRow row, store::ReadEvmTx(store_, tx));
  std::vector<store::EvmTransferRow> transfers;
  RETURN_IF_ERROR(
      store::ReadEvmTransfers(store_, row.first_transfer, row.transfer_count, &transfers));
  std::map<uint32_t, std::pair<U256, U256>> by_asset;  // received, sent
  for (const store::EvmTransferRow& t : transfers) {
    if (t.to == member) by_asset[t.asset].first = Add(by_asset[t.asset].first, t.amount);
    // A fee transfer's sender pays it as its fee, not as a sent amount.
    if (t.from == member && t.kind != store::kEvmFeeTransfer) {
      by_asset[t.asset].second = Add(by_asset[t.asset].second, t.amount);
    }
  }
  e->txid = evm::HashHex(row.hash);
  e->block_height = static_cast<int32_t>(row.block);
  e->block_time = static_cast<uint32_t>(graph_->Timestamp(row.block));
  for (const auto& [asset, rs] : by_asset) {
    if (asset >= graph_->asset_count()) continue;
    query::AssetAmount& a = e->amounts.emplace_back();
    a.asset = AssetName(AssetId(asset));
    a.standard = StandardName(AssetId(asset));
    a.received = rs.first.ToDecimal();
    a.sent = rs.second.ToDecimal();
  }
  e->fee = row.from == member ? row.fee.ToDecimal() : "0";
  e->status = StatusName(row.status);
  e->from = MemberName(row.from);
  e->to = row.has_to ? MemberName(row.to) : "";
  return true;
}

absl::StatusOr<query::Transaction> AccountBackend::Tx(std::string_view text) const {
  auto h = evm::ParseH256(text);
  if (!h.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid transaction hash '", query::Clip(text), "': ", h.status().message()));
  }
  ASSIGN_OR_RETURN(const uint64_t num,
                   store::FindEvmTx(store_, evm::RetagHash<evm::EvmTxHash>(*h)));
  ASSIGN_OR_RETURN(const store::EvmTxRow tx, store::ReadEvmTx(store_, num));
  ASSIGN_OR_RETURN(const store::EvmBlockRow block, store::ReadEvmBlock(store_, tx.block));
  std::vector<store::EvmTransferRow> transfers;
  RETURN_IF_ERROR(
      store::ReadEvmTransfers(store_, tx.first_transfer, tx.transfer_count, &transfers));
  query::Transaction r;
  r.model = model();
  r.txid = evm::HashHex(tx.hash);
  r.block_height = static_cast<int32_t>(tx.block);
  r.block_hash = evm::HashHex(block.hash);
  r.block_time = static_cast<uint32_t>(block.timestamp);
  r.version = tx.type;
  query::AccountTransaction& e = r.account;
  e.chain_id = EvmChainId(store_.network());
  e.from = MemberName(tx.from);
  e.to = tx.has_to ? MemberName(tx.to) : "";
  e.created_contract = tx.has_created ? MemberName(tx.created) : "";
  e.value = tx.value.ToDecimal();
  e.fee = tx.fee.ToDecimal();
  e.status = StatusName(tx.status);
  e.index = tx.index;
  e.type = tx.type;
  e.nonce = tx.nonce;
  e.gas_used = tx.gas_used;
  e.effective_gas_price = tx.effective_gas_price.ToDecimal();
  e.log_count = tx.log_count;
  e.selector = "0x" + HexEncode(ByteSpan(tx.selector.data(), 4));
  for (size_t i = 0; i < transfers.size(); ++i) {
    const store::EvmTransferRow& t = transfers[i];
    query::Transfer& m = e.transfers.emplace_back();
    m.index = tx.first_transfer + i;
    m.kind = KindName(t.kind);
    m.asset = t.asset < graph_->asset_count() ? AssetName(AssetId(t.asset))
                                              : absl::StrCat("<asset ", t.asset, ">");
    m.from = MemberName(t.from);
    m.to = MemberName(t.to);
    m.amount = t.amount.ToDecimal();
    if (t.kind == 3 || t.kind == 4) m.token_id = t.token_id.ToDecimal();
    m.log_index = t.log_index == UINT32_MAX ? -1 : static_cast<int64_t>(t.log_index);
  }
  return r;
}

void AccountBackend::FillClusterFlows(ClusterId cluster, query::ClusterSummary* s) const {
  const graph::AccountGraph& g = *graph_;
  auto members = clusters()->Members(cluster);
  auto member = [&](AccountId a) {
    return std::binary_search(members.begin(), members.end(), a.value());
  };
  std::map<uint32_t, store::EvmTotals> by_asset;
  absl::flat_hash_set<uint64_t> txs;
  uint64_t first = UINT64_MAX, last = 0;
  auto seen = [&](uint64_t block) {
    first = std::min(first, block);
    last = std::max(last, block);
  };
  auto add = [&](AssetId asset, const store::EvmTotals& d) {
    store::MergeEvmTotals(d, &by_asset[asset.value()]);
  };
  // A transfer across the boundary counts into `amount` and `count` (received or sent) of its
  // asset.
  auto cross = [&](TransferNum t, AccountId other, U256 store::EvmTotals::*amount,
                   uint64_t store::EvmTotals::*count) {
    txs.insert(g.TxOf(t).value());
    seen(g.TransferBlock(t));
    if (member(other)) return;
    store::EvmTotals d;
    d.*amount = g.Amount(t);
    d.*count = 1;
    d.first_block = d.last_block = g.TransferBlock(t);
    add(g.AssetOf(t), d);
  };
  for (uint32_t m : members) {
    for (TransferNum t : g.In(AccountId(m))) {
      cross(t, g.From(t), &store::EvmTotals::received, &store::EvmTotals::received_count);
    }
    for (TransferNum t : g.Out(AccountId(m))) {
      cross(t, g.To(t), &store::EvmTotals::sent, &store::EvmTotals::sent_count);
    }
    for (TxNum x : g.FeesPaid(AccountId(m))) {
      txs.insert(x.value());
      seen(g.Block(x));
      store::EvmTotals d;
      d.fees = g.Fee(x);
      d.first_block = d.last_block = g.Block(x);
      add(AssetId(store::kEtherAsset), d);
    }
  }
  s->tx_count = txs.size();
  s->first_seen_height = first == UINT64_MAX ? -1 : static_cast<int32_t>(first);
  s->last_seen_height = first == UINT64_MAX ? -1 : static_cast<int32_t>(last);
  for (const auto& [asset, t] : by_asset) {
    s->assets.push_back(Balance(AssetId(asset), t));
  }
}

absl::StatusOr<query::EvidenceLink> AccountBackend::NameLink(const graph::LinkStep& step) const {
  const store::EvmEvidenceRow& e = evidence_[step.link];
  query::EvidenceLink link;
  link.via = e.heuristic == store::EvmHeuristic::kDepositAddressReuse ? MemberName(e.via)
                                                                      : AssetName(AssetId(e.via));
  link.heuristic = absl::StrCat(AV(store::EvmHeuristicName(e.heuristic)), ":", link.via);
  link.txid = TxHashString(TxNum(e.tx));
  link.block_height = static_cast<int32_t>(graph_->Block(TxNum(e.tx)));
  if (e.related_tx != UINT64_MAX) link.related_txid = TxHashString(TxNum(e.related_tx));
  return link;
}

}  // namespace ariadne::account
