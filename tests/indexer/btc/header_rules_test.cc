// The header rules on real blocks of every network in chaindata, and each rule broken once.
#include "indexer/btc/header_rules.h"

#include <cstring>

#include "engine/core/hash.h"
#include "gen/genesis.h"
#include "indexer/btc/blk_reader.h"
#include "indexer/btc/block.h"
#include "tests/indexer/btc/chain_builder.h"
#include "tests/testutil.h"

namespace ariadne::btc {
namespace {

using ariadne::testing::ListAncestry;
using ::testing::HasSubstr;

// Returns: the headers of every record of a blk file.
std::vector<BlockHeader> HeadersOfFile(const std::filesystem::path& path) {
  auto file = BlkFile::Load(path, {}, std::nullopt);
  EXPECT_THAT(file, IsOk());
  std::vector<BlockHeader> out;
  BlkRecord rec;
  while (file.ok()) {
    auto more = (*file)->Next(&rec);
    EXPECT_THAT(more, IsOk());
    if (!more.ok() || !*more) break;
    out.push_back(DecodeHeader(rec.block.data()));
  }
  return out;
}

absl::Status Check(Network network, const BlockHeader& h) {
  return CheckHeader(PowParamsOf(network), h.hash, h.prev_hash, h.bits);
}

TEST(HeaderRules, RealBlocksOfEveryNetworkPass) {
  REQUIRE_TESTDATA();
  const struct {
    const char* file;
    Network network;
    size_t blocks;
  } files[] = {
      {"_derived/btc-mainnet-0-4521.blk", Network::kMainnet, 4522},
      {"_derived/btc-mainnet-single-blocks.blk", Network::kMainnet, 26},
      {"nbitcoin/blk00000.dat", Network::kMainnet, 300},
      {"_derived/btc-testnet3-single-blocks.blk", Network::kTestnet, 12},
      {"rust-bitcoinkernel-regtest/regtest_blk.dat", Network::kRegtest, 206},
  };
  for (const auto& f : files) {
    const std::vector<BlockHeader> headers = HeadersOfFile(ariadne::testing::TestData(f.file));
    EXPECT_EQ(headers.size(), f.blocks) << f.file;
    for (const BlockHeader& h : headers) {
      EXPECT_THAT(Check(f.network, h), IsOk()) << f.file << " " << h.hash.ToHex();
    }
  }
  // Regtest's easy blocks are not blocks of any public network: their bits exceed its limit.
  const BlockHeader easy =
      HeadersOfFile(ariadne::testing::TestData("rust-bitcoinkernel-regtest/regtest_blk.dat"))[0];
  EXPECT_THAT(Check(Network::kMainnet, easy),
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "bits 207fffff are not a target within the network's limit "
                                  "1d00ffff (bad-diffbits)"));
  EXPECT_THAT(Check(Network::kSignet, easy), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(HeaderRules, AHashAboveItsTargetIsRefused) {
  REQUIRE_TESTDATA();
  std::vector<uint8_t> bytes = ariadne::testing::ReadFileBytes(
      ariadne::testing::TestData("_derived/btc-mainnet-0-4521.blk"));
  // Block 1: claim more work (bits 0x1b00ffff, 256 times harder) without doing it.
  uint8_t header[80];
  std::memcpy(header, bytes.data() + 8 + 285 + 8, 80);
  BlockHeader real = DecodeHeader(header);
  ASSERT_EQ(real.hash.ToHex(), "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048");
  const uint32_t harder = 0x1b00ffff;
  std::memcpy(header + 72, &harder, 4);
  EXPECT_THAT(Check(Network::kMainnet, DecodeHeader(header)),
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "proof of work: the hash is above the target of bits 1b00ffff "
                                  "(high-hash)"));
  // Or keep the bits and change the nonce.
  std::memcpy(header + 72, &real.bits, 4);
  header[76] ^= 1;
  EXPECT_THAT(Check(Network::kMainnet, DecodeHeader(header)),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "(high-hash)"));
  // Bits that are no target at all.
  for (uint32_t bits : {0u, 0x04923456u, 0xff123456u, 0x2100ffffu}) {
    std::memcpy(header + 72, &bits, 4);
    EXPECT_THAT(Check(Network::kMainnet, DecodeHeader(header)),
                StatusIsWithMessage(absl::StatusCode::kDataLoss, "(bad-diffbits)"))
        << std::hex << bits;
  }
}

TEST(HeaderRules, OnlyTheNetworksGenesisHasNoPreviousBlock) {
  for (Network n : {Network::kMainnet, Network::kTestnet, Network::kTestnet4, Network::kSignet,
                    Network::kRegtest}) {
    const std::vector<uint8_t> genesis = gen::GenesisBlock(n);
    const BlockHeader h = DecodeHeader(genesis.data());
    EXPECT_THAT(Check(n, h), IsOk()) << Params(n).name;
    if (n != Network::kMainnet) {
      EXPECT_THAT(
          Check(Network::kMainnet, h),
          StatusIsWithMessage(absl::StatusCode::kDataLoss,
                              "no previous block but not the mainnet genesis block "
                              "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce2"
                              "6f (bad-genesis)"))
          << Params(n).name;
    }
  }
  // A replacement genesis with valid proof of work is still not the genesis.
  ariadne::testing::TestHeader fake;
  fake.time = 1296688602;
  fake.tag = "not the genesis";
  const auto block = ariadne::testing::MakeTestBlock(fake);
  EXPECT_THAT(Check(Network::kRegtest, DecodeHeader(block.bytes.data())),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "(bad-genesis)"));
}

