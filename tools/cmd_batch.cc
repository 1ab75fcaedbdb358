// `ariadne batch CASE.csv --out DIR`: the payment addresses of a case file in, a report out.
//
// Per address: its summary, its wallet (cluster) and labels, its wallet's exposure to labelled
// entities, and where the money the wallet received went (a forward trace by cluster, haircut,
// stopping at the chosen categories). Writes DIR/report.json, DIR/report.csv and DIR/graph.svg
// (all traces in one picture). Rows that cannot be used are reported with their line numbers while
// the others are processed.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engine/render/json_writer.h"
#include "tools/client.h"
#include "tools/commands.h"
#include "tools/output.h"
#include "tools/printers.h"
#include "tools/progress.h"

namespace ariadne::cli {

grpc::Status CollectTrace(Client& client, const v1::TraceRequest& req, CollectedTrace* out);

namespace {

constexpr char kUsage[] =
    "usage: ariadne batch CASE.csv --out DIR [--hops N] [--taint MODEL] [--stop-at CATS]\n"
    "                     [--exposure-hops N] [--server HOST:PORT]\n"
    "  CASE.csv: address[,note] per line (a header line 'address,...' and # comments allowed)\n";

struct Row {
  int line;
  std::string address;
  std::string note;
};

struct Result {
  Row row;
  grpc::Status status;  // of the address lookup; the rest is skipped when it failed
  v1::AddressSummary address;
  v1::ClusterSummary cluster;
  bool has_cluster = false;
  v1::ExposureReply exposure;
  bool has_exposure = false;
  v1::TraceRequest trace_request;
  CollectedTrace trace;
  bool has_trace = false;
  std::string problems;  // later steps that failed
};

std::string StatusText(const grpc::Status& s) {
  return absl::StrCat(s.error_code(), ": ", s.error_message());
}

void LabelsOf(const google::protobuf::RepeatedPtrField<v1::Label>& labels,
              std::set<std::string>* out) {
  for (const auto& l : labels) out->insert(l.label() + " [" + l.category() + "]");
}

std::string Join(const std::set<std::string>& s, const char* sep) {
  std::string out;
  for (const auto& x : s) absl::StrAppend(&out, out.empty() ? "" : sep, x);
  return out;
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  return out + "\"";
}

}  // namespace

int RunBatch(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, ClientFlags({{"out", true},
                                             {"hops", true},
                                             {"taint", true},
                                             {"stop-at", true},
                                             {"exposure-hops", true}}));
  if (!args.ok()) return PrintError(args.status());
  if (args->positionals().size() != 1 || !args->Has("out")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto hops = args->GetInt("hops", 10, 1, 50);
  auto exposure_hops = args->GetInt("exposure-hops", 3, 1, 10);
  if (!hops.ok()) return PrintError(hops.status());
  if (!exposure_hops.ok()) return PrintError(exposure_hops.status());
  const std::string taint = args->GetOr("taint", "haircut");
  const std::string stop_at = args->GetOr("stop-at", "exchange,mixer,darknet_market,gambling");
  const std::filesystem::path case_file = args->positionals()[0];
  const std::filesystem::path out_dir = *args->Get("out");

  // Read the case file: every line is a row or a reported problem.
  std::ifstream in(case_file);
  if (!in) return PrintError(absl::NotFoundError(case_file.string() + ": cannot open"));
  std::vector<Row> rows;
  std::vector<std::pair<int, std::string>> invalid;  // line, reason
  std::set<std::string> seen;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    absl::string_view l = absl::StripAsciiWhitespace(line);
    if (l.empty() || l[0] == '#') continue;
    std::string address(absl::StripAsciiWhitespace(l.substr(0, l.find(','))));
    std::string note;
    if (size_t c = l.find(','); c != absl::string_view::npos) {
      note = std::string(absl::StripAsciiWhitespace(l.substr(c + 1)));
      if (note.size() >= 2 && note.front() == '"' && note.back() == '"') {
        note = note.substr(1, note.size() - 2);
      }
    }
    if (n == 1 && absl::AsciiStrToLower(address) == "address") continue;  // header
    if (address.empty()) {
      invalid.emplace_back(n, "no address");
      continue;
    }
    if (!seen.insert(address).second) {
      invalid.emplace_back(n, "duplicate of an earlier row (" + address + ")");
      continue;
    }
    rows.push_back({n, address, note});
  }

  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return PrintError(absl::PermissionDeniedError(out_dir.string() + ": " + ec.message()));

