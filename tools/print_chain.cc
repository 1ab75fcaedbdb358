// Printers of the chain's facts: status, address, history, transaction.
#include <cstdio>

#include "absl/strings/str_format.h"
#include "tools/json_writer.h"
#include "tools/output.h"
#include "tools/print_util.h"
#include "tools/printers.h"

namespace ariadne::cli {

std::string FormatEther(const std::string& wei) {
  bool negative = !wei.empty() && wei[0] == '-';
  std::string digits = negative ? wei.substr(1) : wei;
  if (digits.empty()) digits = "0";
  if (digits.size() <= 18) digits = std::string(19 - digits.size(), '0') + digits;
  std::string whole = digits.substr(0, digits.size() - 18);
  std::string frac = digits.substr(digits.size() - 18);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  std::string out = (negative ? "-" : "") + whole;
  if (!frac.empty()) out += "." + frac;
  return out;
}

std::string FormatAssetAmount(const std::string& asset, const std::string& amount) {
  if (asset == "ETH") return FormatEther(amount) + " ETH";
  return amount + " " + asset;
}

int PrintStatus(const v1::ChainStatus& r, bool json) {
  const bool account = IsAccount(r);
  if (json) {
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
    std::printf("%s\n", out.c_str());
    return 0;
  }
  if (account) {
    std::printf("network       %s (chain id %llu, account model)\n", r.network().c_str(),
                static_cast<unsigned long long>(r.chain_id()));
  } else {
    std::printf("network       %s\n", r.network().c_str());
  }
  std::printf("tip           %d  %s  %s\n", r.tip_height(), OrDash(r.tip_hash()).c_str(),
              r.tip_height() >= 0 ? FormatTime(r.tip_time()).c_str() : "");
  if (account) {
    std::printf("blocks        %s indexed\n", FormatCount(r.block_count()).c_str());
    std::printf("transactions  %s (%s transfers, %s logs)\n", FormatCount(r.tx_count()).c_str(),
                FormatCount(r.transfer_count()).c_str(), FormatCount(r.log_count()).c_str());
    std::printf("addresses     %s\n", FormatCount(r.address_count()).c_str());
    std::printf("assets        %s (ETH and tokens)\n", FormatCount(r.asset_count()).c_str());
    if (r.blocks_without_traces() > 0) {
      std::printf(
          "traces        missing in %s of %s blocks: internal ETH movements (value moved by "
          "contract calls) in them are absent\n",
          FormatCount(static_cast<uint64_t>(r.blocks_without_traces())).c_str(),
          FormatCount(r.block_count()).c_str());
    } else if (r.blocks_without_traces() < 0) {
      std::printf("traces        not counted by the build that indexed this store (run index evm)\n");
    }
    return 0;
  }
  std::printf("transactions  %s (%s inputs, %s outputs)\n", FormatCount(r.tx_count()).c_str(),
              FormatCount(r.input_count()).c_str(), FormatCount(r.output_count()).c_str());
  std::printf("addresses     %s\n", FormatCount(r.address_count()).c_str());
  std::printf("UTXO          %s outputs, %s BTC\n", FormatCount(r.utxo_count()).c_str(),
              FormatBtc(r.utxo_value()).c_str());
  return 0;
}

namespace {

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

void PrintAssetBalances(const v1::AddressSummary& r) {
  for (const auto& a : r.assets()) {
    std::printf("%-13s %s received (%s transfers), %s sent (%s)%s, flow balance %s%s\n",
                a.asset() == "ETH" ? "ETH" : a.standard().c_str(),
                FormatAssetAmount(a.asset(), a.received()).c_str(),
                FormatCount(a.received_count()).c_str(),
                FormatAssetAmount(a.asset(), a.sent()).c_str(), FormatCount(a.sent_count()).c_str(),
                a.asset() == "ETH" ? (", fees " + FormatEther(a.fees()) + " ETH").c_str() : "",
                FormatAssetAmount(a.asset(), a.balance()).c_str(),
                a.overflow() ? " (sums saturated at 2^256-1)" : "");
  }
}

}  // namespace

int PrintAddress(const v1::AddressSummary& r, bool json) {
  const bool account = IsAccount(r);
  if (json) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject()
        .Field("address", r.address())
        .Field("type", r.type())
        .Field("tx_count", r.tx_count());
    if (account) {
      w.Field("first_seen_height", r.first_seen_height())
          .Field("last_seen_height", r.last_seen_height())
          .Field("cluster_id", r.cluster_id());
      AssetBalancesJson(r, &w);
      LabelsJson(r.labels(), false, &w);
      w.EndObject();
      std::printf("%s\n", out.c_str());
      return 0;
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
    std::printf("%s\n", out.c_str());
    return 0;
  }
  std::printf("address       %s (%s)\n", r.address().c_str(), r.type().c_str());
  std::printf("transactions  %s\n", FormatCount(r.tx_count()).c_str());
  if (account) {
    if (r.first_seen_height() >= 0) {
      std::printf("seen          blocks %d .. %d\n", r.first_seen_height(), r.last_seen_height());
    }
    PrintAssetBalances(r);
  } else {
    std::printf("received      %s BTC in %s outputs\n", FormatBtc(r.received()).c_str(),
                FormatCount(r.output_count()).c_str());
    std::printf("sent          %s BTC\n", FormatBtc(r.sent()).c_str());
    std::printf("balance       %s BTC in %s unspent outputs\n", FormatBtc(r.balance()).c_str(),
                FormatCount(r.unspent_count()).c_str());
    if (r.first_seen_height() >= 0) {
      std::printf("seen          heights %d .. %d\n", r.first_seen_height(), r.last_seen_height());
    }
    for (const auto& k : r.multisig_keys()) std::printf("key           %s\n", k.c_str());
  }
  if (r.cluster_id() >= 0) {
    std::printf("cluster       %lld  (ariadne cluster %s)\n",
                static_cast<long long>(r.cluster_id()), r.address().c_str());
  }
  for (const auto& l : r.labels()) {
    std::printf("label         %s [%s], source %s\n", l.label().c_str(), l.category().c_str(),
                l.source().c_str());
  }
  return 0;
}

void HistoryPrinter::Append(const v1::HistoryEntry& e, std::string* out) {
  const bool account = IsAccount(e);
  if (json_) {
    JsonWriter w(out);
    w.BeginObject()
        .Field("txid", e.txid())
        .Field("block_height", e.block_height())
        .Field("block_time", e.block_time());
    if (account) {
      w.Field("status", e.status())
          .Field("from", e.from())
          .Field("to", e.to())
          .Field("fee", e.fee());
      w.Key("amounts").BeginArray();
      for (const auto& a : e.amounts()) AssetAmountJson(a, &w);
      w.EndArray();
    } else {
      w.Field("received", e.received()).Field("sent", e.sent());
    }
    w.Field("cursor", e.cursor()).EndObject();
    out->append("\n");
    return;
  }
  if (!header_) {
    header_ = true;
    out->append(account ? absl::StrFormat("%-9s %-23s %-66s %-8s %s\n", "block", "time", "tx hash",
                                          "status", "amounts (+ received, - sent)")
                        : absl::StrFormat("%-8s %-23s %-64s %18s %18s\n", "height", "time", "txid",
                                          "received BTC", "sent BTC"));
  }
  if (!account) {
    out->append(absl::StrFormat("%-8d %-23s %-64s %18s %18s\n", e.block_height(),
                                FormatTime(e.block_time()), e.txid(), FormatBtc(e.received()),
                                FormatBtc(e.sent())));
    return;
  }
  std::string amounts;
  for (const auto& a : e.amounts()) {
    if (a.received() != "0") amounts += " +" + FormatAssetAmount(a.asset(), a.received());
    if (a.sent() != "0") amounts += " -" + FormatAssetAmount(a.asset(), a.sent());
  }
  if (e.fee() != "0" && !e.fee().empty()) amounts += " (fee " + FormatEther(e.fee()) + " ETH)";
  out->append(absl::StrFormat("%-9d %-23s %-66s %-8s%s\n", e.block_height(),
                              FormatTime(e.block_time()), e.txid(), e.status(), amounts));
}

namespace {

// Starts a transaction's JSON object with the fields of both models.
void TxJsonHead(const v1::Transaction& r, JsonWriter* w) {
  w->BeginObject()
      .Field("txid", r.txid())
      .Field("block_height", r.block_height())
      .Field("block_hash", r.block_hash())
      .Field("block_time", r.block_time());
}

int PrintAccountTx(const v1::Transaction& r, bool json) {
  const v1::EvmTransaction& x = r.evm();
  if (json) {
    std::string out;
    JsonWriter w(&out);
    TxJsonHead(r, &w);
    w.Field("index", x.index())
        .Field("type", x.type())
        .Field("status", x.status())
        .Field("from", x.from())
        .Key("to");
    x.to().empty() ? w.Null() : w.String(x.to());
    w.Key("created_contract");
    x.created_contract().empty() ? w.Null() : w.String(x.created_contract());
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
    std::printf("%s\n", out.c_str());
    return 0;
  }
  std::printf("tx        %s  (%s, type %u)\n", r.txid().c_str(), x.status().c_str(), x.type());
  std::printf("block     %d  %s  %s  (index %u)\n", r.block_height(), r.block_hash().c_str(),
              FormatTime(r.block_time()).c_str(), x.index());
  std::printf("from      %s  (nonce %llu)\n", x.from().c_str(),
              static_cast<unsigned long long>(x.nonce()));
  if (!x.to().empty()) std::printf("to        %s\n", x.to().c_str());
  if (!x.created_contract().empty()) {
    std::printf("creates   %s\n", x.created_contract().c_str());
  }
  std::printf("value     %s ETH\n", FormatEther(x.value()).c_str());
  std::printf("fee       %s ETH  (%llu gas at %s wei)\n", FormatEther(x.fee()).c_str(),
              static_cast<unsigned long long>(x.gas_used()), x.effective_gas_price().c_str());
  std::printf("transfers %d\n", x.transfers_size());
  for (const auto& t : x.transfers()) {
    std::printf("  %-8s %-42s -> %-42s %s%s\n", t.kind().c_str(), t.from().c_str(), t.to().c_str(),
                FormatAssetAmount(t.asset(), t.amount()).c_str(),
                t.token_id().empty() ? "" : (" (token id " + t.token_id() + ")").c_str());
  }
  return 0;
}

}  // namespace

int PrintTx(const v1::Transaction& r, bool json) {
  if (IsAccount(r)) return PrintAccountTx(r, json);
  if (json) {
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
      w.BeginObject()
          .Field("prev_txid", in.prev_txid())
          .Field("prev_vout", in.prev_vout())
          .Key("address");
      in.address().empty() ? w.Null() : w.String(in.address());
      w.Field("value", in.value()).EndObject();
    }
    w.EndArray().Key("outputs").BeginArray();
    for (const auto& o : r.outputs()) {
      w.BeginObject().Field("vout", o.vout()).Field("type", o.type()).Key("address");
      o.address().empty() ? w.Null() : w.String(o.address());
      w.Field("value", o.value()).Key("spent_by");
      o.spent_by().empty() ? w.Null() : w.String(o.spent_by());
      w.EndObject();
    }
    w.EndArray().EndObject();
    std::printf("%s\n", out.c_str());
    return 0;
  }
  std::printf("txid      %s%s\n", r.txid().c_str(), r.coinbase() ? "  (coinbase)" : "");
  std::printf("block     %d  %s  %s\n", r.block_height(), r.block_hash().c_str(),
              FormatTime(r.block_time()).c_str());
  std::printf("fee       %s BTC  (%u vbytes)\n", FormatBtc(r.fee()).c_str(), r.vsize());
  std::printf("inputs    %d\n", r.inputs_size());
  for (const auto& in : r.inputs()) {
    std::printf("  %-64s:%-4u %-44s %18s\n", in.prev_txid().c_str(), in.prev_vout(),
                OrDash(in.address()).c_str(), FormatBtc(in.value()).c_str());
  }
  std::printf("outputs   %d\n", r.outputs_size());
  for (const auto& o : r.outputs()) {
    std::printf("  %-4u %-8s %-44s %18s  %s\n", o.vout(), o.type().c_str(),
                OrDash(o.address()).c_str(), FormatBtc(o.value()).c_str(),
                o.spent_by().empty() ? "unspent" : ("spent by " + o.spent_by()).c_str());
  }
  return 0;
}

}  // namespace ariadne::cli
