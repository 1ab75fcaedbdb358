#include "engine/service/ariadne_service.h"

#include <algorithm>
#include <chrono>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/core/address.h"
#include "engine/core/strings.h"
#include "engine/service/cancel_poll.h"
#include "engine/service/evm_service.h"
#include "engine/service/trace_events.h"
#include "engine/trace/exposure.h"
#include "engine/trace/paths.h"
#include "engine/trace/tracer.h"
#include "heuristics/cluster_builder.h"
#include "heuristics/coinjoin.h"
#include "heuristics/policy.h"

namespace ariadne::service {

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

absl::StatusOr<AddrId> AriadneService::ResolveAddress(const Engine& engine,
                                                      const std::string& address) {
  if (address.empty()) return absl::InvalidArgumentError("address is empty");
  if (address.size() > 128) return absl::InvalidArgumentError("address is longer than 128 bytes");
  auto key = DecodeAddress(address, engine.store().network());
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid address '", address, "': ", key.status().message()));
  }
  auto id = engine.store().FindAddress(*key);
  if (absl::IsNotFound(id.status())) {
    return absl::NotFoundError(absl::StrCat("address ", address, " never appeared on chain"));
  }
  return id;
}

std::string AriadneService::AddressString(const Engine& engine, AddrId id) {
  if (!id.valid()) return "";
  AddressKey key;
  if (engine.names().Get(id, &key)) return EncodeAddress(key, engine.store().network());
  auto row = engine.store().ReadAddress(id);
  if (!row.ok()) return absl::StrCat("<address id ", id.value(), ">");
  return EncodeAddress(row->key, engine.store().network());
}

grpc::Status AriadneService::GetStatus(grpc::ServerContext*, const v1::GetStatusRequest*,
                                       v1::ChainStatus* resp) {
  const std::shared_ptr<const Engine> snapshot = source_->Get();
  if (snapshot == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the store is still loading");
  }
  const Engine& engine = *snapshot;
  if (engine.is_evm()) return evm_rpc::GetStatus(engine, resp);
  auto state = engine.store().ReadState();
  if (!state.ok()) return ToGrpc(state.status());
  resp->set_network(std::string(Params(engine.store().network()).name));
  resp->set_tip_height(state->tip_height);
  if (state->tip_height >= 0) {
    resp->set_tip_hash(state->tip_hash.ToHex());
    resp->set_tip_time(engine.heights().TimeOf(static_cast<uint32_t>(state->tip_height)));
  }
  resp->set_tx_count(state->tx_count);
  resp->set_input_count(state->input_count);
  resp->set_output_count(state->output_count);
  resp->set_address_count(state->addr_count);
  resp->set_utxo_count(state->utxo_count);
  resp->set_utxo_value(state->utxo_value);
  resp->set_schema_version(store::kSchemaVersion);
  return grpc::Status::OK;
}

grpc::Status AriadneService::GetAddress(grpc::ServerContext*, const v1::GetAddressRequest* req,
                                        v1::AddressSummary* resp) {
  const std::shared_ptr<const Engine> snapshot = source_->Get();
  if (snapshot == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the store is still loading");
  }
  const Engine& engine = *snapshot;
  if (engine.is_evm()) return evm_rpc::GetAddress(engine, *req, resp);
  auto id = ResolveAddress(engine, req->address());
  if (!id.ok()) return ToGrpc(id.status());
  auto row = engine.store().ReadAddress(*id);
  if (!row.ok()) return ToGrpc(row.status());
  auto stats = engine.store().ReadStats(*id);
  if (!stats.ok()) return ToGrpc(stats.status());
  resp->set_address(EncodeAddress(row->key, engine.store().network()));
  resp->set_type(std::string(ScriptTypeName(row->type)));
  resp->set_tx_count(stats->tx_count);
  resp->set_received(static_cast<int64_t>(stats->received));
  resp->set_sent(static_cast<int64_t>(stats->sent));
  resp->set_balance(stats->balance());
  const bool seen = stats->tx_count > 0;
  resp->set_first_seen_height(seen ? static_cast<int32_t>(stats->first_height) : -1);
  resp->set_last_seen_height(seen ? static_cast<int32_t>(stats->last_height) : -1);
  resp->set_output_count(stats->output_count);
  resp->set_unspent_count(stats->output_count - stats->spent_count);
  for (AddrId k : row->multisig_keys) resp->add_multisig_keys(AddressString(engine, k));
  resp->set_cluster_id(engine.clusters() != nullptr &&
                               id->value() < engine.clusters()->address_count()
                           ? engine.clusters()->ClusterOf(*id).value()
                           : -1);
  AddLabels(engine, *id, resp->mutable_labels());
  return grpc::Status::OK;
}

