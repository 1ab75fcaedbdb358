// The networks we index and what distinguishes them on disk and in addresses: the Bitcoin networks
// (UTXO model) and the EVM chains (account model; IsEvm()), each fixed when a store is created.
#ifndef ARIADNE_ENGINE_CORE_NETWORK_H_
#define ARIADNE_ENGINE_CORE_NETWORK_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"

namespace ariadne {

enum class Network : uint8_t {
  kMainnet = 0,
  kTestnet = 1,
  kTestnet4 = 2,
  kSignet = 3,
  kRegtest = 4,
  kEthereum = 5,  // EVM: Ethereum mainnet, chain id 1
  kSepolia = 6,   // EVM: Sepolia testnet, chain id 11155111
};

struct NetworkParams {
  Network network;
  std::string_view name;          // "mainnet", "testnet", "testnet4", "signet", "regtest"
  std::array<uint8_t, 4> magic;   // message start, also the blk-file record marker
  uint8_t p2pkh_prefix;           // base58check version byte of P2PKH addresses
  uint8_t p2sh_prefix;            // base58check version byte of P2SH addresses
  std::string_view hrp;           // bech32 human-readable part of segwit addresses
  std::string_view genesis_hash;  // display hex of the genesis block
};

// Returns: the parameters of `network` (static storage).
const NetworkParams& Params(Network network);
// Returns: the network named `name` ("mainnet"/"main", "testnet"/"test"/"testnet3", "testnet4",
// "signet", "regtest"); INVALID_ARGUMENT naming the unknown name otherwise.
absl::StatusOr<Network> ParseNetwork(std::string_view name);
// Returns: the Bitcoin network whose blk-file magic is `magic`, if any (never an EVM chain).
std::optional<Network> NetworkFromMagic(const uint8_t magic[4]);

// Returns: true for the EVM (account-model) chains.
bool IsEvm(Network network);
// Returns: the EIP-155 chain id of an EVM chain (1 for Ethereum mainnet), 0 for Bitcoin networks.
uint64_t EvmChainId(Network network);
// Returns: the EVM chain named `name` ("mainnet"/"ethereum", "sepolia"); INVALID_ARGUMENT naming
// the unknown name otherwise.
absl::StatusOr<Network> ParseEvmChain(std::string_view name);
// Returns: the network of a store's recorded name: a Bitcoin network (as ParseNetwork) or an EVM
// chain by its store name ("ethereum", "sepolia"); INVALID_ARGUMENT otherwise.
absl::StatusOr<Network> ParseStoreNetwork(std::string_view name);

}  // namespace ariadne

#endif  // ARIADNE_ENGINE_CORE_NETWORK_H_
