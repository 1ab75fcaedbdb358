// Real mainnet blocks as RLP (portal-spec-tests block_data): every block decodes, senders recover,
// and the transactions and receipts roots recomputed from the decoded data equal the header's.
#include "indexer/evm/rlp_block.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "engine/core/eip55.h"
#include "engine/core/hex.h"
#include "indexer/evm/era1.h"
#include "indexer/evm/snappy_frame.h"
#include "indexer/evm/transaction.h"
#include "tests/testutil.h"

namespace ariadne::evm {
namespace {

using ::ariadne::testing::MakeTempDir;
using ::ariadne::testing::ReadFileBytes;
using ::ariadne::testing::ReadFileText;
using ::ariadne::testing::TestData;

// The three hex parts of a portal block_data file.
struct Parts {
  std::vector<uint8_t> header, body, receipts;
};
Parts LoadParts(const std::string& number) {
  Parts p;
  std::istringstream in(ReadFileText(TestData(
      "portal-spec-tests/tests/mainnet/history/block_data/block-data-" + number + ".yaml")));
  std::string line;
  while (std::getline(in, line)) {
    auto take = [&](const char* key, std::vector<uint8_t>* out) {
      const std::string k = std::string(key) + ": ";
      if (line.rfind(k, 0) == 0) *out = HexDecode(line.substr(k.size())).value();
    };
    take("header", &p.header);
    take("body", &p.body);
    take("receipts", &p.receipts);
  }
  return p;
}

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

TEST(PortalBlocks, ModelFieldsOfThePragueAndCancunBlocks) {
  REQUIRE_TESTDATA();
  EvmBlock b;
  ASSERT_THAT(ReadPortalBlockFile(TestData("portal-spec-tests/tests/mainnet/history/block_data/"
                                           "block-data-22869878.yaml"),
                                  RlpBlockOptions(), &b),
              IsOk());
  EXPECT_EQ(b.number, 22869878u);
  ASSERT_TRUE(b.base_fee.has_value());
  int set_code = 0;
  uint32_t logs = 0;
  for (const EvmTx& t : b.txs) {
    logs += t.log_count;
    EXPECT_LE(t.effective_gas_price, t.max_fee_per_gas);
    if (t.type == TxType::kSetCode) ++set_code;
    if (t.status != TxStatus::kFailed) continue;
    for (const Transfer& x : b.transfers) {
      if (x.kind != TransferKind::kFee) EXPECT_NE(x.tx_index, t.index) << "failed tx moved value";
    }
  }
  EXPECT_GT(set_code, 0);
  EXPECT_EQ(logs, b.logs.size());
  // The fee recipient gets each transaction's gas used times its price above the base fee (the
  // rest is burned); one fee transfer per transaction that pays a tip, in the block's order.
  size_t fees = 0;
  for (const Transfer& x : b.transfers) {
    if (x.kind != TransferKind::kFee) continue;
    const EvmTx& t = b.txs[x.tx_index];
    U256 tip, want;
    ASSERT_TRUE(U256::CheckedSub(t.effective_gas_price, *b.base_fee, &tip));
    ASSERT_TRUE(U256::CheckedMul(U256(t.gas_used), tip, &want));
    EXPECT_EQ(x.from, t.from);
    EXPECT_EQ(x.to, b.miner);
    EXPECT_EQ(x.amount, want);
    EXPECT_LT(x.amount, t.fee_paid);
    ++fees;
  }
  EXPECT_GT(fees, b.txs.size() / 2);
  uint64_t gas = 0;
  for (const EvmTx& t : b.txs) gas += t.gas_used;
  EXPECT_EQ(gas, b.gas_used);  // per-transaction gas adds up to the header's
  // Blob transactions pay gas_used * effective price + blob gas * the blob base fee, computed from
  // the header's excess blob gas with the fork's update fraction (Cancun 3338477, Prague 5007716).
  const std::pair<const char*, uint64_t> kBlobFees[] = {
      {"22869878", 1},        // excess 0: the minimum
      {"22162263", 4283},     // Cancun, excess 27918336
      {"22431083", 3816148},  // last Cancun block, excess 50593792
      {"22431084", 23789},    // first Prague block, excess 50462720
  };
  for (const auto& [number, fee] : kBlobFees) {
    SCOPED_TRACE(number);
    ASSERT_THAT(ReadPortalBlockFile(TestData(std::string("portal-spec-tests/tests/mainnet/history/"
                                                         "block_data/block-data-") +
                                             number + ".yaml"),
                                    RlpBlockOptions(), &b),
                IsOk());
    int blobs = 0;
    for (const EvmTx& t : b.txs) {
      if (t.type != TxType::kBlob) continue;
      ++blobs;
      EXPECT_EQ(t.blob_gas_price, U256(fee));
      EXPECT_EQ(t.blob_gas_used, t.blob_count * kGasPerBlob);
      U256 exec, blob;
      ASSERT_TRUE(U256::CheckedMul(U256(t.gas_used), t.effective_gas_price, &exec));
      ASSERT_TRUE(U256::CheckedMul(U256(t.blob_gas_used), U256(fee), &blob));
      EXPECT_EQ(t.fee_paid, *U256::Add(exec, blob));
    }
    EXPECT_GT(blobs, 0);
  }
}

TEST(PortalBlocks, SetCodeAuthorizationsRecoverTheirAuthorities) {
  REQUIRE_TESTDATA();
  Parts p = LoadParts("22869878");
  RlpError err;
  RlpReader outer(p.body, 0, &err);
  RlpReader body = outer.List("body");
  RlpReader txs = body.List("txs");
  RlpItem item;
  int auths = 0;
  while (txs.Next(&item)) {
    if (item.is_list || item.payload[0] != 4) continue;
    Transaction tx;
    ASSERT_THAT(DecodeTransaction(item.payload, "type 4", &tx), IsOk());
    ASSERT_THAT(ForEachAuthorization(tx,
                                     [&](const Authorization& a) {
                                       EXPECT_THAT(RecoverAuthority(a), IsOk());
                                       ++auths;
                                     }),
                IsOk());
  }
  EXPECT_GT(auths, 0);
}

TEST(RlpBlockBadInput, CorruptionIsReportedWithPlaceAndNeverCrashes) {
  REQUIRE_TESTDATA();
  Parts p = LoadParts("19426587");
  RlpBlockDecoder d;
  EvmBlock b;
  ASSERT_THAT(d.Decode(p.header, p.body, p.receipts, "ok", &b), IsOk());
  // Truncated body.
  std::vector<uint8_t> body(p.body.begin(), p.body.end() - 7);
  EXPECT_THAT(d.Decode(p.header, body, p.receipts, "cut", &b),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "cut: block 19426587: body"));
  // A changed value byte inside a transaction: the transactions root no longer matches.
  body = p.body;
  body[200] ^= 1;
  auto s = d.Decode(p.header, body, p.receipts, "flip", &b);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
  // Receipts of another block: count or root mismatch.
  Parts other = LoadParts("15537393");
  EXPECT_THAT(d.Decode(p.header, p.body, other.receipts, "wrong receipts", &b),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "receipts"));
  // A non-canonical long length in the header: rewrite its list header 0xf9 0x02 0x62 as
  // 0xfa 0x00 0x02 0x62.
  std::vector<uint8_t> header = p.header;
  ASSERT_EQ(header[0], 0xf9);
  header.insert(header.begin() + 1, 0x00);
  header[0] = 0xfa;
  EXPECT_THAT(
      d.Decode(header, p.body, p.receipts, "hdr", &b),
      StatusIsWithMessage(absl::StatusCode::kDataLoss,
                          "hdr: header: header: non-canonical RLP length (leading zero byte) "
                          "at offset 0"));
  // Every prefix of a real body fails cleanly (no crash, no partial block).
  for (size_t n = 0; n < p.body.size(); n += 97) {
    EXPECT_FALSE(d.Decode(p.header, ByteSpan(p.body.data(), n), p.receipts, "prefix", &b).ok());
  }
}

