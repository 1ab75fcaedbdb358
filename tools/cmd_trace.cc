// Client commands for flow of funds: `trace`, `paths`, `exposure`.
#include <algorithm>
#include <cstdio>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "tools/client.h"
#include "tools/cmd_evm_output.h"
#include "tools/commands.h"
#include "tools/json_writer.h"
#include "tools/output.h"
#include "tools/trace_render.h"

namespace ariadne::cli {
namespace {

constexpr char kTraceUsage[] =
    "usage: ariadne trace SEED [--direction forward|backward] [--hops N] "
    "[--taint poison|haircut|fifo]\n"
    "                     [--min-value SAT] [--from-height H] [--to-height H] "
    "[--stop-at CATEGORY,...]\n"
    "                     [--by address|cluster] [--max-edges N] [--through-coinjoins]\n"
    "                     [--asset ETH|TOKEN] [--min-amount BASE_UNITS] [--json | --dot | --svg]\n"
    "  SEED: an address, a txid, txid:vout, or cluster:ID (what the wallet received from "
    "outside)\n";

}  // namespace

// Runs a trace request and collects the stream. Shared with `batch`.
grpc::Status CollectTrace(Client& client, const v1::TraceRequest& request, CollectedTrace* out) {
  v1::TraceRequest req = request;
  if (req.events_per_message() == 0) req.set_events_per_message(256);  // few, larger messages
  auto ctx = client.Context();
  auto reader = client.stub()->Trace(ctx.get(), req);
  v1::TraceEvent ev;
  auto take = [out](const v1::TraceEvent& e) {
    switch (e.event_case()) {
      case v1::TraceEvent::kNode:
        out->nodes.push_back(e.node());
        break;
      case v1::TraceEvent::kEdge:
        out->edges.push_back(e.edge());
        break;
      case v1::TraceEvent::kEndpoint:
        out->endpoints.push_back(e.endpoint());
        break;
      case v1::TraceEvent::kSummary:
        out->summary = e.summary();
        break;
      default:
        break;
    }
  };
  while (reader->Read(&ev)) {
    if (ev.has_batch()) {
      for (const v1::TraceEvent& e : ev.batch().events()) take(e);
    } else {
      take(ev);
    }
  }
  return reader->Finish();
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
                                             {"min-amount", true}}));
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
  // EVM: amounts per asset; a trace that seeded nothing is told apart by its 0x seed.
  if (t.summary.seed_amounts_size() > 0 || t.summary.tainted_amounts_size() > 0 ||
      req.seed().rfind("0x", 0) == 0) {
    return PrintEvmTrace(t, title);
  }
  const v1::TraceSummary& sum = t.summary;
  std::printf("%s\n", title.c_str());
  std::printf("seeded %s BTC; through %s transactions, %s nodes, %s edges%s\n",
              FormatBtc(sum.seed_value()).c_str(), FormatCount(sum.transactions()).c_str(),
              FormatCount(sum.nodes()).c_str(), FormatCount(sum.edges()).c_str(),
              sum.truncated() ? " (TRUNCATED: raise --max-edges or narrow the trace)" : "");
  std::printf("\nwhere the tainted value ended:\n");
  std::map<std::string, int64_t> by_reason(sum.tainted_by_reason().begin(),
                                           sum.tainted_by_reason().end());
  for (const auto& [reason, v] : by_reason) {
    std::printf("  %-16s %18s BTC\n", reason.c_str(), FormatBtc(v).c_str());
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
  std::sort(ends.begin(), ends.end(),
            [](const auto& a, const auto& b) { return a.tainted_value() > b.tainted_value(); });
  std::printf("\nlargest endpoints:\n");
  for (size_t i = 0; i < ends.size() && i < 15; ++i) {
    const auto& e = ends[i];
    std::printf("  %-64s %-15s %18s BTC  hop %u  %s\n", e.node().c_str(), e.reason().c_str(),
                FormatBtc(e.tainted_value()).c_str(), e.hop(), labels[e.node()].c_str());
  }
  if (ends.size() > 15) std::printf("  ... %zu more (--json for all)\n", ends.size() - 15);
  return 0;
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
  const bool evm =
      req.from().rfind("0x", 0) == 0 || req.to().rfind("0x", 0) == 0 ||
      (r.paths_size() > 0 && !r.paths(0).steps().empty() && !r.paths(0).steps(0).asset().empty());
  if (evm) return PrintEvmPaths(req, r, args->Has("json"));
  if (args->Has("json")) {
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
      w.BeginObject().Field("bottleneck", p.bottleneck()).Key("steps").BeginArray();
      for (const auto& st : p.steps()) {
        w.BeginObject()
            .Field("txid", st.txid())
            .Field("vout", st.vout())
            .Field("block_height", st.block_height())
            .Field("from", st.from())
            .Field("to", st.to())
            .Field("value", st.value())
            .EndObject();
      }
      w.EndArray().EndObject();
    }
    w.EndArray().EndObject();
    std::printf("%s\n", out.c_str());
    return 0;
  }
  if (r.paths_size() == 0) {
    std::printf("no path from %s to %s within %s hops%s\n", req.from().c_str(), req.to().c_str(),
                std::to_string(req.max_hops()).c_str(), r.truncated() ? " (search truncated)" : "");
    return 0;
  }
  std::printf("%d shortest path(s) of %u transaction(s) from %s to %s:\n", r.paths_size(), r.hops(),
              req.from().c_str(), req.to().c_str());
  int i = 0;
  for (const auto& p : r.paths()) {
    std::printf("\npath %d (at most %s BTC moved along it):\n", ++i,
                FormatBtc(p.bottleneck()).c_str());
    for (const auto& st : p.steps()) {
      std::printf("  height %-7d tx %s:%u  %s -> %s  %s BTC\n", st.block_height(),
                  st.txid().c_str(), st.vout(), st.from().c_str(), st.to().c_str(),
                  FormatBtc(st.value()).c_str());
    }
  }
  return 0;
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
  const std::string& subject = args->positionals()[0];
  uint32_t id;
  if (subject.rfind("cluster:", 0) == 0 && absl::SimpleAtoi(subject.substr(8), &id)) {
    req.set_cluster_id(id);
  } else {
    req.set_address(subject);
  }
  req.set_hops(static_cast<uint32_t>(*hops));
  req.set_taint(args->GetOr("taint", "haircut"));
  req.set_by_cluster(args->GetOr("by", "address") == "cluster");
  Client client(*args);
  v1::ExposureReply r;
  grpc::Status s = client.stub()->GetExposure(client.Context().get(), req, &r);
  if (!s.ok()) return PrintRpcError(s, client.server());
  if (r.received_amounts_size() > 0 || r.sent_amounts_size() > 0 ||
      r.subject().rfind("0x", 0) == 0) {
    return PrintEvmExposure(r, args->Has("json"));
  }
  auto entry = [](JsonWriter& w, const v1::ExposureEntry& e, bool entity) {
    w.BeginObject();
    if (entity) w.Field("entity", e.entity());
    w.Field("category", e.category())
        .Field("received_direct", e.received_direct())
        .Field("received_indirect", e.received_indirect())
        .Field("sent_direct", e.sent_direct())
        .Field("sent_indirect", e.sent_indirect())
        .EndObject();
  };
  if (args->Has("json")) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject()
        .Field("subject", r.subject())
        .Field("addresses", r.addresses())
        .Field("hops", r.hops())
        .Field("received", r.received())
        .Field("sent", r.sent())
        .Field("truncated", r.truncated())
        .Key("categories")
        .BeginArray();
    for (const auto& e : r.categories()) entry(w, e, false);
    w.EndArray().Key("entities").BeginArray();
    for (const auto& e : r.entities()) entry(w, e, true);
    w.EndArray().EndObject();
    std::printf("%s\n", out.c_str());
    return 0;
  }
  std::printf("exposure of %s (%s addresses) within %u hops: received %s BTC, sent %s BTC\n",
              r.subject().c_str(), FormatCount(r.addresses()).c_str(), r.hops(),
              FormatBtc(r.received()).c_str(), FormatBtc(r.sent()).c_str());
  std::printf("\n%-30s %16s %16s %16s %16s\n", "category / entity", "recv direct", "recv indirect",
              "sent direct", "sent indirect");
  for (const auto& e : r.categories()) {
    std::printf("%-30s %16s %16s %16s %16s\n", e.category().c_str(),
                FormatBtc(e.received_direct()).c_str(), FormatBtc(e.received_indirect()).c_str(),
                FormatBtc(e.sent_direct()).c_str(), FormatBtc(e.sent_indirect()).c_str());
  }
  for (const auto& e : r.entities()) {
    std::printf("  %-28s %16s %16s %16s %16s\n", (e.entity() + " [" + e.category() + "]").c_str(),
                FormatBtc(e.received_direct()).c_str(), FormatBtc(e.received_indirect()).c_str(),
                FormatBtc(e.sent_direct()).c_str(), FormatBtc(e.sent_indirect()).c_str());
  }
  if (r.categories_size() == 0) std::printf("(no labelled entity within %u hops)\n", r.hops());
  return 0;
}

}  // namespace ariadne::cli
