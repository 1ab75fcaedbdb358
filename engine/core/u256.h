// A 256-bit unsigned integer for EVM amounts (wei, token units, gas prices, fees), also Bitcoin's
// proof-of-work targets and chain work (indexer/btc/compact_target.h).
//
// Four 64-bit limbs, least significant first. Construction from big-endian bytes (as RLP, ABI
// words and log data carry them), exact decimal and hex text, comparison, and arithmetic that
// reports overflow instead of wrapping: the trace engine sums amounts per asset and must never
// show a wrapped total.
#ifndef ARIADNE_ENGINE_CORE_U256_H_
#define ARIADNE_ENGINE_CORE_U256_H_

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/core/types.h"

namespace ariadne::evm {

class U256 {
 public:
  constexpr U256() : limbs_{0, 0, 0, 0} {}
  constexpr explicit U256(uint64_t v) : limbs_{v, 0, 0, 0} {}
  static constexpr U256 FromLimbs(uint64_t l0, uint64_t l1, uint64_t l2, uint64_t l3) {
    U256 u;
    u.limbs_ = {l0, l1, l2, l3};
    return u;
  }
  // Returns: the largest value, 2^256 - 1.
  static constexpr U256 Max() { return FromLimbs(~0ULL, ~0ULL, ~0ULL, ~0ULL); }

  // Returns: the value of up to 32 big-endian bytes (leading zeros allowed; empty is zero);
  //          INVALID_ARGUMENT when bytes is longer than 32.
  static absl::StatusOr<U256> FromBigEndian(ByteSpan bytes);
  // Returns: the value of exactly 32 big-endian bytes (an ABI word, a topic, a storage slot).
  static U256 FromWord(const uint8_t word[32]);
  // Returns: the value of a decimal string ("0", "1530219620000000000"; no sign, no spaces);
  //          INVALID_ARGUMENT on a non-digit or empty text, OUT_OF_RANGE above 2^256 - 1.
  static absl::StatusOr<U256> FromDecimal(std::string_view text);
  // Returns: the value of a hex quantity, "0x" prefix optional, either case, leading zeros allowed
  //          ("0x0", "0xba43b7400"); INVALID_ARGUMENT on bad digits or empty text, OUT_OF_RANGE on
  //          more than 64 significant digits.
  static absl::StatusOr<U256> FromHex(std::string_view text);

  // Out: out[0..32) = the value as 32 big-endian bytes.
  void ToWord(uint8_t out[32]) const;
  // Returns: the number of bytes of the minimal big-endian form (0 for zero, 32 at most).
  size_t ByteLength() const;
  // Returns: the exact decimal form ("0" for zero).
  std::string ToDecimal() const;
  // Returns: "0x" and the minimal lowercase hex digits (the JSON-RPC quantity form, "0x0" for
  // zero).
  std::string ToHex() const;

  bool IsZero() const { return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3]) == 0; }
  bool FitsU64() const { return (limbs_[1] | limbs_[2] | limbs_[3]) == 0; }
  // Returns: the low 64 bits (the whole value when FitsU64()).
  uint64_t low64() const { return limbs_[0]; }
  const std::array<uint64_t, 4>& limbs() const { return limbs_; }

  // Returns: true with *out = a + b; false (and *out unchanged) when the sum exceeds 2^256 - 1.
  [[nodiscard]] static bool CheckedAdd(const U256& a, const U256& b, U256* out);
  // Returns: true with *out = a - b; false (and *out unchanged) when b > a.
  [[nodiscard]] static bool CheckedSub(const U256& a, const U256& b, U256* out);
  // Returns: true with *out = a * b; false (and *out unchanged) when the product exceeds 2^256 - 1.
  [[nodiscard]] static bool CheckedMul(const U256& a, const U256& b, U256* out);
  // Returns: a / d and, in *rem when not null, a % d. Requires: d != 0.
  static U256 DivModU64(const U256& a, uint64_t d, uint64_t* rem);
  // Returns: floor(a * b / d), exact (the product is formed in 512 bits). Requires: d != 0 and a
  //          result below 2^256 (so when a <= d or b <= d, as for a share of a balance).
  static U256 MulDiv(const U256& a, const U256& b, const U256& d);

  // Returns: a + b, or OUT_OF_RANGE "<what> overflows 256 bits".
  static absl::StatusOr<U256> Add(const U256& a, const U256& b);
  // Returns: a - b, or OUT_OF_RANGE when b > a.
  static absl::StatusOr<U256> Sub(const U256& a, const U256& b);
  // Returns: a * b, or OUT_OF_RANGE when the product overflows 256 bits.
  static absl::StatusOr<U256> Mul(const U256& a, const U256& b);

  friend bool operator==(const U256&, const U256&) = default;
  friend std::strong_ordering operator<=>(const U256& a, const U256& b) {
    for (int i = 3; i >= 0; --i) {
      if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] <=> b.limbs_[i];
    }
    return std::strong_ordering::equal;
  }

 private:
  std::array<uint64_t, 4> limbs_;
};

}  // namespace ariadne::evm

#endif  // ARIADNE_ENGINE_CORE_U256_H_
