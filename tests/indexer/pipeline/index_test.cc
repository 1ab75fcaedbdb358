// The Bitcoin indexer on real blocks: facts recomputed independently inside the test, incremental
// runs, reorgs, and bad input.
#include <fstream>
#include <random>

#include "engine/core/address.h"
#include "engine/store/check.h"
#include "engine/store/codec.h"
#include "engine/store/digest.h"
#include "indexer/pipeline/btc_indexer.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

constexpr int64_t kCoin = 100'000'000;

std::filesystem::path First4522() { return TestData("_derived/btc-mainnet-0-4521.blk"); }

std::string DigestOf(const store::Store& s) {
  auto d = store::ComputeDigest(s);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? d->total.ToHex() : "";
}

void ExpectConsistent(const store::Store& s) {
  auto r = store::CheckStore(s);
  ASSERT_TRUE(r.ok()) << r.status();
  for (const auto& p : r->problems) ADD_FAILURE() << p;
}

store::AddrStats StatsOf(const store::Store& s, const std::string& address) {
  auto key = DecodeAddress(address, s.network());
  EXPECT_TRUE(key.ok()) << address;
  auto id = s.FindAddress(*key);
  EXPECT_TRUE(id.ok()) << address << ": " << id.status();
  if (!id.ok()) return {};
  auto st = s.ReadStats(*id);
  EXPECT_TRUE(st.ok());
  return st.ok() ? *st : store::AddrStats();
}

void WriteBytes(const std::filesystem::path& p, const std::vector<uint8_t>& b) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// Every address's totals, the UTXO set and the counts equal a plain replay of the same blocks.
void ExpectMatchesReplay(const store::Store& s, const std::vector<std::filesystem::path>& files) {
  auto replay = ReplayFiles(files, s.network());
  ASSERT_TRUE(replay.ok()) << replay.status();
  auto state = s.ReadState();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->tip_height + 1, static_cast<int64_t>(replay->blocks));
  EXPECT_EQ(state->tx_count, replay->txs);
  EXPECT_EQ(state->utxo_count, replay->utxo_count);
  EXPECT_EQ(state->utxo_value, replay->utxo_value);
  EXPECT_EQ(state->addr_count, replay->addresses.size());
  for (const auto& [address, t] : replay->addresses) {
    store::AddrStats st = StatsOf(s, address);
    EXPECT_EQ(st.tx_count, t.tx_count) << address;
    EXPECT_EQ(static_cast<int64_t>(st.received), t.received) << address;
    EXPECT_EQ(static_cast<int64_t>(st.sent), t.sent) << address;
    EXPECT_EQ(st.first_height, t.first_height) << address;
    EXPECT_EQ(st.last_height, t.last_height) << address;
  }
}

TEST(BtcIndexer, First4522MainnetBlocksMatchAnIndependentReplay) {
  REQUIRE_TESTDATA();
  pipeline::IndexResult r;
  auto s = IndexInto(MakeTempDir("idx") / "db", {First4522()}, Network::kMainnet, &r);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(r.blocks_applied, 4522u);
  EXPECT_EQ(r.txs, 4583u);
  EXPECT_EQ(r.tip_height, 4521);
  ExpectMatchesReplay(**s, {First4522()});
  ExpectConsistent(**s);
}

