// bcoin's blocks with their undo data (the outputs every input spends): per-transaction fees are
// non-negative and the coinbase claims exactly subsidy + fees, as consensus requires.
#include <filesystem>

#include "engine/core/byte_reader.h"
#include "indexer/btc/block.h"
#include "tests/testutil.h"

namespace ariadne::btc {
namespace {

using ::ariadne::testing::ReadFileBytes;
using ::ariadne::testing::TestData;

int64_t Subsidy(uint32_t height) {
  const int halvings = static_cast<int>(height / 210'000);
  return halvings >= 64 ? 0 : (int64_t{50} * 100'000'000) >> halvings;
}

TEST(UndoFees, CoinbaseEqualsSubsidyPlusFees) {
  REQUIRE_TESTDATA();
  struct Case {
    uint32_t height;
  };
  int blocks = 0;
  for (uint32_t height :
       {300025u, 928816u, 928828u, 928831u, 928848u, 928849u, 928927u, 1087400u}) {
    SCOPED_TRACE(height);
    const std::string base = "bcoin/test/data/block" + std::to_string(height);
    std::vector<uint8_t> raw = ReadFileBytes(TestData(base + ".raw"));
    std::vector<uint8_t> undo = ReadFileBytes(TestData(base + "-undo.raw"));
    Block block;
    ASSERT_THAT(DecodeBlock(raw, 0, DecodeOptions(), &block), IsOk());
    ASSERT_TRUE(block.merkle_ok);
    ByteReader r(undo);
    int64_t fees = 0;
    for (size_t t = 1; t < block.txs.size(); ++t) {
      const Tx& tx = block.txs[t];
      int64_t in = 0, out = 0;
      for (uint32_t i = 0; i < tx.input_count; ++i) {
        int64_t value = r.I64LE();
        r.VarBytes();  // the spent output's script
        ASSERT_TRUE(r.ok()) << r.status("undo");
        in += value;
      }
      for (uint32_t v = 0; v < tx.output_count; ++v) out += block.output(tx, v).value;
      EXPECT_GE(in - out, 0) << tx.txid.ToHex();
      fees += in - out;
    }
    EXPECT_EQ(r.remaining(), 0u) << "undo data has entries for inputs that do not exist";
    int64_t coinbase = 0;
    for (uint32_t v = 0; v < block.txs[0].output_count; ++v) {
      coinbase += block.output(block.txs[0], v).value;
    }
    EXPECT_EQ(coinbase, Subsidy(height) + fees);
    ++blocks;
  }
  EXPECT_EQ(blocks, 8);
}

}  // namespace
}  // namespace ariadne::btc
