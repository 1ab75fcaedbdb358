// The difficulty rules: the bits each block must carry (Bitcoin Core's GetNextWorkRequired and
// CalculateNextWorkRequired). Mainnet and signet retarget every 2,016 blocks from the time the
// period took, clamped to a factor of 4 and capped at the network's limit; testnet3 and testnet4
// also allow a minimum-difficulty block when it comes more than 20 minutes after its parent, and
// otherwise require the bits of the last block before such blocks; testnet4 (BIP94) retargets
// from the period's first block's bits; regtest never retargets.
#ifndef ARIADNE_INDEXER_BTC_DIFFICULTY_H_
#define ARIADNE_INDEXER_BTC_DIFFICULTY_H_

#include <cstdint>

#include "indexer/btc/ancestry.h"
#include "indexer/btc/pow_params.h"

namespace ariadne::btc {

// Returns: the bits a block with timestamp `time` must carry on top of `chain`.
uint32_t NextWorkRequired(const PowParams& params, const Ancestry& chain, uint32_t time);

// Returns: the bits of the first block of a new period (Core's CalculateNextWorkRequired without
//          the regtest shortcut): start_bits' target times the actual timespan clamped to
//          [timespan / 4, timespan * 4], divided by the timespan, capped at the limit.
// Args: start_bits: the period's last block's bits (its first block's under BIP94);
//       actual_timespan: last block's time minus the period's first block's time, in seconds.
uint32_t RetargetBits(const PowParams& params, uint32_t start_bits, int64_t actual_timespan);

}  // namespace ariadne::btc

#endif  // ARIADNE_INDEXER_BTC_DIFFICULTY_H_
