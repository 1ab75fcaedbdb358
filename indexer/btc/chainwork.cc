#include "indexer/btc/chainwork.h"

#include "absl/strings/str_format.h"

namespace ariadne::btc {
namespace {

using U256 = std::array<uint64_t, 4>;

bool IsZero(const U256& a) { return (a[0] | a[1] | a[2] | a[3]) == 0; }

int Compare(const U256& a, const U256& b) {
  for (int i = 3; i >= 0; --i) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

void Sub(U256& a, const U256& b) {
  unsigned __int128 borrow = 0;
  for (int i = 0; i < 4; ++i) {
    unsigned __int128 d = static_cast<unsigned __int128>(a[i]) - b[i] - borrow;
    a[i] = static_cast<uint64_t>(d);
    borrow = (d >> 64) ? 1 : 0;
  }
}

bool Add(U256& a, const U256& b) {  // returns carry
  unsigned __int128 carry = 0;
  for (int i = 0; i < 4; ++i) {
    unsigned __int128 s = static_cast<unsigned __int128>(a[i]) + b[i] + carry;
    a[i] = static_cast<uint64_t>(s);
    carry = s >> 64;
  }
  return carry != 0;
}

void ShiftLeft1(U256& a) {
  for (int i = 3; i > 0; --i) a[i] = (a[i] << 1) | (a[i - 1] >> 63);
  a[0] <<= 1;
}

int Bits(const U256& a) {
  for (int i = 3; i >= 0; --i) {
    if (a[i] != 0) return 64 * i + 64 - __builtin_clzll(a[i]);
  }
  return 0;
}

// Binary long division: the quotient of n / d (d != 0).
U256 Divide(const U256& n, const U256& d) {
  U256 q{}, r{};
  for (int bit = Bits(n) - 1; bit >= 0; --bit) {
    ShiftLeft1(r);
    r[0] |= (n[bit / 64] >> (bit % 64)) & 1;
    if (Compare(r, d) >= 0) {
      Sub(r, d);
      q[bit / 64] |= uint64_t{1} << (bit % 64);
    }
  }
  return q;
}

}  // namespace

ChainWork ChainWork::FromBits(uint32_t bits) {
  ChainWork w;
  const uint32_t exponent = bits >> 24;
  uint32_t mantissa = bits & 0x007fffff;
  const bool negative = mantissa != 0 && (bits & 0x00800000) != 0;
  if (negative || mantissa == 0) return w;
  U256 target{};
  if (exponent <= 3) {
    mantissa >>= 8 * (3 - exponent);
    target[0] = mantissa;
  } else {
    // Bitcoin Core's arith_uint256::SetCompact overflow rule.
    const bool overflow =
        exponent > 34 || (mantissa > 0xff && exponent > 33) || (mantissa > 0xffff && exponent > 32);
    if (overflow) return w;
    const uint32_t shift = 8 * (exponent - 3);
    target[shift / 64] = uint64_t{mantissa} << (shift % 64);
    if (shift % 64 != 0 && shift / 64 + 1 < 4) {
      target[shift / 64 + 1] = uint64_t{mantissa} >> (64 - shift % 64);
    }
  }
  if (IsZero(target)) return w;
  // work = (~target / (target + 1)) + 1, i.e. floor(2^256 / (target + 1)).
  U256 not_target = {~target[0], ~target[1], ~target[2], ~target[3]};
  U256 divisor = target;
  U256 one = {1, 0, 0, 0};
  if (Add(divisor, one)) return w;  // target = 2^256 - 1: work 1, unreachable from compact bits
  w.limbs_ = Divide(not_target, divisor);
  Add(w.limbs_, one);
  return w;
}

ChainWork& ChainWork::operator+=(const ChainWork& o) {
  Add(limbs_, o.limbs_);
  return *this;
}

std::strong_ordering operator<=>(const ChainWork& a, const ChainWork& b) {
  int c = Compare(a.limbs_, b.limbs_);
  return c < 0 ? std::strong_ordering::less
               : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
}

std::string ChainWork::ToHex() const {
  return absl::StrFormat("%016x%016x%016x%016x", limbs_[3], limbs_[2], limbs_[1], limbs_[0]);
}

}  // namespace ariadne::btc
