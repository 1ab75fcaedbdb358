// `ariadne watch add|list|remove`: a case's watchlist on the server (docs/alerts.md).
#include <google/protobuf/util/json_util.h>

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/service/watch_service.h"
#include "tools/client.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace ariadne::cli {
namespace {

constexpr char kUsage[] =
    "usage: ariadne watch add ADDRESS|cluster:ID|TXID:VOUT --case C [--min-value SAT]\n"
    "                         [--rule moves|reaches[:CATEGORY[:HOPS]]] [--json]\n"
    "       ariadne watch list [--case C] [--json]\n"
    "       ariadne watch remove ID [--json]\n"
    "  rules: moves (default): the subject sends or receives in a new block;\n"
    "         reaches:CATEGORY:HOPS (default exchange, 3): value tainted from the subject\n"
    "         reaches an address labelled CATEGORY within HOPS hops\n";

std::string WatchJson(const v1::Watch& w) {
  // The same mapping as the alerts' JSON.
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  o.always_print_primitive_fields = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(w, &json, o);
  return json;
}

void PrintWatch(const v1::Watch& w, bool json) {
  if (json) {
    std::printf("%s\n", WatchJson(w).c_str());
    return;
  }
  std::printf("watch %llu  case %s  %s  rule %s%s  from block %d (evaluated to %d)\n",
              static_cast<unsigned long long>(w.id()), w.case_id().c_str(), w.subject().c_str(),
              w.rule().c_str(),
              w.min_value() > 0 ? absl::StrCat("  min ", w.min_value(), " sat").c_str() : "",
              w.created_height(), w.evaluated_height());
}

}  // namespace

int RunWatch(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, ClientFlags({{"case", true}, {"min-value", true}, {"rule", true}}));
  if (!args.ok()) return PrintError(args.status());
  const std::vector<std::string>& pos = args->positionals();
  const std::string verb = pos.empty() ? "" : pos[0];
  const bool json = args->Has("json");
  if ((verb == "add" && pos.size() != 2) || (verb == "list" && pos.size() != 1) ||
      (verb == "remove" && pos.size() != 2) ||
      (verb != "add" && verb != "list" && verb != "remove")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  Client client(*args);
  auto stub = v1::Watchlist::NewStub(client.channel());
  auto ctx = client.Context();
  // The audit trail records the case of the call: the watch's own, when --case-id is not given.
  if (client.case_id().empty() && args->Has("case"))
    ctx->AddMetadata("x-case-id", *args->Get("case"));
  if (verb == "add") {
    if (!args->Has("case")) {
      return PrintError(
          absl::InvalidArgumentError("watch add needs --case C (the case it is for)"));
    }
    auto min_value = args->GetInt("min-value", 0, 0, INT64_MAX);
    if (!min_value.ok()) return PrintError(min_value.status());
    v1::AddWatchRequest req;
    req.set_subject(pos[1]);
    req.set_case_id(*args->Get("case"));
    req.set_min_value(*min_value);
    req.set_rule(args->GetOr("rule", "moves"));
    v1::Watch w;
    grpc::Status s = stub->AddWatch(ctx.get(), req, &w);
    if (!s.ok()) return PrintRpcError(s, client.server());
    if (!json) std::printf("added ");
    PrintWatch(w, json);
    return 0;
  }
  if (verb == "list") {
    v1::ListWatchesRequest req;
    req.set_case_id(args->GetOr("case", ""));
    v1::ListWatchesReply r;
    grpc::Status s = stub->ListWatches(ctx.get(), req, &r);
    if (!s.ok()) return PrintRpcError(s, client.server());
    for (const v1::Watch& w : r.watches()) PrintWatch(w, json);
    if (!json && r.watches_size() == 0) std::printf("no watches\n");
    return 0;
  }
  uint64_t id = 0;
  if (!absl::SimpleAtoi(pos[1], &id) || id == 0) {
    return PrintError(absl::InvalidArgumentError(
        absl::StrCat("watch remove '", pos[1], "': expected a watch id (a positive integer)")));
  }
  v1::RemoveWatchRequest req;
  req.set_watch_id(id);
  v1::Watch w;
  grpc::Status s = stub->RemoveWatch(ctx.get(), req, &w);
  if (!s.ok()) return PrintRpcError(s, client.server());
  if (!json) std::printf("removed ");
  PrintWatch(w, json);
  return 0;
}

}  // namespace ariadne::cli
