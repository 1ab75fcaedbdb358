// Where streamed answers go: a history page, a cluster's members, a trace. The service implements
// them over gRPC streams (engine/service), tests over vectors. Each call may be the last one the
// receiver takes: a false return means the receiver went away, and the query stops with CANCELLED.
#ifndef ARIADNE_ENGINE_QUERY_SINKS_H_
#define ARIADNE_ENGINE_QUERY_SINKS_H_

#include "engine/query/results.h"

namespace ariadne::query {

class HistorySink {
 public:
  virtual ~HistorySink() = default;
  // Returns: false when the receiver went away.
  virtual bool Entry(const HistoryEntry& entry) = 0;
};

class MemberSink {
 public:
  virtual ~MemberSink() = default;
  // Returns: false when the receiver went away.
  virtual bool Member(const ClusterMember& member) = 0;
};

// A trace answers its nodes (each once), then its edges (or its flows, when aggregated), then its
// endpoints, then its summary; a summary-only trace answers the summary alone.
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  // Each returns: false when the receiver went away.
  virtual bool Node(const TraceNode& node) = 0;
  virtual bool Edge(const TraceEdge& edge) = 0;
  virtual bool Flow(const TraceFlow& flow) = 0;
  virtual bool Endpoint(const TraceEndpoint& endpoint) = 0;
  // The last event: everything before it has been delivered first (false when that failed).
  virtual bool Summary(const TraceSummary& summary) = 0;
};

}  // namespace ariadne::query

#endif  // ARIADNE_ENGINE_QUERY_SINKS_H_
