// A trace as collected from the Trace stream, and its renderings: JSON, Graphviz DOT, SVG.
#ifndef ARIADNE_TOOLS_TRACE_RENDER_H_
#define ARIADNE_TOOLS_TRACE_RENDER_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/render/trace_json.h"
#include "proto/ariadne.pb.h"

namespace ariadne::cli {

using render::CollectedTrace;
using render::WriteTraceJson;

// Returns: the trace as a Graphviz digraph: nodes labelled with short addresses and their labels
// (labelled nodes filled), edges (or flows) with tainted/total BTC, the seed highlighted.
// Args: page: laid out top to bottom and sized for an A4 page (reports), instead of left to right.
std::string TraceToDot(const CollectedTrace& t, const std::string& title, bool page = false);
// Renders DOT to an SVG file with Graphviz's `dot`. Returns: UNAVAILABLE when `dot` is missing.
absl::Status RenderSvg(const std::string& dot, const std::filesystem::path& svg);

}  // namespace ariadne::cli

#endif  // ARIADNE_TOOLS_TRACE_RENDER_H_
