#include "indexer/btc/arith256.h"

#include <cstring>

#include "absl/strings/str_format.h"

namespace ariadne::btc {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Arith256 Arith256::FromLittleEndian(const uint8_t bytes[32]) {
  Arith256 a;
  for (int i = 0; i < 4; ++i) {
    uint64_t limb = 0;
    for (int j = 7; j >= 0; --j) limb = (limb << 8) | bytes[8 * i + j];
    a.limbs_[i] = limb;
  }
  return a;
}

Arith256 Arith256::FromHex(std::string_view hex) {
  Arith256 a;
  if (hex.size() != 64) return a;
  for (size_t i = 0; i < 64; ++i) {
    const int d = HexDigit(hex[i]);
    if (d < 0) return Arith256();
    const size_t bit = 4 * (63 - i);
    a.limbs_[bit / 64] |= static_cast<uint64_t>(d) << (bit % 64);
  }
  return a;
}

Arith256 Arith256::FromCompact(uint32_t bits, Compact* flags) {
  const uint32_t size = bits >> 24;
  uint32_t word = bits & 0x007fffff;
  Arith256 a;
  if (size <= 3) {
    word >>= 8 * (3 - size);
    a.limbs_[0] = word;
  } else {
    // Core shifts the 256-bit value left; bits shifted past 2^256 are lost.
    const uint32_t shift = 8 * (size - 3);
    if (shift < 256) {
      a.limbs_[shift / 64] = uint64_t{word} << (shift % 64);
      if (shift % 64 != 0 && shift / 64 + 1 < 4) {
        a.limbs_[shift / 64 + 1] = uint64_t{word} >> (64 - shift % 64);
      }
    }
  }
  if (flags != nullptr) {
    flags->negative = word != 0 && (bits & 0x00800000) != 0;
    flags->overflow =
        word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
  }
  return a;
}

uint32_t Arith256::ToCompact() const {
  int size = (BitLength() + 7) / 8;
  uint32_t compact = 0;
  if (size <= 3) {
    compact = static_cast<uint32_t>(limbs_[0] << (8 * (3 - size)));
  } else {
    // The low 64 bits of (this >> 8 * (size - 3)): the three most significant bytes.
    const int shift = 8 * (size - 3);
    const int limb = shift / 64, bit = shift % 64;
    uint64_t low = limbs_[limb] >> bit;
    if (bit != 0 && limb + 1 < 4) low |= limbs_[limb + 1] << (64 - bit);
    compact = static_cast<uint32_t>(low);
  }
  // The 0x00800000 bit is the sign: move a mantissa that would set it one byte down.
  if (compact & 0x00800000) {
    compact >>= 8;
    ++size;
  }
  return compact | (static_cast<uint32_t>(size) << 24);
}

Arith256& Arith256::operator*=(uint64_t m) {
  unsigned __int128 carry = 0;
  for (int i = 0; i < 4; ++i) {
    const unsigned __int128 p = static_cast<unsigned __int128>(limbs_[i]) * m + carry;
    limbs_[i] = static_cast<uint64_t>(p);
    carry = p >> 64;
  }
  return *this;
}

Arith256& Arith256::operator/=(uint64_t d) {
  unsigned __int128 rem = 0;
  for (int i = 3; i >= 0; --i) {
    const unsigned __int128 cur = (rem << 64) | limbs_[i];
    limbs_[i] = static_cast<uint64_t>(cur / d);
    rem = cur % d;
  }
  return *this;
}

Arith256& Arith256::operator+=(const Arith256& o) {
  unsigned __int128 carry = 0;
  for (int i = 0; i < 4; ++i) {
    const unsigned __int128 s = static_cast<unsigned __int128>(limbs_[i]) + o.limbs_[i] + carry;
    limbs_[i] = static_cast<uint64_t>(s);
    carry = s >> 64;
  }
  return *this;
}

Arith256 Arith256::operator~() const {
  Arith256 a;
  for (int i = 0; i < 4; ++i) a.limbs_[i] = ~limbs_[i];
  return a;
}

int Arith256::BitLength() const {
  for (int i = 3; i >= 0; --i) {
    if (limbs_[i] != 0) return 64 * i + 64 - __builtin_clzll(limbs_[i]);
  }
  return 0;
}

Arith256 Arith256::DividedBy(const Arith256& d) const {
  // Binary long division.
  Arith256 q, r;
  for (int bit = BitLength() - 1; bit >= 0; --bit) {
    // r < d before the shift; a bit shifted out of r makes 2r + 1 > d (subtracting wraps right).
    const bool carry = (r.limbs_[3] >> 63) != 0;
    for (int i = 3; i > 0; --i) r.limbs_[i] = (r.limbs_[i] << 1) | (r.limbs_[i - 1] >> 63);
    r.limbs_[0] = (r.limbs_[0] << 1) | ((limbs_[bit / 64] >> (bit % 64)) & 1);
    if (carry || r >= d) {
      unsigned __int128 borrow = 0;
      for (int i = 0; i < 4; ++i) {
        const unsigned __int128 x =
            static_cast<unsigned __int128>(r.limbs_[i]) - d.limbs_[i] - borrow;
        r.limbs_[i] = static_cast<uint64_t>(x);
        borrow = (x >> 64) ? 1 : 0;
      }
      q.limbs_[bit / 64] |= uint64_t{1} << (bit % 64);
    }
  }
  return q;
}

std::strong_ordering operator<=>(const Arith256& a, const Arith256& b) {
  for (int i = 3; i >= 0; --i) {
    if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] <=> b.limbs_[i];
  }
  return std::strong_ordering::equal;
}

std::string Arith256::ToHex() const {
  return absl::StrFormat("%016x%016x%016x%016x", limbs_[3], limbs_[2], limbs_[1], limbs_[0]);
}

}  // namespace ariadne::btc