grpc::Status AriadneService::GetAddressHistory(grpc::ServerContext* ctx,
                                               const v1::GetAddressHistoryRequest* req,
                                               grpc::ServerWriter<v1::HistoryEntry>* writer) {
  const std::shared_ptr<const Engine> snapshot = source_->Get();
  if (snapshot == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the store is still loading");
  }
  const Engine& engine = *snapshot;
  if (engine.is_evm()) return evm_rpc::GetAddressHistory(ctx, engine, options_, *req, writer);
  auto id = ResolveAddress(engine, req->address());
  if (!id.ok()) return ToGrpc(id.status());
  uint32_t limit = req->limit() == 0 ? options_.default_page : req->limit();
  if (limit > options_.max_page) {
    return grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("limit ", limit, " is above the maximum page of ", options_.max_page));
  }
  TxNum from = req->newest_first() ? store::kMaxTxNum : TxNum(0);
  if (!req->cursor().empty()) {
    uint64_t c;
    if (!absl::SimpleAtoi(req->cursor(), &c) || c > store::kMaxTxNum.value()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("invalid cursor '", req->cursor(), "'"));
    }
    from = TxNum(c);
  }
  std::vector<TxNum> txs;
  auto next = req->newest_first() ? engine.store().ReadHistoryReverse(*id, from, limit, &txs)
                                  : engine.store().ReadHistory(*id, from, limit, &txs);
  if (!next.ok()) return ToGrpc(next.status());
  const graph::TxGraph& g = engine.graph();
  v1::HistoryEntry e;
  CancelPoll cancelled(ctx);
  for (size_t i = 0; i < txs.size(); ++i) {
    if (cancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    const TxNum t = txs[i];
    if (t.value() >= g.tx_count()) break;  // indexed after the graph was loaded
    int64_t received = 0, sent = 0;
    for (uint64_t o = g.FirstOut(t); o < g.FirstOut(TxNum(t.value() + 1)); ++o) {
      if (g.Addr(OutNum(o)) == *id) received += g.Value(OutNum(o));
    }
    for (uint64_t in = g.FirstIn(t); in < g.FirstIn(TxNum(t.value() + 1)); ++in) {
      OutNum prev = g.Input(in);
      if (g.Addr(prev) == *id) sent += g.Value(prev);
    }
    const uint32_t h = engine.heights().HeightOf(t);
    e.set_txid(g.TxidOf(t).ToHex());
    e.set_block_height(static_cast<int32_t>(h));
    e.set_block_time(engine.heights().TimeOf(h));
    e.set_received(received);
    e.set_sent(sent);
    // The cursor continues after this entry.
    TxNum after = i + 1 < txs.size() ? txs[i + 1] : *next;
    e.set_cursor(after.valid() ? absl::StrCat(after.value()) : "");
    if (!writer->Write(e)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  }
  return grpc::Status::OK;
}

grpc::Status AriadneService::GetTransaction(grpc::ServerContext*,
                                            const v1::GetTransactionRequest* req,
                                            v1::Transaction* resp) {
  const std::shared_ptr<const Engine> snapshot = source_->Get();
  if (snapshot == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the store is still loading");
  }
  const Engine& engine = *snapshot;
  if (engine.is_evm()) return evm_rpc::GetTransaction(engine, *req, resp);
  auto txid = Txid::FromHex(req->txid());
  if (!txid.ok()) {
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("invalid txid '", req->txid().substr(0, 100), "': ", txid.status().message()));
  }
  auto num = engine.store().FindTx(*txid);
  if (!num.ok()) return ToGrpc(num.status());
  store::TxRow row;
  absl::Status s = engine.store().ReadTx(*num, &row);
  if (!s.ok()) return ToGrpc(s);
  const uint32_t h = engine.heights().HeightOf(*num);
  auto block = engine.store().ReadBlock(h);
  if (!block.ok()) return ToGrpc(block.status());
  resp->set_txid(row.txid.ToHex());
  resp->set_block_height(static_cast<int32_t>(h));
  resp->set_block_hash(block->hash().ToHex());
  resp->set_block_time(block->time());
  resp->set_fee(row.fee);
  resp->set_coinbase(row.coinbase);
  resp->set_size(row.size);
  resp->set_vsize(row.vsize);
  resp->set_version(row.version);
  resp->set_locktime(row.locktime);
  const graph::TxGraph& g = engine.graph();
  const bool in_graph = num->value() < g.tx_count();
  store::TxRow prev;
  for (const store::TxInRow& in : row.inputs) {
    v1::TxInput* ti = resp->add_inputs();
    ti->set_prev_vout(in.prev_vout);
    if (in_graph) {
      ti->set_prev_txid(g.TxidOf(in.prev_tx).ToHex());
      OutNum o(g.FirstOut(in.prev_tx) + in.prev_vout);
      ti->set_address(AddressString(engine, g.Addr(o)));
      ti->set_value(g.Value(o));
      ti->set_type(std::string(ScriptTypeName(g.Type(o))));
    } else {
      s = engine.store().ReadTx(in.prev_tx, &prev);
      if (!s.ok()) return ToGrpc(s);
      ti->set_prev_txid(prev.txid.ToHex());
      const store::TxOutRow& po = prev.outputs[in.prev_vout];
      ti->set_address(AddressString(engine, po.addr));
      ti->set_value(po.value);
      ti->set_type(std::string(ScriptTypeName(po.type)));
    }
  }
  for (uint32_t v = 0; v < row.outputs.size(); ++v) {
    const store::TxOutRow& o = row.outputs[v];
    v1::TxOutput* to = resp->add_outputs();
    to->set_vout(v);
    to->set_type(std::string(ScriptTypeName(o.type)));
    to->set_address(AddressString(engine, o.addr));
    to->set_value(o.value);
    if (in_graph) {
      TxNum spender = g.SpentBy(OutNum(g.FirstOut(*num) + v));
      if (spender.valid()) {
        to->set_spent_by(g.TxidOf(spender).ToHex());
      }
    }
  }
  return grpc::Status::OK;
}

}  // namespace ariadne::service