TEST(BtcIndexer, GenesisAndBlock170Facts) {
  REQUIRE_TESTDATA();
  auto s = IndexInto(MakeTempDir("idx") / "db", {First4522()}, Network::kMainnet);
  ASSERT_THAT(s, IsOk());
  // Satoshi's genesis output: 50 BTC at height 0, a P2PK output shown as its P2PKH address.
  store::AddrStats genesis = StatsOf(**s, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
  EXPECT_EQ(static_cast<int64_t>(genesis.received), 50 * kCoin);
  EXPECT_EQ(genesis.first_height, 0u);
  EXPECT_EQ(genesis.sent, 0u);
  // The first payment between people: 10 BTC to Hal Finney in block 170.
  store::AddrStats hal = StatsOf(**s, "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3");
  EXPECT_EQ(static_cast<int64_t>(hal.received), 10 * kCoin);
  EXPECT_EQ(hal.first_height, 170u);
  auto txid = Txid::FromHex("f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16");
  ASSERT_TRUE(txid.ok());
  auto num = (*s)->FindTx(*txid);
  ASSERT_THAT(num, IsOk());
  store::TxRow row;
  ASSERT_THAT((*s)->ReadTx(*num, &row), IsOk());
  ASSERT_EQ(row.outputs.size(), 2u);
  EXPECT_EQ(row.outputs[0].value, 10 * kCoin);
  EXPECT_EQ(row.outputs[0].type, ScriptType::kP2pk);
  ASSERT_EQ(row.inputs.size(), 1u);
  EXPECT_EQ(row.fee, 0);
}

TEST(BtcIndexer, IncrementalRunEqualsOneRunAcrossTwoFiles) {
  REQUIRE_TESTDATA();
  auto a = TestData("nbitcoin/blk00000.dat"), b = TestData("nbitcoin/blk00001.dat");
  auto dir = MakeTempDir("incr");
  pipeline::IndexResult r1, r2, r3;
  std::string incremental, once;
  {
    auto s = IndexInto(dir / "incr", {a}, Network::kMainnet, &r1);
    ASSERT_THAT(s, IsOk());
    EXPECT_EQ(r1.tip_height, 299);
  }
  {
    auto s = IndexInto(dir / "incr", {a, b}, Network::kMainnet, &r2, /*commit_txs=*/37);
    ASSERT_THAT(s, IsOk());
    EXPECT_EQ(r2.blocks_applied, 300u);  // only the new blocks
    EXPECT_EQ(r2.tip_height, 599);
    incremental = DigestOf(**s);
    ExpectConsistent(**s);
    ExpectMatchesReplay(**s, {a, b});
  }
  {
    auto s = IndexInto(dir / "once", {a, b}, Network::kMainnet, &r3);
    ASSERT_THAT(s, IsOk());
    once = DigestOf(**s);
  }
  EXPECT_EQ(incremental, once);
  // A third run finds nothing new.
  auto s = IndexInto(dir / "incr", {a, b}, Network::kMainnet, &r3);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(r3.blocks_applied, 0u);
  EXPECT_EQ(r3.blocks_found, 0u);
}

TEST(BtcIndexer, ReorgToTheHeavierBranchEqualsAFreshIndex) {
  REQUIRE_TESTDATA();
  const auto base = TestData("btcd/blk_0_to_4.dat"), a3 = TestData("btcd/blk_3A.dat"),
             a4 = TestData("btcd/blk_4A.dat"), a5 = TestData("btcd/blk_5A.dat");
  auto dir = MakeTempDir("reorg");
  pipeline::IndexResult r;
  BlockHash tip4;
  {
    auto s = IndexInto(dir / "step", {base}, Network::kMainnet, &r);
    ASSERT_THAT(s, IsOk());
    EXPECT_EQ(r.tip_height, 4);
    tip4 = r.tip_hash;
  }
  {
    // 3A and 4A: a side branch of equal work at most, so the first-seen chain stays.
    auto s = IndexInto(dir / "step", {base, a3, a4}, Network::kMainnet, &r);
    ASSERT_THAT(s, IsOk());
    EXPECT_EQ(r.tip_height, 4);
    EXPECT_EQ(r.tip_hash, tip4);
    EXPECT_EQ(r.blocks_rewound, 0u);
    EXPECT_EQ(r.stale_blocks, 2u);
  }
  std::string stepwise;
  {
    // 5A makes the side branch heavier: rewind 3 and 4, apply 3A, 4A, 5A.
    auto s = IndexInto(dir / "step", {base, a3, a4, a5}, Network::kMainnet, &r);
    ASSERT_THAT(s, IsOk());
    EXPECT_EQ(r.tip_height, 5);
    EXPECT_EQ(r.blocks_rewound, 2u);
    EXPECT_EQ(r.blocks_applied, 3u);
    EXPECT_EQ(r.stale_blocks, 2u);
    ExpectConsistent(**s);
    stepwise = DigestOf(**s);
  }
  auto fresh = IndexInto(dir / "fresh", {base, a3, a4, a5}, Network::kMainnet, &r);
  ASSERT_THAT(fresh, IsOk());
  EXPECT_EQ(r.blocks_rewound, 0u);
  EXPECT_EQ(DigestOf(**fresh), stepwise);
}

TEST(BtcIndexer, XorObfuscatedFolderIndexesLikeThePlainFiles) {
  REQUIRE_TESTDATA();
  auto dir = MakeTempDir("xorfolder");
  std::filesystem::create_directories(dir / "blocks");
  btc::XorKey key;
  std::mt19937_64 rng(std::random_device{}());
  for (auto& k : key) k = static_cast<uint8_t>(rng() | 1);
  for (int i = 0; i < 2; ++i) {
    auto bytes =
        ReadFileBytes(TestData(i == 0 ? "nbitcoin/blk00000.dat" : "nbitcoin/blk00001.dat"));
    btc::ApplyXor(key, 0, bytes.data(), bytes.size());
    WriteBytes(dir / "blocks" / (i == 0 ? "blk00000.dat" : "blk00001.dat"), bytes);
  }
  WriteBytes(dir / "blocks" / "xor.dat", std::vector<uint8_t>(key.begin(), key.end()));
  auto folder = IndexInto(dir / "db1", {dir / "blocks"}, Network::kMainnet);
  ASSERT_THAT(folder, IsOk());
  auto plain =
      IndexInto(dir / "db2", {TestData("nbitcoin/blk00000.dat"), TestData("nbitcoin/blk00001.dat")},
                Network::kMainnet);
  ASSERT_THAT(plain, IsOk());
  EXPECT_EQ(DigestOf(**folder), DigestOf(**plain));
}

// A corrupt block in the middle: everything before it is indexed and committed, the error names
// the file and the offset, the store is consistent, and a run on the repaired file completes it
// exactly as a clean run would.
TEST(BtcIndexer, CorruptBlockStopsAtTheLastGoodBlockAndResumesAfterRepair) {
  REQUIRE_TESTDATA();
  auto dir = MakeTempDir("corrupt");
  std::vector<uint8_t> good = ReadFileBytes(First4522());
  // Find block 3000's record and corrupt a byte of its coinbase transaction.
  auto file = btc::BlkFile::FromBytes("x", good, Network::kMainnet);
  btc::BlkRecord rec;
  uint64_t offset3000 = 0;
  for (int h = 0; h <= 3000; ++h) {
    ASSERT_TRUE(*file->Next(&rec));
    offset3000 = rec.offset;
  }
  std::vector<uint8_t> bad = good;
  bad[offset3000 + 80 + 1 + 4 + 1 + 36 + 3] ^= 0x55;  // inside the coinbase input
  const auto path = dir / "blk00000.dat";
  WriteBytes(path, bad);
  pipeline::IndexResult r;
  auto s = IndexInto(dir / "db", {path}, Network::kMainnet, &r, /*commit_txs=*/500);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr(path.string()));
  EXPECT_THAT(std::string(s.status().message()),
              ::testing::HasSubstr("offset " + std::to_string(offset3000)));
  EXPECT_EQ(r.tip_height, 2999);
  {
    store::StoreOptions so;
    so.mode = store::StoreOptions::Mode::kReadOnly;
    auto ro = store::Store::Open(dir / "db", so);
    ASSERT_THAT(ro, IsOk());
    EXPECT_EQ((*ro)->ReadState()->tip_height, 2999);
    ExpectConsistent(**ro);
  }
  WriteBytes(path, good);
  auto resumed = IndexInto(dir / "db", {path}, Network::kMainnet, &r);
  ASSERT_THAT(resumed, IsOk());
  EXPECT_EQ(r.tip_height, 4521);
  auto clean = IndexInto(dir / "clean", {First4522()}, Network::kMainnet);
  ASSERT_THAT(clean, IsOk());
  EXPECT_EQ(DigestOf(**resumed), DigestOf(**clean));
}

