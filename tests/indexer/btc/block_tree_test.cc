// The block tree checks what it links: real mainnet headers 0..8999 and Core's alternative
// mainnet chain (its retarget at 2016) connect; forged headers are refused, and so is everything
// built on them; testnet's rules are exercised on a chain mined under easy custom parameters.
#include "indexer/btc/block_tree.h"

#include "indexer/btc/block.h"
#include "indexer/btc/compact_target.h"
#include "indexer/btc/difficulty.h"
#include "tests/indexer/btc/chain_builder.h"
#include "tests/testutil.h"

namespace ariadne::btc {
namespace {

using ariadne::testing::MakeTestBlock;
using ariadne::testing::TestBlock;
using ariadne::testing::TestHeader;

store::BlockIndexEntry EntryOf(const BlockHeader& h) {
  store::BlockIndexEntry e;
  e.prev_hash = h.prev_hash;
  e.bits = h.bits;
  e.time = h.time;
  return e;
}

absl::StatusOr<bool> AddHeader(BlockTree* tree, const uint8_t* header) {
  const BlockHeader h = DecodeHeader(header);
  return tree->Add(h.hash, EntryOf(h));
}

TEST(BlockTree, RealMainnetHeadersConnectInAnyOrder) {
  REQUIRE_TESTDATA();
  const auto headers = ariadne::testing::MainnetHeaders();
  ASSERT_EQ(headers.size(), 9000u);
  for (bool reversed : {false, true}) {
    BlockTree tree(PowParamsOf(Network::kMainnet));
    for (size_t i = 0; i < headers.size(); ++i) {
      const auto& raw = headers[reversed ? headers.size() - 1 - i : i];
      ASSERT_THAT(AddHeader(&tree, raw.data()), IsOk()) << i;
    }
    std::vector<BlockTree::Refusal> refused;
    tree.Connect(&refused);
    EXPECT_TRUE(refused.empty());
    auto best = tree.BestTip();
    ASSERT_TRUE(best.has_value());
    EXPECT_EQ(tree.block(*best).height, 8999);
    EXPECT_EQ(tree.block(*best).hash, DecodeHeader(headers.back().data()).hash);
    // Every block of difficulty 1: 9,000 x 0x100010001.
    EXPECT_EQ(tree.block(*best).work.ToHex(), std::string(52, '0') + "232823282328");
    EXPECT_EQ(tree.unconnected(), 0u);
  }
}

TEST(BlockTree, CoresAlternativeMainnetConnectsThroughItsRetarget) {
  REQUIRE_TESTDATA();
  BlockTree tree(PowParamsOf(Network::kMainnet));
  ASSERT_THAT(AddHeader(&tree, ariadne::testing::MainnetHeaders()[0].data()), IsOk());
  const std::vector<TestBlock> alt = ariadne::testing::CoreMainnetAltChain();
  for (const TestBlock& b : alt) ASSERT_THAT(AddHeader(&tree, b.bytes.data()), IsOk());
  std::vector<BlockTree::Refusal> refused;
  tree.Connect(&refused);
  EXPECT_TRUE(refused.empty()) << refused.front().status;
  auto best = tree.BestTip();
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(tree.block(*best).height, 2016);
  EXPECT_EQ(tree.block(*best).entry.bits, 0x1c3fffc0u);
  EXPECT_EQ(tree.block(*best).hash.ToHex(),
            "000000000c806553811fd3e6c40bc9c279db53643da7d3b401a9882c074c24b2");
}

TEST(BlockTree, AForgedHeaderIsNeverAdded) {
  REQUIRE_TESTDATA();
  BlockTree tree(PowParamsOf(Network::kMainnet));
  const auto headers = ariadne::testing::MainnetHeaders();
  ASSERT_THAT(AddHeader(&tree, headers[0].data()), IsOk());
  // Block 1 claiming 256 times its work (bits 0x1b00ffff): the hash does not meet that target.
  std::vector<uint8_t> forged = headers[1];
  const uint32_t bits = 0x1b00ffff;
  std::memcpy(forged.data() + 72, &bits, 4);
  EXPECT_THAT(AddHeader(&tree, forged.data()),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "(high-hash)"));
  EXPECT_EQ(tree.size(), 1u);
  EXPECT_FALSE(tree.Find(DecodeHeader(forged.data()).hash).has_value());
  // A second block without a parent: not the genesis.
  std::vector<uint8_t> root = headers[1];
  std::memset(root.data() + 4, 0, 32);
  EXPECT_THAT(AddHeader(&tree, root.data()),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "(bad-genesis)"));
  EXPECT_EQ(tree.size(), 1u);
}

// Testnet's rules under an easy limit (about 2^9 hashes a block), 16 one-second blocks a period:
// cheap to mine in a test. (Regtest's own limit would overflow the retarget's product.)
constexpr uint32_t kEasyLimit = 0x1f7fffff;

PowParams EasyTestnet(const BlockHash& genesis) {
  PowParams p = PowParamsOf(Network::kTestnet);
  p.pow_limit = TargetFromCompact(kEasyLimit);
  p.pow_limit_bits = kEasyLimit;
  p.target_spacing = 1;
  p.target_timespan = 16;
  p.genesis = genesis;
  return p;
}

