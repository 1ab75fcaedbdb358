// Reorgs of the clustering: a rewind takes the unions, pending change candidates and undo rows of
// the rewound blocks out of the store and puts back the candidates their spends consumed, without
// rebuilding the clustering; after reorgs of depth 1, 6 and 100 on a generated chain the store
// (its digest, every family's rows, the clusters) equals a fresh index of the final chain.
#include <set>

#include "engine/core/status_macros.h"
#include "engine/store/digest.h"
#include "gen/generator.h"
#include "heuristics/clustering.h"
#include "heuristics/clustering_observer.h"
#include "tests/indexer/pipeline/fork_builder.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

struct Indexed {
  std::unique_ptr<store::Store> store;
  pipeline::IndexResult result;
  bool rebuilt = false;          // the clustering was rebuilt after the run
  uint64_t cluster_rewinds = 0;  // blocks rewound through the undo rows
  uint64_t journal_rewinds = 0;  // of which the union-find was rewound in memory
};

absl::StatusOr<Indexed> IndexWithClusters(const std::filesystem::path& db,
                                          const std::vector<std::filesystem::path>& inputs,
                                          uint32_t undo_blocks,
                                          std::optional<size_t> address_cache = std::nullopt) {
  store::StoreOptions so;
  so.create_if_missing = true;
  so.network = Network::kRegtest;
  Indexed out;
  ASSIGN_OR_RETURN(out.store, store::Store::Open(db, so));
  heuristics::ClusteringObserverOptions co;
  co.undo_blocks = undo_blocks;
  ASSIGN_OR_RETURN(auto observer, heuristics::ClusteringObserver::Create(out.store.get(), co));
  pipeline::BtcIndexOptions o;
  o.inputs = inputs;
  o.commit_txs = 700;  // several commits, some in the middle of the fork's range
  o.observers = {observer.get()};
  o.address_cache_entries = address_cache;
  RETURN_IF_ERROR(pipeline::IndexBitcoin(out.store.get(), o, &out.result));
  out.rebuilt = observer->needs_rebuild();
  out.cluster_rewinds = observer->blocks_rewound();
  out.journal_rewinds = observer->journal_rewinds();
  RETURN_IF_ERROR(observer->Finish(out.store.get()));
  return out;
}

std::vector<uint32_t> ClusterIds(const store::Store& s) {
  auto builder = heuristics::LoadClustering(s);
  EXPECT_TRUE(builder.ok()) << builder.status();
  std::vector<uint32_t> ids;
  if (!builder.ok()) return ids;
  for (uint32_t a = 0; a < (*builder)->union_find().size(); ++a) {
    ids.push_back((*builder)->union_find().SetId(a));
  }
  return ids;
}

