// Printers of the chain's facts: status, address, history, transaction.
#include <cstdio>

#include "absl/strings/str_format.h"
#include "engine/render/reply_json.h"
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
    std::printf("%s\n", render::StatusJson(r).c_str());
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
      std::printf(
          "traces        not counted by the build that indexed this store (run index evm)\n");
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
    std::printf("%s\n", render::AddressJson(r).c_str());
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
    render::AppendHistoryEntryJson(e, out);
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

int PrintAccountTx(const v1::Transaction& r, bool json) {
  const v1::EvmTransaction& x = r.evm();
  if (json) {
    std::printf("%s\n", render::TxJson(r).c_str());
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
    std::printf("%s\n", render::TxJson(r).c_str());
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
