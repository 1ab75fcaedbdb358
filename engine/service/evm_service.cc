#include "engine/service/evm_service.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/core/eip55.h"
#include "engine/core/hex.h"
#include "engine/core/strings.h"
#include "engine/evm/account_exposure.h"
#include "engine/evm/account_paths.h"
#include "engine/evm/account_trace.h"
#include "engine/service/cancel_poll.h"
#include "engine/service/trace_events.h"
#include "engine/store/evm_store.h"

namespace ariadne::service::evm_rpc {
namespace {

using account::Graph;
using evm::Address;
using evm::U256;

grpc::Status Invalid(const std::string& msg) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, msg);
}

std::string Clip(const std::string& s) { return s.substr(0, 100); }

// Returns: the AccountId of an address typed by a user: INVALID_ARGUMENT for a malformed one (a
// wrong EIP-55 checksum in mixed case included), NOT_FOUND for one never seen.
absl::StatusOr<uint32_t> ResolveAccount(const Engine& engine, const std::string& text) {
  if (text.empty()) return absl::InvalidArgumentError("address is empty");
  auto a = evm::ParseAddress(text);
  if (!a.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid address '", Clip(text), "': ", AV(SV(a.status().message()))));
  }
  auto id = store::FindEvmAccount(engine.store(), *a);
  if (absl::IsNotFound(id.status())) {
    return absl::NotFoundError(
        absl::StrCat("address ", evm::ToChecksumAddress(*a), " never appeared on chain"));
  }
  if (id.ok() && *id >= engine.account_graph()->account_count()) {
    return absl::UnavailableError("the address is newer than the loaded graph");
  }
  return id;
}

std::string AccountString(const Engine& engine, uint32_t a) {
  if (a == account::kNoAccount || a >= engine.account_graph()->account_count()) return "";
  return evm::ToChecksumAddress(engine.account_graph()->AccountAddress(a));
}

std::string AssetName(const Engine& engine, uint32_t asset) {
  if (asset == store::kEtherAsset) return "ETH";
  return evm::ToChecksumAddress(engine.account_graph()->Asset(asset).contract);
}

std::string StandardName(const Engine& engine, uint32_t asset) {
  return std::string(store::AssetStandardName(engine.account_graph()->Asset(asset).standard));
}

// Returns: the AssetId of "ETH" or a token contract; INVALID_ARGUMENT / NOT_FOUND otherwise.
absl::StatusOr<uint32_t> ResolveAsset(const Engine& engine, const std::string& text) {
  if (absl::AsciiStrToUpper(text) == "ETH") return store::kEtherAsset;
  auto a = evm::ParseAddress(text);
  if (!a.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid asset '", Clip(text),
                     "' (ETH or a token contract): ", AV(SV(a.status().message()))));
  }
  const Graph& g = *engine.account_graph();
  for (uint32_t i = 1; i < g.asset_count(); ++i) {
    if (g.Asset(i).contract == *a) return i;
  }
  return absl::NotFoundError(
      absl::StrCat("no token transfers of contract ", evm::ToChecksumAddress(*a), " are indexed"));
}

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

std::string TxHashString(const Engine& engine, uint64_t tx) {
  auto row = store::ReadEvmTx(engine.store(), tx);
  return row.ok() ? evm::HashHex(row->hash) : absl::StrCat("<tx ", tx, ">");
}

void AddLabels(const Engine& engine, uint32_t a,
               google::protobuf::RepeatedPtrField<v1::Label>* out) {
  if (engine.account_labels() == nullptr) return;
  for (uint32_t id : engine.account_labels()->Of(a)) {
    const store::LabelRow& row = engine.account_labels()->labels()[id];
    v1::Label* l = out->Add();
    l->set_label(row.label);
    l->set_category(row.category);
    l->set_source(row.source);
    l->set_address(AccountString(engine, a));
  }
}

absl::Status NoClusters() {
  return absl::FailedPreconditionError(
      "the store has no EVM clustering: run `ariadne index evm --db DIR` to build it");
}

