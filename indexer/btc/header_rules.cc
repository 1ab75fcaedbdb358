#include "indexer/btc/header_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/core/strings.h"
#include "indexer/btc/compact_target.h"
#include "indexer/btc/difficulty.h"

namespace ariadne::btc {
namespace {

constexpr int kMedianTimeSpan = 11;
constexpr int64_t kMaxTimewarp = 600;

std::string Bits(uint32_t bits) { return absl::StrFormat("%08x", bits); }

}  // namespace

absl::Status CheckHeader(const PowParams& params, const BlockHash& hash, const BlockHash& prev_hash,
                         uint32_t bits) {
  if (prev_hash.IsNull() && hash != params.genesis) {
    return absl::DataLossError(absl::StrCat("no previous block but not the ",
                                            AV(Params(params.network).name), " genesis block ",
                                            params.genesis.ToHex(), " (bad-genesis)"));
  }
  CompactFlags flags;
  const U256 target = TargetFromCompact(bits, &flags);
  if (flags.negative || flags.overflow || target.IsZero() || target > params.pow_limit) {
    return absl::DataLossError(absl::StrCat("bits ", Bits(bits),
                                            " are not a target within the network's limit ",
                                            Bits(params.pow_limit_bits), " (bad-diffbits)"));
  }
  if (HashAsNumber(hash) > target) {
    return absl::DataLossError(absl::StrCat("proof of work: the hash is above the target of bits ",
                                            Bits(bits), " (high-hash)"));
  }
  return absl::OkStatus();
}

uint32_t MedianTimePast(const Ancestry& chain) {
  uint32_t times[kMedianTimeSpan];
  const int n = chain.RecentTimes(kMedianTimeSpan, times);
  std::sort(times, times + n);
  return times[n / 2];
}

absl::Status CheckHeaderContext(const PowParams& params, const Ancestry& chain, uint32_t bits,
                                uint32_t time) {
  const uint32_t expected = NextWorkRequired(params, chain, time);
  if (bits != expected) {
    return absl::DataLossError(absl::StrCat(
        "bits ", Bits(bits), " where the difficulty rules of ", AV(Params(params.network).name),
        " require ", Bits(expected), " at height ", chain.parent_height() + 1, " (bad-diffbits)"));
  }
  const uint32_t median = MedianTimePast(chain);
  if (time <= median) {
    return absl::DataLossError(absl::StrCat("timestamp ", time,
                                            " is not above the median of the previous blocks' ",
                                            median, " (time-too-old)"));
  }
  const int32_t height = chain.parent_height() + 1;
  if (params.enforce_bip94 && height % params.interval() == 0) {
    const int64_t parent_time = chain.At(chain.parent_height()).time;
    if (static_cast<int64_t>(time) < parent_time - kMaxTimewarp) {
      return absl::DataLossError(absl::StrCat("timestamp ", time, " is more than ", kMaxTimewarp,
                                              " s before its parent's ", parent_time,
                                              " at the start of a period (time-timewarp-attack)"));
    }
  }
  return absl::OkStatus();
}

absl::Status RefusedBlockError(const absl::Status& refusal, std::string_view file,
                               const BlockHash& hash, uint64_t offset) {
  return absl::Status(refusal.code(), absl::StrCat(AV(file), ": block ", hash.ToHex(),
                                                   " at offset ", offset, ": ", refusal.message()));
}

}  // namespace ariadne::btc
