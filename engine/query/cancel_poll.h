// Cancellation checks for the loops that build a streamed or paged answer row by row. A gRPC
// server's ServerContext::IsCancelled() plucks the call's completion queue (a lock and a
// zero-timeout poll of the call's file descriptors): measured at ~15 us on the 10M chain, more
// than building a trace edge. Asking every 256th row bounds the delay before a cancelled call stops
// to a few hundred rows of work.
#ifndef ARIADNE_ENGINE_QUERY_CANCEL_POLL_H_
#define ARIADNE_ENGINE_QUERY_CANCEL_POLL_H_

#include <cstdint>

#include "engine/query/requests.h"

namespace ariadne::query {

class CancelPoll {
 public:
  // Args: cancelled: may be empty (never cancelled); must outlive the poll.
  explicit CancelPoll(const CancelFn& cancelled) : cancelled_(cancelled) {}
  // Returns: true once the query is seen cancelled (asked on the first call, then every 256th).
  bool operator()() {
    if (seen_) return true;
    if ((n_++ & 255) == 0) seen_ = cancelled_ && cancelled_();
    return seen_;
  }

 private:
  const CancelFn& cancelled_;
  uint32_t n_ = 0;
  bool seen_ = false;
};

}  // namespace ariadne::query

#endif  // ARIADNE_ENGINE_QUERY_CANCEL_POLL_H_
