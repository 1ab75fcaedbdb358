#include "indexer/btc/compact_target.h"

#include <array>

namespace ariadne::btc {
namespace {

int BitLength(const U256& v) {
  const auto& l = v.limbs();
  for (int i = 3; i >= 0; --i) {
    if (l[i] != 0) return 64 * i + 64 - __builtin_clzll(l[i]);
  }
  return 0;
}

}  // namespace

U256 TargetFromCompact(uint32_t bits, CompactFlags* flags) {
  const uint32_t size = bits >> 24;
  uint32_t word = bits & 0x007fffff;
  std::array<uint64_t, 4> l{};
  if (size <= 3) {
    word >>= 8 * (3 - size);
    l[0] = word;
  } else if (const uint32_t shift = 8 * (size - 3); shift < 256) {
    l[shift / 64] = uint64_t{word} << (shift % 64);
    if (shift % 64 != 0 && shift / 64 + 1 < 4)
      l[shift / 64 + 1] = uint64_t{word} >> (64 - shift % 64);
  }
  if (flags != nullptr) {
    flags->negative = word != 0 && (bits & 0x00800000) != 0;
    flags->overflow =
        word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
  }
  return U256::FromLimbs(l[0], l[1], l[2], l[3]);
}

uint32_t CompactFromTarget(const U256& target) {
  int size = (BitLength(target) + 7) / 8;
  const auto& l = target.limbs();
  uint32_t compact = 0;
  if (size <= 3) {
    compact = static_cast<uint32_t>(l[0] << (8 * (3 - size)));
  } else {
    // The low 64 bits of (target >> 8 * (size - 3)): its three most significant bytes.
    const int shift = 8 * (size - 3);
    const int limb = shift / 64, bit = shift % 64;
    uint64_t low = l[limb] >> bit;
    if (bit != 0 && limb + 1 < 4) low |= l[limb + 1] << (64 - bit);
    compact = static_cast<uint32_t>(low);
  }
  // The 0x00800000 bit is the sign: a mantissa that would set it moves one byte down.
  if (compact & 0x00800000) {
    compact >>= 8;
    ++size;
  }
  return compact | (static_cast<uint32_t>(size) << 24);
}

U256 HashAsNumber(const BlockHash& hash) {
  uint8_t word[32];
  for (int i = 0; i < 32; ++i) word[i] = hash.data()[31 - i];
  return U256::FromWord(word);
}

}  // namespace ariadne::btc
