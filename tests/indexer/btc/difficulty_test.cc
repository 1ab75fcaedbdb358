// The difficulty rules against Bitcoin Core's unit-test values (src/test/pow_tests.cpp: real
// mainnet retargets at heights 32256, 68544, 46368), every real header of mainnet heights
// 0..8999, Core's alternative mainnet chain (its first retarget is clamped to 4x), and the
// testnet, testnet4, regtest and signet variants on constructed ancestries.
#include "indexer/btc/difficulty.h"

#include "engine/core/hash.h"
#include "indexer/btc/block.h"
#include "tests/indexer/btc/chain_builder.h"
#include "tests/testutil.h"

namespace ariadne::btc {
namespace {

using ariadne::testing::ListAncestry;

constexpr uint32_t kDifficulty1 = 0x1d00ffff;

TEST(Difficulty, RetargetsOfCoresPowTests) {
  const PowParams& main = PowParamsOf(Network::kMainnet);
  // get_next_work: blocks 30240..32255, the first real difficulty change.
  EXPECT_EQ(RetargetBits(main, 0x1d00ffff, 1262152739 - 1261130161), 0x1d00d86au);
  // get_next_work_pow_limit: blocks 0..2015 took longer than two weeks; capped at the limit.
  EXPECT_EQ(RetargetBits(main, 0x1d00ffff, 1233061996 - 1231006505), 0x1d00ffffu);
  // get_next_work_lower_limit_actual: blocks 66528..68543 took under half a week: 4x harder.
  EXPECT_EQ(RetargetBits(main, 0x1c05a3f4, 1279297671 - 1279008237), 0x1c0168fdu);
  // get_next_work_upper_limit_actual: a period of more than eight weeks: 4x easier.
  EXPECT_EQ(RetargetBits(main, 0x1c387f6f, 1269211443 - 1263163443), 0x1d00e1fdu);
}

std::vector<AncestorHeader> HeadersOf(const std::vector<std::vector<uint8_t>>& raw) {
  std::vector<AncestorHeader> out;
  for (const auto& h : raw) {
    const BlockHeader d = DecodeHeader(h.data());
    out.push_back({d.bits, d.time});
  }
  return out;
}

TEST(Difficulty, EveryRealMainnetHeaderTo8999CarriesTheRequiredBits) {
  REQUIRE_TESTDATA();
  const std::vector<AncestorHeader> headers = HeadersOf(ariadne::testing::MainnetHeaders());
  ASSERT_EQ(headers.size(), 9000u);
  const PowParams& main = PowParamsOf(Network::kMainnet);
  int boundaries = 0;
  for (size_t h = 1; h < headers.size(); ++h) {
    const ListAncestry chain(std::span(headers).first(h), main.pow_limit_bits);
    EXPECT_EQ(NextWorkRequired(main, chain, headers[h].time), headers[h].bits) << "height " << h;
    boundaries += h % 2016 == 0 ? 1 : 0;
  }
  EXPECT_EQ(boundaries, 4);  // 2016, 4032, 6048, 8064: each period took over two weeks
}

TEST(Difficulty, CoresAlternativeMainnetRetargetsFourTimesHarderAt2016) {
  REQUIRE_TESTDATA();
  const std::vector<ariadne::testing::TestBlock> alt = ariadne::testing::CoreMainnetAltChain();
  ASSERT_EQ(alt.size(), 2016u);
  std::vector<AncestorHeader> headers = {{kDifficulty1, 1231006505}};  // the genesis block
  for (const auto& b : alt) {
    const BlockHeader d = DecodeHeader(b.bytes.data());
    headers.push_back({d.bits, d.time});
  }
  const PowParams& main = PowParamsOf(Network::kMainnet);
  for (size_t h = 1; h < headers.size(); ++h) {
    const ListAncestry chain(std::span(headers).first(h), main.pow_limit_bits);
    EXPECT_EQ(NextWorkRequired(main, chain, headers[h].time), headers[h].bits) << "height " << h;
  }
  // Blocks two minutes apart: the period took a fifth of two weeks, the step is clamped to 4x.
  EXPECT_EQ(headers[2016].bits, 0x1c3fffc0u);
  const ListAncestry before(std::span(headers).first(2016), main.pow_limit_bits);
  EXPECT_NE(NextWorkRequired(main, before, headers[2016].time), kDifficulty1);
}

// Heights 0..n-1, 600 s apart, all with `bits`.
std::vector<AncestorHeader> Steady(size_t n, uint32_t bits, uint32_t start = 1'600'000'000) {
  std::vector<AncestorHeader> out;
  for (size_t i = 0; i < n; ++i) out.push_back({bits, start + 600 * static_cast<uint32_t>(i)});
  return out;
}

TEST(Difficulty, TestnetAllowsMinimumDifficultyAfterTwentyMinutesAndOtherwiseWalksBack) {
  const PowParams& test = PowParamsOf(Network::kTestnet);
  constexpr uint32_t kRegular = 0x1c0ffff0;
  // 2,016 blocks, a regular retarget at 2016, four more regular blocks, then three
  // minimum-difficulty ones.
  std::vector<AncestorHeader> h = Steady(2021, kRegular);
  for (int i = 0; i < 3; ++i) h.push_back({kDifficulty1, h.back().time + 1500});
  const ListAncestry chain(h, test.pow_limit_bits);
  const uint32_t parent_time = h.back().time;
  EXPECT_EQ(NextWorkRequired(test, chain, parent_time + 1201), kDifficulty1);
  EXPECT_EQ(NextWorkRequired(test, chain, parent_time + 1200), kRegular);  // walks back to 2020
  // Mainnet has no such rule: the parent's bits.
  EXPECT_EQ(NextWorkRequired(PowParamsOf(Network::kMainnet), chain, parent_time + 1201),
            kDifficulty1);

  // The walk back stops at a period's first block even when it is minimum difficulty.
  std::vector<AncestorHeader> g = Steady(2016, kRegular);
  g.push_back({kDifficulty1, g.back().time + 1500});  // height 2016
  g.push_back({kDifficulty1, g.back().time + 1500});  // height 2017
  const ListAncestry walk(g, test.pow_limit_bits);
  EXPECT_EQ(NextWorkRequired(test, walk, g.back().time + 60), kDifficulty1);
}

TEST(Difficulty, Testnet4RetargetsFromThePeriodsFirstBlockTestnet3FromItsLast) {
  constexpr uint32_t kRegular = 0x1c0ffff0;
  // A period of exactly two weeks whose last block is minimum difficulty.
  std::vector<AncestorHeader> h = Steady(2016, kRegular);
  h.back().bits = kDifficulty1;
  h.back().time = h.front().time + 1209600;
  const ListAncestry chain(h, kDifficulty1);
  const uint32_t t = h.back().time + 600;
  // Testnet3 starts from the last block's bits (its time warp); testnet4 (BIP94) from the first's.
  EXPECT_EQ(NextWorkRequired(PowParamsOf(Network::kTestnet), chain, t), kDifficulty1);
  EXPECT_EQ(NextWorkRequired(PowParamsOf(Network::kTestnet4), chain, t), kRegular);
}

TEST(Difficulty, RegtestNeverRetargets) {
  const PowParams& reg = PowParamsOf(Network::kRegtest);
  EXPECT_EQ(reg.pow_limit_bits, 0x207fffffu);
  // A period mined in seconds: mainnet would be 4x harder, regtest keeps its bits.
  std::vector<AncestorHeader> h;
  for (uint32_t i = 0; i < 2016; ++i) h.push_back({0x207fffff, 1'296'688'602 + i});
  const ListAncestry chain(h, reg.pow_limit_bits);
  EXPECT_EQ(NextWorkRequired(reg, chain, h.back().time + 1), 0x207fffffu);
}

TEST(Difficulty, SignetRetargetsWithinItsOwnLimit) {
  const PowParams& signet = PowParamsOf(Network::kSignet);
  EXPECT_EQ(signet.pow_limit_bits, 0x1e0377aeu);
  // Slow blocks cannot go below the limit; fast ones make it 4x harder.
  std::vector<AncestorHeader> slow = Steady(2016, 0x1e0377ae);
  for (size_t i = 0; i < slow.size(); ++i) slow[i].time = 1'600'000'000 + 2000 * i;
  const ListAncestry slow_chain(slow, signet.pow_limit_bits);
  EXPECT_EQ(NextWorkRequired(signet, slow_chain, slow.back().time + 600), 0x1e0377aeu);
  std::vector<AncestorHeader> fast = Steady(2016, 0x1e0377ae);
  for (size_t i = 0; i < fast.size(); ++i) fast[i].time = 1'600'000'000 + 60 * i;
  const ListAncestry fast_chain(fast, signet.pow_limit_bits);
  EXPECT_EQ(NextWorkRequired(signet, fast_chain, fast.back().time + 600), 0x1e00ddebu);
  // No minimum-difficulty exception on signet.
  std::vector<AncestorHeader> late = Steady(10, 0x1e00ddeb);
  const ListAncestry late_chain(late, signet.pow_limit_bits);
  EXPECT_EQ(NextWorkRequired(signet, late_chain, late.back().time + 7200), 0x1e00ddebu);
}

}  // namespace
}  // namespace ariadne::btc
