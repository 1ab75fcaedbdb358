// Attacks by someone who can write into the blocks folder, kept as tests: forged headers of every
// kind (proof of work, difficulty bits, genesis, a replacement genesis, timestamps), block_index
// rows an earlier build stored for such headers, and zeros written inside a blk file. Each is
// refused with an error naming the file, the offset, the block and the rule, and the store stays
// on (or returns to) the best valid chain.
#include <cstring>

#include "engine/core/hash.h"
#include "engine/store/check.h"
#include "engine/store/codec.h"
#include "indexer/btc/block.h"
#include "indexer/pipeline/btc_indexer.h"
#include "tests/engine/service/hardening_util.h"
#include "tests/indexer/btc/chain_builder.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

fs::path First4522() { return TestData("_derived/btc-mainnet-0-4521.blk"); }

// Indexes into `db` (created when missing). Returns: the indexer's status. Out: *r.
absl::Status Index(const fs::path& db, const std::vector<fs::path>& inputs, Network network,
                   pipeline::IndexResult* r) {
  return IndexInto(db, inputs, network, r).status();
}

std::unique_ptr<store::Store> OpenReadOnly(const fs::path& db) {
  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  auto s = store::Store::Open(db, so);
  EXPECT_THAT(s, IsOk());
  return s.ok() ? *std::move(s) : nullptr;
}

bool HasBlockIndexRow(const store::Store& s, const BlockHash& hash) {
  std::string v;
  return s.db()
      ->Get(rocksdb::ReadOptions(), s.handle(store::Cf::kBlockIndex),
            rocksdb::Slice(reinterpret_cast<const char*>(hash.data()), 32), &v)
      .ok();
}

void ExpectConsistent(const store::Store& s) {
  auto r = store::CheckStore(s);
  ASSERT_THAT(r, IsOk());
  for (const auto& p : r->problems) ADD_FAILURE() << p;
}

// Mainnet block 1 (the second record of the file) with its bits set to `bits`.
TestBlock MainnetBlock1With(uint32_t bits, bool null_prev = false) {
  const std::vector<uint8_t> file = ReadFileBytes(First4522());
  TestBlock b;
  b.bytes.assign(file.begin() + 8 + 285 + 8, file.begin() + 8 + 285 + 8 + 215);
  std::memcpy(b.bytes.data() + 72, &bits, 4);
  if (null_prev) std::memset(b.bytes.data() + 4, 0, 32);
  b.hash = btc::DecodeHeader(b.bytes.data()).hash;
  return b;
}

TEST(HostileChain, ForgedProofOfWorkAfterMainnetsGenesisNeverBecomesTheChain) {
  REQUIRE_TESTDATA();
  const fs::path dir = MakeTempDir("hostile_pow");
  // 190-odd bytes that claim 256 times block 1's work: bits 0x1b00ffff, the hash far above.
  const TestBlock forged = MainnetBlock1With(0x1b00ffff);
  WriteFile(dir / "forged.blk", BlkRecords(Network::kMainnet, std::span(&forged, 1)));
  for (int run = 0; run < 2; ++run) {  // refused again on every run
    pipeline::IndexResult r;
    EXPECT_THAT(
        Index(dir / "db", {First4522(), dir / "forged.blk"}, Network::kMainnet, &r),
        StatusIsWithMessage(absl::StatusCode::kDataLoss,
                            (dir / "forged.blk").string() + ": block " + forged.hash.ToHex() +
                                " at offset 8: proof of work: the hash is above the "
                                "target of bits 1b00ffff (high-hash)"));
    EXPECT_EQ(r.tip_height, 4521) << "run " << run;
    EXPECT_EQ(r.blocks_rewound, 0u);
  }
  auto s = OpenReadOnly(dir / "db");
  ASSERT_NE(s, nullptr);
  EXPECT_FALSE(HasBlockIndexRow(*s, forged.hash));
  ExpectConsistent(*s);
  // The command says the same and exits non-zero.
  std::string out;
  EXPECT_EQ(RunAriadne({"index", "btc", "--blocks", First4522().string(),
                        (dir / "forged.blk").string(), "--db", (dir / "db").string()},
                       &out),
            1);
  EXPECT_THAT(out, HasSubstr("(high-hash)"));
  EXPECT_THAT(out, HasSubstr("tip 4521 "));
}

