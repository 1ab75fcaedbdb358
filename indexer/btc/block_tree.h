// Every valid block found in the blk files, linked by previous-block hash, with heights and
// cumulative work; the best chain is the one with most work (Core's rule), first seen on ties.
//
// Headers are checked on the way in (header_rules.h): Add refuses what needs no ancestors (the
// genesis rule, proof of work), Connect what does (difficulty bits, median time past). A refused
// block, and everything that descends from it, gets no height: no branch, no chain work, no best
// chain ever contains it.
#ifndef ARIADNE_INDEXER_BTC_BLOCK_TREE_H_
#define ARIADNE_INDEXER_BTC_BLOCK_TREE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/core/types.h"
#include "engine/store/schema.h"
#include "indexer/btc/chainwork.h"
#include "indexer/btc/pow_params.h"

namespace ariadne::btc {

struct TreeBlock {
  BlockHash hash;
  store::BlockIndexEntry entry;  // prev hash, bits, time and where the block is stored
  int32_t parent = -1;           // index of the parent, -1 for the genesis or an unknown parent
  int32_t height = -1;           // -1 until connected, kRefusedHeight once refused
  uint32_t regular_bits = 0;     // Ancestry::LastNonMinDifficultyBits of its children
  ChainWork work;                // cumulative, valid when height >= 0

  static constexpr int32_t kRefusedHeight = -2;
};

class BlockTree {
 public:
  // Args: params: the rules headers are checked against (PowParamsOf(network) for a network).
  explicit BlockTree(const PowParams& params) : params_(params) {}

  // Adds a block after the checks that need no ancestors (CheckHeader).
  // Returns: true when added; false when a block with that hash is known already (added before,
  //          or refused by Connect); DATA_LOSS naming the rule broken when the header is invalid
  //          (the block is not added).
  absl::StatusOr<bool> Add(const BlockHash& hash, const store::BlockIndexEntry& entry);

  struct Refusal {
    uint32_t block;       // index of the refused block
    absl::Status status;  // DATA_LOSS naming the rule (bad-prevblk for descendants)
    bool descendant;      // refused because an ancestor was
  };
  // Connects every block whose ancestry reaches the genesis, checking each against its ancestors
  // (CheckHeaderContext), parents before children. A block that fails is refused together with
  // every block that descends from it (now or when they are added later).
  // Out: refused (appended): the blocks refused in this call.
  void Connect(std::vector<Refusal>* refused);
  // Returns: the connected tip with most cumulative work; `prefer` (the current tip) wins ties,
  //          otherwise the block seen first; nullopt when no block is connected.
  std::optional<uint32_t> BestTip(std::optional<uint32_t> prefer = std::nullopt) const;
  // Returns: the blocks from the genesis to `tip`, lowest height first.
  std::vector<uint32_t> ChainTo(uint32_t tip) const;
  // Returns: the index of a block that is not refused.
  std::optional<uint32_t> Find(const BlockHash& hash) const;
  const TreeBlock& block(uint32_t index) const { return blocks_[index]; }
  size_t size() const { return blocks_.size(); }
  // Returns: blocks whose ancestry does not (yet) reach the genesis.
  size_t unconnected() const { return pending_.size(); }
  // Returns: blocks refused by Connect.
  size_t refused() const { return refused_; }

 private:
  class Branch;  // the Ancestry of a block, over the parent links

  const PowParams params_;
  std::vector<TreeBlock> blocks_;
  absl::flat_hash_map<BlockHash, uint32_t> by_hash_;
  std::vector<uint32_t> pending_;  // not yet connected
  size_t refused_ = 0;
};

}  // namespace ariadne::btc

#endif  // ARIADNE_INDEXER_BTC_BLOCK_TREE_H_
