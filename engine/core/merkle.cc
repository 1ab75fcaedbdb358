#include "engine/core/merkle.h"

#include <cstring>

#include "engine/core/hash.h"

namespace ariadne {

Uint256 ComputeMerkleRoot(std::span<const Uint256> leaves, std::vector<Uint256>* scratch) {
  if (leaves.empty()) return Uint256();
  scratch->assign(leaves.begin(), leaves.end());
  std::vector<Uint256>& level = *scratch;
  size_t n = level.size();
  uint8_t pair[64];
  while (n > 1) {
    size_t out = 0;
    for (size_t i = 0; i < n; i += 2) {
      const Uint256& left = level[i];
      const Uint256& right = (i + 1 < n) ? level[i + 1] : level[i];
      std::memcpy(pair, left.data(), 32);
      std::memcpy(pair + 32, right.data(), 32);
      Sha256d64(pair, level[out++].data());
    }
    n = out;
  }
  return level[0];
}

}  // namespace ariadne
