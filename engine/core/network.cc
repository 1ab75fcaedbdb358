#include "engine/core/network.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"

namespace ariadne {
namespace {

constexpr NetworkParams kParams[] = {
    {Network::kMainnet,
     "mainnet",
     {0xf9, 0xbe, 0xb4, 0xd9},
     0,
     5,
     "bc",
     "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"},
    {Network::kTestnet,
     "testnet",
     {0x0b, 0x11, 0x09, 0x07},
     111,
     196,
     "tb",
     "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943"},
    {Network::kTestnet4,
     "testnet4",
     {0x1c, 0x16, 0x3f, 0x28},
     111,
     196,
     "tb",
     "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043"},
    {Network::kSignet,
     "signet",
     {0x0a, 0x03, 0xcf, 0x40},
     111,
     196,
     "tb",
     "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6"},
    {Network::kRegtest,
     "regtest",
     {0xfa, 0xbf, 0xb5, 0xda},
     111,
     196,
     "bcrt",
     "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"},
    // EVM chains: no blk-file magic and no Bitcoin address prefixes; the genesis block hash is
    // shown in natural byte order.
    {Network::kEthereum,
     "ethereum",
     {0, 0, 0, 0},
     0,
     0,
     "",
     "d4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3"},
    {Network::kSepolia,
     "sepolia",
     {0, 0, 0, 0},
     0,
     0,
     "",
     "25a5cc106eea7138acab33231d7160d69cb777ee0c2c553fcddf5138993e6dd9"},
};

}  // namespace

const NetworkParams& Params(Network network) { return kParams[static_cast<int>(network)]; }

absl::StatusOr<Network> ParseNetwork(std::string_view name) {
  if (name == "mainnet" || name == "main" || name == "bitcoin") return Network::kMainnet;
  if (name == "testnet" || name == "test" || name == "testnet3") return Network::kTestnet;
  if (name == "testnet4") return Network::kTestnet4;
  if (name == "signet") return Network::kSignet;
  if (name == "regtest") return Network::kRegtest;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown network '", AV(name), "' (mainnet, testnet, testnet4, signet, regtest)"));
}

std::optional<Network> NetworkFromMagic(const uint8_t magic[4]) {
  for (const NetworkParams& p : kParams) {
    if (IsEvm(p.network)) continue;  // no magic: zero padding in a blk file must not match
    if (std::memcmp(p.magic.data(), magic, 4) == 0) return p.network;
  }
  return std::nullopt;
}

bool IsEvm(Network network) {
  return network == Network::kEthereum || network == Network::kSepolia;
}

uint64_t EvmChainId(Network network) {
  switch (network) {
    case Network::kEthereum:
      return 1;
    case Network::kSepolia:
      return 11155111;
    default:
      return 0;
  }
}

absl::StatusOr<Network> ParseEvmChain(std::string_view name) {
  if (name == "mainnet" || name == "ethereum" || name == "main") return Network::kEthereum;
  if (name == "sepolia") return Network::kSepolia;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown EVM chain '", AV(name), "' (mainnet, sepolia)"));
}

absl::StatusOr<Network> ParseStoreNetwork(std::string_view name) {
  if (name == "ethereum") return Network::kEthereum;
  if (name == "sepolia") return Network::kSepolia;
  return ParseNetwork(name);
}

}  // namespace ariadne
