#include "indexer/btc/block_tree.h"

#include <algorithm>

namespace ariadne::btc {

bool BlockTree::Add(const BlockHash& hash, const store::BlockIndexEntry& entry) {
  auto [it, inserted] = by_hash_.emplace(hash, static_cast<uint32_t>(blocks_.size()));
  if (!inserted) return false;
  TreeBlock b;
  b.hash = hash;
  b.entry = entry;
  blocks_.push_back(b);
  pending_.push_back(it->second);
  return true;
}

std::optional<uint32_t> BlockTree::Find(const BlockHash& hash) const {
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::nullopt;
  return it->second;
}

std::optional<uint32_t> BlockTree::BestTip(std::optional<uint32_t> prefer) {
  // Connect pending blocks: walk up to a connected ancestor or a root, then assign downwards.
  std::vector<uint32_t> still_pending;
  std::vector<uint32_t> path;
  for (uint32_t start : pending_) {
    if (blocks_[start].height >= 0) continue;
    path.clear();
    uint32_t cur = start;
    bool connected = false;
    while (true) {
      TreeBlock& b = blocks_[cur];
      if (b.height >= 0) {
        connected = true;
        break;
      }
      path.push_back(cur);
      if (b.entry.prev_hash.IsNull()) {
        connected = true;  // a root
        break;
      }
      auto parent = Find(b.entry.prev_hash);
      if (!parent.has_value()) break;
      b.parent = static_cast<int32_t>(*parent);
      cur = *parent;
    }
    if (!connected) {
      still_pending.push_back(start);
      continue;
    }
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      TreeBlock& b = blocks_[*it];
      ChainWork own = ChainWork::FromBits(b.entry.bits);
      if (b.parent < 0) {
        b.height = 0;
        b.work = own;
      } else {
        const TreeBlock& p = blocks_[b.parent];
        b.height = p.height + 1;
        b.work = p.work + own;
      }
    }
  }
  pending_ = std::move(still_pending);

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