class Chain {
 public:
  explicit Chain(BlockTree* tree) : tree_(tree) {}
  // Mines a block on `parent` (an index into blocks()) and adds it to the tree.
  size_t Mine(size_t parent, uint32_t time, uint32_t bits, const std::string& tag = "") {
    TestHeader h;
    h.prev = parent == kNone ? BlockHash() : blocks_[parent].hash;
    h.height = parent == kNone ? 0 : heights_[parent] + 1;
    h.time = time;
    h.bits = bits;
    h.tag = tag;
    blocks_.push_back(MakeTestBlock(h));
    heights_.push_back(h.height);
    EXPECT_THAT(AddHeader(tree_, blocks_.back().bytes.data()), IsOk());
    return blocks_.size() - 1;
  }
  const BlockHash& hash(size_t i) const { return blocks_[i].hash; }
  static constexpr size_t kNone = SIZE_MAX;

 private:
  BlockTree* tree_;
  std::vector<TestBlock> blocks_;
  std::vector<uint32_t> heights_;
};

TEST(BlockTree, TestnetRulesRefuseWrongBitsAndEverythingOnTop) {
  TestHeader g;
  g.time = 1'600'000'000;
  g.bits = kEasyLimit;
  g.tag = "easy genesis";
  const BlockHash genesis = MakeTestBlock(g).hash;
  const PowParams params = EasyTestnet(genesis);
  BlockTree tree(params);
  Chain c(&tree);
  size_t tip = c.Mine(Chain::kNone, g.time, kEasyLimit, g.tag);
  ASSERT_EQ(c.hash(tip), genesis);
  // A period that took 15 s of its 16: the retarget at 16 is 15/16 of the limit.
  uint32_t t = g.time;
  for (int h = 1; h < 16; ++h) tip = c.Mine(tip, ++t, kEasyLimit);
  const uint32_t harder = RetargetBits(params, kEasyLimit, 15);
  EXPECT_EQ(harder, 0x1f77ffffu);
  tip = c.Mine(tip, ++t, harder);  // 16
  tip = c.Mine(tip, ++t, harder);  // 17
  // Two late blocks (more than twice the spacing) may be minimum difficulty; the next prompt one
  // must walk back to 17's bits.
  tip = c.Mine(tip, t += 3, kEasyLimit);  // 18
  tip = c.Mine(tip, t += 3, kEasyLimit);  // 19
  const size_t good = c.Mine(tip, t + 1, harder, "good");
  const size_t bad = c.Mine(tip, t + 1, kEasyLimit, "bad");
  const size_t on_bad = c.Mine(bad, t + 2, kEasyLimit, "on bad");

  std::vector<BlockTree::Refusal> refused;
  tree.Connect(&refused);
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_EQ(tree.block(refused[0].block).hash, c.hash(bad));
  EXPECT_THAT(refused[0].status,
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "bits 1f7fffff where the difficulty rules of testnet require "
                                  "1f77ffff at height 20 (bad-diffbits)"));
  EXPECT_FALSE(refused[0].descendant);
  EXPECT_EQ(tree.block(refused[1].block).hash, c.hash(on_bad));
  EXPECT_TRUE(refused[1].descendant);
  EXPECT_THAT(refused[1].status, StatusIsWithMessage(absl::StatusCode::kDataLoss, "(bad-prevblk)"));
  // The refused branch would be longer; it is no branch at all.
  auto best = tree.BestTip();
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(tree.block(*best).hash, c.hash(good));
  EXPECT_EQ(tree.block(*best).height, 20);
  EXPECT_FALSE(tree.Find(c.hash(bad)).has_value());
  EXPECT_FALSE(tree.Find(c.hash(on_bad)).has_value());
  EXPECT_EQ(tree.refused(), 2u);

  // What arrives later on top of a refused block is refused too; known hashes are not re-added.
  const size_t later = c.Mine(on_bad, t + 5, kEasyLimit, "later");
  refused.clear();
  tree.Connect(&refused);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(tree.block(refused[0].block).hash, c.hash(later));
  EXPECT_TRUE(refused[0].descendant);
  store::BlockIndexEntry again;
  again.prev_hash = c.hash(tip);
  again.bits = kEasyLimit;
  again.time = t + 1;
  auto added = tree.Add(c.hash(bad), again);
  ASSERT_THAT(added, IsOk());
  EXPECT_FALSE(*added);
}

TEST(BlockTree, ATimestampBelowTheMedianIsRefused) {
  const TestBlock genesis = ariadne::testing::RegtestGenesis();
  BlockTree tree(PowParamsOf(Network::kRegtest));
  ASSERT_THAT(AddHeader(&tree, genesis.bytes.data()), IsOk());
  const uint32_t t0 = DecodeHeader(genesis.bytes.data()).time;
  auto blocks = ariadne::testing::RegtestBlocks(genesis.hash, 0, t0, 11, "a");
  for (const auto& b : blocks) ASSERT_THAT(AddHeader(&tree, b.bytes.data()), IsOk());
  TestHeader old;
  old.prev = blocks.back().hash;
  old.height = 12;
  old.time = t0 + 600 * 6;  // the median of blocks 1..11
  const TestBlock stale = MakeTestBlock(old);
  ASSERT_THAT(AddHeader(&tree, stale.bytes.data()), IsOk());
  std::vector<BlockTree::Refusal> refused;
  tree.Connect(&refused);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_THAT(refused[0].status,
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "(time-too-old)"));
  EXPECT_EQ(tree.block(*tree.BestTip()).height, 11);
}

}  // namespace
}  // namespace ariadne::btc
