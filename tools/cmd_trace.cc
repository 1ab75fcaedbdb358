// Client commands for flow of funds: `trace`, `paths`, `exposure`.
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "engine/render/selector.h"
#include "engine/render/trace_dot.h"
#include "engine/report/report_builder.h"
#include "tools/client.h"
#include "tools/commands.h"
#include "tools/output.h"
#include "tools/printers.h"

namespace ariadne::cli {
namespace {

constexpr char kTraceUsage[] =
    "usage: ariadne trace SEED [--direction forward|backward] [--hops N] "
    "[--taint poison|haircut|fifo]\n"
    "                     [--min-value SAT] [--from-height H] [--to-height H] "
    "[--stop-at CATEGORY,...]\n"
    "                     [--by address|cluster] [--max-edges N] [--through-coinjoins]\n"
    "                     [--asset ETH|TOKEN] [--min-amount BASE_UNITS]\n"
    "                     [--shape edges|summary|aggregated] [--json | --dot | --svg]\n"
    "  SEED: an address, a txid, txid:vout, or cluster:ID (what the wallet received from "
    "outside)\n"
    "  --shape: every edge (default), only the summary, or the edges summed per pair of nodes\n";

}  // namespace

// Runs a trace request and collects the stream. Shared with `batch`.
grpc::Status CollectTrace(Client& client, const v1::TraceRequest& request, CollectedTrace* out) {
  return report::CollectTrace(
      *client.stub(), [&] { return client.Context(); }, request, out);
}

int RunTrace(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, ClientFlags({{"direction", true},
                                             {"hops", true},
                                             {"taint", true},
                                             {"min-value", true},
                                             {"from-height", true},
                                             {"to-height", true},
                                             {"stop-at", true, true},
                                             {"by", true},
                                             {"max-edges", true},
                                             {"dot", false},
                                             {"svg", false},
                                             {"through-coinjoins", false},
                                             {"asset", true},
                                             {"min-amount", true},
                                             {"shape", true}}));
  if (!args.ok()) return PrintError(args.status());
  if (args->positionals().size() != 1) {
    std::fputs(kTraceUsage, stderr);
    return 2;
  }
  v1::TraceRequest req;
  req.set_seed(args->positionals()[0]);
  const std::string direction = args->GetOr("direction", "forward");
  if (direction != "forward" && direction != "backward") {
    return PrintError(absl::InvalidArgumentError("--direction must be forward or backward"));
  }
  req.set_direction(direction == "backward" ? v1::TraceRequest::BACKWARD
                                            : v1::TraceRequest::FORWARD);
  req.set_taint(args->GetOr("taint", "haircut"));
  auto hops = args->GetInt("hops", 3, 1, 50);
  auto min_value = args->GetInt("min-value", 0, 0, INT64_MAX);
  auto from = args->GetInt("from-height", 0, 0, UINT32_MAX);
  auto to = args->GetInt("to-height", 0, 0, UINT32_MAX);
  auto max_edges = args->GetInt("max-edges", 0, 0, 1'000'000);
  for (const auto* v : {&hops, &min_value, &from, &to, &max_edges}) {
    if (!v->ok()) return PrintError(v->status());
  }
  req.set_hops(static_cast<uint32_t>(*hops));
  req.set_min_value(*min_value);
  req.set_from_height(static_cast<uint32_t>(*from));
  req.set_to_height(static_cast<uint32_t>(*to));
  req.set_max_edges(static_cast<uint32_t>(*max_edges));
  for (const std::string& s : args->GetAll("stop-at")) {
    for (absl::string_view c : absl::StrSplit(s, ',', absl::SkipEmpty())) {
      req.add_stop_at(std::string(c));
    }
  }
  const std::string by = args->GetOr("by", "address");
  if (by != "address" && by != "cluster") {
    return PrintError(absl::InvalidArgumentError("--by must be address or cluster"));
  }
  req.set_by_cluster(by == "cluster");
  req.set_through_coinjoins(args->Has("through-coinjoins"));
  req.set_asset(args->GetOr("asset", ""));
  req.set_min_amount(args->GetOr("min-amount", ""));
  const std::string shape = args->GetOr("shape", "edges");
  if (shape == "summary") {
    req.set_shape(v1::TraceRequest::SUMMARY);
  } else if (shape == "aggregated") {
    req.set_shape(v1::TraceRequest::AGGREGATED);
  } else if (shape != "edges") {
    return PrintError(absl::InvalidArgumentError("--shape must be edges, summary or aggregated"));
  }

