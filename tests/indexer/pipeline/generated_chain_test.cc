// The indexer on the generator's output: a Bitcoin Core-style folder (also XOR-obfuscated) is read
// like a real one, and every count of the store equals the generator's ground truth.
#include "gen/generator.h"
#include "gen/truth.h"
#include "indexer/pipeline/btc_indexer.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

TEST(GeneratedChain, IndexedCountsMatchTheGroundTruth) {
  auto dir = MakeTempDir("genidx");
  std::string digests[2];
  for (int xor_blocks = 0; xor_blocks < 2; ++xor_blocks) {
    gen::GenOptions g;
    g.out_dir = dir / (xor_blocks ? "xor" : "plain");
    g.blocks = 250;
    g.txs_per_block = 120;
    g.seed = 99;
    g.xor_blocks = xor_blocks == 1;
    g.max_blk_file_size = 4 << 20;  // several files
    ASSERT_THAT(gen::GenerateChain(g, nullptr), IsOk());
    auto truth = gen::LoadTruth(g.out_dir);
    ASSERT_THAT(truth, IsOk());
    const gen::TruthSummary& t = truth->summary();
    pipeline::IndexResult r;
    auto s = IndexInto(g.out_dir / "db", {g.out_dir / "blocks"}, Network::kRegtest, &r, 3000);
    ASSERT_THAT(s, IsOk());
    auto state = (*s)->ReadState();
    ASSERT_THAT(state, IsOk());
    EXPECT_EQ(static_cast<uint64_t>(state->tip_height + 1), t.blocks);
    EXPECT_EQ(state->tx_count, t.txs);
    EXPECT_EQ(state->input_count, t.inputs);
    EXPECT_EQ(state->output_count, t.outputs);
    EXPECT_EQ(state->addr_count, t.addresses);
    EXPECT_EQ(state->utxo_count, t.utxo_count);
    EXPECT_EQ(state->utxo_value, t.utxo_value);
    EXPECT_EQ(r.stale_blocks, 0u);
    digests[xor_blocks] = CheckedDigest(**s);
    ASSERT_FALSE(digests[xor_blocks].empty());
  }
  // Obfuscation changes the files, not what is in them.
  EXPECT_EQ(digests[0], digests[1]);
}

// Small caches force what a full chain does: the address cache drops generations (and is no longer
// "complete", so misses go to the store), and spent outputs come from the store instead of the
// prevout cache. The store must be the same as with caches that hold everything.
TEST(GeneratedChain, SmallCachesGiveTheSameStore) {
  auto dir = MakeTempDir("gencache");
  gen::GenOptions g;
  g.out_dir = dir / "chain";
  g.blocks = 200;
  g.txs_per_block = 100;
  g.seed = 7;
  ASSERT_THAT(gen::GenerateChain(g, nullptr), IsOk());
  auto truth = gen::LoadTruth(g.out_dir);
  ASSERT_THAT(truth, IsOk());
  std::string digests[2];
  for (int small = 0; small < 2; ++small) {
    store::StoreOptions so;
    so.create_if_missing = true;
    so.network = Network::kRegtest;
    auto s = store::Store::Open(dir / (small ? "small" : "large"), so);
    ASSERT_THAT(s, IsOk());
    pipeline::BtcIndexOptions o;
    o.inputs = {g.out_dir / "blocks"};
    o.commit_txs = 1000;
    if (small == 1) {
      o.address_cache_entries = 2000;
      o.prevout_cache_txs = 300;
    }
    pipeline::IndexResult r;
    ASSERT_THAT(pipeline::IndexBitcoin(s->get(), o, &r), IsOk());
    EXPECT_EQ(r.txs, truth->summary().txs);
    digests[small] = CheckedDigest(**s);
    ASSERT_FALSE(digests[small].empty());
  }
  EXPECT_EQ(digests[0], digests[1]);
}

}  // namespace
}  // namespace ariadne::testing
