// Fork-dependent validity rules of a decoded transaction (what a node checks before executing it,
// beyond a well-formed encoding). The indexer reads chain data that nodes already validated, so it
// does not need these on its hot path; they make the decoder's behaviour checkable against
// ethereum/tests' TransactionTests, and let a tool tell why a hand-fed transaction is invalid.
#ifndef ARIADNE_INDEXER_EVM_TX_RULES_H_
#define ARIADNE_INDEXER_EVM_TX_RULES_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "indexer/evm/transaction.h"

namespace ariadne::evm {

// Mainnet forks that change transaction validity, in activation order.
enum class Fork : uint8_t {
  kFrontier,
  kHomestead,  // EIP-2 low-s, creation costs 53000
  kEip150,     // Tangerine Whistle
  kEip158,     // Spurious Dragon: EIP-155 chain ids
  kByzantium,
  kConstantinople,
  kConstantinopleFix,  // Petersburg
  kIstanbul,           // EIP-2028: 16 gas per non-zero data byte
  kBerlin,             // EIP-2930: type 1
  kLondon,             // EIP-1559: type 2
  kParis,
  kShanghai,  // EIP-3860: init code limit and cost
  kCancun,    // EIP-4844: type 3
  kPrague,    // EIP-7702: type 4; EIP-7623 calldata floor
};

// Returns: the fork named as in ethereum/tests ("Frontier", "EIP158", "ConstantinopleFix",
//          "Cancun", ...); INVALID_ARGUMENT for an unknown name.
absl::StatusOr<Fork> ParseFork(std::string_view name);

// Returns: the gas a transaction must provide before execution (intrinsic gas) under `fork`;
//          under Prague the EIP-7623 calldata floor when it is higher. Saturates at 2^64 - 1.
uint64_t IntrinsicGas(const Transaction& tx, Fork fork);

// Checks that a transaction may be included in chain `chain_id`: one with a chain id (EIP-155
// legacy, or any typed transaction) must name this chain; a legacy transaction signed without
// EIP-155 is valid on every chain and passes.
// Returns: OK, or INVALID_ARGUMENT "chain id X is not Y".
absl::Status CheckChainId(const Transaction& tx, uint64_t chain_id);

// Checks a decoded transaction against the rules of `fork` for chain `chain_id`: type enabled,
// chain id (EIP-155 from Spurious Dragon; typed transactions always), signature values (r, s in
// [1, n-1], s <= n/2 from Homestead), the signature recovers, nonce below 2^64 - 1 (EIP-2681),
// intrinsic gas within the gas limit, init code size (Shanghai), max priority fee <= max fee,
// gas limit * max fee within 256 bits, at least one blob (type 3), a non-empty authorization
// list (type 4).
// Returns: OK, or INVALID_ARGUMENT naming the first rule broken.
absl::Status CheckTransactionRules(const Transaction& tx, Fork fork, uint64_t chain_id);

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_TX_RULES_H_
