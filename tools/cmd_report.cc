// `ariadne report CASE.json --out DIR`: the court-ready report of a workspace case. For each seed:
// a narrative of where the value went and how much reached which labelled entity, the picture of
// the flows (aggregated by pair of nodes, sized for an A4 page), every hop with txid, block, time
// and value; then the `why` chains of the seeds that share a wallet, every label with its source,
// the clustering policy, and what lets anyone re-check it on their own copy of the chain (the tip,
// the store's digest, the audit trail's head, the commands). Writes DIR/report.html and, with
// Debian's chromium, DIR/report.pdf.
#include <cstdio>
#include <ctime>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "engine/core/hex.h"
#include "engine/render/run_program.h"
#include "engine/report/case_file.h"
#include "engine/report/report_builder.h"
#include "engine/service/audit.h"
#include "engine/store/digest.h"
#include "engine/store/store.h"
#include "tools/client.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace ariadne::cli {

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
    const bool printed = render::RunProgram(
        // Case data: no background requests (updates, sync, metrics) while it prints.
        {chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-breakpad", "--no-first-run", "--disable-default-apps",
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
  auto case_file = report::ReadCaseFile(args->positionals()[0]);
  if (!case_file.ok()) return PrintError(case_file.status());
  if (case_file->seeds.empty()) {
    return PrintError(absl::InvalidArgumentError(
        absl::StrCat(args->positionals()[0], ": the case has no seeds to report on")));
  }
  const std::filesystem::path out_dir = *args->Get("out");
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return PrintError(absl::PermissionDeniedError(out_dir.string() + ": " + ec.message()));

  report::ReportOptions options;
  options.taint = args->GetOr("taint", options.taint);
  options.stop_at = args->GetOr("stop-at", options.stop_at);
  options.hops = static_cast<uint32_t>(*hops);
  Client client(*args);
  options.server = client.server();
  report::ReportInput in;
  grpc::Status s = report::BuildReport(
      *client.stub(), [&] { return client.Context(); }, *case_file, options, &in);
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
  // Each seed's picture also as its own file, for slides and exhibits.
  for (size_t i = 0; i < in.seeds.size(); ++i) {
    if (in.seeds[i].svg.empty()) continue;
    std::ofstream(out_dir / absl::StrCat("seed-", i + 1, ".svg")) << in.seeds[i].svg;
  }

  const std::filesystem::path html = out_dir / "report.html";
  {
    std::ofstream f(html);
    f << report::ReportHtml(in);
    if (!f) return PrintError(absl::UnavailableError(html.string() + ": cannot write"));
  }
  const std::filesystem::path pdf = out_dir / "report.pdf";
  const bool with_pdf = !args->Has("no-pdf") && PrintPdf(html, pdf);
  size_t failed = 0;
  for (const report::SeedReport& r : in.seeds) {
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
