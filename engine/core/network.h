// The Bitcoin networks we index and what distinguishes them on disk and in addresses.
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
  kRegtest = 4
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
// Returns: the network whose blk-file magic is `magic`, if any.
std::optional<Network> NetworkFromMagic(const uint8_t magic[4]);

}  // namespace ariadne

#endif  // ARIADNE_ENGINE_CORE_NETWORK_H_
