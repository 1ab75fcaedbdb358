#include "indexer/pipeline/prevout_cache.h"

#include <algorithm>
#include <vector>

#include "engine/files/checked_file.h"

namespace ariadne::pipeline {

void PrevoutCache::Add(const Txid& txid, TxNum num, uint64_t first_out,
                       std::span<const CachedOutput> outputs) {
  Entry e;
  e.num = num.value();
  e.first_out = first_out;
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
                                         CachedOutput* out, uint64_t* out_num) {
  auto it = map_.find(txid);
  if (it == map_.end()) return Result::kMissing;
  Entry& e = it->second;
  if (vout >= e.count) return Result::kBadVout;
  CachedOutput& o = e.outputs[vout];
  if (o.spent) return Result::kAlreadySpent;
  o.spent = true;
  *out = o;
  *num = TxNum(e.num);
  if (out_num != nullptr) {
    *out_num = e.first_out == store::kUnknownOutNum ? store::kUnknownOutNum : e.first_out + vout;
  }
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

absl::Status PrevoutCache::Save(const std::filesystem::path& path, std::string_view binding) const {
  return files::WriteCheckedFile(path, "ARDNPO02", binding, [&](files::CheckedWriter& w) {
    w.Put<uint8_t>(complete_ ? 1 : 0);
    w.Put<uint64_t>(map_.size());
    for (const auto& [txid, e] : map_) {
      w.Bytes(txid.data(), 32);
      w.Put(e.num);
      w.Put(e.first_out);
      w.Put(e.count);
      for (uint32_t i = 0; i < e.count; ++i) {
        const CachedOutput& o = e.outputs[i];
        w.Put(o.value);
        w.Put(o.addr);
        w.Put(static_cast<uint8_t>(o.type));
        w.Put<uint8_t>(o.spent ? 1 : 0);
      }
    }
  });
}

absl::Status PrevoutCache::Load(const std::filesystem::path& path, std::string_view binding) {
  Clear();
  absl::Status s = files::ReadCheckedFile(path, "ARDNPO02", binding, [&](files::CheckedReader& r) {
    const bool complete = r.Get<uint8_t>() != 0;
    const uint64_t n = r.Get<uint64_t>();
    if (!r.Fits(n, 52)) return false;
    map_.reserve(n);
    std::vector<CachedOutput> outputs;
    for (uint64_t i = 0; i < n && r.ok(); ++i) {
      uint8_t txid[32];
      r.Bytes(txid, 32);
      const uint64_t num = r.Get<uint64_t>();
      const uint64_t first_out = r.Get<uint64_t>();
      const uint32_t count = r.Get<uint32_t>();
      if (!r.Fits(count, 14)) return false;
      outputs.resize(count);
      for (CachedOutput& o : outputs) {
        o.value = r.Get<int64_t>();
        o.addr = r.Get<uint32_t>();
        o.type = static_cast<ScriptType>(r.Get<uint8_t>());
        o.spent = r.Get<uint8_t>() != 0;
      }
      Add(Txid::FromBytes(txid), TxNum(num), first_out, outputs);
    }
    complete_ = complete;
    return r.ok();
  });
  if (!s.ok()) Clear();
  return s;
}

void PrevoutCache::Clear() {
  map_.clear();
  complete_ = false;
}

}  // namespace ariadne::pipeline
