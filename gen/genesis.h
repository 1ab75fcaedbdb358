// The real genesis block of each network, byte for byte as Bitcoin Core's chainparams build it.
#ifndef ARIADNE_GEN_GENESIS_H_
#define ARIADNE_GEN_GENESIS_H_

#include <cstdint>
#include <vector>

#include "engine/core/network.h"

namespace ariadne::gen {

// Returns: the serialised genesis block of `network` (header, then its one coinbase transaction);
// its hash is Params(network).genesis_hash.
std::vector<uint8_t> GenesisBlock(Network network);
// Returns: the genesis block's timestamp on `network`.
uint32_t GenesisTime(Network network);
// Returns: the compact target of the network's proof-of-work limit (regtest: 0x207fffff), used in
// every generated header (its nonce ground to meet it: miner.h).
uint32_t PowLimitBits(Network network);

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_GENESIS_H_
