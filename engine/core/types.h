// Strong types of the engine: hashes that cannot be confused with each other (a Txid is not a
// Wtxid is not a BlockHash), amounts, and the dense integer ids of the data model.
#ifndef ARIADNE_ENGINE_CORE_TYPES_H_
#define ARIADNE_ENGINE_CORE_TYPES_H_

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace ariadne {

using ByteSpan = std::span<const uint8_t>;

// A 32-byte hash in internal byte order (as it is serialised on the wire). `Tag` makes each use a
// distinct type. Bitcoin displays txids and block hashes byte-reversed: ToHex()/FromHex() do that.
template <typename Tag>
class Hash256 {
 public:
  static constexpr size_t kSize = 32;

  constexpr Hash256() : bytes_{} {}
  explicit Hash256(ByteSpan bytes) { std::memcpy(bytes_.data(), bytes.data(), kSize); }
  static Hash256 FromBytes(const uint8_t* p) {
    Hash256 h;
    std::memcpy(h.bytes_.data(), p, kSize);
    return h;
  }

  // Returns: the hash in display order (byte-reversed), 64 lowercase hex digits.
  std::string ToHex() const;
  // Returns: the hash parsed from display order; INVALID_ARGUMENT unless exactly 64 hex digits.
  static absl::StatusOr<Hash256> FromHex(std::string_view hex);

  const uint8_t* data() const { return bytes_.data(); }
  uint8_t* data() { return bytes_.data(); }
  ByteSpan span() const { return ByteSpan(bytes_.data(), kSize); }
  const std::array<uint8_t, kSize>& bytes() const { return bytes_; }
  bool IsNull() const {
    for (uint8_t b : bytes_)
      if (b != 0) return false;
    return true;
  }
  // The first 8 bytes as a little-endian integer: a well-mixed key for hash maps and key prefixes.
  uint64_t Prefix64() const {
    uint64_t v;
    std::memcpy(&v, bytes_.data(), sizeof(v));
    return v;
  }

  friend bool operator==(const Hash256&, const Hash256&) = default;
  friend auto operator<=>(const Hash256&, const Hash256&) = default;

 private:
  std::array<uint8_t, kSize> bytes_;
};

struct TxidTag {};
struct WtxidTag {};
struct BlockHashTag {};
struct Uint256Tag {};
using Txid = Hash256<TxidTag>;
using Wtxid = Hash256<WtxidTag>;
using BlockHash = Hash256<BlockHashTag>;
using Uint256 = Hash256<Uint256Tag>;  // any other 32-byte value (merkle roots, script hashes)

// A dense integer id. Ids are assigned in chain order, so comparisons mean "earlier than".
template <typename Tag, typename Rep>
class DenseId {
 public:
  using rep = Rep;
  static constexpr Rep kInvalid = std::numeric_limits<Rep>::max();
  constexpr DenseId() : value_(kInvalid) {}
  constexpr explicit DenseId(Rep v) : value_(v) {}
  constexpr Rep value() const { return value_; }
  constexpr bool valid() const { return value_ != kInvalid; }
  friend constexpr bool operator==(DenseId, DenseId) = default;
  friend constexpr auto operator<=>(DenseId, DenseId) = default;
  // Hashable by absl containers.
  template <typename H>
  friend H AbslHashValue(H h, DenseId id) {
    return H::combine(std::move(h), id.value_);
  }

 private:
  Rep value_;
};

// Transactions in chain order. 40 bits on disk (1.1e12), so 64 bits in memory.
using TxNum = DenseId<struct TxNumTag, uint64_t>;
// Outputs in chain order (the n-th output ever created).
using OutNum = DenseId<struct OutNumTag, uint64_t>;
// Addresses (or scripts without an address) at first appearance. 32 bits: 4.29e9 ids, three times
// Bitcoin's address count today, and the union-find's memory budget is 8 bytes per address.
using AddrId = DenseId<struct AddrIdTag, uint32_t>;
// A cluster is named by its smallest member AddrId (AccountId on account chains), so the id is
// stable and deterministic.
using ClusterId = DenseId<struct ClusterIdTag, uint32_t>;
// Accounts of an account-model (EVM) chain at first appearance. 32 bits, like AddrId.
using AccountId = DenseId<struct AccountIdTag, uint32_t>;
// Value transfers of an account-model chain (native, internal, token) in chain order. 40 bits on
// disk, like TxNum.
using TransferNum = DenseId<struct TransferNumTag, uint64_t>;
// Assets of an account-model chain: 0 is the native coin (ether), then each token contract.
using AssetId = DenseId<struct AssetIdTag, uint32_t>;

// An amount in the chain's smallest unit (satoshi). Signed, so deltas are representable.
class Amount {
 public:
  static constexpr int64_t kCoin = 100'000'000;
  static constexpr int64_t kMaxMoney = 21'000'000 * kCoin;
  constexpr Amount() : sat_(0) {}
  constexpr explicit Amount(int64_t sat) : sat_(sat) {}
  constexpr int64_t sat() const { return sat_; }
  // Returns: true when 0 <= amount <= 21 million BTC (Bitcoin Core's MoneyRange).
  constexpr bool InMoneyRange() const { return sat_ >= 0 && sat_ <= kMaxMoney; }
  constexpr Amount& operator+=(Amount o) {
    sat_ += o.sat_;
    return *this;
  }
  constexpr Amount& operator-=(Amount o) {
    sat_ -= o.sat_;
    return *this;
  }
  friend constexpr Amount operator+(Amount a, Amount b) { return Amount(a.sat_ + b.sat_); }
  friend constexpr Amount operator-(Amount a, Amount b) { return Amount(a.sat_ - b.sat_); }
  friend constexpr bool operator==(Amount, Amount) = default;
  friend constexpr auto operator<=>(Amount, Amount) = default;

 private:
  int64_t sat_;
};

}  // namespace ariadne

template <typename Tag>
struct std::hash<ariadne::Hash256<Tag>> {
  size_t operator()(const ariadne::Hash256<Tag>& h) const { return h.Prefix64(); }
};

#endif  // ARIADNE_ENGINE_CORE_TYPES_H_
