// What the consensus rules of a block header read from its ancestors: the branch from the genesis
// block to the header's parent. The block tree implements it over its parent links; tests over a
// plain list of headers.
#ifndef ARIADNE_INDEXER_BTC_ANCESTRY_H_
#define ARIADNE_INDEXER_BTC_ANCESTRY_H_

#include <cstdint>

namespace ariadne::btc {

struct AncestorHeader {
  uint32_t bits = 0;
  uint32_t time = 0;
};

class Ancestry {
 public:
  virtual ~Ancestry() = default;
  // Returns: the height of the parent of the header being checked (>= 0).
  virtual int32_t parent_height() const = 0;
  // Returns: the header at `height` on the branch, 0 <= height <= parent_height() (the parent
  //          itself at parent_height()).
  virtual AncestorHeader At(int32_t height) const = 0;
  // Out: times[0..n): the timestamps of the parent and its predecessors, the parent's first.
  // Returns: how many were written, min(n, parent_height() + 1).
  virtual int RecentTimes(int n, uint32_t* times) const = 0;
  // Returns: the bits of the nearest block, from the parent back, that is the genesis block, is at
  //          a retarget boundary (height % interval == 0) or carries other bits than the network's
  //          proof-of-work limit: testnet's walk back past minimum-difficulty blocks.
  virtual uint32_t LastNonMinDifficultyBits() const = 0;
};

}  // namespace ariadne::btc

#endif  // ARIADNE_INDEXER_BTC_ANCESTRY_H_
