// A stop flag shared by a long-running loop and the signal handler or caller that ends it (the
// followers of both chains: `index btc --follow`, `index evm --rpc --follow`).
#ifndef ARIADNE_ENGINE_CORE_STOP_FLAG_H_
#define ARIADNE_ENGINE_CORE_STOP_FLAG_H_

#include <atomic>
#include <chrono>

namespace ariadne {

// Returns: whether *stop is set (a null flag never is).
inline bool StopRequested(const std::atomic<bool>* stop) {
  return stop != nullptr && stop->load(std::memory_order_relaxed);
}

// Waits `d`, in slices of at most 20 ms, and returns early once *stop is set: a stop is seen
// within 20 ms.
void WaitUnlessStopped(const std::atomic<bool>* stop, std::chrono::milliseconds d);

}  // namespace ariadne

#endif  // ARIADNE_ENGINE_CORE_STOP_FLAG_H_
