// Pruned and streaming input: blk files of indexed blocks may disappear (a pruned node deletes
// them); a block still needed that is gone stops the run with FAILED_PRECONDITION naming the file
// and height, before anything of the chain changes; reaching the open-file limit is an error, not
// a crash.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/strings/escaping.h"
#include "engine/store/digest.h"
#include "engine/store/schema.h"
#include "gen/generator.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

// The block tree's rows without where each block sits in the files.
std::vector<std::string> BlockTreeWithoutPositions(const store::Store& s) {
  std::vector<std::string> rows;
  std::unique_ptr<rocksdb::Iterator> it(
      s.db()->NewIterator(rocksdb::ReadOptions(), s.handle(store::Cf::kBlockIndex)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto e = store::DecodeBlockIndexEntry(it->value().ToString());
    EXPECT_THAT(e, IsOk());
    if (!e.ok()) break;
    rows.push_back(absl::StrCat(absl::BytesToHexString(it->key().ToString()), " ",
                                e->prev_hash.ToHex(), " ", e->bits, " ", e->time, " ", e->size));
  }
  return rows;
}

// A chain generated in two chunks, indexed after each, the first chunk's blk files deleted once
// indexed (as bench/replay/stream.sh does), equals a one-go index of the same chain generated
// without chunks.
TEST(PrunedInput, ChunksIndexedAndDeletedEqualOneRunOverTheWholeChain) {
  const auto dir = MakeTempDir("pruned-stream");
  gen::GenOptions g;
  g.out_dir = dir / "chunked";
  g.blocks = 260;
  g.txs_per_block = 50;
  g.seed = 8;
  g.write_truth = false;
  uint64_t chunks = 0;
  std::vector<std::string> deleted;
  absl::Status in_chunk;
  g.next_chunk = [&](const gen::GenProgress& p) -> uint64_t {
    if (p.height == 0) return 4000;  // the first stop
    ++chunks;
    auto s = IndexInto(dir / "db-chunked", {g.out_dir / "blocks"}, Network::kRegtest);
    in_chunk = s.status();
    for (const auto& e : std::filesystem::directory_iterator(g.out_dir / "blocks")) {
      deleted.push_back(e.path().string());
      std::filesystem::remove(e.path());
    }
    return 0;  // then to the end
  };
  ASSERT_THAT(gen::GenerateChain(g, nullptr), IsOk());
  ASSERT_EQ(chunks, 1u);
  ASSERT_THAT(in_chunk, IsOk());
  ASSERT_FALSE(deleted.empty());
  pipeline::IndexResult r;
  auto chunked = IndexInto(dir / "db-chunked", {g.out_dir / "blocks"}, Network::kRegtest, &r);
  ASSERT_THAT(chunked, IsOk());
  EXPECT_GT(r.blocks_applied, 0u);
  EXPECT_EQ(r.tip_height, 259);

  gen::GenOptions whole = g;
  whole.out_dir = dir / "whole";
  whole.next_chunk = nullptr;
  ASSERT_THAT(gen::GenerateChain(whole, nullptr), IsOk());
  auto once = IndexInto(dir / "db-whole", {whole.out_dir / "blocks"}, Network::kRegtest);
  ASSERT_THAT(once, IsOk());
  // The stores are consistent and equal, except where the blocks sit in the files: each stop
  // of the generator ended a blk file, so the block tree's file numbers and offsets differ.
  EXPECT_FALSE(CheckedDigest(**chunked).empty());
  EXPECT_FALSE(CheckedDigest(**once).empty());
  auto a = store::ComputeDigest(**chunked), b = store::ComputeDigest(**once);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  for (int i = 0; i < store::kNumCfs; ++i) {
    const store::Cf cf = static_cast<store::Cf>(i);
    EXPECT_EQ(a->families[i].rows, b->families[i].rows) << store::CfName(cf);
    if (cf == store::Cf::kBlockIndex) continue;
    EXPECT_EQ(a->families[i].digest, b->families[i].digest) << store::CfName(cf);
  }
  EXPECT_EQ(BlockTreeWithoutPositions(**chunked), BlockTreeWithoutPositions(**once));
}

// A heavier branch whose first block's file was pruned: the run stops before rewinding anything.
TEST(PrunedInput, ANeededBlockWhoseFileIsGoneIsFailedPreconditionAndNothingChanges) {
  REQUIRE_TESTDATA();
  const auto dir = MakeTempDir("pruned-gone");
  const auto blocks = dir / "blocks";
  std::filesystem::create_directories(blocks);
  std::filesystem::copy_file(TestData("btcd/blk_0_to_4.dat"), blocks / "blk00000.dat");
  std::filesystem::copy_file(TestData("btcd/blk_3A.dat"), blocks / "blk00001.dat");
  std::filesystem::copy_file(TestData("btcd/blk_4A.dat"), blocks / "blk00002.dat");
  pipeline::IndexResult r;
  store::StoreDigest before;
  store::ChainState state_before;
  {
    auto s = IndexInto(dir / "db", {blocks}, Network::kMainnet, &r);
    ASSERT_THAT(s, IsOk());
    EXPECT_EQ(r.tip_height, 4);  // the side branch 3A, 4A has no more work
    before = *store::ComputeDigest(**s);
    state_before = *(*s)->ReadState();
  }
  // The node pruned the file of 3A; 5A arrives and makes the side branch the best chain.
  std::filesystem::remove(blocks / "blk00001.dat");
  std::filesystem::copy_file(TestData("btcd/blk_5A.dat"), blocks / "blk00003.dat");
  auto s = IndexInto(dir / "db", {blocks}, Network::kMainnet, &r);
  EXPECT_THAT(s, StatusIsWithMessage(absl::StatusCode::kFailedPrecondition,
                                     (blocks / "blk00001.dat").string()));
  EXPECT_THAT(s, StatusIsWithMessage(absl::StatusCode::kFailedPrecondition, "at height 3"));
  EXPECT_EQ(r.blocks_rewound, 0u);
  EXPECT_EQ(r.blocks_applied, 0u);
  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  auto after = store::Store::Open(dir / "db", so);
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(*(*after)->ReadState(), state_before);
  // Only the block tree learned of 5A (a fact about the files); every other row is as it was.
  auto d = store::ComputeDigest(**after);
  ASSERT_THAT(d, IsOk());
  for (int i = 0; i < store::kNumCfs; ++i) {
    const store::Cf cf = static_cast<store::Cf>(i);
    if (cf == store::Cf::kBlockIndex) {
      EXPECT_EQ(d->families[i].rows, before.families[i].rows + 1);
      continue;
    }
    EXPECT_EQ(d->families[i].digest, before.families[i].digest) << store::CfName(cf);
  }
  // Once the file is back, the reorg goes through.
  std::filesystem::copy_file(TestData("btcd/blk_3A.dat"), blocks / "blk00001.dat");
  after->reset();
  auto again = IndexInto(dir / "db", {blocks}, Network::kMainnet, &r);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(r.blocks_rewound, 2u);
  EXPECT_EQ(r.tip_height, 5);
}

// Under an open-file limit too low for the store, the indexer reports it (RESOURCE_EXHAUSTED,
// with the limit and how to raise it) and exits normally.
TEST(FileLimit, TooFewFileDescriptorsIsAClearErrorNotACrash) {
  REQUIRE_TESTDATA();
  const auto dir = MakeTempDir("fdlimit");
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    struct rlimit r = {16, 16};
    ::setrlimit(RLIMIT_NOFILE, &r);
    auto s =
        IndexInto(dir / "db", {TestData("_derived/btc-mainnet-0-4521.blk")}, Network::kMainnet);
    const std::string msg =
        absl::StrCat(static_cast<int>(s.status().code()), " ", s.status().message());
    (void)!::write(fds[1], msg.data(), msg.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string msg;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof(buf))) > 0;) msg.append(buf, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "the child was killed by signal " << WTERMSIG(status);
  EXPECT_EQ(msg.substr(0, msg.find(' ')),
            std::to_string(static_cast<int>(absl::StatusCode::kResourceExhausted)))
      << msg;
  EXPECT_THAT(msg, ::testing::HasSubstr("ulimit -n"));
}

}  // namespace
}  // namespace ariadne::testing
