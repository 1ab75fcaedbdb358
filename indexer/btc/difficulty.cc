#include "indexer/btc/difficulty.h"

#include <algorithm>

#include "indexer/btc/compact_target.h"

namespace ariadne::btc {

uint32_t RetargetBits(const PowParams& params, uint32_t start_bits, int64_t actual_timespan) {
  const int64_t timespan =
      std::clamp(actual_timespan, params.target_timespan / 4, params.target_timespan * 4);
  // Core multiplies modulo 2^256; a product that large is above every network's limit.
  U256 product, target = params.pow_limit;
  if (U256::CheckedMul(TargetFromCompact(start_bits), U256(static_cast<uint64_t>(timespan)),
                       &product)) {
    target = U256::DivModU64(product, static_cast<uint64_t>(params.target_timespan), nullptr);
  }
  if (target > params.pow_limit) target = params.pow_limit;
  return CompactFromTarget(target);
}

uint32_t NextWorkRequired(const PowParams& params, const Ancestry& chain, uint32_t time) {
  const int32_t last = chain.parent_height();
  const AncestorHeader parent = chain.At(last);
  const int32_t interval = params.interval();
  if ((last + 1) % interval != 0) {
    if (!params.allow_min_difficulty) return parent.bits;
    // Testnet: a block more than twice the spacing after its parent may be minimum difficulty;
    // otherwise it carries the bits of the last block that was not.
    if (static_cast<int64_t>(time) >
        static_cast<int64_t>(parent.time) + 2 * params.target_spacing) {
      return params.pow_limit_bits;
    }
    return chain.LastNonMinDifficultyBits();
  }
  if (params.no_retargeting) return parent.bits;
  const AncestorHeader first = chain.At(last - (interval - 1));
  const int64_t actual = static_cast<int64_t>(parent.time) - static_cast<int64_t>(first.time);
  return RetargetBits(params, params.enforce_bip94 ? first.bits : parent.bits, actual);
}

}  // namespace ariadne::btc