namespace ariadne::service {

template <typename Request>
absl::StatusOr<ClusterId> AriadneService::ResolveCluster(const Engine& engine, const Request& req) {
  if (engine.clusters() == nullptr) {
    return absl::FailedPreconditionError(
        "the store has no clustering: run `ariadne recluster --db DIR`");
  }
  if (req.selector_case() == Request::kClusterId) {
    ClusterId c(req.cluster_id());
    if (!engine.clusters()->IsCluster(c)) {
      return absl::NotFoundError(absl::StrCat("no cluster with id ", req.cluster_id()));
    }
    return c;
  }
  if (req.selector_case() != Request::kAddress) {
    return absl::InvalidArgumentError("give an address or a cluster id");
  }
  auto id = ResolveAddress(engine, req.address());
  if (!id.ok()) return id.status();
  if (id->value() >= engine.clusters()->address_count()) {
    return absl::UnavailableError("the address is newer than the loaded clustering");
  }
  return engine.clusters()->ClusterOf(*id);
}

grpc::Status AriadneService::GetCluster(grpc::ServerContext*, const v1::GetClusterRequest* req,
                                        v1::ClusterSummary* resp) {
  const std::shared_ptr<const Engine> snapshot = source_->Get();
  if (snapshot == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the store is still loading");
  }
  const Engine& engine = *snapshot;
  if (engine.is_evm()) return evm_rpc::GetCluster(engine, *req, resp);
  auto c = ResolveCluster(engine, *req);
  if (!c.ok()) return ToGrpc(c.status());
  const graph::ClusterTotals& t = engine.clusters()->Totals(*c);
  resp->set_cluster_id(c->value());
  resp->set_size(engine.clusters()->Size(*c));
  resp->set_received(t.received);
  resp->set_sent(t.sent);
  resp->set_balance(t.received - t.sent);
  const bool seen = t.tx_count > 0;
  resp->set_first_seen_height(seen ? static_cast<int32_t>(t.first_height) : -1);
  resp->set_last_seen_height(seen ? static_cast<int32_t>(t.last_height) : -1);
  resp->set_tx_count(t.tx_count);
  resp->set_policy(engine.clusters()->policy());
  AddClusterLabels(engine, *c, resp->mutable_labels());
  return grpc::Status::OK;
}

grpc::Status AriadneService::GetClusterMembers(grpc::ServerContext* ctx,
                                               const v1::GetClusterMembersRequest* req,
                                               grpc::ServerWriter<v1::ClusterMember>* writer) {
  const std::shared_ptr<const Engine> snapshot = source_->Get();
  if (snapshot == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the store is still loading");
  }
  const Engine& engine = *snapshot;
  if (engine.is_evm()) return evm_rpc::GetClusterMembers(ctx, engine, options_, *req, writer);
  auto c = ResolveCluster(engine, *req);
  if (!c.ok()) return ToGrpc(c.status());
  const uint32_t limit = req->limit() == 0 ? options_.default_page : req->limit();
  if (limit > options_.max_page) {
    return grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("limit ", limit, " is above the maximum page of ", options_.max_page));
  }
  uint64_t start = 0;
  if (!req->cursor().empty() && !absl::SimpleAtoi(req->cursor(), &start)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("invalid cursor '", req->cursor(), "'"));
  }
  std::span<const uint32_t> members = engine.clusters()->Members(*c);
  v1::ClusterMember m;
  CancelPoll cancelled(ctx);
  for (uint64_t i = start; i < members.size() && i < start + limit; ++i) {
    if (cancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    m.set_address(AddressString(engine, AddrId(members[i])));
    m.set_cursor(i + 1 < members.size() ? absl::StrCat(i + 1) : "");
    if (!writer->Write(m)) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  }
  return grpc::Status::OK;
}

