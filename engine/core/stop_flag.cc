#include "engine/core/stop_flag.h"

#include <algorithm>
#include <thread>

namespace ariadne {

void WaitUnlessStopped(const std::atomic<bool>* stop, std::chrono::milliseconds d) {
  const auto end = std::chrono::steady_clock::now() + d;
  while (!StopRequested(stop)) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= end) return;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(end - now, std::chrono::milliseconds(20)));
  }
}

}  // namespace ariadne
