// What a run loads before it applies anything is sized by what it applies: a run with nothing new
// loads no caches or clustering and plans no memory; a run of a block or two starts with empty
// caches instead of reading the saved ones (which cost more to read than the lookups they save);
// a longer run reads them. The store is the same either way.
#include "gen/generator.h"
#include "tests/indexer/pipeline/fork_builder.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

TEST(RunStart, WhatARunLoadsIsSizedByTheBlocksItApplies) {
  const auto dir = MakeTempDir("run-start");
  gen::GenOptions g;
  g.out_dir = dir / "gen";
  g.blocks = 300;
  g.txs_per_block = 20;
  g.seed = 21;
  g.write_truth = false;
  ASSERT_THAT(gen::GenerateChain(g, nullptr), IsOk());
  auto files = btc::ListBlkFiles(g.out_dir / "blocks");
  ASSERT_THAT(files, IsOk());
  auto chain = ReadChain(*files, Network::kRegtest);
  ASSERT_THAT(chain, IsOk());
  ASSERT_EQ(chain->size(), 300u);
  const auto part = [&](size_t from, size_t to) {
    return std::vector<RawBlock>(chain->begin() + from, chain->begin() + to);
  };
  ASSERT_THAT(WriteBlkFile(dir / "a.dat", part(0, 250), Network::kRegtest), IsOk());
  ASSERT_THAT(WriteBlkFile(dir / "b.dat", part(250, 251), Network::kRegtest), IsOk());
  ASSERT_THAT(WriteBlkFile(dir / "c.dat", part(251, 300), Network::kRegtest), IsOk());

  store::StoreOptions so;
  so.create_if_missing = true;
  so.network = Network::kRegtest;
  auto st = store::Store::Open(dir / "db", so);
  ASSERT_THAT(st, IsOk());
  int plans = 0;
  auto run = [&](std::vector<std::filesystem::path> inputs, pipeline::IndexResult* r) {
    pipeline::BtcIndexOptions o;
    o.inputs = std::move(inputs);
    o.memory_budget_bytes = uint64_t{256} << 20;
    o.on_memory_plan = [&plans](const pipeline::MemoryPlan&) { ++plans; };
    return pipeline::IndexBitcoin(st->get(), o, r);
  };

  pipeline::IndexResult r;
  ASSERT_THAT(run({dir / "a.dat"}, &r), IsOk());
  EXPECT_EQ(r.tip_height, 249);
  EXPECT_EQ(plans, 1);
  const auto cache = dir / "db" / "index-cache";
  ASSERT_TRUE(std::filesystem::exists(cache / "address.cache"));
  ASSERT_TRUE(std::filesystem::exists(cache / "prevout.cache"));

  // One block of 20 transactions beside caches of 250 blocks (about 15x its size): not read.
  ASSERT_THAT(run({dir / "a.dat", dir / "b.dat"}, &r), IsOk());
  EXPECT_EQ(r.blocks_applied, 1u);
  EXPECT_FALSE(r.caches_loaded) << "block file " << std::filesystem::file_size(dir / "b.dat")
                                << " bytes; caches "
                                << std::filesystem::file_size(cache / "address.cache") << " + "
                                << std::filesystem::file_size(cache / "prevout.cache");
  EXPECT_GT(r.lookups.prevout_store_reads, 0u) << "the empty cache was filled from the store";
  EXPECT_EQ(plans, 2);

  // Nothing new: nothing is loaded or planned.
  ASSERT_THAT(run({dir / "a.dat", dir / "b.dat"}, &r), IsOk());
  EXPECT_EQ(r.blocks_applied, 0u);
  EXPECT_EQ(r.tip_height, 250);
  EXPECT_EQ(plans, 2);

  // 49 blocks: the caches saved by the one-block run are read.
  ASSERT_THAT(run({dir / "a.dat", dir / "b.dat", dir / "c.dat"}, &r), IsOk());
  EXPECT_EQ(r.blocks_applied, 49u);
  EXPECT_TRUE(r.caches_loaded);
  EXPECT_GT(r.lookups.prevout_cache_hits, 0u);
  EXPECT_EQ(plans, 3);

  auto fresh =
      IndexInto(dir / "fresh", {dir / "a.dat", dir / "b.dat", dir / "c.dat"}, Network::kRegtest);
  ASSERT_THAT(fresh, IsOk());
  EXPECT_EQ(CheckedDigest(**st), CheckedDigest(**fresh));
}

}  // namespace
}  // namespace ariadne::testing
