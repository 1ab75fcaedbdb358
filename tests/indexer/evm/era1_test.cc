// Sepolia era1 archives (go-ethereum testdata): snappy-framed entries decompress with their
// CRC-32C checked, every block decodes with its roots recomputed, and the file's accumulator root,
// block index, parent links and total difficulties verify.
#include "indexer/evm/era1.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/testutil.h"

namespace ariadne::evm {
namespace {

using ::ariadne::testing::TestData;

Era1Options SepoliaOptions() {
  Era1Options o;
  o.block.chain = ChainConfig::Sepolia();
  return o;
}

TEST(Era1, SepoliaGenesisEraVerifies) {
  REQUIRE_TESTDATA();
  uint64_t blocks = 0;
  auto summary =
      ReadEra1File(TestData("go-ethereum/core/rawdb/eradb/testdata/sepolia-00000-643a00f7.era1"),
                   SepoliaOptions(), [&](const EvmBlock& b) {
                     EXPECT_TRUE(b.provenance.tx_root_verified);
                     EXPECT_TRUE(b.provenance.receipt_root_verified);
                     ++blocks;
                     return absl::OkStatus();
                   });
  ASSERT_THAT(summary, IsOk());
  EXPECT_EQ(summary->start_block, 0u);
  EXPECT_EQ(summary->block_count, 8192u);
  EXPECT_EQ(blocks, 8192u);
  EXPECT_TRUE(summary->accumulator_verified);
  EXPECT_EQ(HashHex(summary->accumulator_root).substr(0, 10), "0x643a00f7");  // the file name
}

TEST(Era1, SepoliaEra21VerifiesWithTransactions) {
  REQUIRE_TESTDATA();
  uint64_t txs = 0, transfers = 0;
  auto summary =
      ReadEra1File(TestData("go-ethereum/core/rawdb/eradb/testdata/sepolia-00021-b8814b14.era1"),
                   SepoliaOptions(), [&](const EvmBlock& b) {
                     txs += b.txs.size();
                     transfers += b.transfers.size();
                     return absl::OkStatus();
                   });
  ASSERT_THAT(summary, IsOk());
  EXPECT_EQ(summary->start_block, 172032u);
  EXPECT_EQ(summary->block_count, 8192u);
  EXPECT_EQ(summary->tx_count, 93u);
  EXPECT_EQ(txs, 93u);
  EXPECT_TRUE(summary->accumulator_verified);
  EXPECT_EQ(HashHex(summary->accumulator_root).substr(0, 10), "0xb8814b14");
}

}  // namespace
}  // namespace ariadne::evm
