// The consensus rules of a block header, as Bitcoin Core checks them before it stores a block
// (CheckBlockHeader, ContextualCheckBlockHeader). Not checked: the 2-hour limit on future
// timestamps (it depends on the clock of the node that received the block), version rules
// (BIP34/65/66 minimum versions) and signet's block signature.
//
// Every error is DATA_LOSS with a message "<what> (<rule>)", the rule in Core's words:
//   bad-genesis          a block without a previous block that is not the network's genesis
//   bad-diffbits         bits that do not decode to a target within the network's limit, or that
//                        differ from what the difficulty rules require at that height
//   high-hash            a hash above the target of the block's bits
//   time-too-old         a timestamp not above the median of the previous 11 blocks' timestamps
//   time-timewarp-attack testnet4 (BIP94): a period's first block more than 600 s before its parent
//   bad-prevblk          a block that descends from a refused block
#ifndef ARIADNE_INDEXER_BTC_HEADER_RULES_H_
#define ARIADNE_INDEXER_BTC_HEADER_RULES_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "engine/core/types.h"
#include "indexer/btc/ancestry.h"
#include "indexer/btc/pow_params.h"

namespace ariadne::btc {

// Checks what needs no ancestors: a block without a previous block must be the genesis, and the
// hash must meet the target of the bits, which must lie within the network's limit.
// Returns: OK, or DATA_LOSS naming the rule (bad-genesis, bad-diffbits, high-hash).
absl::Status CheckHeader(const PowParams& params, const BlockHash& hash, const BlockHash& prev_hash,
                         uint32_t bits);

// Checks a header against its ancestors: the bits the difficulty rules require, a timestamp above
// the median time past, and on testnet4 the time-warp rule.
// Args: chain: the branch up to the header's parent.
// Returns: OK, or DATA_LOSS naming the rule (bad-diffbits, time-too-old, time-timewarp-attack).
absl::Status CheckHeaderContext(const PowParams& params, const Ancestry& chain, uint32_t bits,
                                uint32_t time);

// Returns: the median of the timestamps of the parent and its up to 10 predecessors (Core's
//          GetMedianTimePast of the parent).
uint32_t MedianTimePast(const Ancestry& chain);

// Returns: DATA_LOSS "<file>: block <hash> at offset <offset>: <message of refusal>", the code and
//          message of `refusal` placed in the file.
absl::Status RefusedBlockError(const absl::Status& refusal, std::string_view file,
                               const BlockHash& hash, uint64_t offset);

}  // namespace ariadne::btc

#endif  // ARIADNE_INDEXER_BTC_HEADER_RULES_H_
