// Bitcoin merkle roots.
#ifndef ARIADNE_ENGINE_CORE_MERKLE_H_
#define ARIADNE_ENGINE_CORE_MERKLE_H_

#include <vector>

#include "engine/core/types.h"

namespace ariadne {

// Returns: the merkle root of `leaves` (Bitcoin's rule: an odd level duplicates its last node);
// the null hash for no leaves.
// Args: scratch: reused between calls to avoid allocating per block (contents overwritten).
Uint256 ComputeMerkleRoot(std::span<const Uint256> leaves, std::vector<Uint256>* scratch);

}  // namespace ariadne

#endif  // ARIADNE_ENGINE_CORE_MERKLE_H_
