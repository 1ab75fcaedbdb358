#include "indexer/btc/block_tree.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "indexer/btc/ancestry.h"
#include "indexer/btc/header_rules.h"

namespace ariadne::btc {

// The branch from the genesis to `parent`, walked over the parent links.
class BlockTree::Branch : public Ancestry {
 public:
  Branch(const std::vector<TreeBlock>& blocks, uint32_t parent)
      : blocks_(blocks), parent_(parent) {}
  int32_t parent_height() const override { return blocks_[parent_].height; }
  AncestorHeader At(int32_t height) const override {
    int32_t cur = static_cast<int32_t>(parent_);
    while (blocks_[cur].height > height) cur = blocks_[cur].parent;
    return {blocks_[cur].entry.bits, blocks_[cur].entry.time};
  }
  int RecentTimes(int n, uint32_t* times) const override {
    int got = 0;
    for (int32_t cur = static_cast<int32_t>(parent_); cur >= 0 && got < n;
         cur = blocks_[cur].parent) {
      times[got++] = blocks_[cur].entry.time;
    }
    return got;
  }
  uint32_t LastNonMinDifficultyBits() const override { return blocks_[parent_].regular_bits; }

 private:
  const std::vector<TreeBlock>& blocks_;
  uint32_t parent_;
};

absl::StatusOr<bool> BlockTree::Add(const BlockHash& hash, const store::BlockIndexEntry& entry) {
  if (by_hash_.contains(hash)) return false;
  if (absl::Status s = CheckHeader(params_, hash, entry.prev_hash, entry.bits); !s.ok()) return s;
  const uint32_t index = static_cast<uint32_t>(blocks_.size());
  by_hash_.emplace(hash, index);
  TreeBlock b;
  b.hash = hash;
  b.entry = entry;
  blocks_.push_back(b);
  pending_.push_back(index);
  return true;
}

std::optional<uint32_t> BlockTree::Find(const BlockHash& hash) const {
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end() || blocks_[it->second].height == TreeBlock::kRefusedHeight) {
    return std::nullopt;
  }
  return it->second;
}

void BlockTree::Connect(std::vector<Refusal>* refused) {
  // For each pending block, walk up to a connected (or refused) ancestor or the genesis, then
  // check and connect the path downwards.
  std::vector<uint32_t> still_pending;
  std::vector<uint32_t> path;
  for (uint32_t start : pending_) {
    if (blocks_[start].height != -1) continue;  // connected or refused via an earlier path
    path.clear();
    uint32_t cur = start;
    bool reached = false;
    int32_t refused_ancestor = -1;
    while (true) {
      TreeBlock& b = blocks_[cur];
      if (b.height >= 0) {
        reached = true;
        break;
      }
      if (b.height == TreeBlock::kRefusedHeight) {
        reached = true;
        refused_ancestor = static_cast<int32_t>(cur);
        break;
      }
      path.push_back(cur);
      if (b.entry.prev_hash.IsNull()) {
        reached = true;  // the genesis (Add checked that it is)
        break;
      }
      auto parent = by_hash_.find(b.entry.prev_hash);
      if (parent == by_hash_.end()) break;
      b.parent = static_cast<int32_t>(parent->second);
      cur = parent->second;
    }
    if (!reached) {
      still_pending.push_back(start);
      continue;
    }
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      TreeBlock& b = blocks_[*it];
      if (refused_ancestor >= 0) {
        b.height = TreeBlock::kRefusedHeight;
        ++refused_;
        refused->push_back({*it,
                            absl::DataLossError(absl::StrCat("descends from the refused block ",
                                                             blocks_[refused_ancestor].hash.ToHex(),
                                                             " (bad-prevblk)")),
                            true});
        continue;
      }
      const ChainWork own = ChainWork::FromBits(b.entry.bits);
      if (b.parent < 0) {
        b.height = 0;
        b.work = own;
        b.regular_bits = b.entry.bits;
        continue;
      }
      const TreeBlock& p = blocks_[b.parent];
      const Branch branch(blocks_, static_cast<uint32_t>(b.parent));
      absl::Status s = CheckHeaderContext(params_, branch, b.entry.bits, b.entry.time);
      if (!s.ok()) {
        b.height = TreeBlock::kRefusedHeight;
        ++refused_;
        refused->push_back({*it, std::move(s), false});
        refused_ancestor = static_cast<int32_t>(*it);
        continue;
      }
      b.height = p.height + 1;
      b.work = p.work + own;
      const bool regular =
          b.height % params_.interval() == 0 || b.entry.bits != params_.pow_limit_bits;
      b.regular_bits = regular ? b.entry.bits : p.regular_bits;
    }
  }
  pending_ = std::move(still_pending);
}

std::optional<uint32_t> BlockTree::BestTip(std::optional<uint32_t> prefer) const {
  std::optional<uint32_t> best;
  for (uint32_t i = 0; i < blocks_.size(); ++i) {
    if (blocks_[i].height < 0) continue;
    if (!best.has_value() || blocks_[i].work > blocks_[*best].work) best = i;
  }
  if (best.has_value() && prefer.has_value() && *prefer < blocks_.size() &&
      blocks_[*prefer].height >= 0 && blocks_[*prefer].work == blocks_[*best].work) {
    best = prefer;
  }
  return best;
}

std::vector<uint32_t> BlockTree::ChainTo(uint32_t tip) const {
  std::vector<uint32_t> chain;
  int32_t cur = static_cast<int32_t>(tip);
  while (cur >= 0) {
    chain.push_back(static_cast<uint32_t>(cur));
    cur = blocks_[cur].parent;
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

}  // namespace ariadne::btc