// The clustering's rows without their generation byte (a rebuild starts a new generation), and
// meta/cluster and meta/cluster_undo decoded without it.
std::vector<std::string> ClusteringRows(const store::Store& s) {
  std::vector<std::string> rows;
  for (store::Cf cf : {store::Cf::kEvidence, store::Cf::kClusterPending, store::Cf::kClusterUndo}) {
    std::unique_ptr<rocksdb::Iterator> it(
        s.db()->NewIterator(rocksdb::ReadOptions(), s.handle(cf)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      rows.push_back(absl::StrCat(std::string(CfName(cf)), ":", it->key().ToString().substr(1), "=",
                                  it->value().ToString()));
    }
  }
  auto meta = heuristics::ReadClusterMeta(s);
  EXPECT_THAT(meta, IsOk());
  if (meta.ok()) {
    rows.push_back(
        absl::StrCat("meta:", meta->policy, ",", meta->processed_txs, ",", meta->unions));
  }
  auto undo = s.ReadMeta(store::kMetaClusterUndo);
  EXPECT_THAT(undo, IsOk());
  if (undo.ok()) {
    auto u = store::DecodeClusterUndoMeta(*undo);
    EXPECT_THAT(u, IsOk());
    if (u.ok()) rows.push_back(absl::StrCat("undo:", u->blocks, ",", u->from_height));
  }
  return rows;
}

// Rows of a family in [lo, hi).
uint64_t CountRows(const store::Store& s, store::Cf cf, const std::string& lo,
                   const std::string& hi) {
  std::unique_ptr<rocksdb::Iterator> it(s.db()->NewIterator(rocksdb::ReadOptions(), s.handle(cf)));
  uint64_t n = 0;
  for (it->Seek(lo); it->Valid() && it->key().ToString() < hi; it->Next()) ++n;
  return n;
}

class ReorgClustersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(MakeTempDir("reorg-clusters"));
    gen::GenOptions g;
    g.out_dir = *dir_ / "chain";
    g.blocks = 320;
    g.txs_per_block = 40;
    g.seed = 5;
    g.write_truth = false;
    ASSERT_THAT(gen::GenerateChain(g, nullptr), IsOk());
    main_ = new std::vector<std::filesystem::path>{g.out_dir / "blocks"};
    auto files = btc::ListBlkFiles(g.out_dir / "blocks");
    ASSERT_THAT(files, IsOk());
    auto chain = ReadChain(*files, Network::kRegtest);
    ASSERT_THAT(chain, IsOk());
    chain_ = new std::vector<RawBlock>(*std::move(chain));
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete main_;
    delete chain_;
  }

  // Indexes the chain, then the chain and a heavier branch replacing its last `depth` blocks, and
  // a fresh store from both; expects the two stores to be equal.
  // Args: keep_files: false deletes the files beside the store (index-cache/) before the reorg, so
  // the union-find is loaded from the rows after the rewind instead of rewound in memory.
  // address_cache: the reorg run's address cache (entries), small to make it drop addresses.
  // Writes d/fork.dat, a heavier branch replacing the chain's last `depth` blocks. Returns: the
  // chain's files and the branch's.
  static absl::StatusOr<std::vector<std::filesystem::path>> WriteFork(
      const std::filesystem::path& d, uint32_t depth) {
    std::filesystem::create_directories(d);
    ForkOptions fo;
    fo.depth = depth;
    ASSIGN_OR_RETURN(std::vector<RawBlock> fork, CraftFork(*chain_, fo));
    RETURN_IF_ERROR(WriteBlkFile(d / "fork.dat", fork, Network::kRegtest));
    std::vector<std::filesystem::path> both = *main_;
    both.push_back(d / "fork.dat");
    return both;
  }

  void ExpectReorgEqualsFresh(uint32_t depth, uint32_t undo_blocks, bool expect_rebuild,
                              bool keep_files = true,
                              std::optional<size_t> address_cache = std::nullopt) {
    SCOPED_TRACE(absl::StrCat("reorg of depth ", depth, ", undo window ", undo_blocks,
                              keep_files ? "" : ", without the files beside the store"));
    const std::filesystem::path d =
        *dir_ / absl::StrCat("d", depth, "-u", undo_blocks, keep_files ? "" : "-nofiles",
                             address_cache.has_value() ? "-smallcache" : "");
    auto files = WriteFork(d, depth);
    ASSERT_THAT(files, IsOk());
    const std::vector<std::filesystem::path>& both = *files;

    const uint32_t tip = static_cast<uint32_t>(chain_->size() - 1);
    uint64_t rewound_addresses = 0;
    {
      auto before = IndexWithClusters(d / "step", *main_, undo_blocks);
      ASSERT_THAT(before, IsOk());
      ASSERT_EQ(before->result.tip_height, static_cast<int32_t>(tip));
      // The rewound blocks' spends consumed candidates of older blocks: there is something to
      // put back (for reorgs deep enough to have any).
      auto first = before->store->ReadBlock(tip - depth + 1);
      ASSERT_THAT(first, IsOk());
      auto meta = heuristics::ReadClusterMeta(*before->store);
      ASSERT_THAT(meta, IsOk());
      const uint64_t undo =
          CountRows(*before->store, store::Cf::kClusterUndo,
                    store::ClusterUndoKey(meta->gen, TxNum(first->first_txnum), 0),
                    std::string(1, static_cast<char>(meta->gen + 1)));
      if (depth >= 6 && !expect_rebuild) EXPECT_GT(undo, 0u) << "nothing to undo: a weak test";
      auto state = before->store->ReadState();
      ASSERT_THAT(state, IsOk());
      rewound_addresses = state->addr_count - first->first_addrid;
    }
    if (!keep_files) std::filesystem::remove_all(d / "step" / "index-cache");
    auto step = IndexWithClusters(d / "step", both, undo_blocks, address_cache);
    ASSERT_THAT(step, IsOk());
    // The addresses the rewinds removed are created again without a store lookup, although the
    // filter saved before the rewinds answers "maybe" for them: lookups that find nothing are the
    // filter's few false positives, not one per rewound address.
    if (keep_files && depth >= 6) {
      const pipeline::LookupCounters& l = step->result.lookups;
      EXPECT_LT(l.address_store_reads - l.address_store_found, rewound_addresses / 10)
          << l.address_store_reads << " address lookups in the store, " << rewound_addresses
          << " addresses rewound";
    }
    EXPECT_EQ(step->result.blocks_rewound, depth);
    EXPECT_EQ(step->result.tip_height, static_cast<int32_t>(tip + 1));
    EXPECT_EQ(step->rebuilt, expect_rebuild);
    // Blocks within the window are rewound through the undo rows; the first beyond it falls back.
    EXPECT_EQ(step->cluster_rewinds, expect_rebuild ? undo_blocks : depth);
    EXPECT_EQ(step->journal_rewinds, !keep_files ? 0u : step->cluster_rewinds);
    // The address filter saved before the rewind still holds every address: it is kept.
    if (keep_files) {
      EXPECT_THAT(step->result.warnings,
                  ::testing::Not(::testing::Contains(::testing::HasSubstr("address.filter"))));
    }

    auto fresh = IndexWithClusters(d / "fresh", both, undo_blocks);
    ASSERT_THAT(fresh, IsOk());
    EXPECT_EQ(fresh->result.blocks_rewound, 0u);
    EXPECT_FALSE(fresh->rebuilt);

    ExpectSameStores(*step->store, *fresh->store, expect_rebuild);
  }

  // Expects `step` (indexed through a reorg) to equal `fresh` (the final chain indexed once): every
  // family's rows, the clusters, the graph files. Args: rebuilt: the clustering of `step` was
  // rebuilt (a new generation: its rows are compared without it).
  static void ExpectSameStores(const store::Store& step, const store::Store& fresh, bool rebuilt) {
    auto a = store::ComputeDigest(step), b = store::ComputeDigest(fresh);
    ASSERT_THAT(a, IsOk());
    ASSERT_THAT(b, IsOk());
    for (int i = 0; i < store::kNumCfs; ++i) {
      const store::Cf cf = static_cast<store::Cf>(i);
      EXPECT_EQ(a->families[i].rows, b->families[i].rows) << CfName(cf);
      if (rebuilt && (cf == store::Cf::kMeta || cf == store::Cf::kEvidence ||
                      cf == store::Cf::kClusterPending || cf == store::Cf::kClusterUndo)) {
        continue;
      }
      EXPECT_EQ(a->families[i].digest, b->families[i].digest) << CfName(cf);
    }
    if (!rebuilt) EXPECT_EQ(CheckedDigest(step), CheckedDigest(fresh));
    EXPECT_EQ(ClusteringRows(step), ClusteringRows(fresh));
    EXPECT_EQ(ClusterIds(step), ClusterIds(fresh));
    // The graph files were rewound with the blocks: their committed records are a fresh index's.
    EXPECT_EQ(GraphFilesDigest(step), GraphFilesDigest(fresh));
    EXPECT_NE(GraphFilesDigest(step), "no graph files");
  }

  // As ExpectReorgEqualsFresh, in one open session (`ariadne index --follow`): a round indexes the
  // chain, the next finds the heavier branch and rewinds and applies it without a whole run.
  void ExpectSessionReorgEqualsFresh(uint32_t depth, uint32_t undo_blocks, bool expect_rebuild) {
    SCOPED_TRACE(
        absl::StrCat("reorg of depth ", depth, " in a session, undo window ", undo_blocks));
    const std::filesystem::path d = *dir_ / absl::StrCat("session-d", depth, "-u", undo_blocks);
    auto files = WriteFork(d, depth);
    ASSERT_THAT(files, IsOk());
    const std::vector<std::filesystem::path>& both = *files;
    const int32_t tip = static_cast<int32_t>(chain_->size() - 1);

    store::StoreOptions so;
    so.create_if_missing = true;
    so.network = Network::kRegtest;
    auto st = store::Store::Open(d / "step", so);
    ASSERT_THAT(st, IsOk());
    heuristics::ClusteringObserverOptions co;
    co.undo_blocks = undo_blocks;
    auto observer = heuristics::ClusteringObserver::Create(st->get(), co);
    ASSERT_THAT(observer, IsOk());
    pipeline::BtcIndexOptions o;
    o.commit_txs = 700;
    o.observers = {observer->get()};
    {
      pipeline::BtcIndexSession session(st->get(), o);
      pipeline::IndexResult first, second;
      bool full = true;
      ASSERT_THAT(session.Round(*main_, &first, &full), IsOk());
      EXPECT_FALSE(full);
      EXPECT_EQ(first.tip_height, tip);
      ASSERT_THAT(session.Round(both, &second, &full), IsOk());
      EXPECT_FALSE(full) << "the reorg was left to a whole run";
      EXPECT_EQ(second.blocks_rewound, depth);
      EXPECT_EQ(second.tip_height, tip + 1);
      EXPECT_THAT(session.Close(), ::testing::IsEmpty());
    }
    EXPECT_EQ((*observer)->needs_rebuild(), expect_rebuild);
    // The clustering loaded by the first round is rewound in memory, through its journal.
    EXPECT_EQ((*observer)->blocks_rewound(), expect_rebuild ? undo_blocks : depth);
    if (!expect_rebuild) EXPECT_EQ((*observer)->journal_rewinds(), depth);
    ASSERT_THAT((*observer)->Finish(st->get()), IsOk());

    auto fresh = IndexWithClusters(d / "fresh", both, undo_blocks);
    ASSERT_THAT(fresh, IsOk());
    ExpectSameStores(**st, *fresh->store, expect_rebuild);
  }

  static std::filesystem::path* dir_;
  static std::vector<std::filesystem::path>* main_;
  static std::vector<RawBlock>* chain_;
};
std::filesystem::path* ReorgClustersTest::dir_ = nullptr;
std::vector<std::filesystem::path>* ReorgClustersTest::main_ = nullptr;
std::vector<RawBlock>* ReorgClustersTest::chain_ = nullptr;