// An address or "cluster:<id>": the accounts it stands for (sorted).
absl::StatusOr<std::vector<uint32_t>> ResolveSubject(const Engine& engine,
                                                     const std::string& subject, bool by_cluster) {
  uint32_t cluster_id;
  const bool is_cluster_id =
      subject.rfind("cluster:", 0) == 0 && absl::SimpleAtoi(subject.substr(8), &cluster_id);
  if (!is_cluster_id && !by_cluster) {
    auto id = ResolveAccount(engine, subject);
    if (!id.ok()) return id.status();
    return std::vector<uint32_t>{*id};
  }
  const account::ClusterIndex* clusters = engine.account_clusters();
  if (clusters == nullptr) return NoClusters();
  uint32_t c;
  if (is_cluster_id) {
    if (!clusters->IsCluster(cluster_id)) {
      return absl::NotFoundError(absl::StrCat("no cluster with id ", cluster_id));
    }
    c = cluster_id;
  } else {
    auto id = ResolveAccount(engine, subject);
    if (!id.ok()) return id.status();
    c = clusters->ClusterOf(*id);
  }
  auto members = clusters->Members(c);
  return std::vector<uint32_t>(members.begin(), members.end());
}

template <typename Request>
absl::StatusOr<uint32_t> ResolveCluster(const Engine& engine, const Request& req) {
  const account::ClusterIndex* clusters = engine.account_clusters();
  if (clusters == nullptr) return NoClusters();
  if (req.selector_case() == Request::kClusterId) {
    if (!clusters->IsCluster(req.cluster_id())) {
      return absl::NotFoundError(absl::StrCat("no cluster with id ", req.cluster_id()));
    }
    return req.cluster_id();
  }
  if (req.selector_case() != Request::kAddress) {
    return absl::InvalidArgumentError("give an address or a cluster id");
  }
  auto id = ResolveAccount(engine, req.address());
  if (!id.ok()) return id.status();
  return clusters->ClusterOf(*id);
}

void FillBalance(const Engine& engine, uint32_t asset, const store::EvmTotals& t,
                 v1::AssetBalance* b) {
  b->set_asset(AssetName(engine, asset));
  b->set_standard(StandardName(engine, asset));
  b->set_fungible(store::IsFungible(engine.account_graph()->Asset(asset).standard));
  b->set_received(t.received.ToDecimal());
  b->set_sent(t.sent.ToDecimal());
  b->set_fees(t.fees.ToDecimal());
  b->set_balance(SignedDiff(t.received, Add(t.sent, t.fees)));
  b->set_received_count(t.received_count);
  b->set_sent_count(t.sent_count);
  const bool seen = t.first_block != UINT64_MAX;
  b->set_first_block(seen ? static_cast<int64_t>(t.first_block) : -1);
  b->set_last_block(seen ? static_cast<int64_t>(t.last_block) : -1);
  b->set_overflow(t.overflow);
}

}  // namespace

grpc::Status GetStatus(const Engine& engine, v1::ChainStatus* resp) {
  auto state = store::ReadEvmState(engine.store());
  if (!state.ok()) return ToGrpc(state.status());
  resp->set_network(std::string(Params(engine.store().network()).name));
  resp->set_chain_id(state->chain_id);
  resp->set_tip_height(static_cast<int32_t>(std::min<int64_t>(state->tip_number, INT32_MAX)));
  if (state->tip_number >= 0) {
    resp->set_tip_hash(evm::HashHex(state->tip_hash));
    auto block = store::ReadEvmBlock(engine.store(), static_cast<uint64_t>(state->tip_number));
    if (block.ok()) resp->set_tip_time(static_cast<uint32_t>(block->timestamp));
  }
  resp->set_tx_count(state->tx_count);
  resp->set_address_count(state->account_count);
  resp->set_transfer_count(state->transfer_count);
  resp->set_asset_count(state->asset_count);
  resp->set_log_count(state->log_count);
  resp->set_block_count(state->block_count);
  resp->set_blocks_without_traces(
      state->traces_counted ? static_cast<int64_t>(state->blocks_without_traces) : -1);
  resp->set_schema_version(store::kSchemaVersion);
  return grpc::Status::OK;
}

grpc::Status GetAddress(const Engine& engine, const v1::GetAddressRequest& req,
                        v1::AddressSummary* resp) {
  auto id = ResolveAccount(engine, req.address());
  if (!id.ok()) return ToGrpc(id.status());
  auto row = store::ReadEvmAccount(engine.store(), *id);
  if (!row.ok()) return ToGrpc(row.status());
  std::vector<std::pair<uint32_t, store::EvmTotals>> totals;
  if (absl::Status s = store::ReadEvmTotals(engine.store(), *id, &totals); !s.ok()) {
    return ToGrpc(s);
  }
  resp->set_address(evm::ToChecksumAddress(row->address));
  resp->set_type(row->contract ? "contract" : "account");
  resp->set_first_seen_height(-1);
  resp->set_last_seen_height(-1);
  for (const auto& [asset, t] : totals) {
    if (asset == store::kAccountTotalsAsset) {
      resp->set_tx_count(t.tx_count);
      if (t.first_block != UINT64_MAX) {
        resp->set_first_seen_height(static_cast<int32_t>(t.first_block));
        resp->set_last_seen_height(static_cast<int32_t>(t.last_block));
      }
      continue;
    }
    if (asset >= engine.account_graph()->asset_count()) continue;  // newer than the graph
    FillBalance(engine, asset, t, resp->add_assets());
  }
  const account::ClusterIndex* clusters = engine.account_clusters();
  resp->set_cluster_id(clusters != nullptr ? clusters->ClusterOf(*id) : -1);
  AddLabels(engine, *id, resp->mutable_labels());
  return grpc::Status::OK;
}

