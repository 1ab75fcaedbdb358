// The blk-file reader and the decoder on hostile input: every failure names file and offset, a
// truncated last record is a warning, and nothing is returned beyond the last good block.
#include "indexer/btc/blk_reader.h"

#include <fstream>
#include <random>

#include "indexer/btc/block.h"
#include "tests/indexer/btc/btc_test_util.h"
#include "tests/testutil.h"

namespace ariadne::btc {
namespace {

using ::ariadne::testing::MakeTempDir;
using ::ariadne::testing::ReadFileBytes;
using ::ariadne::testing::TestData;
using testing::DecodeBlkFile;

void WriteFile(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good());
}

// Reads all records of in-memory bytes; returns the record count or the first error.
absl::StatusOr<size_t> CountRecords(std::vector<uint8_t> bytes, std::vector<std::string>* warnings,
                                    std::optional<Network> network = std::nullopt) {
  auto file = BlkFile::FromBytes("mem.dat", std::move(bytes), network);
  size_t n = 0;
  BlkRecord rec;
  Block block;
  while (true) {
    auto more = file->Next(&rec);
    if (!more.ok()) return more.status();
    if (!*more) break;
    absl::Status s = DecodeBlock(rec.block, rec.offset, DecodeOptions(), &block);
    if (!s.ok()) return s;
    ++n;
  }
  *warnings = file->warnings();
  return n;
}

std::vector<uint8_t> First4522() {
  return ReadFileBytes(TestData("_derived/btc-mainnet-0-4521.blk"));
}

TEST(BlkReader, XorRoundTripWithRandomKeyGivesTheSameBlocks) {
  REQUIRE_TESTDATA();
  std::vector<uint8_t> plain = ReadFileBytes(TestData("nbitcoin/blk00000.dat"));
  std::mt19937_64 rng(std::random_device{}());
  XorKey key;
  for (auto& b : key) b = static_cast<uint8_t>(rng());
  key[0] |= 1;  // never the null key
  std::vector<uint8_t> obfuscated = plain;
  ApplyXor(key, 0, obfuscated.data(), obfuscated.size());
  ASSERT_NE(obfuscated, plain);

  std::filesystem::path dir = MakeTempDir("xor");
  WriteFile(dir / "blk00000.dat", obfuscated);
  WriteFile(dir / "xor.dat", std::vector<uint8_t>(key.begin(), key.end()));

  auto files = ListBlkFiles(dir);
  ASSERT_THAT(files, IsOk());
  ASSERT_EQ(files->size(), 1u);
  auto read_key = ReadXorKey(dir);
  ASSERT_THAT(read_key, IsOk());
  EXPECT_EQ(*read_key, key);

  auto expected = DecodeBlkFile(TestData("nbitcoin/blk00000.dat"));
  auto got = DecodeBlkFile((*files)[0], *read_key);
  ASSERT_THAT(expected, IsOk());
  ASSERT_THAT(got, IsOk());
  ASSERT_EQ(got->size(), 300u);
  for (size_t i = 0; i < got->size(); ++i) EXPECT_EQ((*got)[i].hash, (*expected)[i].hash);

  // Without the key the obfuscated file is garbage: an error at offset 0, no blocks.
  auto wrong = DecodeBlkFile((*files)[0], XorKey{});
  EXPECT_THAT(wrong, StatusIsWithMessage(absl::StatusCode::kDataLoss, "offset 0"));

  // Reading from the middle of the file applies the key by file offset.
  const uint64_t second = (*expected)[1].offset - 8;
  auto tail = BlkFile::Load((*files)[0], key, Network::kMainnet, second);
  ASSERT_THAT(tail, IsOk());
  BlkRecord rec;
  ASSERT_TRUE(*(*tail)->Next(&rec));
  EXPECT_EQ(rec.offset, (*expected)[1].offset);
  EXPECT_EQ(DecodeHeader(rec.block.data()).hash, (*expected)[1].hash);
}

TEST(BlkReader, XorKeyFileOfWrongSizeIsAnError) {
  std::filesystem::path dir = MakeTempDir("xorbad");
  WriteFile(dir / "xor.dat", {1, 2, 3});
  EXPECT_THAT(ReadXorKey(dir), StatusIsWithMessage(absl::StatusCode::kDataLoss, "xor.dat"));
  EXPECT_THAT(ParseXorKey("0011"), StatusIs(absl::StatusCode::kInvalidArgument));
  auto k = ParseXorKey("0102030405060708");
  ASSERT_THAT(k, IsOk());
  EXPECT_EQ((*k)[7], 8);
}

TEST(BlkReader, ListsBlkFilesInNumberOrderAndIgnoresOthers) {
  std::filesystem::path dir = MakeTempDir("list");
  for (const char* n : {"blk00002.dat", "blk00000.dat", "rev00000.dat", "blk00001.dat", "blkx.dat"})
    WriteFile(dir / n, {});
  auto files = ListBlkFiles(dir);
  ASSERT_THAT(files, IsOk());
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].filename(), "blk00000.dat");
  EXPECT_EQ((*files)[2].filename(), "blk00002.dat");
  EXPECT_THAT(ListBlkFiles(dir / "missing"), StatusIs(absl::StatusCode::kNotFound));
}