  Client client(*args);
  ProgressBar bar;
  auto start = std::chrono::steady_clock::now();
  std::vector<Result> results;
  for (size_t i = 0; i < rows.size(); ++i) {
    Result r;
    r.row = rows[i];
    v1::GetAddressRequest areq;
    areq.set_address(r.row.address);
    r.status = client.stub()->GetAddress(client.Context().get(), areq, &r.address);
    if (r.status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      bar.Finish();
      return PrintRpcError(r.status, client.server());
    }
    if (r.status.ok() && r.address.cluster_id() >= 0) {
      v1::GetClusterRequest creq;
      creq.set_address(r.row.address);
      grpc::Status s = client.stub()->GetCluster(client.Context().get(), creq, &r.cluster);
      r.has_cluster = s.ok();
      if (!s.ok()) absl::StrAppend(&r.problems, "cluster: ", StatusText(s), "; ");
    }
    if (r.status.ok()) {
      v1::ExposureRequest ereq;
      ereq.set_address(r.row.address);
      ereq.set_by_cluster(r.has_cluster);
      ereq.set_hops(static_cast<uint32_t>(*exposure_hops));
      grpc::Status s = client.stub()->GetExposure(client.Context().get(), ereq, &r.exposure);
      r.has_exposure = s.ok();
      if (!s.ok()) absl::StrAppend(&r.problems, "exposure: ", StatusText(s), "; ");
      v1::TraceRequest treq;
      treq.set_seed(r.has_cluster ? absl::StrCat("cluster:", r.cluster.cluster_id())
                                  : r.row.address);
      treq.set_by_cluster(r.has_cluster);
      treq.set_hops(static_cast<uint32_t>(*hops));
      treq.set_taint(taint);
      for (absl::string_view c : absl::StrSplit(stop_at, ',', absl::SkipEmpty())) {
        treq.add_stop_at(std::string(c));
      }
      r.trace_request = treq;
      s = CollectTrace(client, treq, &r.trace);
      r.has_trace = s.ok();
      if (!s.ok()) absl::StrAppend(&r.problems, "trace: ", StatusText(s), "; ");
    }
    results.push_back(std::move(r));
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    bar.Update(i + 1, rows.size(), secs, absl::StrFormat("%d of %d addresses", i + 1, rows.size()));
  }
  bar.Finish();

  // report.json
  std::string json;
  render::JsonWriter w(&json);
  w.BeginObject()
      .Field("case_file", case_file.string())
      .Field("server", client.server())
      .Key("parameters")
      .BeginObject()
      .Field("trace_hops", *hops)
      .Field("taint", taint)
      .Field("stop_at", stop_at)
      .Field("exposure_hops", *exposure_hops)
      .EndObject()
      .Key("invalid_rows")
      .BeginArray();
  for (const auto& [n, why] : invalid)
    w.BeginObject().Field("line", n).Field("error", why).EndObject();
  w.EndArray().Key("addresses").BeginArray();
  for (const Result& r : results) {
    w.BeginObject()
        .Field("line", r.row.line)
        .Field("address", r.row.address)
        .Field("note", r.row.note)
        .Field("status", r.status.ok() ? "ok" : "error");
    if (!r.status.ok()) {
      w.Field("error", StatusText(r.status)).EndObject();
      continue;
    }
    if (!r.problems.empty()) w.Field("problems", r.problems);
    const v1::AddressSummary& a = r.address;
    w.Key("summary")
        .BeginObject()
        .Field("type", a.type())
        .Field("tx_count", a.tx_count())
        .Field("received", a.received())
        .Field("sent", a.sent())
        .Field("balance", a.balance())
        .Field("first_seen_height", a.first_seen_height())
        .Field("last_seen_height", a.last_seen_height())
        .EndObject();
    std::set<std::string> labels;
    LabelsOf(a.labels(), &labels);
    if (r.has_cluster) {
      LabelsOf(r.cluster.labels(), &labels);
      w.Key("cluster")
          .BeginObject()
          .Field("cluster_id", r.cluster.cluster_id())
          .Field("size", r.cluster.size())
          .Field("received", r.cluster.received())
          .Field("sent", r.cluster.sent())
          .Field("balance", r.cluster.balance())
          .EndObject();
    }
    w.Key("labels").BeginArray();
    for (const auto& l : labels) w.String(l);
    w.EndArray();
    if (r.has_exposure) {
      w.Key("exposure").BeginArray();
      for (const auto& e : r.exposure.categories()) {
        w.BeginObject()
            .Field("category", e.category())
            .Field("received_direct", e.received_direct())
            .Field("received_indirect", e.received_indirect())
            .Field("sent_direct", e.sent_direct())
            .Field("sent_indirect", e.sent_indirect())
            .EndObject();
      }
      w.EndArray();
    }
    if (r.has_trace) {
      w.Key("trace").BeginObject().Field("seed", r.trace.summary.seed());
      w.Field("seed_value", r.trace.summary.seed_value()).Key("ended").BeginObject();
      std::map<std::string, int64_t> by(r.trace.summary.tainted_by_reason().begin(),
                                        r.trace.summary.tainted_by_reason().end());
      for (const auto& [reason, v] : by) w.Field(reason, v);
      w.EndObject().Key("endpoints").BeginArray();
      std::vector<v1::TraceEndpoint> ends = r.trace.endpoints;
      std::sort(ends.begin(), ends.end(),
                [](const auto& x, const auto& y) { return x.tainted_value() > y.tainted_value(); });
      std::map<std::string, std::string> node_labels;
      for (const auto& n : r.trace.nodes) {
        std::set<std::string> l;
        LabelsOf(n.labels(), &l);
        node_labels[n.id()] = Join(l, "; ");
      }
      for (size_t k = 0; k < ends.size() && k < 20; ++k) {
        w.BeginObject()
            .Field("node", ends[k].node())
            .Field("reason", ends[k].reason())
            .Field("tainted_value", ends[k].tainted_value())
            .Field("hop", ends[k].hop())
            .Field("labels", node_labels[ends[k].node()])
            .EndObject();
      }
      w.EndArray().Field("truncated", r.trace.summary.truncated()).EndObject();
    }
    w.EndObject();
  }
  w.EndArray().EndObject();
  {
    std::ofstream f(out_dir / "report.json");
    f << json << "\n";
  }

