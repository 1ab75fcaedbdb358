// Limits that keep one caller from starving the others: a per-principal rate limit (token bucket),
// a cap on the calls in flight (all callers, and each principal), with the retry information a
// refused caller gets.
#ifndef ARIADNE_ENGINE_SERVICE_LIMITS_H_
#define ARIADNE_ENGINE_SERVICE_LIMITS_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace ariadne::service {

struct RateLimitOptions {
  // Default 0 (no limit): requests per second each principal may make, on average.
  double per_second = 0;
  // Default 0, meaning max(1, per_second): requests a principal may make at once after being idle
  // (the bucket's size).
  double burst = 0;
  // Default 10,000: principals tracked at once; when full, the idlest buckets (full ones) are
  // dropped, which only ever forgives.
  size_t max_principals = 10'000;
};

// A token bucket per principal. Thread-safe.
class RateLimiter {
 public:
  explicit RateLimiter(RateLimitOptions options) : options_(options) {}

  bool enabled() const { return options_.per_second > 0; }
  // Takes one token from `key`'s bucket.
  // Returns: zero when the request may go ahead; otherwise how long until a token is available
  // (the request must be refused and nothing is taken).
  absl::Duration Acquire(std::string_view key, absl::Time now) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Bucket {
    double tokens;
    absl::Time updated;
  };
  double burst() const;
  RateLimitOptions options_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

// Counts calls in flight against a cap. Thread-safe, lock-free.
class CallLimiter {
 public:
  // Args: max_calls: the cap; 0 means no cap.
  explicit CallLimiter(int max_calls) : max_(max_calls) {}
  // Returns: true when a slot was taken (give it back with Release).
  bool TryAcquire();
  void Release() { in_flight_.fetch_sub(1, std::memory_order_relaxed); }
  int in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  int max() const { return max_; }

 private:
  const int max_;
  std::atomic<int> in_flight_{0};
};

// Counts each principal's calls in flight against a cap, so that one caller cannot take every slot
// of the CallLimiter. Thread-safe (one mutex; principals without calls are forgotten).
class PrincipalCallLimiter {
 public:
  // Args: max_per_principal: the cap; 0 means no cap.
  explicit PrincipalCallLimiter(int max_per_principal) : max_(max_per_principal) {}
  // Returns: true when a slot of `key` was taken (give it back with Release(key)).
  bool TryAcquire(std::string_view key) ABSL_LOCKS_EXCLUDED(mu_);
  void Release(std::string_view key) ABSL_LOCKS_EXCLUDED(mu_);
  // Returns: the calls of `key` in flight (0 when there is no cap: nothing is counted).
  int in_flight(std::string_view key) const ABSL_LOCKS_EXCLUDED(mu_);
  int max() const { return max_; }

 private:
  const int max_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, int> in_flight_ ABSL_GUARDED_BY(mu_);
};

// Returns: a serialized google.rpc.Status carrying a google.rpc.RetryInfo with `delay`, the
// standard "grpc-status-details-bin" payload that tells clients when to retry.
std::string RetryInfoDetails(int code, std::string_view message, absl::Duration delay);

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_LIMITS_H_
