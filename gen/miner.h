// Proof of work for generated blocks: the nonce of a header is ground until the header's hash
// meets the target of its bits. Feasible only at regtest's limit (0x207fffff: a hash meets it with
// probability 1/2); mainnet's easiest target (0x1d00ffff) takes 2^32 hashes per block.
#ifndef ARIADNE_GEN_MINER_H_
#define ARIADNE_GEN_MINER_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "engine/core/network.h"
#include "engine/core/types.h"

namespace ariadne::gen {

// Returns: true when `hash` (internal byte order) is at most the target of compact `bits`; false
//          for bits that are negative, zero or overflow.
bool MeetsTarget(const BlockHash& hash, uint32_t bits);

// Grinds the nonce of an 80-byte header: from the nonce it holds, counting up (and wrapping),
// until the hash meets the target of the header's bits.
// In/Out: header: 80 bytes; its nonce (bytes 76..80) is updated in place.
// Returns: the header's hash; RESOURCE_EXHAUSTED when no nonce meets the target (the caller
//          changes another field and grinds again).
absl::StatusOr<BlockHash> GrindNonce(uint8_t* header);

// Returns: OK when blocks of `network` can be mined here (regtest only); INVALID_ARGUMENT
//          naming the network and the work a block would take otherwise.
absl::Status CheckMinable(Network network);

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_MINER_H_
