// `ariadne report CASE.json --out DIR`: the court-ready report of a workspace case. For each seed:
// a narrative of where the value went and how much reached which labelled entity, the picture of
// the flows (aggregated by pair of nodes, sized for an A4 page), every hop with txid, block, time
// and value; then the `why` chains of the seeds that share a wallet, every label with its source,
// the clustering policy, and what lets anyone re-check it on their own copy of the chain (the tip,
// the store's digest, the audit trail's head, the commands). Writes DIR/report.html and, with
// Debian's chromium, DIR/report.pdf.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/core/hex.h"
#include "engine/service/audit.h"
#include "engine/store/digest.h"
#include "engine/store/store.h"
#include "tools/case_file.h"
#include "tools/client.h"
#include "tools/commands.h"
#include "tools/output.h"
#include "tools/report_html.h"
#include "tools/run_program.h"
#include "tools/trace_render.h"

namespace ariadne::cli {

grpc::Status CollectTrace(Client& client, const v1::TraceRequest& req, CollectedTrace* out);

namespace {

constexpr char kUsage[] =
    "usage: ariadne report CASE.json --out DIR [--hops N] [--taint MODEL] [--stop-at CATS]\n"
    "                      [--db DIR] [--audit-log FILE] [--no-pdf] [--server HOST:PORT]\n"
    "  CASE.json: a workspace case file {\"id\", \"title\", \"seeds\": [...], \"notes\": [...]}\n"
    "  --db: the served store, for its digest; --audit-log: the server's trail, for its head\n";

// Returns: the store's digest, hex, or why there is none.
std::string DigestOf(const std::string& db) {
  store::StoreOptions options;
  options.mode = store::StoreOptions::Mode::kReadOnly;
  auto store = store::Store::Open(db, options);
  if (!store.ok()) return absl::StrCat("not computed: ", store.status().message());
  auto digest = store::ComputeDigest(**store);
  if (!digest.ok()) return absl::StrCat("not computed: ", digest.status().message());
  return HexEncode(digest->total.span());  // as `ariadne db digest` prints it
}

// Prints DIR/report.html to DIR/report.pdf with headless Chromium. Returns: false when Chromium
// is missing or fails.
bool PrintPdf(const std::filesystem::path& html, const std::filesystem::path& pdf) {
  for (const char* chromium : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (!std::filesystem::exists(chromium)) continue;
    const bool printed = RunProgram(
        {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         "--print-to-pdf=" + pdf.string(), "file://" + std::filesystem::absolute(html).string()},
        /*quiet=*/true);
    return printed && std::filesystem::exists(pdf) && std::filesystem::file_size(pdf) > 0;
  }
  return false;
}

}  // namespace

int RunReport(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, ClientFlags({{"out", true},
                                             {"hops", true},
                                             {"taint", true},
                                             {"stop-at", true},
                                             {"db", true},
                                             {"audit-log", true},
                                             {"no-pdf", false}}));
  if (!args.ok()) return PrintError(args.status());
  if (args->positionals().size() != 1 || !args->Has("out")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto hops = args->GetInt("hops", 6, 1, 50);
  if (!hops.ok()) return PrintError(hops.status());
  auto case_file = ReadCaseFile(args->positionals()[0]);
  if (!case_file.ok()) return PrintError(case_file.status());
  if (case_file->seeds.empty()) {
    return PrintError(absl::InvalidArgumentError(
        absl::StrCat(args->positionals()[0], ": the case has no seeds to report on")));
  }
  const std::filesystem::path out_dir = *args->Get("out");
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return PrintError(absl::PermissionDeniedError(out_dir.string() + ": " + ec.message()));

  ReportInput in;
  in.case_file = *case_file;
  in.taint = args->GetOr("taint", "haircut");
  in.stop_at = args->GetOr("stop-at", "exchange,mixer,darknet_market,gambling");
  in.hops = static_cast<uint32_t>(*hops);
  Client client(*args);
  in.server = client.server();
  grpc::Status s = client.stub()->GetStatus(client.Context().get(), {}, &in.status);
  if (!s.ok()) return PrintRpcError(s, client.server());
  in.digest = args->Has("db") ? DigestOf(*args->Get("db"))
                              : "not computed here (run `ariadne db digest --db DIR`, or report "
                                "with --db)";
  if (auto log = args->Get("audit-log")) {
    auto chain = service::VerifyAuditLog(*log);
    in.audit_head = chain.ok()
                        ? absl::StrCat(chain->head, " (", chain->records, " records, ", *log, ")")
                        : absl::StrCat("not verified: ", chain.status().message());
  }

  for (const std::string& seed : case_file->seeds) {
    SeedReport r;
    r.seed = seed;
    const bool is_cluster = seed.rfind("cluster:", 0) == 0;
    const bool is_tx =
        seed.size() >= 64 && seed.find_first_not_of("0123456789abcdefABCDEF:") == std::string::npos;
    if (is_cluster) {
      v1::GetClusterRequest req;
      req.set_cluster_id(static_cast<uint32_t>(std::strtoul(seed.c_str() + 8, nullptr, 10)));
      r.status = client.stub()->GetCluster(client.Context().get(), req, &r.cluster);
      r.has_cluster = r.status.ok();
    } else if (!is_tx) {
      v1::GetAddressRequest req;
      req.set_address(seed);
      r.status = client.stub()->GetAddress(client.Context().get(), req, &r.address);
      r.has_address = r.status.ok();
      if (r.status.ok() && r.address.cluster_id() >= 0) {
        v1::GetClusterRequest creq;
        creq.set_address(seed);
        r.has_cluster = client.stub()->GetCluster(client.Context().get(), creq, &r.cluster).ok();
      }
    }
    if (r.status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      return PrintRpcError(r.status, client.server());
    }
    if (r.status.ok()) {
      v1::TraceRequest treq;
      treq.set_seed(seed);
      treq.set_by_cluster(is_cluster);
      treq.set_hops(in.hops);
      treq.set_taint(in.taint);
      for (absl::string_view c : absl::StrSplit(in.stop_at, ',', absl::SkipEmpty())) {
        treq.add_stop_at(std::string(c));
      }
      r.status = CollectTrace(client, treq, &r.edges);
      treq.set_shape(v1::TraceRequest::AGGREGATED);
      if (r.status.ok()) r.status = CollectTrace(client, treq, &r.flows);
    }
    if (r.status.ok()) {
      // The time of each transaction of the hop table (the first rows of it).
      std::set<std::string> txids;
      for (const auto& e : r.edges.edges) {
        if (txids.size() >= kHopRows) break;
        txids.insert(e.txid());
      }
      for (const std::string& txid : txids) {
        v1::GetTransactionRequest req;
        req.set_txid(txid);
        v1::Transaction tx;
        if (client.stub()->GetTransaction(client.Context().get(), req, &tx).ok()) {
          r.tx_time[txid] = tx.block_time();
        }
      }
      // An A4 page shows about this many arrows readably: the largest flows, the rest counted.
      if (r.flows.flows.size() > kPictureFlows) {
        r.flows_left_out = r.flows.flows.size() - kPictureFlows;
        std::stable_sort(r.flows.flows.begin(), r.flows.flows.end(),
                         [](const v1::TraceFlow& a, const v1::TraceFlow& b) {
                           return a.tainted_value() > b.tainted_value();
                         });
        r.flows.flows.resize(kPictureFlows);
        std::set<std::string> kept = {seed};
        for (const auto& f : r.flows.flows) kept.insert({f.from(), f.to()});
        std::erase_if(r.flows.nodes, [&](const v1::TraceNode& n) { return !kept.count(n.id()); });
        std::erase_if(r.flows.endpoints,
                      [&](const v1::TraceEndpoint& e) { return !kept.count(e.node()); });
      }
      absl::Status svg =
          RenderSvg(TraceToDot(r.flows, absl::StrCat("flows from ", seed), /*page=*/true),
                    out_dir / absl::StrCat("seed-", in.seeds.size() + 1, ".svg"));
      if (svg.ok()) {
        std::ifstream f(out_dir / absl::StrCat("seed-", in.seeds.size() + 1, ".svg"));
        r.svg.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
      }
    }
    in.seeds.push_back(std::move(r));
  }
  // Why the seeds that share a wallet are one wallet.
  for (size_t i = 0; i < in.seeds.size(); ++i) {
    for (size_t j = i + 1; j < in.seeds.size(); ++j) {
      const SeedReport& a = in.seeds[i];
      const SeedReport& b = in.seeds[j];
      if (!a.has_address || !b.has_address || a.address.cluster_id() < 0 ||
          a.address.cluster_id() != b.address.cluster_id()) {
        continue;
      }
      v1::ExplainRequest req;
      req.set_from(a.seed);
      req.set_to(b.seed);
      v1::ExplainReply reply;
      if (client.stub()->Explain(client.Context().get(), req, &reply).ok()) {
        in.why.push_back({a.seed, b.seed, reply});
      }
    }
  }

  const std::filesystem::path html = out_dir / "report.html";
  {
    std::ofstream f(html);
    f << ReportHtml(in);
    if (!f) return PrintError(absl::UnavailableError(html.string() + ": cannot write"));
  }
  const std::filesystem::path pdf = out_dir / "report.pdf";
  const bool with_pdf = !args->Has("no-pdf") && PrintPdf(html, pdf);
  size_t failed = 0;
  for (const SeedReport& r : in.seeds) {
    if (r.status.ok()) continue;
    ++failed;
    std::fprintf(stderr, "seed %s: %s\n", r.seed.c_str(), r.status.error_message().c_str());
  }
  std::printf("report of case %s: %zu seeds (%zu not usable); wrote %s%s\n", case_file->id.c_str(),
              in.seeds.size(), failed, html.c_str(),
              with_pdf ? absl::StrCat(" and ", pdf.string()).c_str()
                       : (args->Has("no-pdf") ? "" : " (no PDF: chromium is missing or failed)"));
  return 0;
}

}  // namespace ariadne::cli
