#include "tools/trace_render.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/json_writer.h"
#include "tools/output.h"
#include "tools/print_util.h"

namespace ariadne::cli {
namespace {

std::string Short(const std::string& id) {
  if (id.size() <= 16) return id;
  return id.substr(0, 8) + "…" + id.substr(id.size() - 6);
}

}  // namespace

void WriteTraceJson(const CollectedTrace& t, std::string* out) {
  JsonWriter w(out);
  const v1::TraceSummary& s = t.summary;
  w.BeginObject()
      .Field("seed", s.seed())
      .Field("direction", s.direction())
      .Field("taint", s.taint())
      .Field("seed_value", s.seed_value())
      .Field("transactions", s.transactions())
      .Field("truncated", s.truncated())
      .Key("tainted_by_reason")
      .BeginObject();
  std::map<std::string, int64_t> by(s.tainted_by_reason().begin(), s.tainted_by_reason().end());
  for (const auto& [reason, v] : by) w.Field(reason, v);
  w.EndObject();
  if (s.seed_amounts_size() > 0 || s.tainted_amounts_size() > 0) {
    // EVM: amounts per asset, decimal strings of base units.
    w.Key("seed_amounts").BeginArray();
    for (const auto& a : s.seed_amounts()) {
      w.BeginObject().Field("asset", a.asset()).Field("amount", a.amount()).EndObject();
    }
    w.EndArray().Key("tainted_amounts").BeginArray();
    for (const auto& a : s.tainted_amounts()) {
      w.BeginObject()
          .Field("reason", a.reason())
          .Field("asset", a.asset())
          .Field("amount", a.amount())
          .EndObject();
    }
    w.EndArray();
  }
  if (t.shape != v1::TraceRequest::EDGES) {
    w.Field("node_count", s.nodes()).Field("edge_count", s.edges());
  }
  if (t.shape == v1::TraceRequest::SUMMARY) {
    w.EndObject();
    return;
  }
  w.Key("nodes").BeginArray();
  for (const auto& n : t.nodes) {
    w.BeginObject().Field("id", n.id()).Field("kind", n.kind());
    if (n.kind() == "cluster" || n.cluster_id() != 0) w.Field("cluster_id", n.cluster_id());
    if (n.kind() == "cluster") w.Field("size", n.size());
    LabelsJson(n.labels(), true, &w);
    w.EndObject();
  }
  w.EndArray();
  if (t.shape == v1::TraceRequest::AGGREGATED) {
    w.Key("flows").BeginArray();
    for (const auto& f : t.flows) {
      w.BeginObject()
          .Field("from", f.from())
          .Field("to", f.to())
          .Field("value", f.value())
          .Field("tainted_value", f.tainted_value())
          .Field("transactions", f.transactions())
          .Field("edges", f.edges())
          .Field("hop", f.hop())
          .Field("first_block_height", f.first_block_height())
          .Field("last_block_height", f.last_block_height());
      if (!f.asset().empty()) {
        w.Field("asset", f.asset())
            .Field("amount", f.amount())
            .Field("tainted_amount", f.tainted_amount());
      }
      w.EndObject();
    }
    w.EndArray();
  }
  if (t.shape == v1::TraceRequest::EDGES) {
    w.Key("edges").BeginArray();
    for (const auto& e : t.edges) {
      w.BeginObject()
          .Field("from", e.from())
          .Field("to", e.to())
          .Field("txid", e.txid())
          .Field("block_height", e.block_height())
          .Field("value", e.value())
          .Field("tainted_value", e.tainted_value())
          .Field("hop", e.hop());
      if (!e.asset().empty()) {
        w.Field("asset", e.asset())
            .Field("amount", e.amount())
            .Field("tainted_amount", e.tainted_amount())
            .Field("transfer", e.transfer());
      }
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("endpoints").BeginArray();
  for (const auto& e : t.endpoints) {
    w.BeginObject()
        .Field("node", e.node())
        .Field("reason", e.reason())
        .Field("tainted_value", e.tainted_value())
        .Field("hop", e.hop());
    if (!e.asset().empty()) {
      w.Field("asset", e.asset()).Field("tainted_amount", e.tainted_amount());
    }
    w.EndObject();
  }
  w.EndArray().EndObject();
}

std::string TraceToDot(const CollectedTrace& t, const std::string& title) {
  std::string dot =
      "digraph trace {\n  rankdir=LR;\n  node [shape=box, style=\"rounded\", "
      "fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", "
      "fontsize=9];\n";
  absl::StrAppend(&dot, "  labelloc=t; label=\"", JsonEscape(title), "\";\n");
  std::map<std::string, std::string> ends;  // node -> endpoint reasons
  for (const auto& e : t.endpoints) {
    std::string& r = ends[e.node()];
    absl::StrAppend(&r, r.empty() ? "" : ", ", e.reason(), " ",
                    e.asset().empty() ? FormatBtc(e.tainted_value())
                                      : e.tainted_amount() + " " + Short(e.asset()));
  }
  for (const auto& n : t.nodes) {
    std::string label = n.kind() == "cluster"
                            ? absl::StrCat("cluster ", n.cluster_id(), " (", n.size(), " addr)")
                            : Short(n.id());
    std::set<std::string> names;
    for (const auto& l : n.labels()) names.insert(l.label() + " [" + l.category() + "]");
    for (const auto& name : names) absl::StrAppend(&label, "\\n", JsonEscape(name));
    if (auto it = ends.find(n.id()); it != ends.end()) {
      absl::StrAppend(&label, "\\nends: ", it->second);
    }
    std::string style;
    if (n.id() == t.summary.seed()) {
      style = ", style=\"rounded,filled,bold\", fillcolor=\"#ffd27f\"";
    } else if (!n.labels().empty()) {
      style = ", style=\"rounded,filled\", fillcolor=\"#9ecae1\"";
    } else if (n.kind() == "fee") {
      style = ", shape=ellipse, color=gray";
    }
    absl::StrAppend(&dot, "  \"", JsonEscape(n.id()), "\" [label=\"", label, "\"", style, "];\n");
  }
  for (const auto& e : t.edges) {
    const std::string amounts =
        e.asset().empty()
            ? absl::StrCat(FormatBtc(e.tainted_value()), " / ", FormatBtc(e.value()), " BTC")
            : absl::StrCat(e.tainted_amount(), " / ", e.amount(), " ",
                           JsonEscape(Short(e.asset())));
    absl::StrAppend(&dot, "  \"", JsonEscape(e.from()), "\" -> \"", JsonEscape(e.to()),
                    "\" [label=\"", amounts, "\\nhop ", e.hop(), " tx ", e.txid().substr(0, 10),
                    "\"];\n");
  }
  for (const auto& f : t.flows) {
    const std::string amounts =
        f.asset().empty()
            ? absl::StrCat(FormatBtc(f.tainted_value()), " / ", FormatBtc(f.value()), " BTC")
            : absl::StrCat(f.tainted_amount(), " / ", f.amount(), " ",
                           JsonEscape(Short(f.asset())));
    absl::StrAppend(&dot, "  \"", JsonEscape(f.from()), "\" -> \"", JsonEscape(f.to()),
                    "\" [label=\"", amounts, "\\nhop ", f.hop(), ", ", f.transactions(),
                    " tx\"];\n");
  }
  dot += "}\n";
  return dot;
}

absl::Status RenderSvg(const std::string& dot, const std::filesystem::path& svg) {
  const std::string cmd = "dot -Tsvg -o '" + svg.string() + "'";
  FILE* p = ::popen(cmd.c_str(), "w");
  if (p == nullptr) return absl::UnavailableError("cannot run Graphviz `dot`");
  std::fwrite(dot.data(), 1, dot.size(), p);
  const int rc = ::pclose(p);
  if (rc != 0) {
    return absl::UnavailableError(
        "Graphviz `dot` failed (is the graphviz package installed?); use --dot to get the source");
  }
  return absl::OkStatus();
}

}  // namespace ariadne::cli
