#include "indexer/pipeline/memory_budget.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace ariadne::pipeline {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

uint64_t Clamp(uint64_t v, uint64_t lo, uint64_t hi) { return std::min(std::max(v, lo), hi); }

std::string MiB(uint64_t bytes) {
  return absl::StrFormat("%.0f MiB", static_cast<double>(bytes) / static_cast<double>(kMiB));
}

}  // namespace

StoreShares SplitStoreShares(uint64_t budget_bytes) {
  StoreShares s;
  s.block_cache_bytes = Clamp(budget_bytes / 8, 32 * kMiB, 2048 * kMiB);
  s.memtable_bytes = Clamp(budget_bytes / 64, 16 * kMiB, 128 * kMiB);
  return s;
}

MemoryPlan PlanMemory(uint64_t budget_bytes, const ChainFacts& facts, const GrowthCosts& growth,
                      const CacheCosts& caches) {
  MemoryPlan p;
  p.budget_bytes = budget_bytes;
  p.store = SplitStoreShares(budget_bytes);
  p.read_queue_bytes = Clamp(budget_bytes / 64, 16 * kMiB, 128 * kMiB);
  p.commit_batch_bytes = Clamp(budget_bytes * 3 / 16, 48 * kMiB, 1536 * kMiB);
  // Code and libraries (~40 MiB resident), thread stacks, RocksDB's table readers and compaction
  // buffers, and the allocator's slack.
  p.fixed_bytes = 48 * kMiB + budget_bytes / 16;
  const double addresses = static_cast<double>(facts.addresses_at_end);
  p.observer_bytes = facts.observer_bytes;
  p.mapped_bytes = facts.mapped_bytes;
  p.mapped_in_budget = facts.mapped_bytes <= budget_bytes / 4;
  p.filter_bytes = static_cast<uint64_t>(addresses * growth.filter_per_address);
  p.block_tree_bytes =
      static_cast<uint64_t>(static_cast<double>(facts.blocks_at_end) * growth.per_block);
  const uint64_t taken = p.store.block_cache_bytes + p.store.memtable_bytes + p.read_queue_bytes +
                         p.commit_batch_bytes + p.fixed_bytes + p.observer_bytes +
                         (p.mapped_in_budget ? p.mapped_bytes : 0) + p.filter_bytes +
                         p.block_tree_bytes;
  const uint64_t minimum = budget_bytes / 16;
  uint64_t left = budget_bytes > taken ? budget_bytes - taken : 0;
  if (left < 2 * minimum) {
    p.over_budget = true;
    left = 2 * minimum;
  }
  // Address misses that the filter cannot answer cost a store lookup (a seek and a row read);
  // prevout misses cost a txid seek and a tx row read. Equal shares measured best at 1 and 4 GiB
  // on the 5M chain (docs/performance.md).
  p.address_cache_bytes = left / 2;
  p.prevout_cache_bytes = left - p.address_cache_bytes;
  p.address_cache_entries =
      static_cast<uint64_t>(static_cast<double>(p.address_cache_bytes) / caches.per_address_entry);
  p.prevout_cache_txs =
      static_cast<uint64_t>(static_cast<double>(p.prevout_cache_bytes) / caches.per_prevout_tx);
  // Two batches are in flight: one being built, one being written.
  p.commit_txs = std::max<uint64_t>(
      1000,
      static_cast<uint64_t>(static_cast<double>(p.commit_batch_bytes) / (2 * caches.per_batch_tx)));
  return p;
}

std::string DescribePlan(const MemoryPlan& p) {
  return absl::StrFormat(
      "memory budget %s: store block cache %s, memtables %s; read queue %s, commit batches %s "
      "(%d txs each), fixed %s; growing with the chain: clustering %s "
      "(and %s mapped%s), address filter %s, block tree %s; caches: addresses %s (%d entries), "
      "prevouts %s (%d "
      "txs)%s",
      MiB(p.budget_bytes), MiB(p.store.block_cache_bytes), MiB(p.store.memtable_bytes),
      MiB(p.read_queue_bytes), MiB(p.commit_batch_bytes), p.commit_txs, MiB(p.fixed_bytes),
      MiB(p.observer_bytes), MiB(p.mapped_bytes),
      p.mapped_in_budget ? "" : ", left to the page cache", MiB(p.filter_bytes),
      MiB(p.block_tree_bytes), MiB(p.address_cache_bytes), p.address_cache_entries,
      MiB(p.prevout_cache_bytes), p.prevout_cache_txs,
      p.over_budget ? "; OVER BUDGET: the parts that grow with the chain leave the caches less "
                      "than their minimum"
                    : "");
}

}  // namespace ariadne::pipeline
