// `ariadne alerts [--follow] [--json] [--from ID] [--case C]`: the alerts of the server's
// watchlists, from an id on; with --follow, new ones as they are raised (docs/alerts.md).
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "engine/service/watch_service.h"
#include "tools/client.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace ariadne::cli {
namespace {

void PrintAlert(const v1::Alert& a, bool json) {
  if (json) {
    std::printf("%s\n", service::AlertJson(a).c_str());
    std::fflush(stdout);
    return;
  }
  std::printf("alert %llu  watch %llu  case %s  %s  %s  block %d %s\n",
              static_cast<unsigned long long>(a.id()),
              static_cast<unsigned long long>(a.watch_id()), a.case_id().c_str(),
              a.subject().c_str(), a.rule().c_str(), a.block_height(), a.block_hash().c_str());
  if (a.sent() != 0 || a.received() != 0) {
    std::printf("  sent %s BTC, received %s BTC\n", FormatBtc(a.sent()).c_str(),
                FormatBtc(a.received()).c_str());
  }
  for (const std::string& t : a.txids()) std::printf("  tx %s\n", t.c_str());
  for (const v1::AlertPath& p : a.paths()) {
    std::printf("  reached %s (%s, %s): %s BTC tainted\n", p.endpoint().c_str(), p.label().c_str(),
                p.category().c_str(), FormatBtc(p.tainted_value()).c_str());
    for (const v1::AlertStep& s : p.steps()) {
      std::printf("    hop %u  %s -> %s  tx %s  block %d  %s of %s BTC\n", s.hop(),
                  s.from().c_str(), s.to().c_str(), s.txid().c_str(), s.block_height(),
                  FormatBtc(s.tainted_value()).c_str(), FormatBtc(s.value()).c_str());
    }
  }
  if (a.truncated()) std::printf("  (the evaluation hit a limit: there may be more)\n");
  if (a.delivery().state() != "off") {
    std::printf("  webhook: %s after %u attempt(s)%s\n", a.delivery().state().c_str(),
                a.delivery().attempts(),
                a.delivery().last_error().empty()
                    ? ""
                    : absl::StrCat(" (last error: ", a.delivery().last_error(), ")").c_str());
  }
  std::fflush(stdout);
}

}  // namespace

int RunAlerts(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, ClientFlags({{"follow", false}, {"from", true}, {"case", true}}));
  if (!args.ok()) return PrintError(args.status());
  if (!args->positionals().empty()) {
    std::fputs("usage: ariadne alerts [--follow] [--json] [--from ID] [--case C]\n", stderr);
    return 2;
  }
  auto from = args->GetInt("from", 0, 0, INT64_MAX);
  if (!from.ok()) return PrintError(from.status());
  const bool follow = args->Has("follow");
  const bool json = args->Has("json");
  Client client(*args);
  auto stub = v1::Watchlist::NewStub(client.channel());
  uint64_t last = static_cast<uint64_t>(*from);
  for (;;) {
    v1::WatchAlertsRequest req;
    req.set_from_alert_id(last);
    req.set_follow(follow);
    req.set_case_id(args->GetOr("case", ""));
    auto ctx = client.Context();
    // Following has no deadline of its own: the server ends the stream at its longest call time
    // and the command resumes after the last alert it printed.
    if (follow) ctx->set_deadline(std::chrono::system_clock::time_point::max());
    auto reader = stub->WatchAlerts(ctx.get(), req);
    v1::Alert a;
    uint64_t got = 0;
    while (reader->Read(&a)) {
      PrintAlert(a, json);
      last = a.id();
      ++got;
    }
    grpc::Status s = reader->Finish();
    if (follow && (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
                   (s.error_code() == grpc::StatusCode::CANCELLED && got > 0))) {
      continue;  // the server's call time ran out: resume
    }
    if (!s.ok()) return PrintRpcError(s, client.server());
    return 0;
  }
}

}  // namespace ariadne::cli