grpc::Status AriadneService::Explain(grpc::ServerContext*, const v1::ExplainRequest* req,
                                     v1::ExplainReply* resp) {
  const std::shared_ptr<const Engine> snapshot = source_->Get();
  if (snapshot == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the store is still loading");
  }
  const Engine& engine = *snapshot;
  if (engine.is_evm()) return evm_rpc::Explain(engine, *req, resp);
  if (engine.clusters() == nullptr) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "the store has no clustering: run `ariadne recluster --db DIR`");
  }
  auto from = ResolveAddress(engine, req->from());
  if (!from.ok()) return ToGrpc(from.status());
  auto to = ResolveAddress(engine, req->to());
  if (!to.ok()) return ToGrpc(to.status());
  if (std::max(from->value(), to->value()) >= engine.clusters()->address_count()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "an address is newer than the loaded clustering");
  }
  auto path = engine.clusters()->Explain(*from, *to);
  if (absl::IsNotFound(path.status())) {
    return grpc::Status(
        grpc::StatusCode::NOT_FOUND,
        absl::StrCat(req->from(), " (cluster ", engine.clusters()->ClusterOf(*from).value(),
                     ") and ", req->to(), " (cluster ", engine.clusters()->ClusterOf(*to).value(),
                     ") are in different clusters"));
  }
  if (!path.ok()) return ToGrpc(path.status());
  resp->set_cluster_id(engine.clusters()->ClusterOf(*from).value());
  resp->set_policy(engine.clusters()->policy());
  for (const store::EvidenceRow& e : *path) {
    v1::EvidenceLink* link = resp->add_links();
    link->set_heuristic(
        heuristics::EvidenceName(static_cast<heuristics::EvidenceKind>(e.kind), e.rule));
    auto txid = engine.store().ReadTxid(e.tx);
    if (!txid.ok()) return ToGrpc(txid.status());
    link->set_txid(txid->ToHex());
    if (e.at.value() > e.tx.value()) {
      auto spend = engine.store().ReadTxid(e.at);
      if (!spend.ok()) return ToGrpc(spend.status());
      link->set_related_txid(spend->ToHex());
    }
    link->set_block_height(static_cast<int32_t>(engine.heights().HeightOf(e.tx)));
    link->set_from(AddressString(engine, AddrId(e.a)));
    link->set_to(AddressString(engine, AddrId(e.b)));
  }
  return grpc::Status::OK;
}

void AriadneService::AddLabels(const Engine& engine, AddrId a,
                               google::protobuf::RepeatedPtrField<v1::Label>* out) {
  for (uint32_t id : engine.labels().OfAddress(a)) {
    const store::LabelRow& row = engine.labels().labels()[id];
    v1::Label* l = out->Add();
    l->set_label(row.label);
    l->set_category(row.category);
    l->set_source(row.source);
    l->set_address(AddressString(engine, a));
  }
}

void AriadneService::AddClusterLabels(const Engine& engine, ClusterId c,
                                      google::protobuf::RepeatedPtrField<v1::Label>* out) {
  for (const graph::LabelRef& r : engine.labels().OfCluster(c)) {
    const store::LabelRow& row = engine.labels().labels()[r.label];
    v1::Label* l = out->Add();
    l->set_label(row.label);
    l->set_category(row.category);
    l->set_source(row.source);
    l->set_address(AddressString(engine, AddrId(r.addr)));
  }
}

