// Unsigned 256-bit arithmetic for proof of work: targets, their compact "bits" encoding and chain
// work, with exactly the semantics of Bitcoin Core's arith_uint256 (products wrap modulo 2^256,
// SetCompact/GetCompact round as Core does), so that every derived value matches Core bit for bit.
#ifndef ARIADNE_INDEXER_BTC_ARITH256_H_
#define ARIADNE_INDEXER_BTC_ARITH256_H_

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace ariadne::btc {

class Arith256 {
 public:
  constexpr Arith256() : limbs_{} {}
  explicit constexpr Arith256(uint64_t v) : limbs_{v, 0, 0, 0} {}
  // Returns: the number whose little-endian bytes are `bytes` (a block hash is compared with its
  //          target this way).
  static Arith256 FromLittleEndian(const uint8_t bytes[32]);
  // Returns: the number of 64 hex digits, most significant first (Core's display order); zero
  //          for anything else.
  static Arith256 FromHex(std::string_view hex);

  struct Compact {
    bool negative = false;  // the sign bit was set with a non-zero mantissa
    bool overflow = false;  // the value does not fit 256 bits
  };
  // Returns: the value of the compact encoding `bits` (Core's SetCompact).
  // Out: flags (optional): whether the encoding is negative or overflows.
  static Arith256 FromCompact(uint32_t bits, Compact* flags = nullptr);
  // Returns: the compact encoding of this value (Core's GetCompact, never negative).
  uint32_t ToCompact() const;

  // Multiplies modulo 2^256.
  Arith256& operator*=(uint64_t m);
  // Divides by a non-zero 64-bit divisor, rounding down.
  Arith256& operator/=(uint64_t d);
  // Adds modulo 2^256.
  Arith256& operator+=(const Arith256& o);
  // Returns: the quotient of this / d rounded down (d must not be zero).
  Arith256 DividedBy(const Arith256& d) const;
  // Returns: the bitwise complement.
  Arith256 operator~() const;

  bool IsZero() const { return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3]) == 0; }
  // Returns: the position of the highest set bit plus one (0 for zero).
  int BitLength() const;
  friend std::strong_ordering operator<=>(const Arith256& a, const Arith256& b);
  friend bool operator==(const Arith256& a, const Arith256& b) = default;
  // Returns: 64 hex digits, most significant first.
  std::string ToHex() const;

 private:
  std::array<uint64_t, 4> limbs_;  // little-endian limbs
};

}  // namespace ariadne::btc

#endif  // ARIADNE_INDEXER_BTC_ARITH256_H_
