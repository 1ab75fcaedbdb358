#include "tools/cmd_evm_output.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "absl/strings/str_format.h"
#include "tools/json_writer.h"
#include "tools/output.h"

namespace ariadne::cli {
namespace {

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

void AssetAmountJson(const v1::AssetAmount& a, JsonWriter* w) {
  w->BeginObject().Field("asset", a.asset()).Field("standard", a.standard());
  if (!a.reason().empty()) w->Field("reason", a.reason());
  if (!a.amount().empty()) w->Field("amount", a.amount());
  if (!a.received().empty()) w->Field("received", a.received());
  if (!a.sent().empty()) w->Field("sent", a.sent());
  w->EndObject();
}

void LabelsJson(const google::protobuf::RepeatedPtrField<v1::Label>& labels, JsonWriter* w) {
  w->Key("labels").BeginArray();
  for (const auto& l : labels) {
    w->BeginObject()
        .Field("label", l.label())
        .Field("category", l.category())
        .Field("source", l.source())
        .EndObject();
  }
  w->EndArray();
}

// Compares two decimal strings as numbers (for sorting endpoints by amount).
bool DecimalLess(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

}  // namespace

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

int PrintEvmStatus(const v1::ChainStatus& r, bool json) {
  if (json) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject()
        .Field("network", r.network())
        .Field("chain_id", r.chain_id())
        .Field("tip_height", r.tip_height())
        .Field("tip_hash", r.tip_hash())
        .Field("tip_time", r.tip_time())
        .Field("block_count", r.block_count())
        .Field("tx_count", r.tx_count())
        .Field("transfer_count", r.transfer_count())
        .Field("log_count", r.log_count())
        .Field("address_count", r.address_count())
        .Field("asset_count", r.asset_count())
        .Field("blocks_without_traces", r.blocks_without_traces())
        .Field("schema_version", r.schema_version())
        .EndObject();
    std::printf("%s\n", out.c_str());
    return 0;
  }
  std::printf("network       %s (chain id %llu, account model)\n", r.network().c_str(),
              static_cast<unsigned long long>(r.chain_id()));
  std::printf("tip           %d  %s  %s\n", r.tip_height(), OrDash(r.tip_hash()).c_str(),
              r.tip_height() >= 0 ? FormatTime(r.tip_time()).c_str() : "");
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

int PrintEvmAddress(const v1::AddressSummary& r, bool json) {
  if (json) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject()
        .Field("address", r.address())
        .Field("type", r.type())
        .Field("tx_count", r.tx_count())
        .Field("first_seen_height", r.first_seen_height())
        .Field("last_seen_height", r.last_seen_height())
        .Field("cluster_id", r.cluster_id())
        .Key("assets")
        .BeginArray();
    for (const auto& a : r.assets()) {
      w.BeginObject()
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
      if (a.overflow()) w.Field("overflow", true);
      w.EndObject();
    }
    w.EndArray();
    LabelsJson(r.labels(), &w);
    w.EndObject();
    std::printf("%s\n", out.c_str());
    return 0;
  }
  std::printf("address       %s (%s)\n", r.address().c_str(), r.type().c_str());
  std::printf("transactions  %s\n", FormatCount(r.tx_count()).c_str());
  if (r.first_seen_height() >= 0) {
    std::printf("seen          blocks %d .. %d\n", r.first_seen_height(), r.last_seen_height());
  }
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

std::string EvmHistoryHeader() {
  return absl::StrFormat("%-9s %-23s %-66s %-8s %s\n", "block", "time", "tx hash", "status",
                         "amounts (+ received, - sent)");
}

void AppendEvmHistoryEntry(const v1::HistoryEntry& e, bool json, std::string* out) {
  if (json) {
    JsonWriter w(out);
    w.BeginObject()
        .Field("txid", e.txid())
        .Field("block_height", e.block_height())
        .Field("block_time", e.block_time())
        .Field("status", e.status())
        .Field("from", e.from())
        .Field("to", e.to())
        .Field("fee", e.fee())
        .Key("amounts")
        .BeginArray();
    for (const auto& a : e.amounts()) AssetAmountJson(a, &w);
    w.EndArray().Field("cursor", e.cursor()).EndObject();
    out->append("\n");
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

int PrintEvmTx(const v1::Transaction& r, bool json) {
  const v1::EvmTransaction& x = r.evm();
  if (json) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject()
        .Field("txid", r.txid())
        .Field("block_height", r.block_height())
        .Field("block_hash", r.block_hash())
        .Field("block_time", r.block_time())
        .Field("index", x.index())
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

int PrintEvmTrace(const CollectedTrace& t, const std::string& title) {
  const v1::TraceSummary& sum = t.summary;
  std::printf("%s\n", title.c_str());
  std::string seeded;
  for (const auto& a : sum.seed_amounts()) {
    seeded += (seeded.empty() ? "" : ", ") + FormatAssetAmount(a.asset(), a.amount());
  }
  std::printf("seeded %s; through %s transactions, %s nodes, %s edges%s\n",
              seeded.empty() ? "nothing" : seeded.c_str(), FormatCount(sum.transactions()).c_str(),
              FormatCount(sum.nodes()).c_str(), FormatCount(sum.edges()).c_str(),
              sum.truncated() ? " (TRUNCATED: raise --max-edges or narrow the trace)" : "");
  std::printf("\nwhere the tainted value ended:\n");
  for (const auto& a : sum.tainted_amounts()) {
    std::printf("  %-16s %s\n", a.reason().c_str(),
                FormatAssetAmount(a.asset(), a.amount()).c_str());
  }
  std::map<std::string, std::string> labels;
  for (const auto& n : t.nodes) {
    for (const auto& l : n.labels()) {
      std::string& s = labels[n.id()];
      if (s.find(l.label()) == std::string::npos) {
        s += (s.empty() ? "" : ", ") + l.label() + " [" + l.category() + "]";
      }
    }
  }
  std::vector<v1::TraceEndpoint> ends = t.endpoints;
  std::sort(ends.begin(), ends.end(), [](const auto& a, const auto& b) {
    return DecimalLess(b.tainted_amount(), a.tainted_amount());
  });
  std::printf("\nlargest endpoints:\n");
  for (size_t i = 0; i < ends.size() && i < 15; ++i) {
    const auto& e = ends[i];
    std::printf("  %-42s %-15s %s  hop %u  %s\n", e.node().c_str(), e.reason().c_str(),
                FormatAssetAmount(e.asset(), e.tainted_amount()).c_str(), e.hop(),
                labels[e.node()].c_str());
  }
  if (ends.size() > 15) std::printf("  ... %zu more (--json for all)\n", ends.size() - 15);
  return 0;
}

int PrintEvmPaths(const v1::PathsRequest& req, const v1::PathsReply& r, bool json) {
  if (json) {
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
      w.BeginObject().Key("steps").BeginArray();
      for (const auto& st : p.steps()) {
        w.BeginObject()
            .Field("txid", st.txid())
            .Field("transfer", st.transfer())
            .Field("block_height", st.block_height())
            .Field("from", st.from())
            .Field("to", st.to())
            .Field("asset", st.asset())
            .Field("amount", st.amount())
            .EndObject();
      }
      w.EndArray().EndObject();
    }
    w.EndArray().EndObject();
    std::printf("%s\n", out.c_str());
    return 0;
  }
  if (r.paths_size() == 0) {
    std::printf("no path from %s to %s within %u hops%s\n", req.from().c_str(), req.to().c_str(),
                req.max_hops(), r.truncated() ? " (search truncated)" : "");
    return 0;
  }
  std::printf("%d shortest path(s) of %u transfer(s) from %s to %s:\n", r.paths_size(), r.hops(),
              req.from().c_str(), req.to().c_str());
  int i = 0;
  for (const auto& p : r.paths()) {
    std::printf("\npath %d:\n", ++i);
    for (const auto& st : p.steps()) {
      std::printf("  block %-9d tx %s  %s -> %s  %s\n", st.block_height(), st.txid().c_str(),
                  st.from().c_str(), st.to().c_str(),
                  FormatAssetAmount(st.asset(), st.amount()).c_str());
    }
  }
  return 0;
}

int PrintEvmExposure(const v1::ExposureReply& r, bool json) {
  auto entry = [](JsonWriter& w, const v1::ExposureEntry& e, bool entity) {
    w.BeginObject();
    if (entity) w.Field("entity", e.entity());
    w.Field("category", e.category())
        .Field("asset", e.asset())
        .Field("received_direct", e.received_direct_amount())
        .Field("received_indirect", e.received_indirect_amount())
        .Field("sent_direct", e.sent_direct_amount())
        .Field("sent_indirect", e.sent_indirect_amount())
        .EndObject();
  };
  if (json) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject()
        .Field("subject", r.subject())
        .Field("addresses", r.addresses())
        .Field("hops", r.hops())
        .Field("truncated", r.truncated())
        .Key("received")
        .BeginArray();
    for (const auto& a : r.received_amounts()) AssetAmountJson(a, &w);
    w.EndArray().Key("sent").BeginArray();
    for (const auto& a : r.sent_amounts()) AssetAmountJson(a, &w);
    w.EndArray().Key("categories").BeginArray();
    for (const auto& e : r.categories()) entry(w, e, false);
    w.EndArray().Key("entities").BeginArray();
    for (const auto& e : r.entities()) entry(w, e, true);
    w.EndArray().EndObject();
    std::printf("%s\n", out.c_str());
    return 0;
  }
  std::printf("exposure of %s (%s addresses) within %u hops\n", r.subject().c_str(),
              FormatCount(r.addresses()).c_str(), r.hops());
  for (const auto& a : r.received_amounts()) {
    std::printf("  received %s\n", FormatAssetAmount(a.asset(), a.amount()).c_str());
  }
  for (const auto& a : r.sent_amounts()) {
    std::printf("  sent     %s\n", FormatAssetAmount(a.asset(), a.amount()).c_str());
  }
  for (const auto& e : r.categories()) {
    std::printf("\n%s (%s): received %s direct, %s indirect; sent %s direct, %s indirect\n",
                e.category().c_str(), e.asset().c_str(),
                FormatAssetAmount(e.asset(), e.received_direct_amount()).c_str(),
                FormatAssetAmount(e.asset(), e.received_indirect_amount()).c_str(),
                FormatAssetAmount(e.asset(), e.sent_direct_amount()).c_str(),
                FormatAssetAmount(e.asset(), e.sent_indirect_amount()).c_str());
  }
  for (const auto& e : r.entities()) {
    std::printf("  %s [%s] (%s): received %s / %s, sent %s / %s\n", e.entity().c_str(),
                e.category().c_str(), e.asset().c_str(), e.received_direct_amount().c_str(),
                e.received_indirect_amount().c_str(), e.sent_direct_amount().c_str(),
                e.sent_indirect_amount().c_str());
  }
  if (r.categories_size() == 0) std::printf("(no labelled entity within %u hops)\n", r.hops());
  return 0;
}

}  // namespace ariadne::cli