TEST(BtcIndexer, WrongMagicMidFileStopsScanningThere) {
  REQUIRE_TESTDATA();
  auto dir = MakeTempDir("magic");
  std::vector<uint8_t> bytes = ReadFileBytes(First4522());
  auto file = btc::BlkFile::FromBytes("x", bytes, Network::kMainnet);
  btc::BlkRecord rec;
  for (int h = 0; h <= 1000; ++h) ASSERT_TRUE(*file->Next(&rec));
  const uint64_t magic_at = rec.offset - 8;  // block 1000's record
  bytes[magic_at] = 0x0b;
  WriteBytes(dir / "blk.dat", bytes);
  pipeline::IndexResult r;
  auto s = IndexInto(dir / "db", {dir / "blk.dat"}, Network::kMainnet, &r);
  EXPECT_THAT(
      s, StatusIsWithMessage(absl::StatusCode::kDataLoss, "at offset " + std::to_string(magic_at)));
  EXPECT_EQ(r.tip_height, 999);
}

TEST(BtcIndexer, TruncatedTailIsIndexedOnceTheFileGrows) {
  REQUIRE_TESTDATA();
  auto dir = MakeTempDir("grow");
  std::vector<uint8_t> bytes = ReadFileBytes(First4522());
  std::vector<uint8_t> cut(bytes.begin(), bytes.end() - 100);
  WriteBytes(dir / "blk00000.dat", cut);
  pipeline::IndexResult r;
  {
    auto s = IndexInto(dir / "db", {dir / "blk00000.dat"}, Network::kMainnet, &r);
    ASSERT_THAT(s, IsOk());
    EXPECT_EQ(r.tip_height, 4520);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_THAT(r.warnings[0], ::testing::HasSubstr("truncated last record"));
  }
  WriteBytes(dir / "blk00000.dat", bytes);
  {
    auto s = IndexInto(dir / "db", {dir / "blk00000.dat"}, Network::kMainnet, &r);
    ASSERT_THAT(s, IsOk());
    EXPECT_EQ(r.tip_height, 4521);
    EXPECT_EQ(r.blocks_applied, 1u);
    EXPECT_TRUE(r.warnings.empty());
  }
  // A file that shrinks below what was indexed is refused.
  WriteBytes(dir / "blk00000.dat", cut);
  EXPECT_THAT(IndexInto(dir / "db", {dir / "blk00000.dat"}, Network::kMainnet, &r),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(BtcIndexer, MissingInputIsNotFound) {
  EXPECT_THAT(
      IndexInto(MakeTempDir("missing") / "db", {"/nonexistent/blk00000.dat"}, Network::kMainnet),
      StatusIs(absl::StatusCode::kNotFound));
}

TEST(Store, SchemaVersionAndNetworkMismatchesAreClearErrors) {
  auto dir = MakeTempDir("schema");
  {
    store::StoreOptions so;
    so.create_if_missing = true;
    so.network = Network::kRegtest;
    auto s = store::Store::Open(dir / "db", so);
    ASSERT_THAT(s, IsOk());
    // Not empty any more (an empty store takes the network it is opened with).
    ASSERT_TRUE(
        (*s)->db()->Put(rocksdb::WriteOptions(), (*s)->handle(store::Cf::kLabels), "k", "v").ok());
  }
  store::StoreOptions so;
  so.network = Network::kMainnet;
  EXPECT_THAT(store::Store::Open(dir / "db", so),
              StatusIsWithMessage(absl::StatusCode::kFailedPrecondition, "holds regtest"));
  {
    store::StoreOptions rw;
    auto s = store::Store::Open(dir / "db", rw);
    ASSERT_THAT(s, IsOk());
    std::string v;
    store::PutBE32(&v, 999);
    ASSERT_TRUE((*s)->db()
                    ->Put(rocksdb::WriteOptions(), (*s)->handle(store::Cf::kMeta),
                          std::string(store::kMetaSchemaVersion), v)
                    .ok());
  }
  EXPECT_THAT(store::Store::Open(dir / "db", store::StoreOptions()),
              StatusIsWithMessage(absl::StatusCode::kFailedPrecondition, "schema version 999"));
  EXPECT_THAT(store::Store::Open(dir / "none", store::StoreOptions()),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace ariadne::testing