grpc::Status GetAddressHistory(grpc::ServerContext* ctx, const Engine& engine,
                               const ServiceOptions& options,
                               const v1::GetAddressHistoryRequest& req,
                               grpc::ServerWriter<v1::HistoryEntry>* writer) {
  auto id = ResolveAccount(engine, req.address());
  if (!id.ok()) return ToGrpc(id.status());
  const uint32_t limit = req.limit() == 0 ? options.default_page : req.limit();
  if (limit > options.max_page) {
    return grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("limit ", limit, " is above the maximum page of ", options.max_page));
  }
  uint64_t from = req.newest_first() ? store::kMaxEvmTxNum : 0;
  if (!req.cursor().empty()) {
    if (!absl::SimpleAtoi(req.cursor(), &from) || from > store::kMaxEvmTxNum) {
      return Invalid(absl::StrCat("invalid cursor '", Clip(req.cursor()), "'"));
    }
  }
  std::vector<uint64_t> txs;
  auto next = store::ReadEvmHistory(engine.store(), *id, from, limit, req.newest_first(), &txs);
  if (!next.ok()) return ToGrpc(next.status());
  std::vector<store::EvmTransferRow> transfers;
  v1::HistoryEntry e;
  CancelPoll cancelled(ctx);
  for (size_t i = 0; i < txs.size(); ++i) {
    if (cancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    auto tx = store::ReadEvmTx(engine.store(), txs[i]);
    if (!tx.ok()) return ToGrpc(tx.status());
    absl::Status s =
        store::ReadEvmTransfers(engine.store(), tx->first_transfer, tx->transfer_count, &transfers);
    if (!s.ok()) return ToGrpc(s);
    std::map<uint32_t, std::pair<U256, U256>> by_asset;  // received, sent
    for (const store::EvmTransferRow& t : transfers) {
      if (t.to == *id) by_asset[t.asset].first = Add(by_asset[t.asset].first, t.amount);
      // A fee transfer's sender pays it as its fee (below), not as a sent amount.
      if (t.from == *id && t.kind != store::kEvmFeeTransfer) {
        by_asset[t.asset].second = Add(by_asset[t.asset].second, t.amount);
      }
    }
    e.Clear();
    e.set_txid(evm::HashHex(tx->hash));
    e.set_block_height(static_cast<int32_t>(tx->block));
    e.set_block_time(static_cast<uint32_t>(engine.account_graph()->Timestamp(tx->block)));
    for (const auto& [asset, rs] : by_asset) {
      if (asset >= engine.account_graph()->asset_count()) continue;
      v1::AssetAmount* a = e.add_amounts();
      a->set_asset(AssetName(engine, asset));
      a->set_standard(StandardName(engine, asset));
      a->set_received(rs.first.ToDecimal());
      a->set_sent(rs.second.ToDecimal());
    }
    e.set_fee(tx->from == *id ? tx->fee.ToDecimal() : "0");
    e.set_status(StatusName(tx->status));
    e.set_from(AccountString(engine, tx->from));
    e.set_to(tx->has_to ? AccountString(engine, tx->to) : "");
    const uint64_t after = i + 1 < txs.size() ? txs[i + 1] : *next;
    e.set_cursor(after != UINT64_MAX ? absl::StrCat(after) : "");
    if (!writer->Write(e)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  }
  return grpc::Status::OK;
}

grpc::Status GetTransaction(const Engine& engine, const v1::GetTransactionRequest& req,
                            v1::Transaction* resp) {
  const std::string& text = req.txid();
  auto h = evm::ParseH256(text);
  if (!h.ok()) {
    return Invalid(absl::StrCat("invalid transaction hash '", Clip(text),
                                "': ", AV(SV(h.status().message()))));
  }
  const evm::EvmTxHash hash = evm::RetagHash<evm::EvmTxHash>(*h);
  auto num = store::FindEvmTx(engine.store(), hash);
  if (!num.ok()) return ToGrpc(num.status());
  auto tx = store::ReadEvmTx(engine.store(), *num);
  if (!tx.ok()) return ToGrpc(tx.status());
  auto block = store::ReadEvmBlock(engine.store(), tx->block);
  if (!block.ok()) return ToGrpc(block.status());
  std::vector<store::EvmTransferRow> transfers;
  absl::Status s =
      store::ReadEvmTransfers(engine.store(), tx->first_transfer, tx->transfer_count, &transfers);
  if (!s.ok()) return ToGrpc(s);
  resp->set_txid(evm::HashHex(tx->hash));
  resp->set_block_height(static_cast<int32_t>(tx->block));
  resp->set_block_hash(evm::HashHex(block->hash));
  resp->set_block_time(static_cast<uint32_t>(block->timestamp));
  resp->set_version(tx->type);
  v1::EvmTransaction* e = resp->mutable_evm();
  e->set_chain_id(EvmChainId(engine.store().network()));
  e->set_from(AccountString(engine, tx->from));
  e->set_to(tx->has_to ? AccountString(engine, tx->to) : "");
  e->set_created_contract(tx->has_created ? AccountString(engine, tx->created) : "");
  e->set_value(tx->value.ToDecimal());
  e->set_fee(tx->fee.ToDecimal());
  e->set_status(StatusName(tx->status));
  e->set_index(tx->index);
  e->set_type(tx->type);
  e->set_nonce(tx->nonce);
  e->set_gas_used(tx->gas_used);
  e->set_effective_gas_price(tx->effective_gas_price.ToDecimal());
  e->set_log_count(tx->log_count);
  e->set_selector("0x" + HexEncode(ByteSpan(tx->selector.data(), 4)));
  for (size_t i = 0; i < transfers.size(); ++i) {
    const store::EvmTransferRow& t = transfers[i];
    v1::EvmTransfer* m = e->add_transfers();
    m->set_index(tx->first_transfer + i);
    m->set_kind(KindName(t.kind));
    m->set_asset(t.asset < engine.account_graph()->asset_count()
                     ? AssetName(engine, t.asset)
                     : absl::StrCat("<asset ", t.asset, ">"));
    m->set_from(AccountString(engine, t.from));
    m->set_to(AccountString(engine, t.to));
    m->set_amount(t.amount.ToDecimal());
    if (t.kind == 3 || t.kind == 4) m->set_token_id(t.token_id.ToDecimal());
    m->set_log_index(t.log_index == UINT32_MAX ? -1 : static_cast<int64_t>(t.log_index));
  }
  return grpc::Status::OK;
}

grpc::Status GetCluster(const Engine& engine, const v1::GetClusterRequest& req,
                        v1::ClusterSummary* resp) {
  auto c = ResolveCluster(engine, req);
  if (!c.ok()) return ToGrpc(c.status());
  const account::ClusterIndex& clusters = *engine.account_clusters();
  const Graph& g = *engine.account_graph();
  auto members = clusters.Members(*c);
  auto member = [&](uint32_t a) { return std::binary_search(members.begin(), members.end(), a); };
  std::map<uint32_t, store::EvmTotals> by_asset;
  absl::flat_hash_set<uint64_t> txs;
  uint64_t first = UINT64_MAX, last = 0;
  auto seen = [&](uint64_t block) {
    first = std::min(first, block);
    last = std::max(last, block);
  };
  for (uint32_t m : members) {
    for (uint64_t t : g.In(m)) {
      txs.insert(g.TxOf(t));
      seen(g.TransferBlock(t));
      if (member(g.From(t))) continue;
      store::EvmTotals d;
      d.received = g.Amount(t);
      d.received_count = 1;
      d.first_block = d.last_block = g.TransferBlock(t);
      store::MergeEvmTotals(d, &by_asset[g.AssetOf(t)]);
    }
    for (uint64_t t : g.Out(m)) {
      txs.insert(g.TxOf(t));
      seen(g.TransferBlock(t));
      if (member(g.To(t))) continue;
      store::EvmTotals d;
      d.sent = g.Amount(t);
      d.sent_count = 1;
      d.first_block = d.last_block = g.TransferBlock(t);
      store::MergeEvmTotals(d, &by_asset[g.AssetOf(t)]);
    }
    for (uint64_t x : g.FeesPaid(m)) {
      txs.insert(x);
      seen(g.Block(x));
      store::EvmTotals d;
      d.fees = g.Fee(x);
      d.first_block = d.last_block = g.Block(x);
      store::MergeEvmTotals(d, &by_asset[store::kEtherAsset]);
    }
  }
  resp->set_cluster_id(*c);
  resp->set_size(members.size());
  resp->set_tx_count(txs.size());
  resp->set_first_seen_height(first == UINT64_MAX ? -1 : static_cast<int32_t>(first));
  resp->set_last_seen_height(first == UINT64_MAX ? -1 : static_cast<int32_t>(last));
  resp->set_policy(clusters.params());
  for (const auto& [asset, t] : by_asset) FillBalance(engine, asset, t, resp->add_assets());
  for (uint32_t m : members) AddLabels(engine, m, resp->mutable_labels());
  return grpc::Status::OK;
}

grpc::Status GetClusterMembers(grpc::ServerContext* ctx, const Engine& engine,
                               const ServiceOptions& options,
                               const v1::GetClusterMembersRequest& req,
                               grpc::ServerWriter<v1::ClusterMember>* writer) {
  auto c = ResolveCluster(engine, req);
  if (!c.ok()) return ToGrpc(c.status());
  const uint32_t limit = req.limit() == 0 ? options.default_page : req.limit();
  if (limit > options.max_page) {
    return grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("limit ", limit, " is above the maximum page of ", options.max_page));
  }
  uint64_t start = 0;
  if (!req.cursor().empty() && !absl::SimpleAtoi(req.cursor(), &start)) {
    return Invalid(absl::StrCat("invalid cursor '", Clip(req.cursor()), "'"));
  }
  auto members = engine.account_clusters()->Members(*c);
  v1::ClusterMember m;
  CancelPoll cancelled(ctx);
  for (uint64_t i = start; i < members.size() && i < start + limit; ++i) {
    if (cancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    m.set_address(AccountString(engine, members[i]));
    m.set_cursor(i + 1 < members.size() ? absl::StrCat(i + 1) : "");
    if (!writer->Write(m)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  }
  return grpc::Status::OK;
}

grpc::Status Explain(const Engine& engine, const v1::ExplainRequest& req, v1::ExplainReply* resp) {
  const account::ClusterIndex* clusters = engine.account_clusters();
  if (clusters == nullptr) return ToGrpc(NoClusters());
  auto from = ResolveAccount(engine, req.from());
  if (!from.ok()) return ToGrpc(from.status());
  auto to = ResolveAccount(engine, req.to());
  if (!to.ok()) return ToGrpc(to.status());
  auto path = clusters->Explain(*from, *to);
  if (absl::IsNotFound(path.status())) {
    return grpc::Status(
        grpc::StatusCode::NOT_FOUND,
        absl::StrCat(AccountString(engine, *from), " (cluster ", clusters->ClusterOf(*from),
                     ") and ", AccountString(engine, *to), " (cluster ", clusters->ClusterOf(*to),
                     ") are in different clusters"));
  }
  if (!path.ok()) return ToGrpc(path.status());
  resp->set_cluster_id(clusters->ClusterOf(*from));
  resp->set_policy(clusters->params());
  for (const store::EvmEvidenceRow& e : *path) {
    v1::EvidenceLink* link = resp->add_links();
    const std::string via = e.heuristic == store::EvmHeuristic::kDepositAddressReuse
                                ? AccountString(engine, e.via)
                                : AssetName(engine, e.via);
    link->set_heuristic(absl::StrCat(AV(store::EvmHeuristicName(e.heuristic)), ":", via));
    link->set_via(via);
    link->set_txid(TxHashString(engine, e.tx));
    link->set_block_height(static_cast<int32_t>(engine.account_graph()->Block(e.tx)));
    if (e.related_tx != UINT64_MAX) link->set_related_txid(TxHashString(engine, e.related_tx));
    link->set_from(AccountString(engine, e.a));
    link->set_to(AccountString(engine, e.b));
  }
  return grpc::Status::OK;
}

grpc::Status Trace(grpc::ServerContext* ctx, const Engine& engine, const ServiceOptions& options,
                   const v1::TraceRequest& req, grpc::ServerWriter<v1::TraceEvent>* writer) {
  const Graph& g = *engine.account_graph();
  account::TraceOptions o;
  o.direction = req.direction() == v1::TraceRequest::BACKWARD ? trace::Direction::kBackward
                                                              : trace::Direction::kForward;
  if (!req.taint().empty()) {
    auto m = trace::ParseTaintModel(req.taint());
    if (!m.ok()) return ToGrpc(m.status());
    o.model = *m;
  }
  o.max_hops = req.hops() == 0 ? 3 : req.hops();
  if (o.max_hops > options.max_trace_hops) {
    return Invalid(
        absl::StrCat("hops ", o.max_hops, " above the limit of ", options.max_trace_hops));
  }
  if (req.min_value() < 0) return Invalid("min_value is negative");
  o.min_amount = U256(static_cast<uint64_t>(req.min_value()));
  if (!req.min_amount().empty()) {
    auto m = U256::FromDecimal(req.min_amount());
    if (!m.ok()) {
      return Invalid(absl::StrCat("invalid min_amount '", Clip(req.min_amount()),
                                  "': ", AV(SV(m.status().message()))));
    }
    o.min_amount = *m;
  }
  o.from_block = req.from_height();
  o.to_block = req.to_height() == 0 ? UINT64_MAX : req.to_height();
  if (o.from_block > o.to_block) return Invalid("from_height is above to_height");
  o.max_edges = req.max_edges() == 0 ? options.default_trace_edges : req.max_edges();
  if (o.max_edges > options.max_trace_edges) {
    return grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("max_edges ", o.max_edges, " above the limit of ", options.max_trace_edges));
  }
  std::optional<uint32_t> asset;
  if (!req.asset().empty()) {
    auto a = ResolveAsset(engine, req.asset());
    if (!a.ok()) return ToGrpc(a.status());
    asset = *a;
  }
  const bool by_cluster = req.by_cluster();
  const account::ClusterIndex* clusters = engine.account_clusters();
  if (by_cluster && clusters == nullptr) return ToGrpc(NoClusters());
  if (by_cluster) o.node_of = [clusters](uint32_t a) { return clusters->ClusterOf(a); };
  absl::flat_hash_set<uint32_t> stop;
  if (req.stop_at_size() > 0 && engine.account_labels() != nullptr) {
    stop = engine.account_labels()->AccountsIn(
        std::vector<std::string>(req.stop_at().begin(), req.stop_at().end()));
    if (by_cluster) {
      absl::flat_hash_set<uint32_t> stop_clusters;
      for (uint32_t a : stop) stop_clusters.insert(clusters->ClusterOf(a));
      o.stop_at = [clusters, stop_clusters](uint32_t a) {
        return stop_clusters.contains(clusters->ClusterOf(a));
      };
    } else {
      o.stop_at = [&stop](uint32_t a) { return stop.contains(a); };
    }
  }
  o.cancelled = [ctx] { return ctx->IsCancelled(); };

  // Seeds: the transfers an address (or a wallet, from outside) received within the window, the
  // transfers of a transaction, or one of them.
  std::vector<uint64_t> seeds;
  auto in_window = [&](uint64_t t) {
    const uint64_t b = g.TransferBlock(t);
    return b >= o.from_block && b <= o.to_block && (!asset.has_value() || g.AssetOf(t) == *asset);
  };
  const std::string& seed = req.seed();
  const bool is_hash = seed.size() >= 66 && (seed[0] == '0') &&
                       (seed[1] == 'x' || seed[1] == 'X') && (seed.size() == 66 || seed[66] == ':');
  if (is_hash) {
    auto h = evm::ParseH256(seed.substr(0, 66));
    if (!h.ok()) return Invalid(absl::StrCat("invalid seed '", Clip(seed), "'"));
    auto num = store::FindEvmTx(engine.store(), evm::RetagHash<evm::EvmTxHash>(*h));
    if (!num.ok()) return ToGrpc(num.status());
    if (*num >= g.tx_count()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the transaction is newer than the graph");
    }
    const uint64_t begin = g.FirstTransfer(*num), end = g.FirstTransfer(*num + 1);
    if (seed.size() == 66) {
      for (uint64_t t = begin; t < end; ++t) {
        // The priority fee is paid from the sender's balance, not moved by the transaction: it
        // seeds a trace only when named (hash:index).
        if (g.Kind(t) == store::kEvmFeeTransfer) continue;
        if (!asset.has_value() || g.AssetOf(t) == *asset) seeds.push_back(t);
      }
    } else {
      uint64_t n;
      if (!absl::SimpleAtoi(seed.substr(67), &n)) {
        return Invalid(absl::StrCat("invalid transfer index in '", Clip(seed), "'"));
      }
      if (n >= end - begin) {
        return grpc::Status(grpc::StatusCode::NOT_FOUND,
                            absl::StrCat("transaction ", seed.substr(0, 66), " has ", end - begin,
                                         " transfers, no transfer ", n));
      }
      seeds.push_back(begin + n);
    }
  } else if (seed.rfind("cluster:", 0) == 0) {
    auto members = ResolveSubject(engine, seed, true);
    if (!members.ok()) return ToGrpc(members.status());
    for (uint32_t m : *members) {
      for (uint64_t t : g.In(m)) {
        if (in_window(t) && !std::binary_search(members->begin(), members->end(), g.From(t))) {
          seeds.push_back(t);
        }
      }
    }
  } else {
    auto id = ResolveAccount(engine, seed);
    if (!id.ok()) return ToGrpc(id.status());
    for (uint64_t t : g.In(*id)) {
      if (in_window(t)) seeds.push_back(t);
    }
  }

  account::TraceResult r = account::Trace(g, seeds, o);
  if (r.cancelled) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                        "the trace was cancelled (deadline or client) before it ended");
  }
  auto node_name = [&](uint32_t node) -> std::string {
    if (node == account::kNoNode) return "fee";
    if (by_cluster) return absl::StrCat("cluster:", node);
    return AccountString(engine, node);
  };
  std::vector<uint32_t> nodes;
  for (const account::TraceEdge& e : r.edges) {
    nodes.push_back(e.from);
    nodes.push_back(e.to);
  }
  for (const account::TraceEnd& e : r.ends) nodes.push_back(e.node);
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  v1::TraceEvent ev;
  TraceEventSink sink(writer, req.events_per_message());
  for (uint32_t node : nodes) {
    ev.Clear();
    v1::TraceNode* n = ev.mutable_node();
    n->set_id(node_name(node));
    if (by_cluster) {
      n->set_kind("cluster");
      n->set_cluster_id(node);
      n->set_size(clusters->Size(node));
      for (uint32_t m : clusters->Members(node)) AddLabels(engine, m, n->mutable_labels());
    } else {
      n->set_kind("address");
      if (clusters != nullptr) n->set_cluster_id(clusters->ClusterOf(node));
      AddLabels(engine, node, n->mutable_labels());
    }
    if (!sink.Add(&ev)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  }
  absl::flat_hash_map<uint64_t, std::string> tx_hashes;
  CancelPoll cancelled(ctx);
  for (const account::TraceEdge& e : r.edges) {
    if (cancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    ev.Clear();
    v1::TraceEdge* m = ev.mutable_edge();
    m->set_from(node_name(e.from));
    m->set_to(node_name(e.to));
    const uint64_t tx = g.TxOf(e.transfer);
    auto [h, inserted] = tx_hashes.emplace(tx, "");
    if (inserted) h->second = TxHashString(engine, tx);
    m->set_txid(h->second);
    m->set_block_height(static_cast<int32_t>(g.Block(tx)));
    m->set_hop(e.hop);
    m->set_asset(AssetName(engine, g.AssetOf(e.transfer)));
    m->set_amount(g.Amount(e.transfer).ToDecimal());
    m->set_tainted_amount(e.tainted.ToDecimal());
    m->set_transfer(e.transfer);
    if (!sink.Add(&ev)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  }
  for (const account::TraceEnd& e : r.ends) {
    ev.Clear();
    v1::TraceEndpoint* m = ev.mutable_endpoint();
    m->set_node(node_name(e.node));
    m->set_reason(std::string(account::EndReasonName(e.reason)));
    m->set_hop(e.hop);
    m->set_asset(AssetName(engine, e.asset));
    m->set_tainted_amount(e.tainted.ToDecimal());
    if (!sink.Add(&ev)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  }
  if (!sink.Flush()) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  ev.Clear();
  v1::TraceSummary* sum = ev.mutable_summary();
  sum->set_seed(seed);
  for (const auto& [a, amount] : r.seed_amounts) {
    v1::AssetAmount* s = sum->add_seed_amounts();
    s->set_asset(AssetName(engine, a));
    s->set_standard(StandardName(engine, a));
    s->set_amount(amount.ToDecimal());
  }
  for (const auto& [key, amount] : r.totals) {
    v1::AssetAmount* s = sum->add_tainted_amounts();
    s->set_reason(std::string(account::EndReasonName(key.first)));
    s->set_asset(AssetName(engine, key.second));
    s->set_standard(StandardName(engine, key.second));
    s->set_amount(amount.ToDecimal());
  }
  sum->set_transactions(r.txs);
  sum->set_nodes(nodes.size());
  sum->set_edges(r.edges.size());
  sum->set_truncated(r.truncated);
  sum->set_taint(std::string(trace::TaintModelName(o.model)));
  sum->set_direction(o.direction == trace::Direction::kForward ? "forward" : "backward");
  writer->Write(ev);
  return grpc::Status::OK;
}

grpc::Status FindPaths(grpc::ServerContext* ctx, const Engine& engine, const v1::PathsRequest& req,
                       v1::PathsReply* resp) {
  const uint32_t max_hops = req.max_hops() == 0 ? 6 : req.max_hops();
  if (max_hops > 12) return Invalid("max_hops is at most 12");
  auto from = ResolveSubject(engine, req.from(), req.by_cluster());
  if (!from.ok()) return ToGrpc(from.status());
  auto to = ResolveSubject(engine, req.to(), req.by_cluster());
  if (!to.ok()) return ToGrpc(to.status());
  account::PathOptions o;
  o.max_hops = max_hops;
  o.max_paths = req.max_paths() == 0 ? 10 : std::min(req.max_paths(), 100u);
  o.cancelled = [ctx] { return ctx->IsCancelled(); };
  if (!req.asset().empty()) {
    auto a = ResolveAsset(engine, req.asset());
    if (!a.ok()) return ToGrpc(a.status());
    o.asset = *a;
  }
  const Graph& g = *engine.account_graph();
  account::PathResult r = account::FindPaths(g, *from, *to, o);
  if (r.cancelled) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "the search was cancelled");
  }
  resp->set_hops(r.hops);
  resp->set_truncated(r.truncated);
  for (const auto& path : r.paths) {
    v1::Path* p = resp->add_paths();
    for (uint64_t t : path) {
      v1::PathStep* s = p->add_steps();
      s->set_txid(TxHashString(engine, g.TxOf(t)));
      s->set_block_height(static_cast<int32_t>(g.TransferBlock(t)));
      s->set_from(AccountString(engine, g.From(t)));
      s->set_to(AccountString(engine, g.To(t)));
      s->set_asset(AssetName(engine, g.AssetOf(t)));
      s->set_amount(g.Amount(t).ToDecimal());
      s->set_transfer(t);
    }
  }
  return grpc::Status::OK;
}

grpc::Status GetExposure(grpc::ServerContext* ctx, const Engine& engine,
                         const v1::ExposureRequest& req, v1::ExposureReply* resp) {
  std::string subject;
  if (req.subject_case() == v1::ExposureRequest::kClusterId) {
    subject = absl::StrCat("cluster:", req.cluster_id());
  } else if (req.subject_case() == v1::ExposureRequest::kAddress) {
    subject = req.address();
  } else {
    return Invalid("give an address or a cluster id");
  }
  auto members = ResolveSubject(engine, subject, req.by_cluster());
  if (!members.ok()) return ToGrpc(members.status());
  account::ExposureOptions o;
  o.hops = req.hops() == 0 ? 3 : req.hops();
  if (o.hops > 10) return Invalid("hops is at most 10");
  if (!req.taint().empty()) {
    auto m = trace::ParseTaintModel(req.taint());
    if (!m.ok()) return ToGrpc(m.status());
    o.model = *m;
  }
  o.labels = engine.account_labels();
  o.cancelled = [ctx] { return ctx->IsCancelled(); };
  account::ExposureResult r = account::ComputeExposure(*engine.account_graph(), *members, o);
  if (r.cancelled) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "the exposure was cancelled");
  }
  resp->set_subject(subject.rfind("cluster:", 0) == 0 || members->size() != 1
                        ? subject
                        : AccountString(engine, (*members)[0]));
  resp->set_addresses(members->size());
  resp->set_hops(o.hops);
  resp->set_truncated(r.truncated);
  for (const auto& [asset, amount] : r.received) {
    v1::AssetAmount* a = resp->add_received_amounts();
    a->set_asset(AssetName(engine, asset));
    a->set_standard(StandardName(engine, asset));
    a->set_amount(amount.ToDecimal());
  }
  for (const auto& [asset, amount] : r.sent) {
    v1::AssetAmount* a = resp->add_sent_amounts();
    a->set_asset(AssetName(engine, asset));
    a->set_standard(StandardName(engine, asset));
    a->set_amount(amount.ToDecimal());
  }
  auto fill = [&](const account::ExposureAmounts& a, uint32_t asset, v1::ExposureEntry* e) {
    e->set_asset(AssetName(engine, asset));
    e->set_received_direct_amount(a.received_direct.ToDecimal());
    e->set_received_indirect_amount(a.received_indirect.ToDecimal());
    e->set_sent_direct_amount(a.sent_direct.ToDecimal());
    e->set_sent_indirect_amount(a.sent_indirect.ToDecimal());
  };
  for (const auto& [key, a] : r.by_category) {
    v1::ExposureEntry* e = resp->add_categories();
    e->set_category(key.first);
    fill(a, key.second, e);
  }
  for (const auto& [key, a] : r.by_entity) {
    v1::ExposureEntry* e = resp->add_entities();
    e->set_entity(std::get<0>(key));
    e->set_category(std::get<1>(key));
    fill(a, std::get<2>(key), e);
  }
  return grpc::Status::OK;
}

}  // namespace ariadne::service::evm_rpc
