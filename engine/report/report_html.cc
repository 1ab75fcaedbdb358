#include "engine/report/report_html.h"

#include <algorithm>
#include <ctime>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/render/format.h"

namespace ariadne::report {
namespace {

using render::FormatBtc;
using render::FormatCount;
using render::FormatTime;

std::string H(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string Btc(int64_t sat) { return FormatBtc(sat) + " BTC"; }

constexpr char kStyle[] = R"(
@page { size: A4; margin: 14mm 12mm; }
body { font: 10pt/1.4 "DejaVu Sans", sans-serif; color: #111; max-width: 186mm; margin: auto; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 13pt; margin: 16pt 0 4pt;
  page-break-after: avoid; } h3 { font-size: 11pt; margin: 10pt 0 3pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0; font-size: 8.5pt; }
th, td { border-bottom: 0.5pt solid #ccc; padding: 2pt 3pt; text-align: left; vertical-align: top;
  word-break: break-all; }
th { background: #f0f2f4; } .num { text-align: right; white-space: nowrap; word-break: normal; }
.picture svg { max-width: 100%; height: auto; max-height: 230mm; }
.seed { page-break-before: always; } .muted { color: #555; } code { font-size: 8.5pt; }
)";

// The narrative of one seed: what it received, where the traced value ended, which labelled
// entities it reached and how much.
std::string Narrative(const SeedReport& r, const ReportInput& in) {
  const v1::TraceSummary& s = r.edges.summary;
  std::map<std::string, int64_t> ended(s.tainted_by_reason().begin(), s.tainted_by_reason().end());
  std::map<std::string, std::string> label_of;  // node -> "label [category]"
  for (const auto& n : r.edges.nodes) {
    for (const auto& l : n.labels()) label_of[n.id()] = l.label() + " [" + l.category() + "]";
  }
  std::map<std::string, int64_t> reached;  // entity -> tainted value
  for (const auto& e : r.edges.endpoints) {
    if (e.reason() == "labelled")
      reached[label_of.count(e.node()) ? label_of[e.node()] : e.node()] += e.tainted_value();
  }
  std::string text = absl::StrCat("Following ", Btc(s.seed_value()), " from <b>", H(r.seed),
                                  "</b> forward for up to ", in.hops, " hops (", H(in.taint),
                                  " taint, stopping at ", H(in.stop_at), ") went through ",
                                  s.transactions(), " transactions. ");
  if (reached.empty()) {
    absl::StrAppend(&text, "No labelled entity was reached. ");
  } else {
    std::string list;
    for (const auto& [entity, v] : reached) {
      absl::StrAppend(&list, list.empty() ? "" : "; ", H(entity), ": ", Btc(v));
    }
    absl::StrAppend(&text, "It reached labelled entities: ", list, ". ");
  }
  if (ended.count("unspent")) {
    absl::StrAppend(&text, Btc(ended["unspent"]), " is still unspent at the traced addresses. ");
  }
  if (s.truncated()) absl::StrAppend(&text, "<b>The trace was cut short (its edge limit).</b> ");
  return text;
}

std::string SeedSection(const SeedReport& r, const ReportInput& in, size_t index) {
  std::string out = absl::StrCat("<section class=\"seed\"><h2>Seed ", index, ": <code>", H(r.seed),
                                 "</code></h2>");
  if (!r.status.ok()) {
    return absl::StrCat(out, "<p><b>Not usable:</b> ", H(r.status.error_message()),
                        "</p></section>");
  }
  if (r.has_address) {
    const auto& a = r.address;
    absl::StrAppend(&out, "<table><tr><th>address</th><td>", H(a.address()), " (", H(a.type()),
                    ")</td><th>transactions</th><td class=num>", a.tx_count(),
                    "</td></tr><tr><th>received</th><td class=num>", Btc(a.received()),
                    "</td><th>balance</th><td class=num>", Btc(a.balance()),
                    "</td></tr><tr><th>seen at heights</th><td>", a.first_seen_height(), " - ",
                    a.last_seen_height(), "</td><th>wallet</th><td>",
                    r.has_cluster ? absl::StrCat("cluster:", r.cluster.cluster_id(), " (",
                                                 r.cluster.size(), " addresses)")
                                  : "not clustered",
                    "</td></tr></table>");
  }
  absl::StrAppend(&out, "<p>", Narrative(r, in), "</p>");
  if (!r.svg.empty()) {
    const size_t at = r.svg.find("<svg");
    absl::StrAppend(&out, "<div class=picture>", at == std::string::npos ? "" : r.svg.substr(at),
                    "</div><p class=muted>One arrow per pair of addresses: tainted / total value "
                    "and the hop of its first transaction.",
                    r.flows_left_out == 0
                        ? std::string()
                        : absl::StrCat(" The ", r.flows_left_out,
                                       " flows that carried the least tainted value are left out "
                                       "of the picture; the table below has every hop."),
                    "</p>");
  }
  std::vector<v1::TraceEdge> edges = r.edges.edges;
  std::stable_sort(edges.begin(), edges.end(), [](const auto& a, const auto& b) {
    return a.hop() != b.hop() ? a.hop() < b.hop() : a.block_height() < b.block_height();
  });
  absl::StrAppend(&out,
                  "<h3>Every hop</h3><table><tr><th>hop</th><th>transaction</th><th>block</th>"
                  "<th>time (UTC)</th><th>from</th><th>to</th><th class=num>value</th>"
                  "<th class=num>tainted</th></tr>");
  size_t rows = 0;
  for (const auto& e : edges) {
    if (rows++ >= kHopRows) break;
    auto t = r.tx_time.find(e.txid());
    absl::StrAppend(&out, "<tr><td>", e.hop(), "</td><td><code>", H(e.txid()), "</code></td><td>",
                    e.block_height(), "</td><td>",
                    t == r.tx_time.end() ? "" : FormatTime(t->second), "</td><td>", H(e.from()),
                    "</td><td>", H(e.to()), "</td><td class=num>", FormatBtc(e.value()),
                    "</td><td class=num>", FormatBtc(e.tainted_value()), "</td></tr>");
  }
  absl::StrAppend(&out, "</table>");
  if (edges.size() > kHopRows) {
    absl::StrAppend(&out, "<p class=muted>", edges.size() - kHopRows,
                    " more edges: `ariadne trace ", H(r.seed), " --hops ", in.hops, " --taint ",
                    H(in.taint), " --json` lists them all.</p>");
  }
  return out + "</section>";
}

}  // namespace

std::string ReportHtml(const ReportInput& in) {
  const std::time_t now = std::time(nullptr);
  std::string out = absl::StrCat(
      "<!doctype html><html lang=en><head><meta charset=utf-8><title>Case ", H(in.case_file.id),
      "</title><style>", kStyle, "</style></head><body><h1>Case ", H(in.case_file.id), ": ",
      H(in.case_file.title), "</h1><p class=muted>Report generated ", FormatTime(now),
      " by ariadne from the server ", H(in.server), ".</p>");
  // What the findings rest on.
  absl::StrAppend(
      &out, "<h2>The data</h2><table><tr><th>network</th><td>", H(in.status.network()),
      "</td></tr><tr><th>chain tip</th><td>height ", in.status.tip_height(), ", block <code>",
      H(in.status.tip_hash()), "</code> (", FormatTime(in.status.tip_time()),
      ")</td></tr><tr><th>transactions</th><td>", FormatCount(in.status.tx_count()),
      "</td></tr><tr><th>store digest</th><td><code>", H(in.digest),
      "</code></td></tr><tr><th>audit trail head</th><td><code>",
      H(in.audit_head.empty() ? "not given (report with --audit-log FILE)" : in.audit_head),
      "</code></td></tr>");
  std::string policy;
  for (const SeedReport& r : in.seeds) {
    if (r.has_cluster) policy = r.cluster.policy();
  }
  absl::StrAppend(&out, "<tr><th>clustering policy</th><td><code>",
                  H(policy.empty() ? "none used" : policy),
                  "</code> (its rules and their precision measured on generated and real-wallet "
                  "chains: docs/clustering.md)</td></tr></table>");
  absl::StrAppend(&out, "<h2>Seeds</h2><ol>");
  for (const SeedReport& r : in.seeds) {
    absl::StrAppend(&out, "<li><code>", H(r.seed),
                    "</code>: ", r.status.ok() ? Narrative(r, in) : H(r.status.error_message()),
                    "</li>");
  }
  absl::StrAppend(&out, "</ol>");
  if (!in.case_file.notes.empty()) {
    absl::StrAppend(&out, "<h2>Notes of the case</h2><ul>");
    for (const CaseNote& n : in.case_file.notes) {
      absl::StrAppend(&out, "<li><code>", H(n.target), "</code>: ", H(n.text), "</li>");
    }
    absl::StrAppend(&out, "</ul>");
  }
  if (!in.why.empty()) {
    absl::StrAppend(&out, "<h2>Why seeds are one wallet</h2>");
    for (const WhyChain& w : in.why) {
      absl::StrAppend(&out, "<h3><code>", H(w.a), "</code> and <code>", H(w.b), "</code> (cluster ",
                      w.links.cluster_id(),
                      ")</h3><table><tr><th>#</th><th>from</th><th>to</th>"
                      "<th>heuristic</th><th>transaction</th><th>height</th></tr>");
      int i = 0;
      for (const auto& l : w.links.links()) {
        absl::StrAppend(&out, "<tr><td>", ++i, "</td><td>", H(l.from()), "</td><td>", H(l.to()),
                        "</td><td>", H(l.heuristic()), "</td><td><code>", H(l.txid()),
                        "</code></td><td>", l.block_height(), "</td></tr>");
      }
      absl::StrAppend(&out, "</table>");
    }
  }
  // Every label the findings use, with its source.
  std::set<std::tuple<std::string, std::string, std::string, std::string>> labels;
  for (const SeedReport& r : in.seeds) {
    for (const auto& n : r.edges.nodes) {
      for (const auto& l : n.labels()) {
        labels.insert(
            {l.address().empty() ? n.id() : l.address(), l.label(), l.category(), l.source()});
      }
    }
  }
  absl::StrAppend(&out, "<h2>Labels used</h2>");
  if (labels.empty()) absl::StrAppend(&out, "<p>None.</p>");
  if (!labels.empty()) {
    absl::StrAppend(&out,
                    "<table><tr><th>address</th><th>label</th><th>category</th>"
                    "<th>source</th></tr>");
    for (const auto& [address, label, category, source] : labels) {
      absl::StrAppend(&out, "<tr><td>", H(address), "</td><td>", H(label), "</td><td>", H(category),
                      "</td><td>", H(source), "</td></tr>");
    }
    absl::StrAppend(&out, "</table>");
  }
  absl::StrAppend(&out,
                  "<h2>How to re-check</h2><p>On a copy of the same chain indexed by ariadne: "
                  "<code>ariadne status</code> names the same tip; <code>ariadne db digest --db "
                  "DIR</code> gives the same store digest; for each seed, <code>ariadne trace SEED "
                  "--hops ",
                  in.hops, " --taint ", H(in.taint), " --stop-at ", H(in.stop_at),
                  "</code> gives the same hops; <code>ariadne why A B</code> the same links; "
                  "<code>ariadne audit verify FILE</code> the same trail head.</p>");
  for (size_t i = 0; i < in.seeds.size(); ++i) {
    absl::StrAppend(&out, SeedSection(in.seeds[i], in, i + 1));
  }
  return out + "</body></html>\n";
}

}  // namespace ariadne::report
