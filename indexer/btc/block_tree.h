// Every block found in the blk files, linked by previous-block hash, with heights and cumulative
// work; the best chain is the one with most work (Core's rule), first seen on ties.
#ifndef ARIADNE_INDEXER_BTC_BLOCK_TREE_H_
#define ARIADNE_INDEXER_BTC_BLOCK_TREE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/core/types.h"
#include "engine/store/schema.h"
#include "indexer/btc/chainwork.h"

namespace ariadne::btc {

struct TreeBlock {
  BlockHash hash;
  store::BlockIndexEntry entry;  // prev hash, bits, time and where the block is stored
  int32_t parent = -1;           // index of the parent, -1 for a root or an unknown parent
  int32_t height = -1;           // -1 until connected to a root
  ChainWork work;                // cumulative, valid when height >= 0
};

class BlockTree {
 public:
  // Adds a block. Returns: false when a block with that hash is present already.
  bool Add(const BlockHash& hash, const store::BlockIndexEntry& entry);
  // Connects what can be connected (roots are blocks whose previous hash is null) and returns the
  // tip with most cumulative work; `prefer` (the current tip) wins ties, otherwise the block seen
  // first. Returns: nullopt when no block is connected.
  std::optional<uint32_t> BestTip(std::optional<uint32_t> prefer = std::nullopt);
  // Returns: the blocks from the root to `tip`, lowest height first.
  std::vector<uint32_t> ChainTo(uint32_t tip) const;
  std::optional<uint32_t> Find(const BlockHash& hash) const;
  const TreeBlock& block(uint32_t index) const { return blocks_[index]; }
  size_t size() const { return blocks_.size(); }
  // Returns: blocks whose ancestry does not (yet) reach a root.
  size_t unconnected() const { return pending_.size(); }

 private:
  std::vector<TreeBlock> blocks_;
  absl::flat_hash_map<BlockHash, uint32_t> by_hash_;
  std::vector<uint32_t> pending_;  // not yet connected
};

}  // namespace ariadne::btc

#endif  // ARIADNE_INDEXER_BTC_BLOCK_TREE_H_
