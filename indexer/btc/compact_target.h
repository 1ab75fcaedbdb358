// Bitcoin's compact encoding of 256-bit targets (a header's "bits": a 1-byte size and a 3-byte
// mantissa with a sign bit), decoded and encoded exactly as Bitcoin Core's arith_uint256
// SetCompact and GetCompact do, and a block hash read as the number it is compared with.
#ifndef ARIADNE_INDEXER_BTC_COMPACT_TARGET_H_
#define ARIADNE_INDEXER_BTC_COMPACT_TARGET_H_

#include <cstdint>

#include "engine/core/types.h"
#include "engine/core/u256.h"

namespace ariadne::btc {

using evm::U256;

struct CompactFlags {
  bool negative = false;  // the sign bit was set with a non-zero mantissa
  bool overflow = false;  // the value does not fit 256 bits
};

// Returns: the value of the compact encoding `bits` (bits shifted past 2^256 are lost).
// Out: flags (optional): whether the encoding is negative or overflows.
U256 TargetFromCompact(uint32_t bits, CompactFlags* flags = nullptr);
// Returns: the compact encoding of `target` (never negative).
uint32_t CompactFromTarget(const U256& target);
// Returns: the block hash as a number (its bytes are little-endian).
U256 HashAsNumber(const BlockHash& hash);

}  // namespace ariadne::btc

#endif  // ARIADNE_INDEXER_BTC_COMPACT_TARGET_H_
