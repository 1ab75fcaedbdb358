// The path and query parameters of a request target, percent-decoded: "/api/v1/trace?seed=a&hops=3"
// is the path "/api/v1/trace" and {seed: [a], hops: [3]}.
#ifndef ARIADNE_ENGINE_HTTP_QUERY_STRING_H_
#define ARIADNE_ENGINE_HTTP_QUERY_STRING_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ariadne::http {

class Target {
 public:
  // Returns: INVALID_ARGUMENT naming the bad part for a malformed escape (%G1, a truncated %4) or
  // a decoded NUL byte.
  static absl::StatusOr<Target> Parse(std::string_view target);

  // The decoded path, e.g. "/api/v1/address/bc1q...".
  const std::string& path() const { return path_; }
  bool Has(std::string_view name) const { return params_.count(std::string(name)) > 0; }
  // Returns: the last value of `name`, or `fallback` when absent.
  std::string Get(std::string_view name, std::string_view fallback = "") const;
  // Returns: every value of `name` split at commas, in order, empty parts dropped:
  // "stop_at=exchange,mixer&stop_at=gambling" gives exchange, mixer, gambling.
  std::vector<std::string> GetList(std::string_view name) const;
  // Returns: the integer value of `name` in [lo, hi], `fallback` when absent; INVALID_ARGUMENT
  // naming the parameter when it is not an integer in range.
  absl::StatusOr<int64_t> GetInt(std::string_view name, int64_t fallback, int64_t lo,
                                 int64_t hi) const;
  // Returns: true for "true"/"1", false for "false"/"0" or absent; INVALID_ARGUMENT otherwise.
  absl::StatusOr<bool> GetBool(std::string_view name) const;

 private:
  std::string path_;
  std::map<std::string, std::vector<std::string>> params_;
};

// Returns: `s` percent-decoded ('+' is a space in a query, not in a path); INVALID_ARGUMENT for a
// malformed escape or a NUL byte.
absl::StatusOr<std::string> PercentDecode(std::string_view s, bool plus_is_space);

}  // namespace ariadne::http

#endif  // ARIADNE_ENGINE_HTTP_QUERY_STRING_H_
