#include "engine/core/u256.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/core/hex.h"

namespace ariadne::evm {
namespace {

// Returns: false when a * m + add overflows; *a = a * m + add otherwise.
bool MulAddSmall(U256* a, uint64_t m, uint64_t add) {
  const auto& l = a->limbs();
  uint64_t out[4];
  unsigned __int128 carry = add;
  for (int i = 0; i < 4; ++i) {
    unsigned __int128 p = static_cast<unsigned __int128>(l[i]) * m + carry;
    out[i] = static_cast<uint64_t>(p);
    carry = p >> 64;
  }
  if (carry != 0) return false;
  *a = U256::FromLimbs(out[0], out[1], out[2], out[3]);
  return true;
}

}  // namespace

absl::StatusOr<U256> U256::FromBigEndian(ByteSpan bytes) {
  if (bytes.size() > 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("integer of ", bytes.size(), " bytes does not fit 256 bits"));
  }
  uint8_t word[32] = {};
  std::copy(bytes.begin(), bytes.end(), word + (32 - bytes.size()));
  return FromWord(word);
}

U256 U256::FromWord(const uint8_t word[32]) {
  U256 u;
  for (int limb = 0; limb < 4; ++limb) {
    uint64_t v = 0;
    const uint8_t* p = word + 32 - 8 * (limb + 1);
    for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
    u.limbs_[limb] = v;
  }
  return u;
}

void U256::ToWord(uint8_t out[32]) const {
  for (int limb = 0; limb < 4; ++limb) {
    uint64_t v = limbs_[limb];
    uint8_t* p = out + 32 - 8 * (limb + 1);
    for (int i = 7; i >= 0; --i) {
      p[i] = static_cast<uint8_t>(v);
      v >>= 8;
    }
  }
}

size_t U256::ByteLength() const {
  for (int limb = 3; limb >= 0; --limb) {
    if (limbs_[limb] != 0) {
      return static_cast<size_t>(limb) * 8 + (64 - __builtin_clzll(limbs_[limb]) + 7) / 8;
    }
  }
  return 0;
}

absl::StatusOr<U256> U256::FromDecimal(std::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("empty decimal number");
  U256 v;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c < '0' || c > '9') {
      return absl::InvalidArgumentError(absl::StrCat("non-digit at position ", i, " of a number"));
    }
    if (!MulAddSmall(&v, 10, static_cast<uint64_t>(c - '0'))) {
      return absl::OutOfRangeError("decimal number exceeds 2^256 - 1");
    }
  }
  return v;
}

absl::StatusOr<U256> U256::FromHex(std::string_view text) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
  }
  if (text.empty()) return absl::InvalidArgumentError("empty hex quantity");
  size_t first = 0;
  while (first + 1 < text.size() && text[first] == '0') ++first;
  if (text.size() - first > 64) return absl::OutOfRangeError("hex quantity exceeds 256 bits");
  U256 v;
  for (size_t i = 0; i < text.size(); ++i) {
    int d = HexValue(text[i]);
    if (d < 0) {
      return absl::InvalidArgumentError(absl::StrCat("non-hex digit at position ", i));
    }
    if (i < first) continue;
    const size_t pos = text.size() - 1 - i;  // nibble position from the least significant end
    v.limbs_[pos / 16] |= static_cast<uint64_t>(d) << (4 * (pos % 16));
  }
  return v;
}

