#include "engine/render/reply_json.h"

namespace ariadne::render {
namespace {

bool IsAccount(v1::ChainModel m) { return m == v1::ACCOUNT; }

void AssetBalancesJson(const v1::AddressSummary& r, JsonWriter* w) {
  w->Key("assets").BeginArray();
  for (const auto& a : r.assets()) {
    w->BeginObject()
        .Field("asset", a.asset())
        .Field("standard", a.standard())
        .Field("fungible", a.fungible())
        .Field("received", a.received())
        .Field("sent", a.sent())
        .Field("fees", a.fees())
        .Field("balance", a.balance())
        .Field("received_count", a.received_count())
        .Field("sent_count", a.sent_count())
        .Field("first_block", a.first_block())
        .Field("last_block", a.last_block());
    if (a.overflow()) w->Field("overflow", true);
    w->EndObject();
  }
  w->EndArray();
}

// Starts a transaction's JSON object with the fields of both models.
void TxJsonHead(const v1::Transaction& r, JsonWriter* w) {
  w->BeginObject()
      .Field("txid", r.txid())
      .Field("block_height", r.block_height())
      .Field("block_hash", r.block_hash())
      .Field("block_time", r.block_time());
}

// A string field, or null when empty.
void StringOrNull(JsonWriter* w, std::string_view key, const std::string& v) {
  w->Key(key);
  v.empty() ? w->Null() : w->String(v);
}

std::string AccountTxJson(const v1::Transaction& r) {
  const v1::EvmTransaction& x = r.evm();
  std::string out;
  JsonWriter w(&out);
  TxJsonHead(r, &w);
  w.Field("index", x.index()).Field("type", x.type()).Field("status", x.status());
  w.Field("from", x.from());
  StringOrNull(&w, "to", x.to());
  StringOrNull(&w, "created_contract", x.created_contract());
  w.Field("value", x.value())
      .Field("fee", x.fee())
      .Field("gas_used", x.gas_used())
      .Field("effective_gas_price", x.effective_gas_price())
      .Field("nonce", x.nonce())
      .Field("log_count", x.log_count())
      .Field("selector", x.selector())
      .Key("transfers")
      .BeginArray();
  for (const auto& t : x.transfers()) {
    w.BeginObject()
        .Field("index", t.index())
        .Field("kind", t.kind())
        .Field("asset", t.asset())
        .Field("from", t.from())
        .Field("to", t.to())
        .Field("amount", t.amount());
    if (!t.token_id().empty()) w.Field("token_id", t.token_id());
    if (t.log_index() >= 0) w.Field("log_index", t.log_index());
    w.EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

void ExposureEntryJson(const v1::ExposureEntry& e, bool entity, bool account, JsonWriter* w) {
  w->BeginObject();
  if (entity) w->Field("entity", e.entity());
  w->Field("category", e.category());
  if (account) {
    w->Field("asset", e.asset())
        .Field("received_direct", e.received_direct_amount())
        .Field("received_indirect", e.received_indirect_amount())
        .Field("sent_direct", e.sent_direct_amount())
        .Field("sent_indirect", e.sent_indirect_amount());
  } else {
    w->Field("received_direct", e.received_direct())
        .Field("received_indirect", e.received_indirect())
        .Field("sent_direct", e.sent_direct())
        .Field("sent_indirect", e.sent_indirect());
  }
  w->EndObject();
}

}  // namespace

void LabelsJson(const google::protobuf::RepeatedPtrField<v1::Label>& labels, bool with_address,
                JsonWriter* w) {
  w->Key("labels").BeginArray();
  for (const auto& l : labels) {
    w->BeginObject()
        .Field("label", l.label())
        .Field("category", l.category())
        .Field("source", l.source());
    if (with_address) w->Field("address", l.address());
    w->EndObject();
  }
  w->EndArray();
}

void AssetAmountJson(const v1::AssetAmount& a, JsonWriter* w) {
  w->BeginObject().Field("asset", a.asset()).Field("standard", a.standard());
  if (!a.reason().empty()) w->Field("reason", a.reason());
  if (!a.amount().empty()) w->Field("amount", a.amount());
  if (!a.received().empty()) w->Field("received", a.received());
  if (!a.sent().empty()) w->Field("sent", a.sent());
  w->EndObject();
}

std::string StatusJson(const v1::ChainStatus& r) {
  const bool account = IsAccount(r.model());
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Field("network", r.network());
  if (account) w.Field("chain_id", r.chain_id());
  w.Field("tip_height", r.tip_height())
      .Field("tip_hash", r.tip_hash())
      .Field("tip_time", r.tip_time());
  if (account) {
    w.Field("block_count", r.block_count())
        .Field("tx_count", r.tx_count())
        .Field("transfer_count", r.transfer_count())
        .Field("log_count", r.log_count())
        .Field("address_count", r.address_count())
        .Field("asset_count", r.asset_count())
        .Field("blocks_without_traces", r.blocks_without_traces());
  } else {
    w.Field("tx_count", r.tx_count())
        .Field("input_count", r.input_count())
        .Field("output_count", r.output_count())
        .Field("address_count", r.address_count())
        .Field("utxo_count", r.utxo_count())
        .Field("utxo_value", r.utxo_value());
  }
  w.Field("schema_version", r.schema_version()).EndObject();
  return out;
}

std::string AddressJson(const v1::AddressSummary& r) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .Field("address", r.address())
      .Field("type", r.type())
      .Field("tx_count", r.tx_count());
  if (IsAccount(r.model())) {
    w.Field("first_seen_height", r.first_seen_height())
        .Field("last_seen_height", r.last_seen_height())
        .Field("cluster_id", r.cluster_id());
    AssetBalancesJson(r, &w);
    LabelsJson(r.labels(), false, &w);
    w.EndObject();
    return out;
  }
  w.Field("received", r.received())
      .Field("sent", r.sent())
      .Field("balance", r.balance())
      .Field("first_seen_height", r.first_seen_height())
      .Field("last_seen_height", r.last_seen_height())
      .Field("output_count", r.output_count())
      .Field("unspent_count", r.unspent_count())
      .Field("cluster_id", r.cluster_id());
  LabelsJson(r.labels(), false, &w);
  if (r.multisig_keys_size() > 0) {
    w.Key("multisig_keys").BeginArray();
    for (const auto& k : r.multisig_keys()) w.String(k);
    w.EndArray();
  }
  w.EndObject();
  return out;
}

void AppendHistoryEntryJson(const v1::HistoryEntry& e, std::string* out) {
  JsonWriter w(out);
  w.BeginObject()
      .Field("txid", e.txid())
      .Field("block_height", e.block_height())
      .Field("block_time", e.block_time());
  if (IsAccount(e.model())) {
    w.Field("status", e.status()).Field("from", e.from()).Field("to", e.to()).Field("fee", e.fee());
    w.Key("amounts").BeginArray();
    for (const auto& a : e.amounts()) AssetAmountJson(a, &w);
    w.EndArray();
  } else {
    w.Field("received", e.received()).Field("sent", e.sent());
  }
  w.Field("cursor", e.cursor()).EndObject();
}

std::string TxJson(const v1::Transaction& r) {
  if (IsAccount(r.model())) return AccountTxJson(r);
  std::string out;
  JsonWriter w(&out);
  TxJsonHead(r, &w);
  w.Field("fee", r.fee())
      .Field("coinbase", r.coinbase())
      .Field("size", r.size())
      .Field("vsize", r.vsize())
      .Key("inputs")
      .BeginArray();
  for (const auto& in : r.inputs()) {
    w.BeginObject().Field("prev_txid", in.prev_txid()).Field("prev_vout", in.prev_vout());
    StringOrNull(&w, "address", in.address());
    w.Field("value", in.value()).EndObject();
  }
  w.EndArray().Key("outputs").BeginArray();
  for (const auto& o : r.outputs()) {
    w.BeginObject().Field("vout", o.vout()).Field("type", o.type());
    StringOrNull(&w, "address", o.address());
    w.Field("value", o.value());
    StringOrNull(&w, "spent_by", o.spent_by());
    w.EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

std::string ClusterJson(const v1::ClusterSummary& r) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .Field("cluster_id", r.cluster_id())
      .Field("size", r.size())
      .Field("received", r.received())
      .Field("sent", r.sent())
      .Field("balance", r.balance())
      .Field("first_seen_height", r.first_seen_height())
      .Field("last_seen_height", r.last_seen_height())
      .Field("tx_count", r.tx_count());
  LabelsJson(r.labels(), true, &w);
  w.Key("assets").BeginArray();
  for (const auto& a : r.assets()) {
    w.BeginObject()
        .Field("asset", a.asset())
        .Field("standard", a.standard())
        .Field("received", a.received())
        .Field("sent", a.sent())
        .Field("fees", a.fees())
        .Field("balance", a.balance())
        .EndObject();
  }
  w.EndArray().Field("policy", r.policy()).EndObject();
  return out;
}

std::string WhyJson(const v1::ExplainReply& r) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  for (const auto& l : r.links()) {
    w.BeginObject()
        .Field("heuristic", l.heuristic())
        .Field("txid", l.txid())
        .Field("block_height", l.block_height())
        .Field("from", l.from())
        .Field("to", l.to());
    // A change link decided when the change was spent names that spend.
    if (!l.related_txid().empty()) w.Field("decided_by_txid", l.related_txid());
    w.EndObject();
  }
  w.EndArray();
  return out;
}

std::string PathsJson(const v1::PathsRequest& req, const v1::PathsReply& r) {
  const bool account = IsAccount(r.model());
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .Field("from", req.from())
      .Field("to", req.to())
      .Field("hops", r.hops())
      .Field("truncated", r.truncated())
      .Key("paths")
      .BeginArray();
  for (const auto& p : r.paths()) {
    w.BeginObject();
    if (!account) w.Field("bottleneck", p.bottleneck());
    w.Key("steps").BeginArray();
    for (const auto& st : p.steps()) {
      w.BeginObject().Field("txid", st.txid());
      account ? w.Field("transfer", st.transfer()) : w.Field("vout", st.vout());
      w.Field("block_height", st.block_height()).Field("from", st.from()).Field("to", st.to());
      if (account) {
        w.Field("asset", st.asset()).Field("amount", st.amount());
      } else {
        w.Field("value", st.value());
      }
      w.EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return out;
}

std::string ExposureJson(const v1::ExposureReply& r) {
  const bool account = IsAccount(r.model());
  std::string out;
  JsonWriter w(&out);
  w.BeginObject()
      .Field("subject", r.subject())
      .Field("addresses", r.addresses())
      .Field("hops", r.hops());
  if (!account) w.Field("received", r.received()).Field("sent", r.sent());
  w.Field("truncated", r.truncated());
  if (account) {
    w.Key("received").BeginArray();
    for (const auto& a : r.received_amounts()) AssetAmountJson(a, &w);
    w.EndArray().Key("sent").BeginArray();
    for (const auto& a : r.sent_amounts()) AssetAmountJson(a, &w);
    w.EndArray();
  }
  w.Key("categories").BeginArray();
  for (const auto& e : r.categories()) ExposureEntryJson(e, false, account, &w);
  w.EndArray().Key("entities").BeginArray();
  for (const auto& e : r.entities()) ExposureEntryJson(e, true, account, &w);
  w.EndArray().EndObject();
  return out;
}

}  // namespace ariadne::render
