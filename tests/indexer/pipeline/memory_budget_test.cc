// The memory budget's split: every share within the budget, the caches taking what is left, and a
// chain whose growing parts do not fit flagged rather than silently exceeding it.
#include "indexer/pipeline/memory_budget.h"

#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;

uint64_t Sum(const pipeline::MemoryPlan& p) {
  return p.store.block_cache_bytes + p.store.memtable_bytes + p.read_queue_bytes +
         p.commit_batch_bytes + p.fixed_bytes + p.observer_bytes +
         (p.mapped_in_budget ? p.mapped_bytes : 0) + p.filter_bytes + p.block_tree_bytes +
         p.address_cache_bytes + p.prevout_cache_bytes;
}

TEST(MemoryBudget, TheSharesAddUpToTheBudget) {
  for (uint64_t mb : {1024, 4096, 16384}) {
    pipeline::ChainFacts facts;
    facts.addresses_at_end = 20'000'000;
    facts.blocks_at_end = 20'000;
    facts.observer_bytes = 200 * kMiB;
    facts.mapped_bytes = 100 * kMiB;
    const pipeline::MemoryPlan p = pipeline::PlanMemory(mb * kMiB, facts);
    SCOPED_TRACE(pipeline::DescribePlan(p));
    EXPECT_FALSE(p.over_budget);
    EXPECT_TRUE(p.mapped_in_budget);
    EXPECT_LE(Sum(p), mb * kMiB);
    EXPECT_GE(Sum(p), mb * kMiB - 2);  // the caches take what is left (rounding aside)
    EXPECT_GT(p.address_cache_entries, 0u);
    EXPECT_GT(p.prevout_cache_txs, 0u);
    EXPECT_GE(p.commit_txs, 1000u);
  }
}

TEST(MemoryBudget, ASmallerBudgetShrinksTheCachesNotTheGrowingParts) {
  pipeline::ChainFacts facts;
  facts.addresses_at_end = 10'000'000;
  facts.observer_bytes = 80 * kMiB;
  const pipeline::MemoryPlan big = pipeline::PlanMemory(4096 * kMiB, facts);
  const pipeline::MemoryPlan small = pipeline::PlanMemory(1024 * kMiB, facts);
  EXPECT_EQ(small.filter_bytes, big.filter_bytes);
  EXPECT_EQ(small.observer_bytes, big.observer_bytes);
  EXPECT_LT(small.address_cache_entries, big.address_cache_entries / 3);
  EXPECT_LT(small.store.block_cache_bytes, big.store.block_cache_bytes);
  EXPECT_LT(small.commit_txs, big.commit_txs);
}

// Bitcoin's size at the default budget: the union-find (1.45e9 x 5 bytes) is left to the page
// cache, the filter alone takes 2 GiB, and the plan says the caches are below their minimum.
TEST(MemoryBudget, MainnetsUnionFindIsMappedAndTheOverflowIsFlagged) {
  pipeline::ChainFacts facts;
  facts.addresses_at_end = 1'450'000'000;
  facts.blocks_at_end = 900'000;
  facts.mapped_bytes = 1'450'000'000ULL * 5;
  facts.observer_bytes = 1'200 * kMiB;
  const pipeline::MemoryPlan p = pipeline::PlanMemory(4096 * kMiB, facts);
  EXPECT_FALSE(p.mapped_in_budget);
  EXPECT_TRUE(p.over_budget);
  EXPECT_THAT(pipeline::DescribePlan(p), ::testing::HasSubstr("left to the page cache"));
  EXPECT_THAT(pipeline::DescribePlan(p), ::testing::HasSubstr("OVER BUDGET"));
}

}  // namespace
}  // namespace ariadne::testing
