// Proof-of-work accounting for choosing the best chain: exact 256-bit chain work, as Bitcoin Core
// computes it (GetBlockProof: 2^256 / (target + 1)).
#ifndef ARIADNE_INDEXER_BTC_CHAINWORK_H_
#define ARIADNE_INDEXER_BTC_CHAINWORK_H_

#include <compare>
#include <cstdint>
#include <string>

#include "engine/core/u256.h"

namespace ariadne::btc {

class ChainWork {
 public:
  ChainWork() = default;
  // Returns: the work of a block with compact target `bits`; zero for an invalid target
  // (negative, zero, or overflowing 256 bits).
  static ChainWork FromBits(uint32_t bits);

  // Adds (saturating at 2^256 - 1, which no chain reaches).
  ChainWork& operator+=(const ChainWork& o);
  friend ChainWork operator+(ChainWork a, const ChainWork& b) { return a += b; }
  friend std::strong_ordering operator<=>(const ChainWork& a, const ChainWork& b) = default;
  friend bool operator==(const ChainWork& a, const ChainWork& b) = default;
  // Returns: 64 hex digits, most significant first (as Core's chainwork field).
  std::string ToHex() const;

 private:
  evm::U256 work_;
};

}  // namespace ariadne::btc

#endif  // ARIADNE_INDEXER_BTC_CHAINWORK_H_