TEST(RlpBlockBadInput, OversizeCountsAllocateNothing) {
  // A transaction list claiming 2^32 bytes inside a 12-byte body.
  const std::vector<uint8_t> body = {0xcb, 0xfb, 0xff, 0xff, 0xff, 0xff,
                                     0x00, 0x00, 0x00, 0x00, 0xc0, 0xc0};
  RlpBlockDecoder d;
  EvmBlock b;
  REQUIRE_TESTDATA();
  Parts p = LoadParts("15537393");
  EXPECT_THAT(d.Decode(p.header, body, {}, "big", &b), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(SnappyFrame, ChecksumAndStructureErrors) {
  REQUIRE_TESTDATA();
  // The first entry after the version in a real era1 file is a compressed header.
  auto file =
      ReadFileBytes(TestData("go-ethereum/core/rawdb/eradb/testdata/sepolia-00000-643a00f7.era1"));
  ASSERT_GT(file.size(), 16u);
  uint32_t len;
  std::memcpy(&len, file.data() + 10, 4);
  std::vector<uint8_t> frame(file.begin() + 16, file.begin() + 16 + len);
  std::vector<uint8_t> out;
  ASSERT_THAT(SnappyFrameDecompress(frame, 1 << 20, "era1", 16, &out), IsOk());
  EXPECT_EQ(out[0], 0xf9);  // an RLP header list
  std::vector<uint8_t> bad = frame;
  bad[14] ^= 0x55;  // inside the first chunk's checksum
  EXPECT_THAT(SnappyFrameDecompress(bad, 1 << 20, "era1", 16, &out),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "CRC-32C mismatch at offset 26"));
  EXPECT_THAT(
      SnappyFrameDecompress(ByteSpan(frame.data() + 10, frame.size() - 10), 1 << 20, "x", 0, &out),
      StatusIsWithMessage(absl::StatusCode::kDataLoss, "before the stream identifier"));
  EXPECT_THAT(
      SnappyFrameDecompress(ByteSpan(frame.data(), frame.size() - 3), 1 << 20, "x", 0, &out),
      StatusIsWithMessage(absl::StatusCode::kDataLoss, "truncated chunk"));
  EXPECT_THAT(SnappyFrameDecompress(frame, 10, "x", 0, &out),
              StatusIs(absl::StatusCode::kResourceExhausted));
  // CRC-32C check value of "123456789".
  const std::string check = "123456789";
  EXPECT_EQ(Crc32c(ByteSpan(reinterpret_cast<const uint8_t*>(check.data()), check.size())),
            0xe3069283u);
}

TEST(Era1BadInput, TruncatedAndCorruptFilesAreRejected) {
  REQUIRE_TESTDATA();
  auto file =
      ReadFileBytes(TestData("go-ethereum/core/rawdb/eradb/testdata/sepolia-00021-b8814b14.era1"));
  auto dir = MakeTempDir("evm-era1");
  auto write = [&](const std::string& name, const std::vector<uint8_t>& bytes) {
    std::ofstream(dir / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return dir / name;
  };
  auto run = [](const std::filesystem::path& p) {
    Era1Options o;
    o.block.chain = ChainConfig::Sepolia();
    return ReadEra1File(p, o, [](const EvmBlock&) { return absl::OkStatus(); }).status();
  };
  std::vector<uint8_t> cut(file.begin(), file.begin() + file.size() / 2);
  EXPECT_THAT(run(write("cut.era1", cut)),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "cut.era1"));
  // The accumulator entry is the 32 bytes before the block index; change one.
  const size_t index_len = 16 + 8 * 8192;
  std::vector<uint8_t> acc = file;
  acc[acc.size() - index_len - 8 - 1] ^= 1;
  EXPECT_THAT(run(write("acc.era1", acc)),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "accumulator root mismatch"));
  EXPECT_THAT(run(dir / "none.era1"), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace ariadne::evm