TEST(HostileChain, ABlockWithoutParentIsTheGenesisOrNothing) {
  REQUIRE_TESTDATA();
  const fs::path dir = MakeTempDir("hostile_genesis");
  // On mainnet: a copy of block 1 with a null previous hash, claiming more work than all 4,522.
  const TestBlock root = MainnetBlock1With(0x1a00ffff, /*null_prev=*/true);
  WriteFile(dir / "root.blk", BlkRecords(Network::kMainnet, std::span(&root, 1)));
  pipeline::IndexResult r;
  EXPECT_THAT(Index(dir / "db", {First4522(), dir / "root.blk"}, Network::kMainnet, &r),
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "root.blk: block " + root.hash.ToHex() +
                                      " at offset 8: no previous block but not the mainnet "
                                      "genesis block"));
  EXPECT_EQ(r.tip_height, 4521);

  // On regtest, with real proof of work: a replacement genesis and a longer chain on it.
  const TestBlock genesis = RegtestGenesis();
  const uint32_t t0 = btc::DecodeHeader(genesis.bytes.data()).time;
  std::vector<TestBlock> honest = {genesis};
  for (auto& b : RegtestBlocks(genesis.hash, 0, t0, 3, "honest")) honest.push_back(b);
  TestHeader fake;
  fake.time = t0;
  fake.tag = "replacement genesis";
  std::vector<TestBlock> forged = {MakeTestBlock(fake)};
  for (auto& b : RegtestBlocks(forged[0].hash, 0, t0, 6, "forged")) forged.push_back(b);
  WriteFile(dir / "honest.blk", BlkRecords(Network::kRegtest, honest));
  WriteFile(dir / "forged.blk", BlkRecords(Network::kRegtest, forged));
  EXPECT_THAT(Index(dir / "reg", {dir / "honest.blk", dir / "forged.blk"}, Network::kRegtest, &r),
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "forged.blk: block " + forged[0].hash.ToHex() +
                                      " at offset 8: no previous block but not the regtest "
                                      "genesis block"));
  EXPECT_EQ(r.tip_height, 3);
  EXPECT_EQ(r.tip_hash, honest.back().hash);
}

// A regtest chain: the genesis and `n` blocks, in one file.
std::vector<TestBlock> HonestRegtest(int n) {
  const TestBlock genesis = RegtestGenesis();
  std::vector<TestBlock> chain = {genesis};
  for (auto& b :
       RegtestBlocks(genesis.hash, 0, btc::DecodeHeader(genesis.bytes.data()).time, n, "honest")) {
    chain.push_back(b);
  }
  return chain;
}

uint32_t TimeOf(const TestBlock& b) { return btc::DecodeHeader(b.bytes.data()).time; }

TEST(HostileChain, BitsTheDifficultyRulesDoNotAllowAreRefusedWithTheirBranch) {
  const fs::path dir = MakeTempDir("hostile_bits");
  const std::vector<TestBlock> honest = HonestRegtest(5);
  // A side branch from height 2 whose bits claim 128 times the work of each honest block, with
  // the proof of work for those bits done: more work than the honest chain, but regtest's rules
  // require 0x207fffff.
  std::vector<TestBlock> side;
  BlockHash prev = honest[2].hash;
  for (uint32_t h = 3; h <= 8; ++h) {
    TestHeader hdr;
    hdr.prev = prev;
    hdr.height = h;
    hdr.time = TimeOf(honest[2]) + 600 * (h - 2);
    hdr.bits = 0x2000ffff;
    hdr.tag = "heavy";
    side.push_back(MakeTestBlock(hdr));
    prev = side.back().hash;
  }
  WriteFile(dir / "honest.blk", BlkRecords(Network::kRegtest, honest));
  WriteFile(dir / "side.blk", BlkRecords(Network::kRegtest, side));
  pipeline::IndexResult r;
  EXPECT_THAT(Index(dir / "db", {dir / "honest.blk", dir / "side.blk"}, Network::kRegtest, &r),
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "side.blk: block " + side[0].hash.ToHex() +
                                      " at offset 8: bits 2000ffff where the difficulty rules of "
                                      "regtest require 207fffff at height 3 (bad-diffbits) (and 5 "
                                      "more refused blocks)"));
  EXPECT_EQ(r.tip_height, 5);
  EXPECT_EQ(r.tip_hash, honest.back().hash);
  auto s = OpenReadOnly(dir / "db");
  ASSERT_NE(s, nullptr);
  for (const TestBlock& b : side) EXPECT_FALSE(HasBlockIndexRow(*s, b.hash));
  ExpectConsistent(*s);
}