std::string AriadneService::TxidString(const Engine& engine, TxNum t) {
  if (t.value() < engine.graph().tx_count()) return engine.graph().TxidOf(t).ToHex();
  auto txid = engine.store().ReadTxid(t);
  return txid.ok() ? txid->ToHex() : absl::StrCat("<tx ", t.value(), ">");
}

absl::StatusOr<std::vector<uint32_t>> AriadneService::ResolveSubject(const Engine& engine,
                                                                     const std::string& subject,
                                                                     bool by_cluster) {
  uint32_t cluster_id;
  const bool is_cluster_id =
      subject.rfind("cluster:", 0) == 0 && absl::SimpleAtoi(subject.substr(8), &cluster_id);
  if (!is_cluster_id && !by_cluster) {
    auto id = ResolveAddress(engine, subject);
    if (!id.ok()) return id.status();
    return std::vector<uint32_t>{id->value()};
  }
  if (engine.clusters() == nullptr) {
    return absl::FailedPreconditionError(
        "the store has no clustering: run `ariadne recluster --db DIR`");
  }
  ClusterId c;
  if (is_cluster_id) {
    c = ClusterId(cluster_id);
    if (!engine.clusters()->IsCluster(c)) {
      return absl::NotFoundError(absl::StrCat("no cluster with id ", cluster_id));
    }
  } else {
    auto id = ResolveAddress(engine, subject);
    if (!id.ok()) return id.status();
    if (id->value() >= engine.clusters()->address_count()) {
      return absl::UnavailableError("the address is newer than the loaded clustering");
    }
    c = engine.clusters()->ClusterOf(*id);
  }
  auto members = engine.clusters()->Members(c);
  return std::vector<uint32_t>(members.begin(), members.end());
}

