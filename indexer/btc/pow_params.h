// The parameters of the proof-of-work rules of each Bitcoin network, as Bitcoin Core's chainparams
// set them: the easiest target allowed, the retarget period, testnet's minimum-difficulty rule,
// regtest's missing retargeting, testnet4's BIP94 variant and the genesis block.
#ifndef ARIADNE_INDEXER_BTC_POW_PARAMS_H_
#define ARIADNE_INDEXER_BTC_POW_PARAMS_H_

#include <cstdint>

#include "engine/core/network.h"
#include "engine/core/types.h"
#include "engine/core/u256.h"

namespace ariadne::btc {

struct PowParams {
  Network network = Network::kMainnet;
  evm::U256 pow_limit;                // the easiest target a block may have
  uint32_t pow_limit_bits = 0;        // its compact form: what a minimum-difficulty block carries
  int64_t target_spacing = 600;       // seconds per block
  int64_t target_timespan = 1209600;  // seconds per retarget period (two weeks)
  // testnet3 and testnet4 (and regtest): a block more than twice the spacing after its parent may
  // carry pow_limit_bits.
  bool allow_min_difficulty = false;
  bool no_retargeting = false;  // regtest: the bits never change
  // testnet4 (BIP94): a retarget starts from the period's first block's bits, and the first block
  // of a period may not be more than 600 s older than its parent (the time-warp fix).
  bool enforce_bip94 = false;
  BlockHash genesis;  // the block at height 0, the only block whose previous hash is null

  // Returns: blocks per retarget period (2,016).
  int32_t interval() const { return static_cast<int32_t>(target_timespan / target_spacing); }
};

// Returns: the parameters of a Bitcoin network (static storage); EVM chains have none and get
//          mainnet's.
const PowParams& PowParamsOf(Network network);

}  // namespace ariadne::btc

#endif  // ARIADNE_INDEXER_BTC_POW_PARAMS_H_