TEST(HostileChain, ATimestampNotAboveTheMedianOfTheLastElevenIsRefused) {
  const fs::path dir = MakeTempDir("hostile_time");
  const std::vector<TestBlock> honest = HonestRegtest(11);
  TestHeader hdr;
  hdr.prev = honest.back().hash;
  hdr.height = 12;
  hdr.time = TimeOf(honest[6]);  // the median of heights 1..11
  const TestBlock old = MakeTestBlock(hdr);
  WriteFile(dir / "honest.blk", BlkRecords(Network::kRegtest, honest));
  WriteFile(dir / "old.blk", BlkRecords(Network::kRegtest, std::span(&old, 1)));
  pipeline::IndexResult r;
  EXPECT_THAT(
      Index(dir / "db", {dir / "honest.blk", dir / "old.blk"}, Network::kRegtest, &r),
      StatusIsWithMessage(absl::StatusCode::kDataLoss,
                          "old.blk: block " + old.hash.ToHex() + " at offset 8: timestamp " +
                              std::to_string(hdr.time) + " is not above the median"));
  EXPECT_EQ(r.tip_height, 11);
}

// Rewrites the block_index row of `hash`: what an earlier build (which checked nothing) stored
// for a forged header. Args: new_key: the row's new key (its hash), or the same.
void RewriteRow(const fs::path& db, const BlockHash& hash, const BlockHash& new_key,
                uint32_t new_time) {
  store::StoreOptions so;
  auto s = store::Store::Open(db, so);
  ASSERT_THAT(s, IsOk());
  auto* h = (*s)->handle(store::Cf::kBlockIndex);
  const rocksdb::Slice key(reinterpret_cast<const char*>(hash.data()), 32);
  std::string v;
  ASSERT_TRUE((*s)->db()->Get(rocksdb::ReadOptions(), h, key, &v).ok());
  auto e = store::DecodeBlockIndexEntry(v);
  ASSERT_THAT(e, IsOk());
  e->time = new_time;
  rocksdb::WriteBatch wb;
  wb.Delete(h, key);
  wb.Put(h, rocksdb::Slice(reinterpret_cast<const char*>(new_key.data()), 32),
         store::EncodeBlockIndexEntry(*e));
  ASSERT_TRUE((*s)->db()->Write(rocksdb::WriteOptions(), &wb).ok());
}

TEST(HostileChain, AStoreDoesNotStayOnAChainItsStoredRowsCannotJustify) {
  // The store follows a heavier branch B; then its rows turn out to be a forgery (as an earlier
  // build would have stored them for forged headers) and the forged file is removed: the rows are
  // refused when loaded and the store returns to the valid chain A.
  const std::vector<TestBlock> a = HonestRegtest(3);
  const uint32_t t0 = TimeOf(a[0]);
  const std::vector<TestBlock> b = RegtestBlocks(a[0].hash, 0, t0, 5, "branch b");
  const BlockHash high = *BlockHash::FromHex(std::string(64, 'f'));
  struct Forgery {
    const char* name;
    BlockHash key;  // the row's hash
    uint32_t time;  // the row's timestamp
    const char* rule;
  };
  for (const Forgery& f : {Forgery{"time", b[0].hash, t0, "(time-too-old)"},
                           Forgery{"pow", high, TimeOf(b[0]), "(high-hash)"}}) {
    SCOPED_TRACE(f.name);
    const fs::path dir = MakeTempDir(std::string("hostile_rows_") + f.name);
    WriteFile(dir / "a.blk", BlkRecords(Network::kRegtest, a));
    WriteFile(dir / "b.blk", BlkRecords(Network::kRegtest, b));
    pipeline::IndexResult r;
    ASSERT_THAT(Index(dir / "db", {dir / "a.blk", dir / "b.blk"}, Network::kRegtest, &r), IsOk());
    ASSERT_EQ(r.tip_hash, b.back().hash);
    RewriteRow(dir / "db", b[0].hash, f.key, f.time);
    fs::remove(dir / "b.blk");
    const absl::Status refused = Index(dir / "db", {dir / "a.blk"}, Network::kRegtest, &r);
    EXPECT_THAT(refused, StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                             (dir / "b.blk").string() + ": block " + f.key.ToHex() +
                                                 " at offset 8: "));
    EXPECT_THAT(std::string(refused.message()), HasSubstr(f.rule));
    EXPECT_EQ(r.tip_height, 3);
    EXPECT_EQ(r.blocks_rewound, 5u);
    // The refused rows are gone: the next run has nothing to refuse and stays on A.
    EXPECT_THAT(Index(dir / "db", {dir / "a.blk"}, Network::kRegtest, &r), IsOk());
    EXPECT_EQ(r.tip_height, 3);
    EXPECT_EQ(r.tip_hash, a.back().hash);
    auto s = OpenReadOnly(dir / "db");
    ASSERT_NE(s, nullptr);
    EXPECT_FALSE(HasBlockIndexRow(*s, f.key));
    ExpectConsistent(*s);
  }
}

