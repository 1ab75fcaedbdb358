// A trace as collected from the Trace stream, and its renderings: JSON, Graphviz DOT, SVG.
#ifndef ARIADNE_TOOLS_TRACE_RENDER_H_
#define ARIADNE_TOOLS_TRACE_RENDER_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "proto/ariadne.pb.h"

namespace ariadne::cli {

struct CollectedTrace {
  v1::TraceRequest::Shape shape = v1::TraceRequest::EDGES;  // what was asked for
  std::vector<v1::TraceNode> nodes;
  std::vector<v1::TraceEdge> edges;
  std::vector<v1::TraceFlow> flows;  // shape AGGREGATED
  std::vector<v1::TraceEndpoint> endpoints;
  v1::TraceSummary summary;
};

// Appends the trace as one JSON object: the summary's fields, then nodes, edges and endpoints.
// Shape SUMMARY has node_count and edge_count instead of the arrays; AGGREGATED has flows instead
// of edges, and node_count and edge_count.
void WriteTraceJson(const CollectedTrace& t, std::string* out);
// Returns: the trace as a Graphviz digraph: nodes labelled with short addresses and their labels
// (labelled nodes filled), edges (or flows) with tainted/total BTC, the seed highlighted.
std::string TraceToDot(const CollectedTrace& t, const std::string& title);
// Renders DOT to an SVG file with Graphviz's `dot`. Returns: UNAVAILABLE when `dot` is missing.
absl::Status RenderSvg(const std::string& dot, const std::filesystem::path& svg);

}  // namespace ariadne::cli

#endif  // ARIADNE_TOOLS_TRACE_RENDER_H_