std::string U256::ToDecimal() const {
  if (IsZero()) return "0";
  // Peel 19 decimal digits at a time (10^19 < 2^64).
  constexpr uint64_t kChunk = 10000000000000000000ULL;
  std::string out;
  U256 v = *this;
  while (!v.IsZero()) {
    uint64_t rem = 0;
    v = DivModU64(v, kChunk, &rem);
    for (int i = 0; i < 19; ++i) {
      out.push_back(static_cast<char>('0' + rem % 10));
      rem /= 10;
      if (v.IsZero() && rem == 0) break;
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::string U256::ToHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "0x";
  bool started = false;
  for (int nib = 63; nib >= 0; --nib) {
    int d = static_cast<int>((limbs_[nib / 16] >> (4 * (nib % 16))) & 15);
    if (d == 0 && !started) continue;
    started = true;
    out.push_back(kDigits[d]);
  }
  if (!started) out.push_back('0');
  return out;
}

bool U256::CheckedAdd(const U256& a, const U256& b, U256* out) {
  U256 r;
  unsigned __int128 carry = 0;
  for (int i = 0; i < 4; ++i) {
    unsigned __int128 s = static_cast<unsigned __int128>(a.limbs_[i]) + b.limbs_[i] + carry;
    r.limbs_[i] = static_cast<uint64_t>(s);
    carry = s >> 64;
  }
  if (carry != 0) return false;
  *out = r;
  return true;
}

bool U256::CheckedSub(const U256& a, const U256& b, U256* out) {
  if (a < b) return false;
  U256 r;
  uint64_t borrow = 0;
  for (int i = 0; i < 4; ++i) {
    uint64_t x = a.limbs_[i];
    uint64_t y = b.limbs_[i];
    uint64_t d = x - y - borrow;
    borrow = (x < y || (x == y && borrow)) ? 1 : 0;
    r.limbs_[i] = d;
  }
  *out = r;
  return true;
}

bool U256::CheckedMul(const U256& a, const U256& b, U256* out) {
  uint64_t r[8] = {};
  for (int i = 0; i < 4; ++i) {
    if (a.limbs_[i] == 0) continue;
    unsigned __int128 carry = 0;
    for (int j = 0; j < 4; ++j) {
      unsigned __int128 p =
          static_cast<unsigned __int128>(a.limbs_[i]) * b.limbs_[j] + r[i + j] + carry;
      r[i + j] = static_cast<uint64_t>(p);
      carry = p >> 64;
    }
    r[i + 4] = static_cast<uint64_t>(carry);
  }
  if ((r[4] | r[5] | r[6] | r[7]) != 0) return false;
  *out = FromLimbs(r[0], r[1], r[2], r[3]);
  return true;
}

U256 U256::DivModU64(const U256& a, uint64_t d, uint64_t* rem) {
  U256 q;
  unsigned __int128 r = 0;
  for (int i = 3; i >= 0; --i) {
    unsigned __int128 cur = (r << 64) | a.limbs_[i];
    q.limbs_[i] = static_cast<uint64_t>(cur / d);
    r = cur % d;
  }
  if (rem != nullptr) *rem = static_cast<uint64_t>(r);
  return q;
}

U256 U256::MulDiv(const U256& a, const U256& b, const U256& d) {
  // The 512-bit product, least significant limb first.
  uint64_t p[8] = {};
  for (int i = 0; i < 4; ++i) {
    if (a.limbs_[i] == 0) continue;
    unsigned __int128 carry = 0;
    for (int j = 0; j < 4; ++j) {
      unsigned __int128 t =
          static_cast<unsigned __int128>(a.limbs_[i]) * b.limbs_[j] + p[i + j] + carry;
      p[i + j] = static_cast<uint64_t>(t);
      carry = t >> 64;
    }
    p[i + 4] = static_cast<uint64_t>(carry);
  }
  // Fast path: product and divisor within 128 bits (amounts of a few thousand ether in wei).
  if ((p[2] | p[3] | p[4] | p[5] | p[6] | p[7]) == 0 && (d.limbs_[2] | d.limbs_[3]) == 0) {
    const unsigned __int128 num = (static_cast<unsigned __int128>(p[1]) << 64) | p[0];
    const unsigned __int128 den = (static_cast<unsigned __int128>(d.limbs_[1]) << 64) | d.limbs_[0];
    const unsigned __int128 q = num / den;
    return FromLimbs(static_cast<uint64_t>(q), static_cast<uint64_t>(q >> 64), 0, 0);
  }
  // Binary long division from the product's top bit: the remainder stays below 2d < 2^257.
  int top = 511;
  while (top >= 0 && ((p[top / 64] >> (top % 64)) & 1) == 0) --top;
  uint64_t rem[5] = {};  // remainder, 320 bits
  uint64_t q[8] = {};
  const uint64_t dv[5] = {d.limbs_[0], d.limbs_[1], d.limbs_[2], d.limbs_[3], 0};
  for (int bit = top; bit >= 0; --bit) {
    for (int k = 4; k > 0; --k) rem[k] = (rem[k] << 1) | (rem[k - 1] >> 63);
    rem[0] = (rem[0] << 1) | ((p[bit / 64] >> (bit % 64)) & 1);
    bool ge = true;
    for (int k = 4; k >= 0; --k) {
      if (rem[k] != dv[k]) {
        ge = rem[k] > dv[k];
        break;
      }
    }
    if (ge) {
      unsigned __int128 borrow = 0;
      for (int k = 0; k < 5; ++k) {
        const unsigned __int128 sub = static_cast<unsigned __int128>(dv[k]) + borrow;
        borrow = rem[k] < sub ? 1 : 0;
        rem[k] = static_cast<uint64_t>(rem[k] - sub);
      }
      q[bit / 64] |= uint64_t{1} << (bit % 64);
    }
  }
  return FromLimbs(q[0], q[1], q[2], q[3]);
}

absl::StatusOr<U256> U256::Add(const U256& a, const U256& b) {
  U256 r;
  if (!CheckedAdd(a, b, &r)) return absl::OutOfRangeError("sum overflows 256 bits");
  return r;
}

absl::StatusOr<U256> U256::Sub(const U256& a, const U256& b) {
  U256 r;
  if (!CheckedSub(a, b, &r)) return absl::OutOfRangeError("difference is negative");
  return r;
}

absl::StatusOr<U256> U256::Mul(const U256& a, const U256& b) {
  U256 r;
  if (!CheckedMul(a, b, &r)) return absl::OutOfRangeError("product overflows 256 bits");
  return r;
}

}  // namespace ariadne::evm
