// Following a blocks folder as Bitcoin Core writes it: a record appended in two halves, a new
// file, a record cut short inside Core's zero pre-allocation, a competing branch that wins (a
// reorg), a pruned file; the store is checked after each step and ends equal to a fresh index of
// the final chain. The command ends at a commit boundary on SIGTERM with exit 0. Steps are driven
// from the loop's wait callback: nothing here depends on timing.
#include "indexer/pipeline/follow.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>

#include "engine/core/status_macros.h"
#include "engine/store/digest.h"
#include "gen/generator.h"
#include "indexer/pipeline/block_source.h"
#include "tests/indexer/pipeline/fork_builder.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

extern char** environ;

namespace ariadne::testing {
namespace {

constexpr std::array<uint8_t, 4> kRegtestMagic = {0xfa, 0xbf, 0xb5, 0xda};

std::vector<uint8_t> Record(const RawBlock& block) {
  std::vector<uint8_t> r(kRegtestMagic.begin(), kRegtestMagic.end());
  const uint32_t size = static_cast<uint32_t>(block.size());
  for (int i = 0; i < 4; ++i) r.push_back(static_cast<uint8_t>(size >> (8 * i)));
  r.insert(r.end(), block.begin(), block.end());
  return r;
}

// Writes `bytes` at `offset` of `path` (created if missing), as Core writes into its files.
void WriteAt(const std::filesystem::path& path, uint64_t offset,
             const std::vector<uint8_t>& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset)),
            static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

absl::StatusOr<std::vector<RawBlock>> GeneratedChain(const std::filesystem::path& dir,
                                                     uint32_t blocks) {
  gen::GenOptions g;
  g.out_dir = dir;
  g.blocks = blocks;
  g.txs_per_block = 20;
  g.seed = 17;
  g.write_truth = false;
  RETURN_IF_ERROR(gen::GenerateChain(g, nullptr));
  auto files = btc::ListBlkFiles(dir / "blocks");
  if (!files.ok()) return files.status();
  return ReadChain(*files, Network::kRegtest);
}

int32_t TipOf(const store::Store& s) {
  auto state = s.ReadState();
  return state.ok() ? state->tip_height : -2;
}

// The store's rows equal those of `other`, except where blocks sit in the files.
void ExpectSameRows(const store::Store& a, const store::Store& b) {
  auto da = store::ComputeDigest(a), db = store::ComputeDigest(b);
  ASSERT_THAT(da, IsOk());
  ASSERT_THAT(db, IsOk());
  for (int i = 0; i < store::kNumCfs; ++i) {
    const store::Cf cf = static_cast<store::Cf>(i);
    if (cf == store::Cf::kBlockIndex) continue;  // the old branch's blocks stay known
    EXPECT_EQ(da->families[i].digest, db->families[i].digest) << store::CfName(cf);
  }
  EXPECT_EQ(GraphFilesDigest(a), GraphFilesDigest(b));
}

// Args: session: rounds run in one open BtcIndexSession (as the command does), a round that would
//   rewind closing it for a whole run; otherwise each round is a whole run.
void FollowStepsEndEqualToAFreshIndex(bool session) {
  const auto dir = MakeTempDir(session ? "follow-steps-session" : "follow-steps");
  auto chain = GeneratedChain(dir / "gen", 40);
  ASSERT_THAT(chain, IsOk());
  ASSERT_EQ(chain->size(), 40u);
  // The branch that replaces blocks 34..36 (found once block 36 is indexed): 5 blocks, 34..38.
  auto branch = CraftFork(std::vector<RawBlock>(chain->begin(), chain->begin() + 37),
                          ForkOptions{.depth = 3, .extra = 2});
  ASSERT_THAT(branch, IsOk());
  ASSERT_EQ(branch->size(), 5u);

  const auto blocks = dir / "blocks";
  std::filesystem::create_directories(blocks);
  ASSERT_THAT(
      WriteBlkFile(blocks / "blk00000.dat",
                   std::vector<RawBlock>(chain->begin(), chain->begin() + 30), Network::kRegtest),
      IsOk());
  store::StoreOptions so;
  so.create_if_missing = true;
  so.network = Network::kRegtest;
  auto s = store::Store::Open(dir / "db", so);
  ASSERT_THAT(s, IsOk());
  store::Store* st = s->get();

  pipeline::FolderSource source({blocks});
  std::atomic<bool> stop{false};
  pipeline::FollowOptions fo;
  fo.poll_interval = std::chrono::milliseconds(1);
  fo.stop = &stop;
  std::vector<pipeline::FollowRound> rounds;
  pipeline::BtcIndexOptions o;
  o.stop = &stop;
  std::unique_ptr<pipeline::BtcIndexSession> open;
  uint64_t full_runs = 0;
  fo.index = [&](const std::vector<std::filesystem::path>& inputs, pipeline::IndexResult* r) {
    if (session) {
      if (open == nullptr) open = std::make_unique<pipeline::BtcIndexSession>(st, o);
      bool full = false;
      absl::Status status = open->Round(inputs, r, &full);
      if (status.ok() && !full) return status;
      EXPECT_THAT(open->Close(), ::testing::IsEmpty());
      open.reset();
      if (!full) return status;
      ++full_runs;
    }
    pipeline::BtcIndexOptions run = o;
    run.inputs = inputs;
    return pipeline::IndexBitcoin(st, run, r);
  };
  fo.on_round = [&](const pipeline::FollowRound& r) { rounds.push_back(r); };
  const std::vector<uint8_t> rec30 = Record((*chain)[30]);
  const std::vector<uint8_t> rec36 = Record((*chain)[36]);
  const uint64_t end0 = std::filesystem::file_size(blocks / "blk00000.dat");
  uint64_t end1 = 0;  // where block 36's record ends in blk00001.dat
  int step = 0;
  fo.on_wait = [&] {
    ++step;
    SCOPED_TRACE(absl::StrCat("step ", step));
    switch (step) {
      case 1: {  // the first 30 blocks are in; Core writes the first half of block 30's record
        EXPECT_EQ(TipOf(*st), 29);
        WriteAt(blocks / "blk00000.dat", end0,
                std::vector<uint8_t>(rec30.begin(), rec30.begin() + rec30.size() / 2));
        break;
      }
      case 2: {  // half a record is waited for, not an error; then the rest
        EXPECT_EQ(TipOf(*st), 29);
        EXPECT_TRUE(rounds.back().status.ok()) << rounds.back().status;
        WriteAt(blocks / "blk00000.dat", end0 + rec30.size() / 2,
                std::vector<uint8_t>(rec30.begin() + rec30.size() / 2, rec30.end()));
        break;
      }
      case 3: {  // a new file: blocks 31..35, then block 36 cut short inside zero pre-allocation
        EXPECT_EQ(TipOf(*st), 30);
        std::vector<uint8_t> bytes;
        for (int h = 31; h < 36; ++h) {
          auto r = Record((*chain)[h]);
          bytes.insert(bytes.end(), r.begin(), r.end());
        }
        bytes.insert(bytes.end(), rec36.begin(), rec36.begin() + 8 + 80 + 10);
        end1 = bytes.size() - (8 + 80 + 10) + rec36.size();
        bytes.resize(1 << 20, 0);  // Core pre-allocates files in chunks of zeros
        WriteAt(blocks / "blk00001.dat", 0, bytes);
        break;
      }
      case 4: {  // blocks before the unfinished one are committed; the round is tried again
        EXPECT_EQ(TipOf(*st), 35);
        EXPECT_TRUE(rounds.back().will_retry);
        EXPECT_THAT(rounds.back().status, StatusIs(absl::StatusCode::kDataLoss));
        WriteAt(blocks / "blk00001.dat", end1 - rec36.size(), rec36);
        break;
      }
      case 5: {  // a competing branch from block 33, one block longer than ours so far
        EXPECT_EQ(TipOf(*st), 36);
        std::vector<uint8_t> bytes;
        for (int i = 0; i < 4; ++i) {
          auto r = Record((*branch)[i]);
          bytes.insert(bytes.end(), r.begin(), r.end());
        }
        WriteAt(blocks / "blk00001.dat", end1, bytes);
        break;
      }
      case 6: {  // rewound to 33, branch applied; then Core prunes blk00000 and writes a new file
        EXPECT_EQ(TipOf(*st), 37);
        EXPECT_EQ(rounds.back().result.blocks_rewound, 3u);
        std::filesystem::remove(blocks / "blk00000.dat");
        ASSERT_THAT(WriteBlkFile(blocks / "blk00002.dat", {(*branch)[4]}, Network::kRegtest),
                    IsOk());
        break;
      }
      default:
        EXPECT_EQ(TipOf(*st), 38);
        stop = true;
    }
  };
  pipeline::FollowResult fr;
  ASSERT_THAT(pipeline::Follow(&source, fo, &fr), IsOk());
  EXPECT_EQ(step, 7);
  EXPECT_EQ(fr.tip_height, 38);
  EXPECT_EQ(fr.blocks_rewound, 3u);
  // The reorg was rewound in the open session: no whole run.
  if (session) EXPECT_EQ(full_runs, 0u);
  if (open != nullptr) EXPECT_THAT(open->Close(), ::testing::IsEmpty());

  // A fresh index of the final chain: blocks 0..33 and the branch.
  std::vector<RawBlock> final_chain(chain->begin(), chain->begin() + 34);
  final_chain.insert(final_chain.end(), branch->begin(), branch->end());
  ASSERT_THAT(WriteBlkFile(dir / "final.dat", final_chain, Network::kRegtest), IsOk());
  auto fresh = IndexInto(dir / "db-fresh", {dir / "final.dat"}, Network::kRegtest);
  ASSERT_THAT(fresh, IsOk());
  EXPECT_FALSE(CheckedDigest(*st).empty());
  ExpectSameRows(*st, **fresh);
}

TEST(Follow, RecordsHalfWrittenNewFilesAReorgAndAPrunedFileEndEqualToAFreshIndex) {
  FollowStepsEndEqualToAFreshIndex(false);
}

TEST(Follow, InOneOpenSessionTheSameStepsEndEqualToAFreshIndex) {
  FollowStepsEndEqualToAFreshIndex(true);
}

TEST(Follow, AnErrorThatIsNotRetriedEndsTheLoop) {
  const auto dir = MakeTempDir("follow-error");
  pipeline::FolderSource source({dir / "nothing-here"});
  std::atomic<bool> stop{false};
  pipeline::FollowOptions fo;
  fo.stop = &stop;
  fo.index = [](const std::vector<std::filesystem::path>&, pipeline::IndexResult*) {
    return absl::InvalidArgumentError("not a store");
  };
  pipeline::FollowResult fr;
  EXPECT_THAT(pipeline::Follow(&source, fo, &fr),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "not a store"));
  fo.index = nullptr;
  EXPECT_THAT(pipeline::Follow(&source, fo, &fr), StatusIs(absl::StatusCode::kInvalidArgument));
}

