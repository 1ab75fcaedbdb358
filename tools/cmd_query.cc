// Client commands for the first analyst questions: status, address, history, tx.
#include <cstdio>

#include "tools/client.h"
#include "tools/commands.h"
#include "tools/output.h"
#include "tools/printers.h"

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
  return PrintStatus(r, args->Has("json"));
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
  return PrintAddress(r, args->Has("json"));
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
  HistoryPrinter printer(json);
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
      printer.Append(e, out.buffer());
      out.MaybeFlush();
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
  return PrintTx(r, args->Has("json"));
}

}  // namespace ariadne::cli