TEST(HeaderRules, TimestampMustExceedTheMedianOfTheLastEleven) {
  const PowParams& reg = PowParamsOf(Network::kRegtest);
  // Times out of order, as real chains have them: the median of the last 11 is 1,000,005.
  std::vector<AncestorHeader> h;
  for (uint32_t t : {999'000u, 1'000'010u, 1'000'001u, 1'000'009u, 1'000'002u, 1'000'008u,
                     1'000'003u, 1'000'007u, 1'000'004u, 1'000'006u, 1'000'005u, 1'000'000u}) {
    h.push_back({0x207fffff, t});
  }
  const ListAncestry chain(h, reg.pow_limit_bits);
  EXPECT_EQ(MedianTimePast(chain), 1'000'005u);
  EXPECT_THAT(CheckHeaderContext(reg, chain, 0x207fffff, 1'000'006), IsOk());
  EXPECT_THAT(CheckHeaderContext(reg, chain, 0x207fffff, 1'000'005),
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "timestamp 1000005 is not above the median of the previous "
                                  "blocks' 1000005 (time-too-old)"));
  // Near the genesis the median is over the blocks there are.
  const ListAncestry two(std::span(h).first(2), reg.pow_limit_bits);
  EXPECT_EQ(MedianTimePast(two), 1'000'010u);
}

TEST(HeaderRules, BitsMustBeWhatTheDifficultyRulesRequire) {
  REQUIRE_TESTDATA();
  std::vector<AncestorHeader> h;
  for (const auto& raw : ariadne::testing::MainnetHeaders()) {
    const BlockHeader d = DecodeHeader(raw.data());
    h.push_back({d.bits, d.time});
  }
  const PowParams& main = PowParamsOf(Network::kMainnet);
  const ListAncestry chain(std::span(h).first(2016), main.pow_limit_bits);
  EXPECT_THAT(CheckHeaderContext(main, chain, h[2016].bits, h[2016].time), IsOk());
  EXPECT_THAT(CheckHeaderContext(main, chain, 0x1c00ffff, h[2016].time),
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "bits 1c00ffff where the difficulty rules of mainnet require "
                                  "1d00ffff at height 2016 (bad-diffbits)"));
}

TEST(HeaderRules, Testnet4RefusesATimeWarpAtThePeriodsFirstBlock) {
  const PowParams& t4 = PowParamsOf(Network::kTestnet4);
  std::vector<AncestorHeader> h;
  for (uint32_t i = 0; i < 2016; ++i) h.push_back({0x1d00ffff, 1'714'777'860 + 600 * i});
  h.back().time = h.front().time + 1209600;  // a period of exactly two weeks: bits unchanged
  const ListAncestry chain(h, t4.pow_limit_bits);
  const uint32_t parent = h.back().time;
  EXPECT_THAT(CheckHeaderContext(t4, chain, 0x1d00ffff, parent - 600), IsOk());
  EXPECT_THAT(CheckHeaderContext(t4, chain, 0x1d00ffff, parent - 601),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "(time-timewarp-attack)"));
  // Testnet3 has no such rule.
  EXPECT_THAT(CheckHeaderContext(PowParamsOf(Network::kTestnet), chain, 0x1d00ffff, parent - 601),
              IsOk());
}

TEST(HeaderRules, RefusalsNameFileBlockAndOffset) {
  const BlockHash hash = *BlockHash::FromHex(std::string(63, '0') + "1");
  EXPECT_THAT(RefusedBlockError(absl::DataLossError("why (rule)"), "/x/blk00000.dat", hash, 42),
              StatusIsWithMessage(
                  absl::StatusCode::kDataLoss,
                  "/x/blk00000.dat: block " + std::string(63, '0') + "1 at offset 42: why (rule)"));
}

}  // namespace
}  // namespace ariadne::btc
