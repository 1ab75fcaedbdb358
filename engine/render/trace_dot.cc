#include "engine/render/trace_dot.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/render/format.h"
#include "engine/render/json_writer.h"
#include "engine/render/run_program.h"

namespace ariadne::render {
namespace {

std::string Short(const std::string& id) {
  if (id.size() <= 16) return id;
  return id.substr(0, 8) + "…" + id.substr(id.size() - 6);
}

}  // namespace

std::string TraceToDot(const CollectedTrace& t, const std::string& title, bool page) {
  std::string dot =
      absl::StrCat("digraph trace {\n  rankdir=", page ? "TB;\n  size=\"7.3,10.2\"" : "LR",
                   ";\n  node [shape=box, style=\"rounded\", "
                   "fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", "
                   "fontsize=9];\n");
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
  // The DOT source goes through a temporary file and `dot` runs without a shell: output paths
  // may hold quotes or spaces, and a pipe to a command that failed to start would end this
  // process with SIGPIPE.
  std::string source = (std::filesystem::temp_directory_path() / "ariadne-dot-XXXXXX").string();
  const int fd = ::mkstemp(source.data());
  if (fd < 0) return absl::UnavailableError("cannot create a temporary file for Graphviz");
  const bool written = ::write(fd, dot.data(), dot.size()) == static_cast<ssize_t>(dot.size());
  ::close(fd);
  // Not quiet: `svg` may be /dev/stdout (trace --svg).
  const bool ran =
      written && RunProgram({"dot", "-Tsvg", "-o", svg.string(), source}, /*quiet=*/false);
  std::filesystem::remove(source);
  if (!ran) {
    return absl::UnavailableError(
        "Graphviz `dot` failed (is the graphviz package installed?); use --dot to get the source");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SvgOf(const std::string& dot) {
  std::string path = (std::filesystem::temp_directory_path() / "ariadne-svg-XXXXXX").string();
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return absl::UnavailableError("cannot create a temporary file for Graphviz");
  ::close(fd);
  absl::Status drawn = RenderSvg(dot, path);
  std::string svg;
  if (drawn.ok()) {
    std::ifstream f(path);
    svg.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  std::filesystem::remove(path);
  if (!drawn.ok()) return drawn;
  return svg;
}

}  // namespace ariadne::render