grpc::Status AriadneService::Trace(grpc::ServerContext* ctx, const v1::TraceRequest* req,
                                   grpc::ServerWriter<v1::TraceEvent>* writer) {
  const std::shared_ptr<const Engine> snapshot = source_->Get();
  if (snapshot == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the store is still loading");
  }
  const Engine& engine = *snapshot;
  if (engine.is_evm()) return evm_rpc::Trace(ctx, engine, options_, *req, writer);
  const graph::TxGraph& g = engine.graph();
  trace::TraceOptions o;
  o.direction = req->direction() == v1::TraceRequest::BACKWARD ? trace::Direction::kBackward
                                                               : trace::Direction::kForward;
  if (!req->taint().empty()) {
    auto m = trace::ParseTaintModel(req->taint());
    if (!m.ok()) return ToGrpc(m.status());
    o.model = *m;
  }
  o.max_hops = req->hops() == 0 ? 3 : req->hops();
  if (o.max_hops > options_.max_trace_hops) {
    return grpc::Status(
        grpc::StatusCode::INVALID_ARGUMENT,
        absl::StrCat("hops ", o.max_hops, " above the limit of ", options_.max_trace_hops));
  }
  if (req->min_value() < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "min_value is negative");
  }
  o.min_value = req->min_value();
  o.from_height = req->from_height();
  o.to_height = req->to_height() == 0 ? UINT32_MAX : req->to_height();
  if (o.from_height > o.to_height) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "from_height is above to_height");
  }
  o.max_edges = req->max_edges() == 0 ? options_.default_trace_edges : req->max_edges();
  if (o.max_edges > options_.max_trace_edges) {
    return grpc::Status(
        grpc::StatusCode::RESOURCE_EXHAUSTED,
        absl::StrCat("max_edges ", o.max_edges, " above the limit of ", options_.max_trace_edges));
  }
  const bool by_cluster = req->by_cluster();
  if (by_cluster && engine.clusters() == nullptr) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "the store has no clustering: run `ariadne recluster --db DIR`");
  }
  const graph::ClusterIndex* clusters = engine.clusters();
  if (by_cluster) {
    o.node_of = [clusters](AddrId a) {
      return a.value() < clusters->address_count() ? clusters->ClusterOf(a).value() : a.value();
    };
  }
  std::vector<std::string> stop(req->stop_at().begin(), req->stop_at().end());
  absl::flat_hash_set<uint32_t> stop_addresses, stop_clusters;
  if (!stop.empty()) {
    if (by_cluster) {
      stop_clusters = engine.labels().ClustersIn(stop);
      o.stop_at = [&](AddrId a) {
        return a.value() < clusters->address_count() &&
               stop_clusters.contains(clusters->ClusterOf(a).value());
      };
    } else {
      stop_addresses = engine.labels().AddressesIn(stop);
      o.stop_at = [&](AddrId a) { return stop_addresses.contains(a.value()); };
    }
  }
  o.cancelled = [ctx] { return ctx->IsCancelled(); };
  heuristics::CoinJoinDetector coinjoins;
  std::vector<store::ResolvedInput> cj_in;
  std::vector<store::ResolvedOutput> cj_out;
  if (!req->through_coinjoins()) {
    o.stop_at_tx = [&](TxNum t) {
      cj_in.clear();
      cj_out.clear();
      for (uint64_t i = g.FirstIn(t); i < g.FirstIn(TxNum(t.value() + 1)); ++i) {
        const OutNum p = g.Input(i);
        cj_in.push_back({g.Addr(p), g.Value(p), g.Type(p), TxNum(), 0});
      }
      for (uint64_t p = g.FirstOut(t); p < g.FirstOut(TxNum(t.value() + 1)); ++p) {
        cj_out.push_back({g.Addr(OutNum(p)), g.Value(OutNum(p)), g.Type(OutNum(p)), false});
      }
      store::ResolvedTx tx{};
      tx.num = t;
      tx.coinbase = cj_in.empty();
      tx.inputs = cj_in;
      tx.outputs = cj_out;
      return coinjoins.Detect(tx) != heuristics::CoinJoinKind::kNone;
    };
  }

  // Seeds: an address's received outputs (within the window), a transaction's outputs, or one.
  std::vector<OutNum> seeds;
  const std::string& seed = req->seed();
  // A txid is 64 hex digits; a 64-character bech32 address (P2WSH, P2TR) has non-hex ones ('1',
  // the witness version's 'q' or 'p'), so the content decides, not the length.
  const bool txid_seed = seed.size() >= 64 && (seed.size() == 64 || seed[64] == ':') &&
                         std::all_of(seed.begin(), seed.begin() + 64, absl::ascii_isxdigit);
  if (txid_seed) {
    auto txid = Txid::FromHex(seed.substr(0, 64));
    if (!txid.ok()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat("invalid seed '", seed.substr(0, 100), "'"));
    }
    auto num = engine.store().FindTx(*txid);
    if (!num.ok()) return ToGrpc(num.status());
    if (num->value() >= g.tx_count()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the transaction is newer than the graph");
    }
    const uint32_t n_out = g.OutputCount(*num);
    if (seed.size() == 64) {
      for (uint32_t v = 0; v < n_out; ++v) seeds.push_back(OutNum(g.FirstOut(*num) + v));
    } else {
      uint32_t vout;
      if (!absl::SimpleAtoi(seed.substr(65), &vout)) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            absl::StrCat("invalid output index in '", seed, "'"));
      }
      if (vout >= n_out) {
        return grpc::Status(grpc::StatusCode::NOT_FOUND,
                            absl::StrCat("transaction ", seed.substr(0, 64), " has ", n_out,
                                         " outputs, no output ", vout));
      }
      seeds.push_back(OutNum(g.FirstOut(*num) + vout));
    }
  } else if (seed.rfind("cluster:", 0) == 0) {
    // A wallet: what its addresses received from outside (change it paid itself is downstream of
    // that, and would be counted twice).
    auto members = ResolveSubject(engine, seed, true);
    if (!members.ok()) return ToGrpc(members.status());
    for (uint32_t m : *members) {
      for (uint64_t out : engine.addresses().Received(AddrId(m))) {
        const TxNum creator = g.TxOf(OutNum(out));
        bool own_input = false;
        for (uint64_t i = g.FirstIn(creator); i < g.FirstIn(TxNum(creator.value() + 1)); ++i) {
          own_input |=
              std::binary_search(members->begin(), members->end(), g.Addr(g.Input(i)).value());
        }
        const uint32_t h = engine.heights().HeightOf(creator);
        if (!own_input && h >= o.from_height && h <= o.to_height) seeds.push_back(OutNum(out));
      }
    }
  } else {
    auto id = ResolveAddress(engine, seed);
    if (!id.ok()) return ToGrpc(id.status());
    for (uint64_t out : engine.addresses().Received(*id)) {
      const uint32_t h = engine.heights().HeightOf(g.TxOf(OutNum(out)));
      if (h >= o.from_height && h <= o.to_height) seeds.push_back(OutNum(out));
    }
  }

  trace::TraceResult r = trace::Trace(g, engine.heights(), seeds, o);
  if (r.cancelled) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                        "the trace was cancelled (deadline or client) before it ended");
  }

  // Nodes: every node an edge or an endpoint names, each named once (encoding an address costs
  // about a microsecond; a trace names each node many times).
  std::vector<uint32_t> nodes;
  for (const trace::TraceEdge& e : r.edges) {
    nodes.push_back(e.from);
    nodes.push_back(e.to);
  }
  for (const trace::TraceEnd& e : r.ends) nodes.push_back(e.node);
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  std::vector<std::string> names(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const uint32_t node = nodes[i];
    names[i] = node == trace::kNoNode ? "fee"
               : by_cluster           ? absl::StrCat("cluster:", node)
                                      : AddressString(engine, AddrId(node));
  }
  auto node_name = [&](uint32_t node) -> const std::string& {
    return names[std::lower_bound(nodes.begin(), nodes.end(), node) - nodes.begin()];
  };
  v1::TraceEvent ev;
  TraceEventSink sink(writer, req->events_per_message());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const uint32_t node = nodes[i];
    ev.Clear();
    v1::TraceNode* n = ev.mutable_node();
    n->set_id(names[i]);
    if (node == trace::kNoNode) {
      n->set_kind("fee");
    } else if (by_cluster) {
      n->set_kind("cluster");
      n->set_cluster_id(node);
      n->set_size(clusters->Size(ClusterId(node)));
      AddClusterLabels(engine, ClusterId(node), n->mutable_labels());
    } else {
      n->set_kind("address");
      if (clusters != nullptr && node < clusters->address_count()) {
        n->set_cluster_id(clusters->ClusterOf(AddrId(node)).value());
      }
      AddLabels(engine, AddrId(node), n->mutable_labels());
    }
    if (!sink.Add(&ev)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
    }
  }
  CancelPoll cancelled(ctx);
  for (const trace::TraceEdge& e : r.edges) {
    if (cancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    ev.Clear();
    v1::TraceEdge* m = ev.mutable_edge();
    m->set_from(node_name(e.from));
    m->set_to(node_name(e.to));
    m->set_txid(TxidString(engine, e.tx));
    m->set_block_height(static_cast<int32_t>(engine.heights().HeightOf(e.tx)));
    m->set_value(e.value);
    m->set_tainted_value(e.tainted);
    m->set_hop(e.hop);
    if (!sink.Add(&ev)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
    }
  }
  for (const trace::TraceEnd& e : r.ends) {
    ev.Clear();
    v1::TraceEndpoint* m = ev.mutable_endpoint();
    m->set_node(node_name(e.node));
    m->set_reason(std::string(trace::EndReasonName(e.reason)));
    m->set_tainted_value(e.tainted);
    m->set_hop(e.hop);
    if (!sink.Add(&ev)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
    }
  }
  if (!sink.Flush()) return grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
  ev.Clear();
  v1::TraceSummary* sum = ev.mutable_summary();
  sum->set_seed(seed);
  sum->set_seed_value(r.seed_value);
  for (int i = 0; i < trace::kNumEndReasons; ++i) {
    if (r.totals[i] != 0) {
      (*sum->mutable_tainted_by_reason())[std::string(
          trace::EndReasonName(static_cast<trace::EndReason>(i)))] = r.totals[i];
    }
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

grpc::Status AriadneService::FindPaths(grpc::ServerContext* ctx, const v1::PathsRequest* req,
                                       v1::PathsReply* resp) {
  const std::shared_ptr<const Engine> snapshot = source_->Get();
  if (snapshot == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the store is still loading");
  }
  const Engine& engine = *snapshot;
  if (engine.is_evm()) return evm_rpc::FindPaths(ctx, engine, *req, resp);
  const uint32_t max_hops = req->max_hops() == 0 ? 6 : req->max_hops();
  if (max_hops > 12) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "max_hops is at most 12");
  }
  auto from = ResolveSubject(engine, req->from(), req->by_cluster());
  if (!from.ok()) return ToGrpc(from.status());
  auto to = ResolveSubject(engine, req->to(), req->by_cluster());
  if (!to.ok()) return ToGrpc(to.status());
  const graph::TxGraph& g = engine.graph();
  std::vector<uint64_t> sources, targets;
  for (uint32_t a : *from) {
    for (uint64_t o : engine.addresses().Received(AddrId(a))) sources.push_back(o);
  }
  for (uint32_t a : *to) {
    for (uint64_t o : engine.addresses().Received(AddrId(a))) targets.push_back(o);
  }
  trace::PathOptions o;
  o.max_hops = max_hops;
  o.max_paths = req->max_paths() == 0 ? 10 : std::min(req->max_paths(), 100u);
  o.cancelled = [ctx] { return ctx->IsCancelled(); };
  trace::PathResult r = trace::FindPaths(g, sources, targets, o);
  if (r.cancelled) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "the search was cancelled");
  }
  resp->set_hops(r.hops);
  resp->set_truncated(r.truncated);
  for (const auto& path : r.paths) {
    v1::Path* p = resp->add_paths();
    int64_t bottleneck = INT64_MAX;
    for (const trace::PathStep& step : path) {
      v1::PathStep* s = p->add_steps();
      s->set_txid(TxidString(engine, step.tx));
      s->set_block_height(static_cast<int32_t>(engine.heights().HeightOf(step.tx)));
      // The spender's input from the path: the previous step's output, or the source's.
      std::string from_owner;
      for (uint64_t i = g.FirstIn(step.tx); i < g.FirstIn(TxNum(step.tx.value() + 1)); ++i) {
        const AddrId a = g.Addr(g.Input(i));
        if (p->steps_size() == 1 ? std::binary_search(from->begin(), from->end(), a.value())
                                 : a == g.Addr(OutNum(path[p->steps_size() - 2].out.value()))) {
          from_owner = AddressString(engine, a);
          break;
        }
      }
      s->set_from(from_owner);
      s->set_to(AddressString(engine, g.Addr(step.out)));
      s->set_value(g.Value(step.out));
      s->set_vout(g.Vout(step.out));
      bottleneck = std::min(bottleneck, g.Value(step.out));
    }
    p->set_bottleneck(path.empty() ? 0 : bottleneck);
  }
  return grpc::Status::OK;
}