// `ariadne index btc --follow`, as a child process with its stdout on a pipe.
class FollowProcess {
 public:
  explicit FollowProcess(const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    const std::string bin = AriadneBinary().string();
    std::vector<char*> argv = {const_cast<char*>(bin.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, bin.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    out_ = ::fdopen(fds[0], "r");
  }
  ~FollowProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_ != nullptr) std::fclose(out_);
  }
  // Returns: the next line that starts with `prefix` ("" at the end of the output).
  std::string ReadLineStartingWith(std::string_view prefix) {
    char buf[4096];
    while (out_ != nullptr && std::fgets(buf, sizeof(buf), out_) != nullptr) {
      std::string line(buf);
      lines_.push_back(line);
      if (line.rfind(prefix, 0) == 0) return line;
    }
    return "";
  }
  // Sends `sig` and waits for the exit. Returns: the exit status (-1 when it did not exit).
  int SignalAndWait(int sig) {
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  const std::vector<std::string>& lines() const { return lines_; }
  bool started() const { return pid_ > 0 && out_ != nullptr; }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::vector<std::string> lines_;
};

TEST(Follow, TheCommandCommitsEachNewBlockAndEndsCleanlyOnSigterm) {
  const auto dir = MakeTempDir("follow-cli");
  auto chain = GeneratedChain(dir / "gen", 12);
  ASSERT_THAT(chain, IsOk());
  const auto blocks = dir / "blocks";
  std::filesystem::create_directories(blocks);
  ASSERT_THAT(
      WriteBlkFile(blocks / "blk00000.dat",
                   std::vector<RawBlock>(chain->begin(), chain->begin() + 10), Network::kRegtest),
      IsOk());
  FollowProcess p({"index", "btc", "--blocks", blocks.string(), "--db", (dir / "db").string(),
                   "--network", "regtest", "--memory-mb", "256", "--follow", "--poll-ms", "20"});
  ASSERT_TRUE(p.started());
  EXPECT_NE(p.ReadLineStartingWith("following "), "");
  EXPECT_NE(p.ReadLineStartingWith("height 9 "), "");
  // The catch-up is over (said once): from here a block costs its own work.
  EXPECT_EQ(p.ReadLineStartingWith("caught up at height"),
            "caught up at height 9; waiting for new blocks\n");
  const uint64_t end0 = std::filesystem::file_size(blocks / "blk00000.dat");
  WriteAt(blocks / "blk00000.dat", end0, Record((*chain)[10]));
  const std::string committed = p.ReadLineStartingWith("height 10 ");
  EXPECT_NE(committed.find("1 blocks applied"), std::string::npos) << committed;
  EXPECT_EQ(p.SignalAndWait(SIGTERM), 0);
  EXPECT_EQ(p.ReadLineStartingWith("stopped at height"), "stopped at height 10\n");

  // The store holds what was committed, and a one-shot run over the same folder has nothing to do.
  pipeline::IndexResult r;
  auto s = IndexInto(dir / "db", {blocks}, Network::kRegtest, &r);
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(r.blocks_applied, 0u);
  EXPECT_EQ(r.tip_height, 10);
}

}  // namespace
}  // namespace ariadne::testing