  Client client(*args);
  CollectedTrace t;
  grpc::Status s = CollectTrace(client, req, &t);
  if (!s.ok()) return PrintRpcError(s, client.server());
  const std::string title = absl::StrFormat("%s trace from %s (%s, %d hops)", direction, req.seed(),
                                            req.taint(), req.hops());
  if (args->Has("json")) {
    std::string out;
    WriteTraceJson(t, &out);
    std::printf("%s\n", out.c_str());
    return 0;
  }
  if (args->Has("dot")) {
    std::printf("%s", TraceToDot(t, title).c_str());
    return 0;
  }
  if (args->Has("svg")) {
    std::fflush(stdout);
    absl::Status r = RenderSvg(TraceToDot(t, title), "/dev/stdout");
    return r.ok() ? 0 : PrintError(r);
  }
  return PrintTrace(t, title);
}

int RunPaths(const std::vector<std::string>& argv) {
  auto args = Args::Parse(
      argv, ClientFlags({{"max-hops", true}, {"by", true}, {"max-paths", true}, {"asset", true}}));
  if (!args.ok()) return PrintError(args.status());
  if (args->positionals().size() != 2) {
    std::fputs(
        "usage: ariadne paths FROM TO [--max-hops N] [--by address|cluster] "
        "[--max-paths N] [--json]\n  FROM/TO: addresses, or cluster:ID\n",
        stderr);
    return 2;
  }
  auto hops = args->GetInt("max-hops", 6, 1, 12);
  auto max_paths = args->GetInt("max-paths", 10, 1, 100);
  if (!hops.ok()) return PrintError(hops.status());
  if (!max_paths.ok()) return PrintError(max_paths.status());
  v1::PathsRequest req;
  req.set_from(args->positionals()[0]);
  req.set_to(args->positionals()[1]);
  req.set_max_hops(static_cast<uint32_t>(*hops));
  req.set_max_paths(static_cast<uint32_t>(*max_paths));
  req.set_by_cluster(args->GetOr("by", "address") == "cluster");
  req.set_asset(args->GetOr("asset", ""));
  Client client(*args);
  v1::PathsReply r;
  grpc::Status s = client.stub()->FindPaths(client.Context().get(), req, &r);
  if (!s.ok()) return PrintRpcError(s, client.server());
  return PrintPaths(req, r, args->Has("json"));
}

int RunExposure(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, ClientFlags({{"hops", true}, {"taint", true}, {"by", true}}));
  if (!args.ok()) return PrintError(args.status());
  if (args->positionals().size() != 1) {
    std::fputs(
        "usage: ariadne exposure ADDR|cluster:ID [--hops N] [--taint MODEL] "
        "[--by address|cluster] [--json]\n",
        stderr);
    return 2;
  }
  auto hops = args->GetInt("hops", 3, 1, 10);
  if (!hops.ok()) return PrintError(hops.status());
  v1::ExposureRequest req;
  render::SetSelector(args->positionals()[0], &req);
  req.set_hops(static_cast<uint32_t>(*hops));
  req.set_taint(args->GetOr("taint", "haircut"));
  req.set_by_cluster(args->GetOr("by", "address") == "cluster");
  Client client(*args);
  v1::ExposureReply r;
  grpc::Status s = client.stub()->GetExposure(client.Context().get(), req, &r);
  if (!s.ok()) return PrintRpcError(s, client.server());
  return PrintExposure(r, args->Has("json"));
}

}  // namespace ariadne::cli
