// Rewinding an EVM store (EvmIndexer::Rewind with undo records, evm_undo.h): taking blocks out
// leaves exactly the store of an index that stopped at the fork point, whether the blocks were
// committed one by one or together; indexing them again gives the fresh store; a rewind deeper
// than the undo kept is refused and changes nothing; undo records round-trip and corrupt ones are
// named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/store/digest.h"
#include "engine/store/evm_store.h"
#include "indexer/evm/evm_indexer.h"
#include "indexer/evm/evm_undo.h"
#include "indexer/evm/json_rpc.h"
#include "tests/indexer/evm/evm_scenario.h"
#include "tests/testutil.h"

namespace ariadne::evm {
namespace {

using ::ariadne::testing::MakeTempDir;

std::unique_ptr<store::Store> OpenStore(const std::filesystem::path& db) {
  store::StoreOptions o;
  o.create_if_missing = true;
  o.network = Network::kEthereum;
  auto s = store::Store::Open(db, o);
  EXPECT_THAT(s, IsOk());
  return s.ok() ? *std::move(s) : nullptr;
}

// Indexes the JSON-RPC files of `dir` with undo records for the last `undo` blocks.
absl::Status IndexDir(store::Store* s, const std::filesystem::path& dir, uint32_t undo,
                      bool commit_each) {
  auto ix = EvmIndexer::Create(s, 1000);
  if (!ix.ok()) return ix.status();
  (*ix)->set_undo_blocks(undo);
  absl::Status st = ReadJsonRpcDir(dir, JsonDumpOptions(), [&](const EvmBlock& b) {
    absl::Status a = (*ix)->Apply(b, dir.string());
    if (!a.ok() || !commit_each) return a;
    return (*ix)->Commit();
  });
  if (!st.ok()) return st;
  return (*ix)->Commit();
}

absl::Status Rewind(store::Store* s, uint64_t fork, uint32_t undo) {
  auto ix = EvmIndexer::Create(s, 1000);
  if (!ix.ok()) return ix.status();
  (*ix)->set_undo_blocks(undo);
  return (*ix)->Rewind(fork);
}

Uint256 Digest(const store::Store& s) {
  auto d = store::ComputeDigest(s);
  EXPECT_THAT(d, IsOk());
  return d.ok() ? d->total : Uint256();
}

class EvmRewind : public ::testing::TestWithParam<bool> {};

TEST_P(EvmRewind, RewindEqualsAnIndexThatStoppedAtTheForkAndReindexEqualsFresh) {
  const bool commit_each = GetParam();
  auto dir = MakeTempDir("evm-rewind");
  auto scenario = testing::MakeScenario();  // blocks 100-105: tokens, approvals, traces, failures
  ASSERT_THAT(scenario->chain->WriteAll(dir / "all"), IsOk());
  ASSERT_THAT(scenario->chain->Write(dir / "prefix", 100, 102), IsOk());
  ASSERT_THAT(scenario->chain->Write(dir / "rest", 103, 105), IsOk());

  auto rewound = OpenStore(dir / "rewound");
  ASSERT_THAT(IndexDir(rewound.get(), dir / "all", 8, commit_each), IsOk());
  auto prefix = OpenStore(dir / "prefix-db");
  ASSERT_THAT(IndexDir(prefix.get(), dir / "prefix", 8, commit_each), IsOk());
  ASSERT_THAT(Rewind(rewound.get(), 102, 8), IsOk());
  EXPECT_EQ(Digest(*rewound), Digest(*prefix));
  auto state = store::ReadEvmState(*rewound);
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->tip_number, 102);
  EXPECT_EQ(state->tip_hash, scenario->chain->BlockHash(102));

  ASSERT_THAT(IndexDir(rewound.get(), dir / "rest", 8, commit_each), IsOk());
  auto fresh = OpenStore(dir / "fresh");
  ASSERT_THAT(IndexDir(fresh.get(), dir / "all", 8, commit_each), IsOk());
  EXPECT_EQ(Digest(*rewound), Digest(*fresh));
}

INSTANTIATE_TEST_SUITE_P(CommitEachBlockOrOnce, EvmRewind, ::testing::Bool());

TEST(EvmRewindLimits, DeeperThanTheUndoKeptIsRefusedAndChangesNothing) {
  auto dir = MakeTempDir("evm-rewind-deep");
  auto scenario = testing::MakeScenario();
  ASSERT_THAT(scenario->chain->WriteAll(dir / "all"), IsOk());
  auto s = OpenStore(dir / "db");
  ASSERT_THAT(IndexDir(s.get(), dir / "all", 2, true), IsOk());
  const Uint256 before = Digest(*s);
  EXPECT_THAT(Rewind(s.get(), 101, 2),
              StatusIsWithMessage(absl::StatusCode::kFailedPrecondition, "has no undo record"));
  EXPECT_EQ(Digest(*s), before);
  // Within the window (the last two blocks) it works.
  EXPECT_THAT(Rewind(s.get(), 103, 2), IsOk());
  EXPECT_EQ(store::ReadEvmState(*s)->tip_number, 103);
}

TEST(EvmRewindLimits, StoresIndexedWithoutUndoRefuseToRewind) {
  auto dir = MakeTempDir("evm-rewind-none");
  auto scenario = testing::MakeScenario();
  ASSERT_THAT(scenario->chain->WriteAll(dir / "all"), IsOk());
  auto s = OpenStore(dir / "db");
  ASSERT_THAT(IndexDir(s.get(), dir / "all", 0, false), IsOk());
  EXPECT_THAT(Rewind(s.get(), 104, 0),
              StatusIsWithMessage(absl::StatusCode::kFailedPrecondition, "block 105"));
}

TEST(EvmUndo, RecordsRoundTripAndCorruptOnesAreNamed) {
  EvmBlockUndo u;
  u.before.tip_number = 41;
  u.before.tx_count = 7;
  u.before.account_count = 3;
  u.hist = {{1, 5}, {2, 6}};
  store::EvmTotals t;
  t.received = U256(12);
  t.received_count = 1;
  t.first_block = t.last_block = 40;
  u.totals = {{uint64_t{1} << 32, t}, {uint64_t{2} << 32 | 7, std::nullopt}};
  const std::string bytes = EncodeEvmBlockUndo(u);
  auto back = DecodeEvmBlockUndo(bytes, 42);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(back->before, u.before);
  EXPECT_EQ(back->hist, u.hist);
  ASSERT_EQ(back->totals.size(), 2u);
  EXPECT_EQ(back->totals[0].before, t);
  EXPECT_FALSE(back->totals[1].before.has_value());
  for (size_t cut : {size_t{0}, size_t{5}, bytes.size() - 1}) {
    EXPECT_THAT(DecodeEvmBlockUndo(bytes.substr(0, cut), 42),
                StatusIsWithMessage(absl::StatusCode::kDataLoss, "undo record of EVM block 42"));
  }
  EXPECT_THAT(DecodeEvmBlockUndo(bytes + "x", 42),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "trailing"));
}

}  // namespace
}  // namespace ariadne::evm
