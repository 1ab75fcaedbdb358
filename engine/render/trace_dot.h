// A collected trace as a picture: Graphviz DOT, and SVG drawn by Graphviz.
#ifndef ARIADNE_ENGINE_RENDER_TRACE_DOT_H_
#define ARIADNE_ENGINE_RENDER_TRACE_DOT_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/render/trace_json.h"
#include "proto/ariadne.pb.h"

namespace ariadne::render {

// Returns: the trace as a Graphviz digraph: nodes labelled with short addresses and their labels
// (labelled nodes filled), edges (or flows) with tainted/total BTC, the seed highlighted.
// Args: page: laid out top to bottom and sized for an A4 page (reports), instead of left to right.
std::string TraceToDot(const CollectedTrace& t, const std::string& title, bool page = false);
// Renders DOT to an SVG file with Graphviz's `dot`. Returns: UNAVAILABLE when `dot` is missing.
absl::Status RenderSvg(const std::string& dot, const std::filesystem::path& svg);
// Returns: the SVG text of DOT drawn by Graphviz; UNAVAILABLE when `dot` is missing or fails.
absl::StatusOr<std::string> SvgOf(const std::string& dot);

}  // namespace ariadne::render

#endif  // ARIADNE_ENGINE_RENDER_TRACE_DOT_H_