TEST_F(ReorgClustersTest, DepthOneEqualsAFreshIndexWithoutARebuild) {
  ExpectReorgEqualsFresh(1, store::kClusterUndoBlocks, false);
}

TEST_F(ReorgClustersTest, DepthSixEqualsAFreshIndexWithoutARebuild) {
  ExpectReorgEqualsFresh(6, store::kClusterUndoBlocks, false);
}

TEST_F(ReorgClustersTest, DepthHundredEqualsAFreshIndexWithoutARebuild) {
  ExpectReorgEqualsFresh(100, store::kClusterUndoBlocks, false);
}

// Without the files beside the store (e.g. after a kill), the rows are rewound the same way and
// the union-find is loaded from them afterwards.
TEST_F(ReorgClustersTest, DepthSixWithoutTheFilesBesideTheStoreEqualsAFreshIndex) {
  ExpectReorgEqualsFresh(6, store::kClusterUndoBlocks, false, /*keep_files=*/false);
}

// An address cache far smaller than the branch drops the addresses the branch creates again;
// met later, they are found in the store, not created twice.
TEST_F(ReorgClustersTest, DepthHundredWithATinyAddressCacheEqualsAFreshIndex) {
  ExpectReorgEqualsFresh(100, store::kClusterUndoBlocks, false, true, /*address_cache=*/64);
}

// Undo rows are kept for the last few blocks only: a deeper reorg rebuilds the clustering (and
// still ends equal to a fresh index that keeps the same window).
TEST_F(ReorgClustersTest, DeeperThanTheUndoWindowRebuildsAndEqualsAFreshIndex) {
  ExpectReorgEqualsFresh(6, 3, true);
}

// In a session (`ariadne index --follow`), a reorg is rewound and its branch applied in a round:
// it costs its depth, and the store ends equal to a fresh index.
TEST_F(ReorgClustersTest, DepthSixInAnOpenSessionEqualsAFreshIndex) {
  ExpectSessionReorgEqualsFresh(6, store::kClusterUndoBlocks, false);
}

TEST_F(ReorgClustersTest, DepthHundredInAnOpenSessionEqualsAFreshIndex) {
  ExpectSessionReorgEqualsFresh(100, store::kClusterUndoBlocks, false);
}

TEST_F(ReorgClustersTest, DeeperThanTheUndoWindowInAnOpenSessionRebuildsAndEqualsAFreshIndex) {
  ExpectSessionReorgEqualsFresh(6, 3, true);
}

}  // namespace
}  // namespace ariadne::testing
