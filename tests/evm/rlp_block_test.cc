// Real mainnet blocks as RLP (portal-spec-tests block_data): every block decodes, senders recover,
// and the transactions and receipts roots recomputed from the decoded data equal the header's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "indexer/evm/eip55.h"
#include "indexer/evm/rlp_block.h"
#include "tests/testutil.h"

namespace ariadne::evm {
namespace {

using ::ariadne::testing::TestData;

std::vector<std::filesystem::path> PortalBlockFiles() {
  std::vector<std::filesystem::path> files;
  const auto dir = TestData("portal-spec-tests/tests/mainnet/history/block_data");
  if (!std::filesystem::is_directory(dir)) return files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(PortalBlocks, AllDecodeWithRootsRecomputed) {
  REQUIRE_TESTDATA();
  const auto files = PortalBlockFiles();
  ASSERT_EQ(files.size(), 13u);
  size_t txs = 0, logs = 0;
  std::map<int, int> types;
  EvmBlock block;
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    ASSERT_THAT(ReadPortalBlockFile(f, RlpBlockOptions(), &block), IsOk());
    EXPECT_TRUE(block.provenance.tx_root_verified);
    EXPECT_TRUE(block.provenance.receipt_root_verified);
    EXPECT_TRUE(block.provenance.has_receipts);
    txs += block.txs.size();
    logs += block.logs.size();
    for (const EvmTx& t : block.txs) ++types[static_cast<int>(t.type)];
  }
  EXPECT_EQ(txs, 1686u);
  EXPECT_EQ(logs, 14736u);
  for (int t = 0; t <= 4; ++t) EXPECT_GT(types[t], 0) << "type " << t;
}

}  // namespace
}  // namespace ariadne::evm
