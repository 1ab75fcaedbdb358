// Streams a trace's events, one per message or packed into batches
// (TraceRequest.events_per_message): on a 2-core machine each streamed message costs tens of
// microseconds of thread hand-offs in gRPC and the gateway, far more than the trace itself.
#ifndef ARIADNE_ENGINE_SERVICE_TRACE_EVENTS_H_
#define ARIADNE_ENGINE_SERVICE_TRACE_EVENTS_H_

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdint>

#include "proto/ariadne.pb.h"

namespace ariadne::service {

inline constexpr uint32_t kMaxEventsPerMessage = 1024;

class TraceEventSink {
 public:
  // Args: per_message: the request's events_per_message (0 and 1: unbatched; capped at 1024).
  TraceEventSink(grpc::ServerWriter<v1::TraceEvent>* writer, uint32_t per_message)
      : writer_(writer), per_message_(std::min(per_message, kMaxEventsPerMessage)) {}

  // Sends (or queues) a node, edge or endpoint event; leaves `ev` cleared when queued.
  // Returns: false when the client went away.
  bool Add(v1::TraceEvent* ev) {
    if (per_message_ <= 1) return writer_->Write(*ev);
    batch_.mutable_batch()->add_events()->Swap(ev);
    return batch_.batch().events_size() < static_cast<int>(per_message_) || Flush();
  }

  // Sends what is queued. Returns: false when the client went away.
  bool Flush() {
    if (!batch_.has_batch()) return true;
    const bool ok = writer_->Write(batch_);
    batch_.Clear();
    return ok;
  }

 private:
  grpc::ServerWriter<v1::TraceEvent>* writer_;
  uint32_t per_message_;
  v1::TraceEvent batch_;
};

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_TRACE_EVENTS_H_