TEST(BlkReader, NBitcoinIncompleteFileSkipsTheZeroByteBeforeAMisalignedRecord) {
  REQUIRE_TESTDATA();
  // A record ends at 70449, one zero byte, then a whole record and the file's zero padding: the
  // byte is skipped with a warning (as Core's -reindex skips it) and every record is read.
  auto path = TestData("nbitcoin/incompleteblk.dat");
  auto file = BlkFile::Load(path, {}, std::nullopt);
  ASSERT_THAT(file, IsOk());
  BlkRecord rec;
  size_t good = 0;
  while (true) {
    auto more = (*file)->Next(&rec);
    ASSERT_THAT(more, IsOk());
    if (!*more) break;
    ++good;
  }
  EXPECT_EQ(good, 301u);
  ASSERT_EQ((*file)->warnings().size(), 1u);
  EXPECT_THAT((*file)->warnings()[0], ::testing::HasSubstr(path.string()));
  EXPECT_THAT((*file)->warnings()[0],
              ::testing::HasSubstr("skipped 1 zero bytes at offset 70449 (not at the end"));
}

TEST(BlkReader, TruncatedLastRecordIsAWarningNotData) {
  REQUIRE_TESTDATA();
  std::vector<uint8_t> bytes = First4522();
  bytes.resize(bytes.size() - 100);  // cut into the last block
  std::vector<std::string> warnings;
  auto n = CountRecords(bytes, &warnings);
  ASSERT_THAT(n, IsOk());
  EXPECT_EQ(*n, 4521u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], ::testing::HasSubstr("truncated last record at offset"));

  // A record header cut after the magic.
  std::vector<uint8_t> two = First4522();
  two.resize(two.size() + 6, 0);
  two[two.size() - 6] = 0xf9, two[two.size() - 5] = 0xbe, two[two.size() - 4] = 0xb4,
                   two[two.size() - 3] = 0xd9, two[two.size() - 2] = 0x10;
  n = CountRecords(two, &warnings);
  ASSERT_THAT(n, IsOk());
  EXPECT_EQ(*n, 4522u);
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(BlkReader, ZeroPaddingEndsTheFileButDataAfterItIsAnError) {
  REQUIRE_TESTDATA();
  std::vector<uint8_t> bytes = First4522();
  const size_t end = bytes.size();
  bytes.resize(end + 4096, 0);
  std::vector<std::string> warnings;
  auto n = CountRecords(bytes, &warnings);
  ASSERT_THAT(n, IsOk());
  EXPECT_EQ(*n, 4522u);
  EXPECT_TRUE(warnings.empty());

  bytes[end + 1000] = 7;
  EXPECT_THAT(CountRecords(bytes, &warnings),
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "1000 zero bytes at offset " + std::to_string(end) +
                                      " are followed by non-zero data that is not a record at "
                                      "offset " +
                                      std::to_string(end + 1000)));
}

