// libFuzzer target: the clustering policy grammar (docs/clustering.md) on arbitrary text. A spec
// parses or is INVALID_ARGUMENT; a parsed policy's canonical spec parses again to the same policy.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "heuristics/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne;
  const std::string_view spec(reinterpret_cast<const char*>(data), size);
  auto policy = heuristics::ParsePolicy(spec);
  if (!policy.ok()) return 0;
  const std::string canonical = policy->ToSpec();
  auto again = heuristics::ParsePolicy(canonical);
  if (!again.ok() || again->ToSpec() != canonical) std::abort();  // the spec must round-trip
  (void)policy->IsRound(static_cast<int64_t>(size) * 100'000);
  return 0;
}
