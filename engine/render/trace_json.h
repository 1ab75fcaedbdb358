// A trace as collected from the Trace stream (every node, edge and endpoint event, then the
// summary), and its JSON form: what `ariadne trace --json` prints and the HTTP API's trace route
// answers.
#ifndef ARIADNE_ENGINE_RENDER_TRACE_JSON_H_
#define ARIADNE_ENGINE_RENDER_TRACE_JSON_H_

#include <string>
#include <vector>

#include "proto/ariadne.pb.h"

namespace ariadne::render {

struct CollectedTrace {
  v1::TraceRequest::Shape shape = v1::TraceRequest::EDGES;  // what was asked for
  std::vector<v1::TraceNode> nodes;
  std::vector<v1::TraceEdge> edges;
  std::vector<v1::TraceFlow> flows;  // shape AGGREGATED
  std::vector<v1::TraceEndpoint> endpoints;
  v1::TraceSummary summary;
};

// Adds one event of the stream to `t` (a batch adds each of its events).
void Collect(const v1::TraceEvent& event, CollectedTrace* t);

// Appends the trace as one JSON object: the summary's fields, then nodes, edges and endpoints.
// Shape SUMMARY has node_count and edge_count instead of the arrays; AGGREGATED has flows instead
// of edges, and node_count and edge_count.
void WriteTraceJson(const CollectedTrace& t, std::string* out);

}  // namespace ariadne::render

#endif  // ARIADNE_ENGINE_RENDER_TRACE_JSON_H_