  // report.csv
  {
    std::ofstream f(out_dir / "report.csv");
    f << "line,address,note,status,type,tx_count,received,sent,balance,cluster_id,cluster_size,"
         "labels,exposure,traced_to_labelled,traced_unspent,error\n";
    for (const Result& r : results) {
      f << r.row.line << "," << CsvField(r.row.address) << "," << CsvField(r.row.note) << ","
        << (r.status.ok() ? "ok" : "error") << ",";
      if (!r.status.ok()) {
        f << ",,,,,,,,,,," << CsvField(StatusText(r.status)) << "\n";
        continue;
      }
      std::set<std::string> labels;
      LabelsOf(r.address.labels(), &labels);
      if (r.has_cluster) LabelsOf(r.cluster.labels(), &labels);
      std::string exposure;
      for (const auto& e : r.exposure.categories()) {
        absl::StrAppend(&exposure, exposure.empty() ? "" : "; ", e.category(), " in ",
                        FormatBtc(e.received_direct() + e.received_indirect()), " out ",
                        FormatBtc(e.sent_direct() + e.sent_indirect()));
      }
      const auto& ended = r.trace.summary.tainted_by_reason();
      auto get = [&](const char* k) {
        auto it = ended.find(k);
        return it == ended.end() ? int64_t{0} : it->second;
      };
      f << r.address.type() << "," << r.address.tx_count() << "," << r.address.received() << ","
        << r.address.sent() << "," << r.address.balance() << ","
        << (r.has_cluster ? std::to_string(r.cluster.cluster_id()) : "") << ","
        << (r.has_cluster ? std::to_string(r.cluster.size()) : "") << ","
        << CsvField(Join(labels, "; ")) << "," << CsvField(exposure) << "," << get("labelled")
        << "," << get("unspent") << "," << CsvField(r.problems) << "\n";
    }
    for (const auto& [n, why] : invalid) {
      f << n << ",,,invalid,,,,,,,,,,,," << CsvField(why) << "\n";
    }
  }

  // graph.svg: every trace in one picture, one arrow per pair of nodes (the server aggregates the
  // edges of each trace; flows between the same pair in two traces are drawn once).
  CollectedTrace all;
  all.shape = v1::TraceRequest::AGGREGATED;
  std::set<std::string> nodes_seen, flows_seen;
  for (const Result& r : results) {
    if (!r.has_trace) continue;
    v1::TraceRequest treq = r.trace_request;
    treq.set_shape(v1::TraceRequest::AGGREGATED);
    CollectedTrace flows;
    if (!CollectTrace(client, treq, &flows).ok()) continue;
    for (const auto& n : flows.nodes) {
      if (nodes_seen.insert(n.id()).second) all.nodes.push_back(n);
    }
    for (const auto& f : flows.flows) {
      if (flows_seen.insert(f.from() + ">" + f.to() + ">" + f.asset()).second) {
        all.flows.push_back(f);
      }
    }
    for (const auto& e : flows.endpoints) all.endpoints.push_back(e);
  }
  const std::string title =
      absl::StrCat("case ", case_file.filename().string(), ": ", results.size(), " addresses");
  {
    std::ofstream f(out_dir / "graph.dot");
    f << TraceToDot(all, title);
  }
  absl::Status svg = RenderSvg(TraceToDot(all, title), out_dir / "graph.svg");

  size_t ok = 0;
  for (const Result& r : results) ok += r.status.ok() ? 1 : 0;
  std::printf("%zu addresses: %zu found, %zu not usable; %zu invalid rows\n", results.size(), ok,
              results.size() - ok, invalid.size());
  for (const auto& [n, why] : invalid) {
    std::printf("  line %d: %s\n", n, why.c_str());
  }
  for (const Result& r : results) {
    if (!r.status.ok()) {
      std::printf("  line %d: %s: %s\n", r.row.line, r.row.address.c_str(),
                  r.status.error_message().c_str());
    }
  }
  std::printf("wrote %s, %s and %s\n", (out_dir / "report.json").c_str(),
              (out_dir / "report.csv").c_str(),
              svg.ok() ? (out_dir / "graph.svg").c_str() : "graph.dot (no Graphviz for the SVG)");
  return 0;
}

}  // namespace ariadne::cli