grpc::Status AriadneService::GetExposure(grpc::ServerContext* ctx, const v1::ExposureRequest* req,
                                         v1::ExposureReply* resp) {
  const std::shared_ptr<const Engine> snapshot = source_->Get();
  if (snapshot == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the store is still loading");
  }
  const Engine& engine = *snapshot;
  if (engine.is_evm()) return evm_rpc::GetExposure(ctx, engine, *req, resp);
  std::string subject;
  if (req->subject_case() == v1::ExposureRequest::kClusterId) {
    subject = absl::StrCat("cluster:", req->cluster_id());
  } else if (req->subject_case() == v1::ExposureRequest::kAddress) {
    subject = req->address();
  } else {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "give an address or a cluster id");
  }
  auto members = ResolveSubject(engine, subject, req->by_cluster());
  if (!members.ok()) return ToGrpc(members.status());
  trace::ExposureOptions o;
  o.hops = req->hops() == 0 ? 3 : req->hops();
  if (o.hops > 10) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "hops is at most 10");
  if (!req->taint().empty()) {
    auto m = trace::ParseTaintModel(req->taint());
    if (!m.ok()) return ToGrpc(m.status());
    o.model = *m;
  }
  const graph::LabelIndex& labels = engine.labels();
  o.labels_of = [&labels](AddrId a) { return labels.OfAddress(a); };
  o.labels = &labels.labels();
  o.cancelled = [ctx] { return ctx->IsCancelled(); };
  trace::ExposureResult r =
      trace::ComputeExposure(engine.graph(), engine.addresses(), engine.heights(), *members, o);
  if (r.cancelled) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "the exposure was cancelled");
  }
  resp->set_subject(subject);
  resp->set_addresses(members->size());
  resp->set_received(r.received);
  resp->set_sent(r.sent);
  resp->set_hops(o.hops);
  resp->set_truncated(r.truncated);
  auto fill = [](const trace::ExposureAmounts& a, v1::ExposureEntry* e) {
    e->set_received_direct(a.received_direct);
    e->set_received_indirect(a.received_indirect);
    e->set_sent_direct(a.sent_direct);
    e->set_sent_indirect(a.sent_indirect);
  };
  for (const auto& [category, a] : r.by_category) {
    v1::ExposureEntry* e = resp->add_categories();
    e->set_category(category);
    fill(a, e);
  }
  for (const auto& [entity, a] : r.by_entity) {
    v1::ExposureEntry* e = resp->add_entities();
    e->set_entity(entity.first);
    e->set_category(entity.second);
    fill(a, e);
  }
  return grpc::Status::OK;
}

}  // namespace ariadne::service