TEST(BlkReader, ZerosInsideAFileAreSkippedWithAWarningAndTheScanGoesOn) {
  REQUIRE_TESTDATA();
  // 100 blocks after a run of zeros in the middle of the file: all are read, the zeros named.
  std::vector<uint8_t> bytes = First4522();
  auto file = BlkFile::FromBytes("x", bytes, Network::kMainnet);
  BlkRecord rec;
  uint64_t cut = 0;
  for (int i = 0; i < 4522 - 100; ++i) {
    ASSERT_THAT(file->Next(&rec), IsOk());
    cut = rec.offset + rec.block.size();
  }
  bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(cut), 5000, 0);
  std::vector<std::string> warnings;
  auto n = CountRecords(bytes, &warnings);
  ASSERT_THAT(n, IsOk());
  EXPECT_EQ(*n, 4522u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0],
              ::testing::HasSubstr("skipped 5000 zero bytes at offset " + std::to_string(cut)));
}

TEST(BlkReader, WrongMagicNamesOffsetAndExpectedNetwork) {
  REQUIRE_TESTDATA();
  std::vector<std::string> warnings;
  EXPECT_THAT(
      CountRecords(First4522(), &warnings, Network::kTestnet),
      StatusIsWithMessage(absl::StatusCode::kDataLoss,
                          "bad magic f9beb4d9 (expected 0b110907 for testnet) at offset 0"));
  std::vector<uint8_t> bytes = First4522();
  auto blocks = DecodeBlkFile(TestData("_derived/btc-mainnet-0-4521.blk"));
  ASSERT_THAT(blocks, IsOk());
  const uint64_t third = (*blocks)[2].offset - 8;
  bytes[third] = 0xfa;
  EXPECT_THAT(
      CountRecords(bytes, &warnings),
      StatusIsWithMessage(absl::StatusCode::kDataLoss, "at offset " + std::to_string(third)));
}

TEST(BlkReader, ImpossibleRecordSizesAreErrors) {
  std::vector<uint8_t> bytes = {0xf9, 0xbe, 0xb4, 0xd9, 10, 0, 0, 0};
  bytes.resize(100, 1);
  std::vector<std::string> warnings;
  EXPECT_THAT(CountRecords(bytes, &warnings),
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "impossible block record size 10 at offset 4"));
  std::vector<uint8_t> huge = {0xf9, 0xbe, 0xb4, 0xd9, 0xff, 0xff, 0xff, 0x7f};
  huge.resize(100, 1);
  EXPECT_THAT(CountRecords(huge, &warnings),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "impossible block record size"));
}

TEST(BlkReader, GarbageIsAClearErrorNeverACrash) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<uint8_t> bytes(1 + rng() % 4096);
    for (auto& b : bytes) b = static_cast<uint8_t>(rng());
    if (round % 2 == 0) {  // a valid frame around garbage: exercises the block decoder
      const uint8_t magic[] = {0xf9, 0xbe, 0xb4, 0xd9};
      std::copy(magic, magic + 4, bytes.begin());
      if (bytes.size() >= 8 + 80) {
        uint32_t size = static_cast<uint32_t>(bytes.size() - 8);
        std::memcpy(bytes.data() + 4, &size, 4);
      }
    }
    std::vector<std::string> warnings;
    auto n = CountRecords(bytes, &warnings);
    if (n.ok()) {
      EXPECT_EQ(*n, 0u) << "garbage decoded as a block in round " << round;
    } else {
      EXPECT_EQ(n.status().code(), absl::StatusCode::kDataLoss);
      EXPECT_THAT(std::string(n.status().message()), ::testing::HasSubstr("offset"));
    }
  }
}

