// One memory budget for `ariadne index btc` (`--memory-mb`, DESIGN.md "Scale"): how it is split
// between the store (block cache, memtables), the parts that grow with the chain (clustering,
// address filter, block tree), the batches and queues in flight, and the two caches, which take
// what is left. docs/performance.md shows the split at 1 GiB and 4 GiB and at mainnet's size.
//
// The split is made twice: the store's shares when it is opened (they depend on the budget only),
// the rest once the indexer knows the chain it is about to apply (how many addresses the growing
// parts must hold at the end of the run).
#ifndef ARIADNE_INDEXER_PIPELINE_MEMORY_BUDGET_H_
#define ARIADNE_INDEXER_PIPELINE_MEMORY_BUDGET_H_

#include <cstdint>
#include <string>

namespace ariadne::pipeline {

// Bytes per element of what grows with the chain (besides the observers' own state), as measured.
struct GrowthCosts {
  // Default 1.5: the address filter at 10 bits per key, with headroom for its growth.
  double filter_per_address = 1.5;
  // Default 160: the block tree and the height index, per block.
  double per_block = 160;
};

// Bytes per entry of the caches, for turning their shares into capacities.
struct CacheCosts {
  // Default 56: the address cache (two generations of hash tables at 7/8 load or less).
  double per_address_entry = 56;
  // Default 160: the prevout cache per transaction with unspent outputs (table slot, outputs).
  double per_prevout_tx = 160;
  // Default 1,400: one transaction's rows in a commit batch, with the batch's statistics map.
  double per_batch_tx = 1400;
};

// The store's shares of a budget.
struct StoreShares {
  uint64_t block_cache_bytes = 0;  // RocksDB block cache: data blocks, index and filter partitions
  uint64_t memtable_bytes = 0;     // RocksDB write buffers (the indexer ingests files: small)
};
// Returns: the store's shares of `budget_bytes`: the block cache 1/8 (32 MiB .. 2 GiB), memtables
// 1/64 (16 .. 128 MiB).
StoreShares SplitStoreShares(uint64_t budget_bytes);

// What the indexer knows when it plans the rest.
struct ChainFacts {
  uint64_t addresses_at_end = 0;  // the store's addresses plus those the run may add
  uint64_t blocks_at_end = 0;     // blocks of the block tree (every block seen in the files)
  // What the observers will hold at the end of the run (clustering: union-find, cluster sizes,
  // pending change candidates), as they estimate it (IndexObserver::MemoryAtEnd).
  uint64_t observer_bytes = 0;
  // What the observers keep in memory-mapped files (the clustering's union-find). Resident pages
  // of a mapping count in RSS: the plan reserves room for it while it is at most a quarter of the
  // budget, and leaves it to the page cache beyond (at Bitcoin's size, 7.3 GB).
  uint64_t mapped_bytes = 0;
};

struct MemoryPlan {
  uint64_t budget_bytes = 0;
  StoreShares store;
  uint64_t read_queue_bytes = 0;     // decoded blocks between the reader and the main thread
  uint64_t commit_batch_bytes = 0;   // both batches in flight (one built, one being written)
  uint64_t fixed_bytes = 0;          // code, thread stacks, allocator slack, RocksDB tables
  uint64_t observer_bytes = 0;       // clustering: union-find, cluster sizes, pending candidates
  uint64_t mapped_bytes = 0;         // clustering: the union-find's mapped file
  bool mapped_in_budget = false;     // whether the plan reserved room for the mapped file
  uint64_t filter_bytes = 0;         // address filter at the run's end
  uint64_t block_tree_bytes = 0;     // block tree and height index
  uint64_t address_cache_bytes = 0;  // what is left, split between the two caches
  uint64_t prevout_cache_bytes = 0;
  // Capacities derived from the shares.
  uint64_t address_cache_entries = 0;
  uint64_t prevout_cache_txs = 0;
  uint64_t commit_txs = 0;  // transactions per commit that fit the batch share
  // Set when the parts that grow with the chain leave the caches less than their minimum (1/16
  // of the budget each): the budget is too small for this chain.
  bool over_budget = false;
};

// Splits `budget_bytes` for a run on a chain described by `facts`.
MemoryPlan PlanMemory(uint64_t budget_bytes, const ChainFacts& facts,
                      const GrowthCosts& growth = GrowthCosts(),
                      const CacheCosts& caches = CacheCosts());

// Returns: the plan as a few lines of text ("memory budget 4,096 MiB: block cache 512 MiB, ...").
std::string DescribePlan(const MemoryPlan& plan);

}  // namespace ariadne::pipeline

#endif  // ARIADNE_INDEXER_PIPELINE_MEMORY_BUDGET_H_
