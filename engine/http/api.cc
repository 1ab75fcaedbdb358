#include "engine/http/api.h"

#include <algorithm>
#include <functional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/core/strings.h"
#include "engine/http/query_string.h"
#include "engine/render/json_writer.h"
#include "engine/render/reply_json.h"
#include "engine/render/selector.h"
#include "engine/render/trace_json.h"
#include "engine/report/case_file.h"
#include "engine/report/report_builder.h"
#include "engine/report/report_html.h"
#include "engine/service/gateway.h"
#include "engine/service/watch_service.h"

namespace ariadne::http {
namespace {

constexpr char kPrefix[] = "/api/v1/";

HttpReply JsonError(int status, std::string_view code, absl::string_view message) {
  HttpReply r;
  r.status = status;
  render::JsonWriter(&r.body)
      .BeginObject()
      .Field("code", code)
      .Field("message", SV(message))
      .EndObject();
  return r;
}

HttpReply FromStatus(const absl::Status& s) {
  const auto code = static_cast<grpc::StatusCode>(s.code());
  return JsonError(HttpStatusOf(code), CodeName(code), s.message());
}

HttpReply FromGrpc(const grpc::Status& s) {
  return JsonError(HttpStatusOf(s.error_code()), CodeName(s.error_code()), s.error_message());
}

HttpReply Json(std::string body) {
  HttpReply r;
  r.body = std::move(body);
  return r;
}

// One request being answered: its parsed target and the call context it makes.
struct Call {
  const HttpRequest& http;
  Target target;
  std::string rest;  // the path after /api/v1/<route>/, decoded
  std::unique_ptr<grpc::ClientContext> context;
  // A fresh context like `context`, for a route that makes more than one call.
  std::function<std::unique_ptr<grpc::ClientContext>()> new_context;
};

// A route: a fixed first path segment, whether it takes a path argument, its method (GET answers
// HEAD too) and its answer.
struct Route {
  const char* name;
  bool takes_argument;
  const char* method;
  HttpReply (*answer)(v1::Ariadne::Stub&, Call&);
};

// Answers a unary call: the reply rendered by `render`, or the call's error.
template <typename Request, typename Reply, typename Method, typename Render>
HttpReply Unary(v1::Ariadne::Stub& stub, Call& c, Method method, const Request& req,
                Render render) {
  Reply reply;
  const grpc::Status s = (stub.*method)(c.context.get(), req, &reply);
  if (!s.ok()) return FromGrpc(s);
  return Json(render(reply));
}

HttpReply Status(v1::Ariadne::Stub& stub, Call& c) {
  return Unary<v1::GetStatusRequest, v1::ChainStatus>(stub, c, &v1::Ariadne::Stub::GetStatus,
                                                      v1::GetStatusRequest(), render::StatusJson);
}

HttpReply Address(v1::Ariadne::Stub& stub, Call& c) {
  // /address/{address}/history pages the history; /address/{address} is the summary.
  if (absl::EndsWith(c.rest, "/history")) {
    v1::GetAddressHistoryRequest req;
    req.set_address(c.rest.substr(0, c.rest.size() - 8));
    auto limit = c.target.GetInt("limit", 100, 1, 10000);
    auto newest = c.target.GetBool("newest_first");
    if (!limit.ok()) return FromStatus(limit.status());
    if (!newest.ok()) return FromStatus(newest.status());
    req.set_limit(static_cast<uint32_t>(*limit));
    req.set_cursor(c.target.Get("cursor"));
    req.set_newest_first(*newest);
    auto reader = stub.GetAddressHistory(c.context.get(), req);
    std::string body = "{\"entries\":[";
    v1::HistoryEntry e;
    bool first = true;
    while (reader->Read(&e)) {
      if (!first) body.push_back(',');
      first = false;
      render::AppendHistoryEntryJson(e, &body);
    }
    const grpc::Status s = reader->Finish();
    if (!s.ok()) return FromGrpc(s);
    return Json(body + "]}");
  }
  v1::GetAddressRequest req;
  req.set_address(c.rest);
  return Unary<v1::GetAddressRequest, v1::AddressSummary>(stub, c, &v1::Ariadne::Stub::GetAddress,
                                                          req, render::AddressJson);
}

HttpReply Tx(v1::Ariadne::Stub& stub, Call& c) {
  v1::GetTransactionRequest req;
  req.set_txid(c.rest);
  return Unary<v1::GetTransactionRequest, v1::Transaction>(
      stub, c, &v1::Ariadne::Stub::GetTransaction, req, render::TxJson);
}

HttpReply Cluster(v1::Ariadne::Stub& stub, Call& c) {
  v1::GetClusterRequest req;
  render::SetSelector(c.rest, &req);
  return Unary<v1::GetClusterRequest, v1::ClusterSummary>(stub, c, &v1::Ariadne::Stub::GetCluster,
                                                          req, render::ClusterJson);
}

// Returns: INVALID_ARGUMENT naming the first of `names` the query lacks.
absl::Status Require(const Target& t, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (!t.Has(n) || t.Get(n).empty()) {
      return absl::InvalidArgumentError(absl::StrCat("missing query parameter '", n, "'"));
    }
  }
  return absl::OkStatus();
}

// Returns: whether `by` is "cluster"; INVALID_ARGUMENT for anything but address or cluster.
absl::StatusOr<bool> ByCluster(const Target& t) {
  const std::string by = t.Get("by", "address");
  if (by != "address" && by != "cluster") {
    return absl::InvalidArgumentError("parameter by must be address or cluster");
  }
  return by == "cluster";
}

HttpReply Why(v1::Ariadne::Stub& stub, Call& c) {
  if (absl::Status s = Require(c.target, {"a", "b"}); !s.ok()) return FromStatus(s);
  v1::ExplainRequest req;
  req.set_from(c.target.Get("a"));
  req.set_to(c.target.Get("b"));
  return Unary<v1::ExplainRequest, v1::ExplainReply>(stub, c, &v1::Ariadne::Stub::Explain, req,
                                                     render::WhyJson);
}

// Fills the trace request of /trace and /neighbours from the query. Returns: INVALID_ARGUMENT
// naming the bad parameter.
absl::Status TraceRequestOf(const Target& t, v1::TraceRequest* req) {
  req->set_seed(t.Get("seed"));
  const std::string direction = t.Get("direction", "forward");
  if (direction != "forward" && direction != "backward") {
    return absl::InvalidArgumentError("parameter direction must be forward or backward");
  }
  req->set_direction(direction == "backward" ? v1::TraceRequest::BACKWARD
                                             : v1::TraceRequest::FORWARD);
  req->set_taint(t.Get("taint", "haircut"));
  const std::string shape = t.Get("shape", "edges");
  if (shape != "edges" && shape != "summary" && shape != "aggregated") {
    return absl::InvalidArgumentError("parameter shape must be edges, summary or aggregated");
  }
  req->set_shape(shape == "summary"      ? v1::TraceRequest::SUMMARY
                 : shape == "aggregated" ? v1::TraceRequest::AGGREGATED
                                         : v1::TraceRequest::EDGES);
  auto hops = t.GetInt("hops", 3, 1, 50);
  auto min_value = t.GetInt("min_value", 0, 0, INT64_MAX);
  auto from = t.GetInt("from_height", 0, 0, UINT32_MAX);
  auto to = t.GetInt("to_height", 0, 0, UINT32_MAX);
  auto max_edges = t.GetInt("max_edges", 0, 0, 1'000'000);
  for (const auto* v : {&hops, &min_value, &from, &to, &max_edges}) {
    if (!v->ok()) return v->status();
  }
  auto by_cluster = ByCluster(t);
  auto through = t.GetBool("through_coinjoins");
  if (!by_cluster.ok()) return by_cluster.status();
  if (!through.ok()) return through.status();
  req->set_hops(static_cast<uint32_t>(*hops));
  req->set_min_value(*min_value);
  req->set_from_height(static_cast<uint32_t>(*from));
  req->set_to_height(static_cast<uint32_t>(*to));
  req->set_max_edges(static_cast<uint32_t>(*max_edges));
  for (const std::string& s : t.GetList("stop_at")) req->add_stop_at(s);
  req->set_by_cluster(*by_cluster);
  req->set_through_coinjoins(*through);
  req->set_asset(t.Get("asset"));
  req->set_min_amount(t.Get("min_amount"));
  req->set_events_per_message(256);
  return absl::OkStatus();
}

// Runs a trace and collects its stream. Returns: the call's status.
grpc::Status RunTrace(v1::Ariadne::Stub& stub, Call& c, const v1::TraceRequest& req,
                      render::CollectedTrace* trace) {
  trace->shape = req.shape();
  auto reader = stub.Trace(c.context.get(), req);
  v1::TraceEvent ev;
  while (reader->Read(&ev)) render::Collect(ev, trace);
  return reader->Finish();
}

HttpReply Trace(v1::Ariadne::Stub& stub, Call& c) {
  if (absl::Status s = Require(c.target, {"seed"}); !s.ok()) return FromStatus(s);
  v1::TraceRequest req;
  if (absl::Status s = TraceRequestOf(c.target, &req); !s.ok()) return FromStatus(s);
  render::CollectedTrace trace;
  if (grpc::Status s = RunTrace(stub, c, req, &trace); !s.ok()) return FromGrpc(s);
  HttpReply r;
  render::WriteTraceJson(trace, &r.body);
  return r;
}

// The neighbours of a node, for expanding a graph: a one-hop trace in `direction` (forward: where
// its coins went; backward: where they came from) with every coin followed (poison), aggregated
// by counterparty; the `limit` largest flows by value (default 50) and their nodes.
HttpReply Neighbours(v1::Ariadne::Stub& stub, Call& c) {
  const Target& t = c.target;
  if (absl::Status s = Require(t, {"node"}); !s.ok()) return FromStatus(s);
  auto limit = t.GetInt("limit", 50, 1, 5000);
  if (!limit.ok()) return FromStatus(limit.status());
  v1::TraceRequest req;
  if (absl::Status s = TraceRequestOf(t, &req); !s.ok()) return FromStatus(s);
  req.set_seed(t.Get("node"));
  req.set_hops(1);
  req.set_taint("poison");
  req.set_shape(v1::TraceRequest::AGGREGATED);
  if (req.seed().rfind("cluster:", 0) == 0) req.set_by_cluster(true);
  render::CollectedTrace trace;
  if (grpc::Status s = RunTrace(stub, c, req, &trace); !s.ok()) return FromGrpc(s);
  if (trace.flows.size() > static_cast<size_t>(*limit)) {
    std::stable_sort(
        trace.flows.begin(), trace.flows.end(),
        [](const v1::TraceFlow& a, const v1::TraceFlow& b) { return a.value() > b.value(); });
    trace.flows.resize(static_cast<size_t>(*limit));
    trace.summary.set_truncated(true);
  }
  std::set<std::string> kept = {req.seed()};
  for (const v1::TraceFlow& f : trace.flows) {
    kept.insert(f.from());
    kept.insert(f.to());
  }
  std::erase_if(trace.nodes, [&kept](const v1::TraceNode& n) { return !kept.count(n.id()); });
  std::erase_if(trace.endpoints,
                [&kept](const v1::TraceEndpoint& e) { return !kept.count(e.node()); });
  HttpReply r;
  render::WriteTraceJson(trace, &r.body);
  return r;
}

HttpReply Paths(v1::Ariadne::Stub& stub, Call& c) {
  const Target& t = c.target;
  if (absl::Status s = Require(t, {"from", "to"}); !s.ok()) return FromStatus(s);
  auto hops = t.GetInt("max_hops", 6, 1, 12);
  auto max_paths = t.GetInt("max_paths", 10, 1, 100);
  auto by_cluster = ByCluster(t);
  if (!hops.ok()) return FromStatus(hops.status());
  if (!max_paths.ok()) return FromStatus(max_paths.status());
  if (!by_cluster.ok()) return FromStatus(by_cluster.status());
  v1::PathsRequest req;
  req.set_from(t.Get("from"));
  req.set_to(t.Get("to"));
  req.set_max_hops(static_cast<uint32_t>(*hops));
  req.set_max_paths(static_cast<uint32_t>(*max_paths));
  req.set_by_cluster(*by_cluster);
  req.set_asset(t.Get("asset"));
  return Unary<v1::PathsRequest, v1::PathsReply>(
      stub, c, &v1::Ariadne::Stub::FindPaths, req,
      [&req](const v1::PathsReply& r) { return render::PathsJson(req, r); });
}

HttpReply Exposure(v1::Ariadne::Stub& stub, Call& c) {
  const Target& t = c.target;
  if (absl::Status s = Require(t, {"subject"}); !s.ok()) return FromStatus(s);
  auto hops = t.GetInt("hops", 3, 1, 10);
  auto by_cluster = ByCluster(t);
  if (!hops.ok()) return FromStatus(hops.status());
  if (!by_cluster.ok()) return FromStatus(by_cluster.status());
  v1::ExposureRequest req;
  render::SetSelector(t.Get("subject"), &req);
  req.set_hops(static_cast<uint32_t>(*hops));
  req.set_taint(t.Get("taint", "haircut"));
  req.set_by_cluster(*by_cluster);
  return Unary<v1::ExposureRequest, v1::ExposureReply>(stub, c, &v1::Ariadne::Stub::GetExposure,
                                                       req, render::ExposureJson);
}

// The alerts of the server's watchlists with an id above `from` (default 0), of one `case` (default
// all), at most `limit` (default 1000, at most 10000): a JSON array of the alerts' JSON
// (docs/alerts.md). Not a follow: a client polls with the last id it has.
HttpReply Alerts(v1::Watchlist::Stub& stub, Call& c) {
  const Target& t = c.target;
  auto from = t.GetInt("from", 0, 0, INT64_MAX);
  auto limit = t.GetInt("limit", 1000, 1, 10000);
  if (!from.ok()) return FromStatus(from.status());
  if (!limit.ok()) return FromStatus(limit.status());
  v1::WatchAlertsRequest req;
  req.set_from_alert_id(static_cast<uint64_t>(*from));
  req.set_case_id(t.Get("case", ""));
  auto reader = stub.WatchAlerts(c.context.get(), req);
  std::string body = "[";
  v1::Alert a;
  int64_t n = 0;
  while (n < *limit && reader->Read(&a)) {
    if (n++ > 0) body += ",";
    body += service::AlertJson(a);
  }
  if (n == *limit) c.context->TryCancel();
  const grpc::Status s = reader->Finish();
  if (!s.ok() && !(n == *limit && s.error_code() == grpc::StatusCode::CANCELLED)) {
    return FromGrpc(s);
  }
  return Json(body + "]");
}

// POST /api/v1/report?hops=&taint=&stop_at= with a case file's JSON as the body: the case's
// court report (`ariadne report`'s report.html), every question asked through the gateway like the
// other routes. The store's digest and the audit head need the server's files: the page says how
// to get them.
HttpReply Report(v1::Ariadne::Stub& stub, Call& c) {
  auto case_file = report::ParseCaseJson(c.http.body, "the posted case");
  if (!case_file.ok()) return FromStatus(case_file.status());
  if (case_file->seeds.empty()) {
    return FromStatus(absl::InvalidArgumentError("the posted case has no seeds to report on"));
  }
  report::ReportOptions options;
  auto hops = c.target.GetInt("hops", options.hops, 1, 50);
  if (!hops.ok()) return FromStatus(hops.status());
  options.hops = static_cast<uint32_t>(*hops);
  options.taint = c.target.Get("taint", options.taint);
  options.stop_at = c.target.Get("stop_at", options.stop_at);
  options.server = "this server's HTTP API";
  report::ReportInput in;
  const grpc::Status s = report::BuildReport(stub, c.new_context, *case_file, options, &in);
  if (!s.ok()) return FromGrpc(s);
  in.digest = "not computed by the server (run `ariadne db digest --db DIR` on the served store)";
  in.audit_head = "in the server's audit trail (`ariadne audit verify --log FILE`)";
  HttpReply r;
  r.content_type = "text/html; charset=utf-8";
  r.body = report::ReportHtml(in);
  std::string name = case_file->id;
  for (char& ch : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') ch = '_';
  }
  r.headers.emplace_back("Content-Disposition",
                         absl::StrCat("attachment; filename=\"report-", name, ".html\""));
  return r;
}

// The routes of the query service; "alerts" (answer null) is the watchlists' (Alerts).
constexpr Route kRoutes[] = {
    {"alerts", false, "GET", nullptr},
    {"status", false, "GET", Status},
    {"address", true, "GET", Address},
    {"tx", true, "GET", Tx},
    {"cluster", true, "GET", Cluster},
    {"why", false, "GET", Why},
    {"trace", false, "GET", Trace},
    {"paths", false, "GET", Paths},
    {"exposure", false, "GET", Exposure},
    {"neighbours", false, "GET", Neighbours},
    {"report", false, "POST", Report},
};

}  // namespace

int HttpStatusOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    default:  // UNKNOWN, INTERNAL, DATA_LOSS
      return 500;
  }
}

std::string CodeName(grpc::StatusCode code) {
  // gRPC's codes are abseil's, number for number.
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

ApiHandler::ApiHandler(std::shared_ptr<grpc::Channel> channel, absl::Duration max_call_time)
    : stub_(v1::Ariadne::NewStub(channel)),
      watch_stub_(v1::Watchlist::NewStub(channel)),
      max_call_time_(max_call_time) {}

HttpReply ApiHandler::Handle(const HttpRequest& request) const {
  auto target = Target::Parse(request.target);
  if (!target.ok()) return FromStatus(target.status());
  const std::string& path = target->path();
  if (!absl::StartsWith(path, kPrefix)) {
    return JsonError(404, "NOT_FOUND", absl::StrCat("no such route: ", path));
  }
  const std::string tail = path.substr(sizeof(kPrefix) - 1);
  const size_t slash = tail.find('/');
  const std::string name = tail.substr(0, slash);
  const std::string rest = slash == std::string::npos ? "" : tail.substr(slash + 1);
  for (const Route& route : kRoutes) {
    if (route.name != name) continue;
    if (route.takes_argument == rest.empty()) {
      return JsonError(
          404, "NOT_FOUND",
          absl::StrCat("no such route: ", path,
                       route.takes_argument ? absl::StrCat(" (use /api/v1/", name, "/{argument})")
                                            : absl::StrCat(" (use /api/v1/", name, "?...)")));
    }
    const bool get = std::string_view(route.method) == "GET";
    if (request.method != route.method && !(get && request.method == "HEAD")) {
      HttpReply r = JsonError(
          405, "UNIMPLEMENTED",
          absl::StrCat(request.method, " is not allowed on ", path, ": only ", route.method));
      r.headers.emplace_back("Allow", get ? "GET, HEAD" : route.method);
      return r;
    }
    // Each call carries the HTTP request's credentials, case id and peer, and its own deadline.
    auto new_context = [this, &request] {
      auto context = std::make_unique<grpc::ClientContext>();
      context->set_deadline(std::chrono::system_clock::now() +
                            absl::ToChronoMilliseconds(max_call_time_));
      if (auto it = request.headers.find("authorization"); it != request.headers.end()) {
        context->AddMetadata("authorization", it->second);
      }
      if (auto it = request.headers.find("x-ariadne-case"); it != request.headers.end()) {
        context->AddMetadata(service::kCaseIdMetadata, it->second);
      }
      context->AddMetadata(service::kHttpPeerMetadata, request.peer);
      return context;
    };
    Call c{request, *std::move(target), rest, new_context(), new_context};
    return route.answer != nullptr ? route.answer(*stub_, c) : Alerts(*watch_stub_, c);
  }
  return JsonError(404, "NOT_FOUND", absl::StrCat("no such route: ", path));
}

}  // namespace ariadne::http
