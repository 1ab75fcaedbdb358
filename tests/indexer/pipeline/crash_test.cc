// Crash safety: the `ariadne index` process is killed with SIGKILL at many random moments (in the
// scan, between and inside commits); every restart resumes, and the final store equals a clean
// run's store exactly (same logical digest) and passes the consistency check.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <random>
#include <thread>

#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

extern char** environ;

namespace ariadne::testing {
namespace {

// Starts the indexer; returns its pid.
pid_t StartIndexer(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  std::string bin = AriadneBinary().string();
  argv.push_back(bin.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(rc, 0) << "cannot start " << bin;
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

std::string Digest(const std::filesystem::path& db) {
  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  auto s = store::Store::Open(db, so);
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return "";
  SCOPED_TRACE(db.string());
  return CheckedDigest(**s);
}

TEST(CrashSafety, KilledIndexerResumesToTheSameStoreAsACleanRun) {
  REQUIRE_TESTDATA();
  ASSERT_TRUE(std::filesystem::exists(AriadneBinary())) << AriadneBinary();
  auto dir = MakeTempDir("crash");
  const std::vector<std::string> files = {TestData("_derived/btc-mainnet-0-4521.blk").string(),
                                          TestData("nbitcoin/blk00001.dat").string()};
  // nbitcoin's second file repeats heights 300..599 of the first: known blocks are skipped, which
  // the kills must not disturb either.
  auto args = [&](const std::filesystem::path& db) {
    std::vector<std::string> a = {"index", "btc", "--db", db.string(), "--commit-txs", "20"};
    for (const auto& f : files) a.insert(a.end(), {"--blocks", f});
    return a;
  };

  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(Wait(StartIndexer(args(dir / "clean"))), 0);
  const int clean_ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count());
  const std::string clean = Digest(dir / "clean");
  ASSERT_FALSE(clean.empty());

  // Sequences of kills, each from an empty store: a run is killed at a random moment within the
  // length of a clean run, restarted, killed again... until a restart finishes. Every sequence's
  // store must then equal the clean one.
  // The clean run's length is only a first guess at where a kill lands mid-run: on a loaded
  // machine it can be several times a later run's. A run that finishes before its kill brings the
  // bound down to 60% of that delay, so that the sequences keep killing runs mid-way.
  std::mt19937 rng(std::random_device{}());
  int upper_ms = std::max(10, clean_ms * 6 / 10);
  int killed = 0;
  for (int sequence = 0; killed < 24 && sequence < 25; ++sequence) {
    const auto db = dir / ("crashed-" + std::to_string(sequence));
    for (int i = 0; i < 6; ++i) {
      pid_t pid = StartIndexer(args(db));
      const int delay = std::uniform_int_distribution<int>(5, upper_ms)(rng);
      std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      ::kill(pid, SIGKILL);
      if (WIFSIGNALED(Wait(pid))) {
        ++killed;
      } else {
        if (i == 0) upper_ms = std::max(10, delay * 6 / 10);
        break;  // it finished before the kill
      }
    }
    ASSERT_EQ(Wait(StartIndexer(args(db))), 0);
    EXPECT_EQ(Digest(db), clean) << "sequence " << sequence;
  }
  EXPECT_GE(killed, 20) << "runs killed mid-way";
}

// The files the indexer keeps beside the store (index-cache/: address filter, caches, the
// clustering's mapped union-find and maps) after a finished run are then changed by runs that are
// killed (mid-run, or while they write those files at their end): every restart must find them
// stale or dirty and rebuild them, and the final store equals the clean run's.
TEST(CrashSafety, KilledRunsAfterAFinishedOneLeaveNoStaleFilesBesideTheStore) {
  REQUIRE_TESTDATA();
  ASSERT_TRUE(std::filesystem::exists(AriadneBinary())) << AriadneBinary();
  auto dir = MakeTempDir("crash-files");
  const std::string first = TestData("nbitcoin/blk00000.dat").string();
  const std::string second = TestData("_derived/btc-mainnet-0-4521.blk").string();
  auto args = [&](const std::filesystem::path& db, bool both) {
    std::vector<std::string> a = {"index",        "btc", "--db",     db.string(),
                                  "--commit-txs", "50",  "--blocks", first};
    if (both) a.insert(a.end(), {"--blocks", second});
    return a;
  };
  ASSERT_EQ(Wait(StartIndexer(args(dir / "clean", true))), 0);
  const std::string clean = Digest(dir / "clean");
  ASSERT_FALSE(clean.empty());
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(Wait(StartIndexer(args(dir / "timing", true))), 0);
  const int run_ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count());
  std::mt19937 rng(std::random_device{}());
  // Kills within the first half of a whole run: a restarted run resumes and is shorter than a
  // whole one, so later kills would often come after it finished (on a busy machine, most did).
  std::uniform_int_distribution<int> delay_ms(5, std::max(10, run_ms / 2));
  int killed = 0;
  for (int sequence = 0; sequence < 8; ++sequence) {
    const auto db = dir / ("crashed-" + std::to_string(sequence));
    ASSERT_EQ(Wait(StartIndexer(args(db, false))), 0);  // leaves valid files beside the store
    ASSERT_TRUE(std::filesystem::exists(db / "index-cache" / "clusters.uf"));
    for (int i = 0; i < 4; ++i) {
      pid_t pid = StartIndexer(args(db, true));
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
      ::kill(pid, SIGKILL);
      if (WIFSIGNALED(Wait(pid))) {
        ++killed;
      } else {
        break;
      }
    }
    ASSERT_EQ(Wait(StartIndexer(args(db, true))), 0);
    EXPECT_EQ(Digest(db), clean) << "sequence " << sequence;
  }
  EXPECT_GE(killed, 6) << "runs killed mid-way";
}

}  // namespace
}  // namespace ariadne::testing