TEST(HostileChain, DecodeNamesForgedHeaders) {
  REQUIRE_TESTDATA();
  const fs::path dir = MakeTempDir("hostile_decode");
  const std::vector<TestBlock> forged = {MainnetBlock1With(0x1b00ffff),
                                         MainnetBlock1With(0x1d00ffff, /*null_prev=*/true)};
  WriteFile(dir / "forged.blk", BlkRecords(Network::kMainnet, forged));
  std::string out;
  EXPECT_EQ(RunAriadne({"decode", (dir / "forged.blk").string()}, &out), 1);
  EXPECT_THAT(out, HasSubstr((dir / "forged.blk").string() + ": block " + forged[0].hash.ToHex() +
                             " at offset 8: proof of work"));
  EXPECT_THAT(out, HasSubstr(forged[1].hash.ToHex() + " at offset 231: no previous block but not "
                                                      "the mainnet genesis block"));
  EXPECT_THAT(out, HasSubstr("2 INVALID HEADERS"));
  EXPECT_EQ(RunAriadne({"decode", First4522().string()}, &out), 0);
  EXPECT_THAT(out, HasSubstr("all headers meet their proof of work"));
}

TEST(HostileChain, ZerosInsideABlkFileDoNotHideTheBlocksAfterThem) {
  REQUIRE_TESTDATA();
  const fs::path dir = MakeTempDir("hostile_zeros");
  std::vector<uint8_t> bytes = ReadFileBytes(First4522());
  // The records of heights 0..4421 end at `cut`; 4,096 zeros go there, 100 blocks follow them.
  size_t cut = 0;
  for (int i = 0; i < 4422; ++i) {
    uint32_t size;
    std::memcpy(&size, bytes.data() + cut + 4, 4);
    cut += 8 + size;
  }
  std::vector<uint8_t> holed = bytes;
  holed.insert(holed.begin() + static_cast<std::ptrdiff_t>(cut), 4096, 0);
  WriteFile(dir / "blk00000.dat", holed);
  pipeline::IndexResult r;
  ASSERT_THAT(Index(dir / "db", {dir / "blk00000.dat"}, Network::kMainnet, &r), IsOk());
  EXPECT_EQ(r.tip_height, 4521);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_THAT(r.warnings[0], HasSubstr("skipped 4096 zero bytes at offset " + std::to_string(cut)));

  // Zeros followed by something that is not a record: an error naming where.
  std::vector<uint8_t> garbage = bytes;
  garbage.insert(garbage.begin() + static_cast<std::ptrdiff_t>(cut), 64, 0);
  garbage[cut + 64] = 0x42;
  fs::create_directories(dir / "g");
  WriteFile(dir / "g" / "blk00000.dat", garbage);
  EXPECT_THAT(Index(dir / "gdb", {dir / "g" / "blk00000.dat"}, Network::kMainnet, &r),
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "64 zero bytes at offset " + std::to_string(cut) +
                                      " are followed by non-zero data that is not a record at "
                                      "offset " +
                                      std::to_string(cut + 64)));
  EXPECT_EQ(r.tip_height, 4421);

  // Zeros to the end of the file are Core's pre-allocation: no warning, and blocks written into
  // them later are found.
  std::vector<uint8_t> padded(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
  padded.resize(bytes.size() + 16384, 0);
  fs::create_directories(dir / "p");
  WriteFile(dir / "p" / "blk00000.dat", padded);
  ASSERT_THAT(Index(dir / "pdb", {dir / "p" / "blk00000.dat"}, Network::kMainnet, &r), IsOk());
  EXPECT_EQ(r.tip_height, 4421);
  EXPECT_TRUE(r.warnings.empty());
  std::copy(bytes.begin(), bytes.end(), padded.begin());
  WriteFile(dir / "p" / "blk00000.dat", padded);
  ASSERT_THAT(Index(dir / "pdb", {dir / "p" / "blk00000.dat"}, Network::kMainnet, &r), IsOk());
  EXPECT_EQ(r.tip_height, 4521);
  EXPECT_TRUE(r.warnings.empty());
}

}  // namespace
}  // namespace ariadne::testing
