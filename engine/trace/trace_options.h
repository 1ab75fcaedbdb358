// What every trace is asked, in either chain model: its direction and taint model, how far it may
// go, and when it must stop early. TraceOptions (tracer.h) and AccountTraceOptions
// (account_trace.h) add what their model follows.
#ifndef ARIADNE_ENGINE_TRACE_TRACE_OPTIONS_H_
#define ARIADNE_ENGINE_TRACE_TRACE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <functional>

#include "engine/query/validate.h"
#include "engine/query/vocabulary.h"

namespace ariadne::trace {

using query::Direction;
using query::EndReason;
using query::kNoNode;
using query::kNumEndReasons;
using query::TaintModel;

struct TraceLimits {
  Direction direction = Direction::kForward;  // default forward
  TaintModel model = TaintModel::kHaircut;    // default haircut
  uint32_t max_hops = 3;                      // default 3
  // Default 100,000: distinct edges in the answer; the trace stops with truncated set when the
  // next edge would be one more.
  size_t max_edges = 100'000;
  // Default none: polled every few hundred steps; true stops the trace (cancelled set).
  std::function<bool()> cancelled;
};

// Returns: the limits of a checked trace query.
inline TraceLimits LimitsOf(const query::TraceQuery& q, std::function<bool()> cancelled) {
  TraceLimits l;
  l.direction = q.direction;
  l.model = q.model;
  l.max_hops = q.max_hops;
  l.max_edges = q.max_edges;
  l.cancelled = std::move(cancelled);
  return l;
}

}  // namespace ariadne::trace

#endif  // ARIADNE_ENGINE_TRACE_TRACE_OPTIONS_H_
