// Decoding of real blocks and transactions: every real block under chaindata decodes with a
// matching merkle root and its known hash.
#include "indexer/btc/block.h"

#include <simdjson.h>

#include <filesystem>
#include <regex>

#include "engine/core/hex.h"
#include "tests/indexer/btc/btc_test_util.h"
#include "tests/testutil.h"

namespace ariadne::btc {
namespace {

using ::ariadne::testing::ReadFileBytes;
using ::ariadne::testing::ReadFileText;
using ::ariadne::testing::TestData;
using testing::DecodeBlkFile;
using testing::MainnetHeaderHashes;
using testing::ReadHexFile;

constexpr char kGenesis[] = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f";
constexpr char kBlock170[] = "00000000d1145790a8694403d4063f323d499e655c83426834d4ce2f8dd4a2ee";
constexpr char kBlock713126[] = "0000000000000000000593310d3b0cdc082af49f38b8a1611239072aef8433a8";

// Blocks a framed file must contain, checked against independent header hashes.
void ExpectContiguousMainnet(const std::vector<testing::DecodedBlock>& blocks, int first_height) {
  static const std::vector<BlockHash> headers = MainnetHeaderHashes();
  ASSERT_EQ(headers.size(), 9000u);
  for (size_t i = 0; i < blocks.size(); ++i) {
    size_t height = first_height + i;
    ASSERT_LT(height, headers.size());
    EXPECT_EQ(blocks[i].hash, headers[height]) << "height " << height;
    EXPECT_TRUE(blocks[i].merkle_ok) << "height " << height;
    if (i > 0) EXPECT_EQ(blocks[i].prev_hash, blocks[i - 1].hash) << "height " << height;
  }
}

TEST(RealBlocks, First4522MainnetBlocksMatchHeaderChain) {
  REQUIRE_TESTDATA();
  auto blocks = DecodeBlkFile(TestData("_derived/btc-mainnet-0-4521.blk"));
  ASSERT_THAT(blocks, IsOk());
  ASSERT_EQ(blocks->size(), 4522u);
  EXPECT_EQ(blocks->front().hash.ToHex(), kGenesis);
  EXPECT_EQ((*blocks)[170].hash.ToHex(), kBlock170);
  size_t txs = 0;
  for (const auto& b : *blocks) txs += b.tx_count;
  EXPECT_EQ(txs, 4583u);
  ExpectContiguousMainnet(*blocks, 0);
}

TEST(RealBlocks, SingleMainnetBlocksMatchManifest) {
  REQUIRE_TESTDATA();
  auto blocks = DecodeBlkFile(TestData("_derived/btc-mainnet-single-blocks.blk"));
  ASSERT_THAT(blocks, IsOk());
  std::string manifest = ReadFileText(TestData("_derived/btc-mainnet-single-blocks.manifest.json"));
  simdjson::dom::parser parser;
  simdjson::dom::array entries = parser.parse(manifest).get_array();
  ASSERT_EQ(blocks->size(), entries.size());
  size_t i = 0, txs = 0;
  bool saw_713126 = false;
  for (simdjson::dom::element e : entries) {
    const auto& b = (*blocks)[i++];
    EXPECT_EQ(b.hash.ToHex(), std::string_view(e["hash"].get_string()));
    EXPECT_EQ(b.tx_count, uint64_t(e["ntx"].get_uint64()));
    EXPECT_TRUE(b.merkle_ok) << b.hash.ToHex();
    saw_713126 |= b.hash.ToHex() == kBlock713126;
    txs += b.tx_count;
  }
  EXPECT_EQ(txs, 22698u);
  EXPECT_TRUE(saw_713126);
}

TEST(RealBlocks, TestnetBlocksMatchManifest) {
  REQUIRE_TESTDATA();
  std::vector<std::string> warnings;
  auto blocks = DecodeBlkFile(TestData("_derived/btc-testnet3-single-blocks.blk"), {}, &warnings);
  ASSERT_THAT(blocks, IsOk());
  std::string manifest =
      ReadFileText(TestData("_derived/btc-testnet3-single-blocks.manifest.json"));
  simdjson::dom::parser parser;
  simdjson::dom::array entries = parser.parse(manifest).get_array();
  ASSERT_EQ(blocks->size(), entries.size());
  size_t i = 0;
  for (simdjson::dom::element e : entries) {
    const auto& b = (*blocks)[i++];
    EXPECT_EQ(b.hash.ToHex(), std::string_view(e["hash"].get_string()));
    EXPECT_TRUE(b.merkle_ok);
  }
  EXPECT_TRUE(warnings.empty());
}

TEST(RealBlocks, NBitcoinTwoFilesAreOneContiguousChain) {
  REQUIRE_TESTDATA();
  auto a = DecodeBlkFile(TestData("nbitcoin/blk00000.dat"));
  auto b = DecodeBlkFile(TestData("nbitcoin/blk00001.dat"));
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  std::vector<testing::DecodedBlock> all = *a;
  all.insert(all.end(), b->begin(), b->end());
  ASSERT_EQ(all.size(), 600u);
  ExpectContiguousMainnet(all, 0);
}

TEST(RealBlocks, OtherFramedFilesDecode) {
  REQUIRE_TESTDATA();
  struct Case {
    const char* path;
    size_t blocks;
    int first_mainnet_height;  // -1: not a contiguous mainnet run
    bool truncated_tail;
  };
  const Case cases[] = {
      {"btcd/blocks1-256", 255, 1, false},
      {"btcd/277647.dat", 1, -1, false},
      {"bitcoinj/first-100k-blocks.dat", 439, 0, false},
      {"blk-tx-decoder/blk00000_first1MiB.dat", 4522, 0, true},
      {"blk-tx-decoder/blk01234_first1.4MB.dat", 1, -1, true},
      {"bitcore-lib-npm/test/data/blk86756-testnet.dat", 1, -1, true},
      {"rust-bitcoinkernel-regtest/regtest_blk.dat", 206, -1, false},
      {"btcd/blk_0_to_4.dat", 5, -1, false},
      {"btcd/blk_3A.dat", 1, -1, false},
      {"btcd/blk_4A.dat", 1, -1, false},
      {"btcd/blk_5A.dat", 1, -1, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    std::vector<std::string> warnings;
    auto blocks = DecodeBlkFile(TestData(c.path), {}, &warnings);
    ASSERT_THAT(blocks, IsOk());
    EXPECT_EQ(blocks->size(), c.blocks);
    for (const auto& b : *blocks) EXPECT_TRUE(b.merkle_ok) << b.hash.ToHex();
    if (c.first_mainnet_height >= 0) ExpectContiguousMainnet(*blocks, c.first_mainnet_height);
    EXPECT_EQ(warnings.size(), c.truncated_tail ? 1u : 0u);
  }
}

// Decodes one block that fills `bytes` exactly.
Block DecodeRaw(const std::vector<uint8_t>& bytes) {
  Block block;
  absl::Status s = DecodeBlock(bytes, 0, DecodeOptions(), &block);
  EXPECT_TRUE(s.ok()) << s;
  return block;
}

TEST(RealBlocks, RawBlockFilesDecodeWithKnownHashes) {
  REQUIRE_TESTDATA();
  // Files named after their block hash.
  std::vector<std::filesystem::path> by_name = {
      "btcd/block-0000000000000000001602407ac49862a7bca9d00f7f402db20b7be2f5de59d2.blk",
      "btcd/block-00000000000000000021868c2cefc52a480d173c849412fe81c4e5ab806f94ab.blk",
      "rust-bitcoin/"
      "mainnet_block_000000000000000000000c835b2adcaedc20fdf6ee440009c249452c726dafae.raw",
      "rust-bitcoin/"
      "testnet_block_000000000000045e0b1660b6445b5e5c5ab63c9a4f956be7e1e69be04fa4497b.raw",
  };
  const std::regex hash_re("[0-9a-f]{64}");
  for (const auto& rel : by_name) {
    SCOPED_TRACE(rel.string());
    std::vector<uint8_t> bytes = ReadFileBytes(TestData(rel));
    Block block = DecodeRaw(bytes);
    std::smatch m;
    std::string name = rel.filename().string();
    ASSERT_TRUE(std::regex_search(name, m, hash_re));
    EXPECT_EQ(block.header.hash.ToHex(), m.str());
    EXPECT_TRUE(block.merkle_ok);
  }
  // Raw blocks named by height or label: the merkle root must match and every byte be used.
  std::vector<std::filesystem::path> raw;
  for (const char* dir : {"bcoin/test/data", "bitcoinj"}) {
    for (const auto& e : std::filesystem::directory_iterator(TestData(dir))) {
      std::string n = e.path().filename().string();
      if (n.rfind("block", 0) == 0 && n.find("undo") == std::string::npos &&
          (e.path().extension() == ".raw" || e.path().extension() == ".dat")) {
        raw.push_back(e.path());
      }
    }
  }
  raw.push_back(TestData("bitcoin-core-testdata/src/bench/data/block413567.raw"));
  ASSERT_EQ(raw.size(), 24u);  // 12 bcoin, 11 bitcoinj, Core bench block
  size_t txs = 0;
  for (const auto& path : raw) {
    SCOPED_TRACE(path.string());
    Block block = DecodeRaw(ReadFileBytes(path));
    EXPECT_TRUE(block.merkle_ok);
    txs += block.txs.size();
  }
  EXPECT_GT(txs, 10000u);
}

TEST(RealBlocks, HexBlocksDecode) {
  REQUIRE_TESTDATA();
  for (const char* rel :
       {"bitcoin-s/000000000000000000050f70113ab1932c195442cb49bcc4ee4d7f426c8a3295.hex",
        "bitcoin-s/0000000000000000000593310d3b0cdc082af49f38b8a1611239072aef8433a8.hex",
        "bitcoin-s/00000000000000000008513c860373da0484f065983aeb063ebf81c172e81d48.hex"}) {
    SCOPED_TRACE(rel);
    Block block = DecodeRaw(ReadHexFile(TestData(rel)));
    EXPECT_TRUE(block.merkle_ok);
    EXPECT_NE(std::string(rel).find(block.header.hash.ToHex()), std::string::npos);
  }
  for (const char* rel : {"rust-bitcoin/block_13b8a.hex", "nbitcoin/block169482.txt",
                          "nbitcoin/block-testnet-828575.txt"}) {
    SCOPED_TRACE(rel);
    Block block = DecodeRaw(ReadHexFile(TestData(rel)));
    EXPECT_TRUE(block.merkle_ok);
  }
  // bitcoinjs-lib's block fixtures carry hash and hex.
  std::string text = ReadFileText(TestData("bitcoinjs-lib/test/fixtures/block.json"));
  simdjson::dom::parser parser;
  int checked = 0;
  for (simdjson::dom::element e : parser.parse(text)["valid"].get_array()) {
    std::string_view hex = e["hex"].get_string();
    auto bytes = HexDecode(hex);
    ASSERT_TRUE(bytes.ok());
    if (bytes->size() == kBlockHeaderSize) continue;  // header-only fixtures
    Block block = DecodeRaw(*bytes);
    EXPECT_EQ(block.header.hash.ToHex(), std::string_view(e["id"].get_string()));
    EXPECT_TRUE(block.merkle_ok);
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST(RealTransactions, MegaTxHas5569InputsAndItsTxid) {
  REQUIRE_TESTDATA();
  std::vector<uint8_t> bytes = ReadFileBytes(TestData("btcd/megatx.bin"));
  Block out;
  ASSERT_THAT(DecodeTransaction(bytes, DecodeOptions(), &out), IsOk());
  ASSERT_EQ(out.txs.size(), 1u);
  EXPECT_EQ(out.txs[0].input_count, 5569u);
  EXPECT_EQ(out.txs[0].txid.ToHex(),
            "bb41a757f405890fb0f5856228e23b715702d714d59bf2b1feb70d8b2b4e3e08");
}

TEST(RealTransactions, SegwitTxidsExcludeWitnessAndWtxidsIncludeIt) {
  REQUIRE_TESTDATA();
  for (const char* rel :
       {"bitcoin-s/7393096d97bfee8660f4100ffd61874d62f9a65de9fb6acf740c4c386990ef73.hex",
        "bitcoin-s/a536e7f60a493a258d9adc77d913f7798baf60c808c16898b04579d8c0652681.hex"}) {
    SCOPED_TRACE(rel);
    std::vector<uint8_t> bytes = ReadHexFile(TestData(rel));
    Block out;
    DecodeOptions opt;
    opt.compute_wtxid = true;
    ASSERT_THAT(DecodeTransaction(bytes, opt, &out), IsOk());
    const Tx& tx = out.txs[0];
    EXPECT_TRUE(tx.segwit);
    EXPECT_LT(tx.base_size, tx.size);
    EXPECT_NE(std::string(rel).find(tx.txid.ToHex()), std::string::npos);
    EXPECT_NE(tx.txid.ToHex(), tx.wtxid.ToHex());
  }
}

// Bitcoin Core's tx_valid.json: every transaction decodes, spends exactly the listed prevouts, and
// uses all of its bytes.
TEST(CoreVectors, TxValidDecodes) {
  REQUIRE_TESTDATA();
  std::string text = ReadFileText(TestData("bitcoin-core-testdata/src/test/data/tx_valid.json"));
  simdjson::dom::parser parser;
  int checked = 0, segwit = 0;
  Block out;
  for (simdjson::dom::element entry : parser.parse(text).get_array()) {
    simdjson::dom::array a = entry.get_array();
    if (a.size() < 3) continue;  // comments
    simdjson::dom::array prevouts = a.at(0).get_array();
    std::string_view hex = a.at(1).get_string();
    auto bytes = HexDecode(hex);
    ASSERT_TRUE(bytes.ok());
    ASSERT_THAT(DecodeTransaction(*bytes, DecodeOptions(), &out), IsOk()) << hex;
    const Tx& tx = out.txs[0];
    ASSERT_EQ(tx.input_count, prevouts.size()) << hex;
    size_t i = 0;
    for (simdjson::dom::element p : prevouts) {
      simdjson::dom::array pa = p.get_array();
      const TxIn& in = out.input(tx, static_cast<uint32_t>(i++));
      EXPECT_EQ(in.prev_txid().ToHex(), std::string_view(pa.at(0).get_string())) << hex;
      int64_t vout = pa.at(1).get_int64();
      EXPECT_EQ(static_cast<int64_t>(static_cast<int32_t>(in.prev_vout())), vout) << hex;
    }
    EXPECT_EQ(tx.size, bytes->size());
    segwit += tx.segwit;
    ++checked;
  }
  EXPECT_GT(checked, 100);
  EXPECT_GT(segwit, 10);
}

}  // namespace
}  // namespace ariadne::btc
