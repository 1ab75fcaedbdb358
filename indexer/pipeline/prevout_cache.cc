#include "indexer/pipeline/prevout_cache.h"

#include <algorithm>
#include <vector>

namespace ariadne::pipeline {

void PrevoutCache::Add(const Txid& txid, TxNum num, std::span<const CachedOutput> outputs) {
  Entry e;
  e.num = num.value();
  e.count = static_cast<uint32_t>(outputs.size());
  e.unspent = 0;
  e.outputs.reset(new CachedOutput[outputs.size()]);
  for (size_t i = 0; i < outputs.size(); ++i) {
    e.outputs[i] = outputs[i];
    if (outputs[i].type == ScriptType::kOpReturn) e.outputs[i].spent = true;
    e.unspent += e.outputs[i].spent ? 0 : 1;
  }
  if (e.unspent == 0) {
    map_.erase(txid);
    return;
  }
  map_.insert_or_assign(txid, std::move(e));
}

PrevoutCache::Result PrevoutCache::Spend(const Txid& txid, uint32_t vout, TxNum* num,
                                         CachedOutput* out) {
  auto it = map_.find(txid);
  if (it == map_.end()) return Result::kMissing;
  Entry& e = it->second;
  if (vout >= e.count) return Result::kBadVout;
  CachedOutput& o = e.outputs[vout];
  if (o.spent) return Result::kAlreadySpent;
  o.spent = true;
  *out = o;
  *num = TxNum(e.num);
  if (--e.unspent == 0) map_.erase(it);
  return Result::kOk;
}

bool PrevoutCache::Evict(TxNum keep_from) {
  if (map_.size() <= capacity_) return false;
  // Evict the older half of what may be evicted: find the median TxNum of evictable entries.
  std::vector<uint64_t> nums;
  nums.reserve(map_.size());
  for (const auto& [txid, e] : map_) {
    if (e.num < keep_from.value()) nums.push_back(e.num);
  }
  if (nums.empty()) return false;
  const size_t target = std::min(nums.size(), map_.size() - capacity_ / 2);
  std::nth_element(nums.begin(), nums.begin() + (target - 1), nums.end());
  const uint64_t cutoff = nums[target - 1];
  absl::erase_if(map_, [&](const auto& kv) { return kv.second.num <= cutoff; });
  complete_ = false;
  return true;
}

void PrevoutCache::Clear() {
  map_.clear();
  complete_ = false;
}

}  // namespace ariadne::pipeline
