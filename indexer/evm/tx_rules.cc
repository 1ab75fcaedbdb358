#include "indexer/evm/tx_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"

namespace ariadne::evm {
namespace {

// secp256k1's group order n and n / 2.
constexpr U256 kCurveOrder = U256::FromLimbs(0xbfd25e8cd0364141ULL, 0xbaaedce6af48a03bULL,
                                             0xfffffffffffffffeULL, 0xffffffffffffffffULL);
constexpr U256 kHalfCurveOrder = U256::FromLimbs(0xdfe92f46681b20a0ULL, 0x5d576e7357a4501dULL,
                                                 0xffffffffffffffffULL, 0x7fffffffffffffffULL);
constexpr uint64_t kMaxInitCodeSize = 49152;

uint64_t SatAdd(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }
uint64_t SatMul(uint64_t a, uint64_t b) {
  return (b != 0 && a > UINT64_MAX / b) ? UINT64_MAX : a * b;
}

absl::Status Invalid(std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("invalid transaction: ", AV(what)));
}

}  // namespace

absl::StatusOr<Fork> ParseFork(std::string_view name) {
  static constexpr std::pair<std::string_view, Fork> kNames[] = {
      {"Frontier", Fork::kFrontier},
      {"Homestead", Fork::kHomestead},
      {"EIP150", Fork::kEip150},
      {"EIP158", Fork::kEip158},
      {"Byzantium", Fork::kByzantium},
      {"Constantinople", Fork::kConstantinople},
      {"ConstantinopleFix", Fork::kConstantinopleFix},
      {"Istanbul", Fork::kIstanbul},
      {"Berlin", Fork::kBerlin},
      {"London", Fork::kLondon},
      {"Paris", Fork::kParis},
      {"Merge", Fork::kParis},
      {"Shanghai", Fork::kShanghai},
      {"Cancun", Fork::kCancun},
      {"Prague", Fork::kPrague},
  };
  for (const auto& [n, f] : kNames) {
    if (n == name) return f;
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown fork \"", AV(name), "\""));
}

uint64_t IntrinsicGas(const Transaction& tx, Fork fork) {
  uint64_t gas = 21000;
  if (tx.IsCreation() && fork >= Fork::kHomestead) gas += 32000;
  uint64_t zeros = 0;
  for (uint8_t b : tx.data) zeros += b == 0 ? 1 : 0;
  const uint64_t nonzeros = tx.data.size() - zeros;
  const uint64_t nonzero_cost = fork >= Fork::kIstanbul ? 16 : 68;
  gas = SatAdd(gas, SatAdd(SatMul(zeros, 4), SatMul(nonzeros, nonzero_cost)));
  gas = SatAdd(gas, SatMul(tx.access_list_addresses, 2400));
  gas = SatAdd(gas, SatMul(tx.access_list_storage_keys, 1900));
  if (tx.IsCreation() && fork >= Fork::kShanghai) {
    gas = SatAdd(gas, SatMul((tx.data.size() + 31) / 32, 2));
  }
  if (fork >= Fork::kPrague) {
    gas = SatAdd(gas, SatMul(tx.authorization_count, 25000));
    const uint64_t tokens = SatAdd(zeros, SatMul(nonzeros, 4));
    gas = std::max(gas, SatAdd(21000, SatMul(tokens, 10)));
  }
  return gas;
}

absl::Status CheckChainId(const Transaction& tx, uint64_t chain_id) {
  if (tx.has_chain_id && tx.chain_id != chain_id) {
    return Invalid(absl::StrCat("chain id ", tx.chain_id, " is not ", chain_id));
  }
  return absl::OkStatus();
}

absl::Status CheckTransactionRules(const Transaction& tx, Fork fork, uint64_t chain_id) {
  switch (tx.type) {
    case TxType::kLegacy:
      break;
    case TxType::kAccessList:
      if (fork < Fork::kBerlin) return Invalid("type 1 before Berlin");
      break;
    case TxType::kDynamicFee:
      if (fork < Fork::kLondon) return Invalid("type 2 before London");
      break;
    case TxType::kBlob:
      if (fork < Fork::kCancun) return Invalid("type 3 before Cancun");
      if (tx.blob_count == 0) return Invalid("blob transaction without blobs");
      break;
    case TxType::kSetCode:
      if (fork < Fork::kPrague) return Invalid("type 4 before Prague");
      if (tx.authorization_count == 0)
        return Invalid("set-code transaction without authorizations");
      break;
  }
  if (tx.has_chain_id) {
    if (tx.type == TxType::kLegacy && fork < Fork::kEip158) {
      return Invalid("EIP-155 chain id before Spurious Dragon");
    }
    if (absl::Status s = CheckChainId(tx, chain_id); !s.ok()) return s;
  }
  if (tx.r.IsZero() || tx.s.IsZero() || !(tx.r < kCurveOrder) || !(tx.s < kCurveOrder)) {
    return Invalid("signature r or s out of range");
  }
  if (fork >= Fork::kHomestead && kHalfCurveOrder < tx.s) {
    return Invalid("signature s above n/2 (EIP-2)");
  }
  if (!RecoverSender(tx).ok()) return Invalid("signature does not recover a sender");
  if (tx.nonce == UINT64_MAX) return Invalid("nonce 2^64-1 (EIP-2681)");
  if (tx.max_fee_per_gas < tx.max_priority_fee_per_gas) {
    return Invalid("max priority fee per gas above max fee per gas");
  }
  U256 product;
  if (!U256::CheckedMul(U256(tx.gas_limit), tx.max_fee_per_gas, &product)) {
    return Invalid("gas limit * max fee per gas overflows 256 bits");
  }
  if (tx.IsCreation() && fork >= Fork::kShanghai && tx.data.size() > kMaxInitCodeSize) {
    return Invalid("init code above 49152 bytes (EIP-3860)");
  }
  const uint64_t intrinsic = IntrinsicGas(tx, fork);
  if (tx.gas_limit < intrinsic) {
    return Invalid(absl::StrCat("gas limit ", tx.gas_limit, " below intrinsic gas ", intrinsic));
  }
  return absl::OkStatus();
}

}  // namespace ariadne::evm
