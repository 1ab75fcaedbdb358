#include "gen/miner.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/core/hash.h"
#include "engine/core/strings.h"

namespace ariadne::gen {
namespace {

constexpr uint32_t kRegtestBits = 0x207fffff;

}  // namespace

bool MeetsTarget(const BlockHash& hash, uint32_t bits) {
  const uint32_t size = bits >> 24;
  uint32_t word = bits & 0x007fffff;
  if (word == 0 || (bits & 0x00800000) != 0) return false;
  // The target as 32 little-endian bytes: the mantissa's bytes at [size - 3, size).
  uint8_t target[32] = {};
  if (size <= 3) {
    word >>= 8 * (3 - size);
    for (int i = 0; i < 3; ++i) target[i] = static_cast<uint8_t>(word >> (8 * i));
  } else {
    for (uint32_t i = 0; i < 3; ++i) {
      const uint8_t byte = static_cast<uint8_t>(word >> (8 * i));
      const uint32_t at = size - 3 + i;
      if (at >= 32) {
        if (byte != 0) return false;  // overflows 256 bits
        continue;
      }
      target[at] = byte;
    }
  }
  for (int i = 31; i >= 0; --i) {
    if (hash.data()[i] != target[i]) return hash.data()[i] < target[i];
  }
  return true;
}

absl::StatusOr<BlockHash> GrindNonce(uint8_t* header) {
  uint32_t bits, start;
  std::memcpy(&bits, header + 72, 4);
  std::memcpy(&start, header + 76, 4);
  uint32_t nonce = start;
  do {
    std::memcpy(header + 76, &nonce, 4);
    const BlockHash hash(Sha256d(ByteSpan(header, 80)).span());
    if (MeetsTarget(hash, bits)) return hash;
    ++nonce;
  } while (nonce != start);
  return absl::ResourceExhaustedError(
      absl::StrFormat("no nonce gives a hash within the target of bits %08x", bits));
}

absl::Status CheckMinable(Network network) {
  if (network == Network::kRegtest) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "cannot generate a ", AV(Params(network).name),
      " chain: its blocks need real proof of work (at the easiest target about 2^32 hashes per "
      "block, where regtest's 0x",
      absl::StrFormat("%08x", kRegtestBits),
      " needs 2); generate a regtest chain (--network regtest, the default)"));
}

}  // namespace ariadne::gen