// Corruptions inside a real block: each fails with DATA_LOSS at a named offset.
TEST(BlockDecoder, CorruptionsInsideABlockNameTheOffset) {
  REQUIRE_TESTDATA();
  std::vector<uint8_t> block = ReadFileBytes(TestData("bcoin/test/data/block300025.raw"));
  Block out;
  ASSERT_THAT(DecodeBlock(block, 0, DecodeOptions(), &out), IsOk());
  ASSERT_TRUE(out.merkle_ok);

  // Truncated anywhere: an error, never a partial block.
  for (size_t cut : {size_t{81}, size_t{100}, block.size() / 2, block.size() - 1}) {
    std::vector<uint8_t> t(block.begin(), block.begin() + cut);
    EXPECT_THAT(DecodeBlock(t, 1000, DecodeOptions(), &out),
                StatusIsWithMessage(absl::StatusCode::kDataLoss, "block at offset 1000"));
    EXPECT_TRUE(out.txs.empty());
  }
  // Trailing bytes.
  std::vector<uint8_t> longer = block;
  longer.push_back(0);
  EXPECT_THAT(DecodeBlock(longer, 0, DecodeOptions(), &out),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "trailing bytes"));
  // A transaction count beyond what the bytes can hold.
  std::vector<uint8_t> count = block;
  count[80] = 0xfe, count[81] = 0xff, count[82] = 0xff, count[83] = 0xff, count[84] = 0x01;
  EXPECT_THAT(DecodeBlock(count, 0, DecodeOptions(), &out),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "at offset 80"));
  // A changed byte inside a transaction breaks the merkle root (reported, not an error).
  std::vector<uint8_t> flipped = block;
  flipped[block.size() - 10] ^= 1;
  absl::Status s = DecodeBlock(flipped, 0, DecodeOptions(), &out);
  if (s.ok()) EXPECT_FALSE(out.merkle_ok);
}

TEST(BlockDecoder, NonCanonicalCompactSizeIsRejected) {
  // A transaction whose input count 1 is encoded as fd 01 00.
  std::vector<uint8_t> tx = {1, 0, 0, 0, 0xfd, 1, 0};
  tx.resize(tx.size() + 36, 0);
  tx.insert(tx.end(), {0, 0xff, 0xff, 0xff, 0xff, 1});
  tx.resize(tx.size() + 8, 0);
  tx.insert(tx.end(), {0, 0, 0, 0, 0});
  Block out;
  EXPECT_THAT(
      DecodeTransaction(tx, DecodeOptions(), &out),
      StatusIsWithMessage(absl::StatusCode::kDataLoss, "non-canonical CompactSize at offset 4"));
  tx[4] = 1;
  tx.erase(tx.begin() + 5, tx.begin() + 7);
  EXPECT_THAT(DecodeTransaction(tx, DecodeOptions(), &out), IsOk());
}

TEST(BlockDecoder, SegwitFlagRules) {
  // Marker 00 then flag 02: unknown optional data.
  std::vector<uint8_t> tx = {1, 0, 0, 0, 0, 2, 1};
  tx.resize(64, 0);
  Block out;
  EXPECT_THAT(DecodeTransaction(tx, DecodeOptions(), &out),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "flag at offset 5"));
  // Segwit flag with every witness empty: Core's "superfluous witness record".
  std::vector<uint8_t> sw = {1, 0, 0, 0, 0, 1, 1};
  sw.resize(sw.size() + 36, 0);
  sw.insert(sw.end(), {0, 0xff, 0xff, 0xff, 0xff, 1});
  sw.resize(sw.size() + 8, 0);
  sw.insert(sw.end(), {0, /*witness*/ 0, /*locktime*/ 0, 0, 0, 0});
  EXPECT_THAT(DecodeTransaction(sw, DecodeOptions(), &out),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "superfluous witness"));
}

TEST(BlockDecoder, OutputValueOutOfRangeIsRejected) {
  std::vector<uint8_t> tx = {1, 0, 0, 0, 1};
  tx.resize(tx.size() + 36, 0);
  tx.insert(tx.end(), {0, 0xff, 0xff, 0xff, 0xff, 1});
  tx.insert(tx.end(), {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});  // -1 satoshi
  tx.insert(tx.end(), {0, 0, 0, 0, 0});
  Block out;
  EXPECT_THAT(DecodeTransaction(tx, DecodeOptions(), &out),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "output value out of range"));
}

}  // namespace
}  // namespace ariadne::btc
