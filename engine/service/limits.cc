#include "engine/service/limits.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/core/strings.h"

namespace ariadne::service {
namespace {

// Protobuf wire encoding, just what google.rpc.Status / RetryInfo / Duration need.
void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void PutTag(std::string* out, int field, int wire_type) {
  PutVarint(out, static_cast<uint64_t>(field) << 3 | static_cast<uint64_t>(wire_type));
}
void PutBytes(std::string* out, int field, std::string_view bytes) {
  PutTag(out, field, 2);
  PutVarint(out, bytes.size());
  out->append(bytes);
}

}  // namespace

double RateLimiter::burst() const {
  return options_.burst > 0 ? options_.burst : std::max(1.0, options_.per_second);
}

absl::Duration RateLimiter::Acquire(std::string_view key, absl::Time now) {
  if (!enabled()) return absl::ZeroDuration();
  const double cap = burst();
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(AV(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.max_principals) {
      // Drop the buckets that have refilled: forgetting them changes nothing.
      std::vector<std::string> full;
      for (const auto& [k, b] : buckets_) {
        if (b.tokens + absl::ToDoubleSeconds(now - b.updated) * options_.per_second >= cap) {
          full.push_back(k);
        }
      }
      for (const std::string& k : full) buckets_.erase(k);
      if (buckets_.size() >= options_.max_principals) buckets_.clear();
    }
    it = buckets_.emplace(std::string(key), Bucket{cap, now}).first;
  }
  Bucket& b = it->second;
  if (now > b.updated) {
    b.tokens =
        std::min(cap, b.tokens + absl::ToDoubleSeconds(now - b.updated) * options_.per_second);
    b.updated = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return absl::ZeroDuration();
  }
  // Round up to the millisecond so a client waiting exactly this long finds a token.
  const double wait_s = (1 - b.tokens) / options_.per_second;
  return absl::Milliseconds(std::max(1.0, std::ceil(wait_s * 1000)));
}

bool CallLimiter::TryAcquire() {
  const int n = in_flight_.fetch_add(1, std::memory_order_relaxed);
  if (max_ > 0 && n >= max_) {
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

bool PrincipalCallLimiter::TryAcquire(std::string_view key) {
  if (max_ == 0) return true;
  absl::MutexLock lock(&mu_);
  int& n = in_flight_[AV(key)];
  if (max_ > 0 && n >= max_) return false;
  ++n;
  return true;
}

void PrincipalCallLimiter::Release(std::string_view key) {
  if (max_ == 0) return;
  absl::MutexLock lock(&mu_);
  auto it = in_flight_.find(AV(key));
  if (it == in_flight_.end()) return;
  if (--it->second <= 0) in_flight_.erase(it);
}

int PrincipalCallLimiter::in_flight(std::string_view key) const {
  absl::MutexLock lock(&mu_);
  auto it = in_flight_.find(AV(key));
  return it == in_flight_.end() ? 0 : it->second;
}

std::string RetryInfoDetails(int code, std::string_view message, absl::Duration delay) {
  const int64_t ns = absl::ToInt64Nanoseconds(delay);
  std::string duration;  // google.protobuf.Duration {int64 seconds = 1; int32 nanos = 2;}
  if (ns / 1'000'000'000 != 0) {
    PutTag(&duration, 1, 0);
    PutVarint(&duration, static_cast<uint64_t>(ns / 1'000'000'000));
  }
  if (ns % 1'000'000'000 != 0) {
    PutTag(&duration, 2, 0);
    PutVarint(&duration, static_cast<uint64_t>(ns % 1'000'000'000));
  }
  std::string retry_info;  // google.rpc.RetryInfo {Duration retry_delay = 1;}
  PutBytes(&retry_info, 1, duration);
  std::string any;  // google.protobuf.Any {string type_url = 1; bytes value = 2;}
  PutBytes(&any, 1, "type.googleapis.com/google.rpc.RetryInfo");
  PutBytes(&any, 2, retry_info);
  std::string status;  // google.rpc.Status {int32 code = 1; string message = 2; repeated Any = 3;}
  PutTag(&status, 1, 0);
  PutVarint(&status, static_cast<uint64_t>(code));
  PutBytes(&status, 2, message);
  PutBytes(&status, 3, any);
  return status;
}

}  // namespace ariadne::service
