// Client commands for the first analyst questions: status, address, history, tx.
#include <cstdio>

#include "absl/strings/str_format.h"
#include "tools/client.h"
#include "tools/cmd_evm_output.h"
#include "tools/commands.h"
#include "tools/json_writer.h"
#include "tools/output.h"

namespace ariadne::cli {
namespace {

// Parses the flags and the expected positionals; prints usage (returning false) when they are
// wrong.
bool ParseClientArgs(const std::vector<std::string>& argv, std::vector<FlagSpec> extra,
                     size_t positionals, const char* usage, absl::StatusOr<Args>* out) {
  *out = Args::Parse(argv, ClientFlags(std::move(extra)));
  if (!out->ok()) {
    PrintError(out->status());
    return false;
  }
  if ((*out)->positionals().size() != positionals) {
    std::fputs(usage, stderr);
    return false;
  }
  return true;
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

}  // namespace

int RunStatus(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args;
  if (!ParseClientArgs(argv, {}, 0, "usage: ariadne status [--server HOST:PORT] [--json]\n",
                       &args)) {
    return 2;
  }
  Client client(*args);
  v1::ChainStatus r;
  grpc::Status s = client.stub()->GetStatus(client.Context().get(), v1::GetStatusRequest(), &r);
  if (!s.ok()) return PrintRpcError(s, client.server());
  if (IsEvm(r)) return PrintEvmStatus(r, args->Has("json"));
  if (args->Has("json")) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject()
        .Field("network", r.network())
        .Field("tip_height", r.tip_height())
        .Field("tip_hash", r.tip_hash())
        .Field("tip_time", r.tip_time())
        .Field("tx_count", r.tx_count())
        .Field("input_count", r.input_count())
        .Field("output_count", r.output_count())
        .Field("address_count", r.address_count())
        .Field("utxo_count", r.utxo_count())
        .Field("utxo_value", r.utxo_value())
        .Field("schema_version", r.schema_version())
        .EndObject();
    std::printf("%s\n", out.c_str());
    return 0;
  }
  std::printf("network       %s\n", r.network().c_str());
  std::printf("tip           %d  %s  %s\n", r.tip_height(), OrDash(r.tip_hash()).c_str(),
              r.tip_height() >= 0 ? FormatTime(r.tip_time()).c_str() : "");
  std::printf("transactions  %s (%s inputs, %s outputs)\n", FormatCount(r.tx_count()).c_str(),
              FormatCount(r.input_count()).c_str(), FormatCount(r.output_count()).c_str());
  std::printf("addresses     %s\n", FormatCount(r.address_count()).c_str());
  std::printf("UTXO          %s outputs, %s BTC\n", FormatCount(r.utxo_count()).c_str(),
              FormatBtc(r.utxo_value()).c_str());
  return 0;
}

int RunAddress(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args;
  if (!ParseClientArgs(argv, {}, 1, "usage: ariadne address ADDR [--server HOST:PORT] [--json]\n",
                       &args)) {
    return 2;
  }
  Client client(*args);
  v1::GetAddressRequest req;
  req.set_address(args->positionals()[0]);
  v1::AddressSummary r;
  grpc::Status s = client.stub()->GetAddress(client.Context().get(), req, &r);
  if (!s.ok()) return PrintRpcError(s, client.server());
  if (IsEvm(r)) return PrintEvmAddress(r, args->Has("json"));
  if (args->Has("json")) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject()
        .Field("address", r.address())
        .Field("type", r.type())
        .Field("tx_count", r.tx_count())
        .Field("received", r.received())
        .Field("sent", r.sent())
        .Field("balance", r.balance())
        .Field("first_seen_height", r.first_seen_height())
        .Field("last_seen_height", r.last_seen_height())
        .Field("output_count", r.output_count())
        .Field("unspent_count", r.unspent_count())
        .Field("cluster_id", r.cluster_id())
        .Key("labels")
        .BeginArray();
    for (const auto& l : r.labels()) {
      w.BeginObject()
          .Field("label", l.label())
          .Field("category", l.category())
          .Field("source", l.source())
          .EndObject();
    }
    w.EndArray();
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
  std::printf("received      %s BTC in %s outputs\n", FormatBtc(r.received()).c_str(),
              FormatCount(r.output_count()).c_str());
  std::printf("sent          %s BTC\n", FormatBtc(r.sent()).c_str());
  std::printf("balance       %s BTC in %s unspent outputs\n", FormatBtc(r.balance()).c_str(),
              FormatCount(r.unspent_count()).c_str());
  if (r.first_seen_height() >= 0) {
    std::printf("seen          heights %d .. %d\n", r.first_seen_height(), r.last_seen_height());
  }
  for (const auto& k : r.multisig_keys()) std::printf("key           %s\n", k.c_str());
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

int RunHistory(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args;
  if (!ParseClientArgs(argv, {{"limit", true}, {"cursor", true}, {"newest-first", false}}, 1,
                       "usage: ariadne history ADDR [--limit N] [--cursor C] [--newest-first] "
                       "[--server HOST:PORT] [--json]\n",
                       &args)) {
    return 2;
  }
  auto limit = args->GetInt("limit", 1000, 1, 1'000'000);
  if (!limit.ok()) return PrintError(limit.status());
  Client client(*args);
  const bool json = args->Has("json");
  StdoutBuffer out;
  const std::string& address = args->positionals()[0];
  const bool evm =
      address.size() == 42 && address[0] == '0' && (address[1] == 'x' || address[1] == 'X');
  if (!json) {
    out.Append(evm ? EvmHistoryHeader()
                   : absl::StrFormat("%-8s %-23s %-64s %18s %18s\n", "height", "time", "txid",
                                     "received BTC", "sent BTC"));
  }
  // Pages of at most 10,000 until the limit or the end of the history.
  int64_t remaining = *limit;
  std::string cursor = args->GetOr("cursor", "");
  std::string last_cursor;
  while (remaining > 0) {
    v1::GetAddressHistoryRequest req;
    req.set_address(args->positionals()[0]);
    req.set_limit(static_cast<uint32_t>(std::min<int64_t>(remaining, 10000)));
    req.set_cursor(cursor);
    req.set_newest_first(args->Has("newest-first"));
    auto ctx = client.Context();
    auto reader = client.stub()->GetAddressHistory(ctx.get(), req);
    v1::HistoryEntry e;
    int64_t got = 0;
    while (reader->Read(&e)) {
      ++got;
      last_cursor = e.cursor();
      if (IsEvm(e)) {
        AppendEvmHistoryEntry(e, json, out.buffer());
        out.MaybeFlush();
      } else if (json) {
        JsonWriter w(out.buffer());
        w.BeginObject()
            .Field("txid", e.txid())
            .Field("block_height", e.block_height())
            .Field("block_time", e.block_time())
            .Field("received", e.received())
            .Field("sent", e.sent())
            .Field("cursor", e.cursor())
            .EndObject();
        out.Append("\n");
      } else {
        out.Append(absl::StrFormat("%-8d %-23s %-64s %18s %18s\n", e.block_height(),
                                   FormatTime(e.block_time()), e.txid(), FormatBtc(e.received()),
                                   FormatBtc(e.sent())));
      }
    }
    grpc::Status s = reader->Finish();
    if (!s.ok()) return PrintRpcError(s, client.server());
    remaining -= got;
    if (got == 0 || last_cursor.empty()) break;
    cursor = last_cursor;
  }
  out.Flush();
  if (!json && remaining == 0 && !last_cursor.empty()) {
    std::printf("(more: --cursor %s)\n", last_cursor.c_str());
  }
  return 0;
}

int RunTx(const std::vector<std::string>& argv) {
  absl::StatusOr<Args> args;
  if (!ParseClientArgs(argv, {}, 1, "usage: ariadne tx TXID [--server HOST:PORT] [--json]\n",
                       &args)) {
    return 2;
  }
  Client client(*args);
  v1::GetTransactionRequest req;
  req.set_txid(args->positionals()[0]);
  v1::Transaction r;
  grpc::Status s = client.stub()->GetTransaction(client.Context().get(), req, &r);
  if (!s.ok()) return PrintRpcError(s, client.server());
  if (IsEvm(r)) return PrintEvmTx(r, args->Has("json"));
  if (args->Has("json")) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject()
        .Field("txid", r.txid())
        .Field("block_height", r.block_height())
        .Field("block_hash", r.block_hash())
        .Field("block_time", r.block_time())
        .Field("fee", r.fee())
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
