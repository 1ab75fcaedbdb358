// The EVM's basic value types: 20-byte account addresses and 32-byte Keccak hashes.
//
// EVM hashes reuse the engine's Hash256 with their own tags, so a transaction hash cannot be passed
// where a block hash (or a Bitcoin txid) is expected. Unlike Bitcoin, EVM hashes are shown in their
// natural byte order: format them with HashHex() below. Hash256::ToHex() (Bitcoin's reversed
// display order) is deliberately not instantiated for these tags: calling it fails to link.
#ifndef ARIADNE_ENGINE_CORE_EVM_TYPES_H_
#define ARIADNE_ENGINE_CORE_EVM_TYPES_H_

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

#include "absl/hash/hash.h"
#include "absl/status/statusor.h"
#include "engine/core/hex.h"
#include "engine/core/types.h"

namespace ariadne::evm {

struct EvmTxHashTag {};
struct EvmBlockHashTag {};
struct H256Tag {};
// Keccak-256 of a transaction's canonical encoding.
using EvmTxHash = Hash256<EvmTxHashTag>;
// Keccak-256 of a block header's RLP encoding.
using EvmBlockHash = Hash256<EvmBlockHashTag>;
// Any other 32-byte value: trie roots, log topics, storage keys.
using H256 = Hash256<H256Tag>;

// A 20-byte account address (an externally owned account or a contract).
class Address {
 public:
  static constexpr size_t kSize = 20;

  constexpr Address() : bytes_{} {}
  static Address FromBytes(const uint8_t* p) {
    Address a;
    std::memcpy(a.bytes_.data(), p, kSize);
    return a;
  }

  const uint8_t* data() const { return bytes_.data(); }
  uint8_t* data() { return bytes_.data(); }
  ByteSpan span() const { return ByteSpan(bytes_.data(), kSize); }
  const std::array<uint8_t, kSize>& bytes() const { return bytes_; }
  bool IsZero() const {
    for (uint8_t b : bytes_)
      if (b != 0) return false;
    return true;
  }
  // The first 8 bytes as a little-endian integer. Not a hash-map key: vanity addresses share
  // leading zero bytes (0x00000000219ab540..., MEV bots); use Hash().
  uint64_t Prefix64() const {
    uint64_t v;
    std::memcpy(&v, bytes_.data(), sizeof(v));
    return v;
  }
  // A hash of all 20 bytes, for hash maps.
  size_t Hash() const {
    return absl::Hash<std::string_view>{}(
        std::string_view(reinterpret_cast<const char*>(bytes_.data()), kSize));
  }

  friend bool operator==(const Address&, const Address&) = default;
  friend auto operator<=>(const Address&, const Address&) = default;

 private:
  std::array<uint8_t, kSize> bytes_;
};

// Returns: "0x" and 64 lowercase hex digits of h, in natural (not reversed) order.
template <typename Tag>
std::string HashHex(const Hash256<Tag>& h) {
  return "0x" + HexEncode(h.span());
}

// Returns: the hash of "0x" + 64 hex digits (either case; the prefix is optional), natural order;
//          INVALID_ARGUMENT otherwise.
absl::StatusOr<H256> ParseH256(std::string_view hex);

// Returns: the same 32 bytes under another tag (e.g. a parsed H256 as an EvmTxHash).
template <typename To, typename From>
To RetagHash(const From& h) {
  return To::FromBytes(h.data());
}

}  // namespace ariadne::evm

template <>
struct std::hash<ariadne::evm::Address> {
  size_t operator()(const ariadne::evm::Address& a) const { return a.Hash(); }
};

#endif  // ARIADNE_ENGINE_CORE_EVM_TYPES_H_
