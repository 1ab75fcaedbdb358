#include "engine/service/ariadne_service.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/core/address.h"
#include "engine/core/strings.h"

namespace ariadne::service {

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

absl::StatusOr<AddrId> AriadneService::ResolveAddress(const std::string& address) const {
  if (address.empty()) return absl::InvalidArgumentError("address is empty");
  if (address.size() > 128) return absl::InvalidArgumentError("address is longer than 128 bytes");
  auto key = DecodeAddress(address, view_.store->network());
  if (!key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid address '", address, "': ", key.status().message()));
  }
  auto id = view_.store->FindAddress(*key);
  if (absl::IsNotFound(id.status())) {
    return absl::NotFoundError(absl::StrCat("address ", address, " never appeared on chain"));
  }
  return id;
}

std::string AriadneService::AddressString(AddrId id) const {
  if (!id.valid()) return "";
  auto row = view_.store->ReadAddress(id);
  if (!row.ok()) return absl::StrCat("<address id ", id.value(), ">");
  return EncodeAddress(row->key, view_.store->network());
}

grpc::Status AriadneService::GetStatus(grpc::ServerContext*, const v1::GetStatusRequest*,
                                       v1::ChainStatus* resp) {
  auto state = view_.store->ReadState();
  if (!state.ok()) return ToGrpc(state.status());
  resp->set_network(std::string(Params(view_.store->network()).name));
  resp->set_tip_height(state->tip_height);
  if (state->tip_height >= 0) {
    resp->set_tip_hash(state->tip_hash.ToHex());
    resp->set_tip_time(view_.heights->TimeOf(static_cast<uint32_t>(state->tip_height)));
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
  auto id = ResolveAddress(req->address());
  if (!id.ok()) return ToGrpc(id.status());
  auto row = view_.store->ReadAddress(*id);
  if (!row.ok()) return ToGrpc(row.status());
  auto stats = view_.store->ReadStats(*id);
  if (!stats.ok()) return ToGrpc(stats.status());
  resp->set_address(EncodeAddress(row->key, view_.store->network()));
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
  for (AddrId k : row->multisig_keys) resp->add_multisig_keys(AddressString(k));
  return grpc::Status::OK;
}

grpc::Status AriadneService::GetAddressHistory(grpc::ServerContext* ctx,
                                               const v1::GetAddressHistoryRequest* req,
                                               grpc::ServerWriter<v1::HistoryEntry>* writer) {
  auto id = ResolveAddress(req->address());
  if (!id.ok()) return ToGrpc(id.status());
  uint32_t limit = req->limit() == 0 ? options_.default_history_page : req->limit();
  if (limit > options_.max_history_page) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        absl::StrCat("limit ", limit, " is above the maximum page of ",
                                     options_.max_history_page));
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
  auto next = req->newest_first() ? view_.store->ReadHistoryReverse(*id, from, limit, &txs)
                                  : view_.store->ReadHistory(*id, from, limit, &txs);
  if (!next.ok()) return ToGrpc(next.status());
  const graph::TxGraph& g = *view_.graph;
  v1::HistoryEntry e;
  for (size_t i = 0; i < txs.size(); ++i) {
    if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    const TxNum t = txs[i];
    if (t.value() >= g.tx_count()) break;  // indexed after the graph was loaded
    auto txid = view_.store->ReadTxid(t);
    if (!txid.ok()) return ToGrpc(txid.status());
    int64_t received = 0, sent = 0;
    for (uint64_t o = g.FirstOut(t); o < g.FirstOut(TxNum(t.value() + 1)); ++o) {
      if (g.Addr(OutNum(o)) == *id) received += g.Value(OutNum(o));
    }
    for (uint64_t in = g.FirstIn(t); in < g.FirstIn(TxNum(t.value() + 1)); ++in) {
      OutNum prev = g.Input(in);
      if (g.Addr(prev) == *id) sent += g.Value(prev);
    }
    const uint32_t h = view_.heights->HeightOf(t);
    e.set_txid(txid->ToHex());
    e.set_block_height(static_cast<int32_t>(h));
    e.set_block_time(view_.heights->TimeOf(h));
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
  auto txid = Txid::FromHex(req->txid());
  if (!txid.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("invalid txid '", req->txid().substr(0, 100),
                                     "': ", txid.status().message()));
  }
  auto num = view_.store->FindTx(*txid);
  if (!num.ok()) return ToGrpc(num.status());
  store::TxRow row;
  absl::Status s = view_.store->ReadTx(*num, &row);
  if (!s.ok()) return ToGrpc(s);
  const uint32_t h = view_.heights->HeightOf(*num);
  auto block = view_.store->ReadBlock(h);
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
  const graph::TxGraph& g = *view_.graph;
  const bool in_graph = num->value() < g.tx_count();
  store::TxRow prev;
  for (const store::TxInRow& in : row.inputs) {
    v1::TxInput* ti = resp->add_inputs();
    auto prev_txid = view_.store->ReadTxid(in.prev_tx);
    if (!prev_txid.ok()) return ToGrpc(prev_txid.status());
    ti->set_prev_txid(prev_txid->ToHex());
    ti->set_prev_vout(in.prev_vout);
    if (in_graph) {
      OutNum o(g.FirstOut(in.prev_tx) + in.prev_vout);
      ti->set_address(AddressString(g.Addr(o)));
      ti->set_value(g.Value(o));
      ti->set_type(std::string(ScriptTypeName(g.Type(o))));
    } else {
      s = view_.store->ReadTx(in.prev_tx, &prev);
      if (!s.ok()) return ToGrpc(s);
      const store::TxOutRow& po = prev.outputs[in.prev_vout];
      ti->set_address(AddressString(po.addr));
      ti->set_value(po.value);
      ti->set_type(std::string(ScriptTypeName(po.type)));
    }
  }
  for (uint32_t v = 0; v < row.outputs.size(); ++v) {
    const store::TxOutRow& o = row.outputs[v];
    v1::TxOutput* to = resp->add_outputs();
    to->set_vout(v);
    to->set_type(std::string(ScriptTypeName(o.type)));
    to->set_address(AddressString(o.addr));
    to->set_value(o.value);
    if (in_graph) {
      TxNum spender = g.SpentBy(OutNum(g.FirstOut(*num) + v));
      if (spender.valid()) {
        auto sid = view_.store->ReadTxid(spender);
        if (!sid.ok()) return ToGrpc(sid.status());
        to->set_spent_by(sid->ToHex());
      }
    }
  }
  return grpc::Status::OK;
}

}  // namespace ariadne::service
