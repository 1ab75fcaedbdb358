// The cluster files beside the store (engine/graph/cluster_files.h): `recluster` writes them with
// its clustering, a server maps them and indexes what the indexer added after them in overlays,
// and every answer equals that of the passes over everything (ARIADNE_CLUSTERS_FROM_ROWS=1).
// A short, foreign or corrupt file is DATA_LOSS naming it; a recluster stopped before its commit
// leaves the previous files live. The indexer writes them again when they are missing, stale or
// far behind (heuristics/cluster_files_refresh.h), and a running server's refresh maps the new
// ones.
#include "engine/graph/cluster_files.h"

#include <cstdlib>
#include <fstream>

#include "engine/core/address.h"
#include "engine/utxo/utxo_backend.h"
#include "gen/generator.h"
#include "heuristics/cluster_files_refresh.h"
#include "heuristics/clustering.h"
#include "heuristics/clustering_observer.h"
#include "heuristics/policy.h"
#include "heuristics/query_hooks.h"
#include "indexer/pipeline/btc_indexer.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

std::string Name(const utxo::UtxoBackend& b, uint32_t m) {
  AddressKey key;
  EXPECT_TRUE(b.names().Get(AddrId(m), &key)) << m;
  return EncodeAddress(key, Network::kRegtest);
}

class ClusterFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("cluster-files");
    gen::GenOptions g;
    g.out_dir = dir_ / "chain";
    g.blocks = 160;
    g.txs_per_block = 80;
    g.seed = 11;
    g.max_blk_file_size = 1 << 19;  // many files: index a part, then the rest
    ASSERT_THAT(gen::GenerateChain(g, nullptr), IsOk());
    for (const auto& e : std::filesystem::directory_iterator(g.out_dir / "blocks")) {
      if (e.path().filename().string().rfind("blk", 0) == 0) files_.push_back(e.path());
    }
    std::sort(files_.begin(), files_.end());
    ASSERT_GE(files_.size(), 4u);
    store::StoreOptions so;
    so.create_if_missing = true;
    so.network = Network::kRegtest;
    auto s = store::Store::Open(dir_ / "db", so);
    ASSERT_THAT(s, IsOk());
    store_ = *std::move(s);
  }
  void TearDown() override { unsetenv("ARIADNE_CLUSTERS_FROM_ROWS"); }

  // Indexes the first `n` blk files (with the clustering kept up to date, as `index btc` does).
  void Index(size_t n) {
    auto c = heuristics::ClusteringObserver::Create(store_.get());
    ASSERT_THAT(c, IsOk());
    pipeline::BtcIndexOptions o;
    o.inputs.assign(files_.begin(), files_.begin() + n);
    o.commit_txs = 2000;
    o.observers.push_back(c->get());
    pipeline::IndexResult r;
    ASSERT_THAT(pipeline::IndexBitcoin(store_.get(), o, &r), IsOk());
  }
  // Reclusters as `ariadne recluster` does (before_live: the cluster files).
  absl::Status Recluster(const heuristics::BeforeLive& before_live = {},
                         const heuristics::ClusteringPolicy& policy = heuristics::DefaultPolicy()) {
    auto r = heuristics::Recluster(
        store_.get(), policy, {}, heuristics::kDefaultEvidenceChunk, store::kClusterUndoBlocks,
        before_live ? before_live : [&](const store::ClusterMeta& meta, store::CommitBatch* batch) {
          return graph::PutClusterFiles(*store_, meta.gen, heuristics::SettleParamsOf(policy),
                                        batch);
        });
    return r.status();
  }
  // Args: on: the store view to serve (View()); null: the indexer's own.
  absl::StatusOr<std::unique_ptr<utxo::UtxoBackend>> Open(bool from_rows,
                                                          const store::Store* on = nullptr) {
    if (from_rows) {
      setenv("ARIADNE_CLUSTERS_FROM_ROWS", "1", 1);
    } else {
      unsetenv("ARIADNE_CLUSTERS_FROM_ROWS");
    }
    auto b = utxo::UtxoBackend::Open(on != nullptr ? *on : *store_, heuristics::MakeQueryHooks());
    unsetenv("ARIADNE_CLUSTERS_FROM_ROWS");
    return b;
  }
  // A view of the store as committed now, as a server has (it outlives the test's
  // backends): a backend refreshed onto a later view extends what it has instead of opening anew.
  const store::Store& View() {
    store::StoreOptions so;
    so.mode = store::StoreOptions::Mode::kSecondary;  // as `serve` opens it beside the indexer
    so.secondary_dir = (dir_ / absl::StrCat("view-", views_.size())).string();
    auto s = store::Store::Open(dir_ / "db", so);
    EXPECT_THAT(s, IsOk());
    views_.push_back(*std::move(s));
    return *views_.back();
  }
  std::filesystem::path LiveFile(graph::ClusterArray a) {
    auto m = store_->ReadMeta(graph::kMetaClusterFiles);
    EXPECT_THAT(m, IsOk());
    auto meta = graph::DecodeClusterFilesMeta(*m);
    EXPECT_THAT(meta, IsOk());
    return graph::ClusterArrayPath(graph::ClusterFilesDir(store_->dir(), *meta), a);
  }

  // Every member's cluster, every cluster's members and totals, every address's outputs and
  // explanations along each cluster's members: equal in `a` and `b`.
  static void ExpectSameAnswers(const utxo::UtxoBackend& a, const utxo::UtxoBackend& b) {
    ASSERT_NE(a.clusters(), nullptr);
    ASSERT_NE(b.clusters(), nullptr);
    const graph::ClusterIndex& ca = *a.clusters();
    const graph::ClusterIndex& cb = *b.clusters();
    ASSERT_EQ(ca.member_count(), cb.member_count());
    ASSERT_EQ(ca.cluster_count(), cb.cluster_count());
    uint64_t explained = 0;
    for (uint32_t m = 0; m < ca.member_count(); ++m) {
      ASSERT_EQ(ca.ClusterOf(m), cb.ClusterOf(m)) << m;
      const auto ra = a.addresses().Received(AddrId(m));
      const auto rb = b.addresses().Received(AddrId(m));
      ASSERT_EQ(std::vector<uint64_t>(ra.begin(), ra.end()),
                std::vector<uint64_t>(rb.begin(), rb.end()))
          << m;
      const ClusterId c = ca.ClusterOf(m);
      if (c.value() != m) continue;
      const auto ma = ca.Members(c), mb = cb.Members(c);
      ASSERT_EQ(std::vector<uint32_t>(ma.begin(), ma.end()),
                std::vector<uint32_t>(mb.begin(), mb.end()))
          << m;
      query::ClusterSelector sel;
      sel.cluster_id = m;
      auto sa = a.Cluster(sel), sb = b.Cluster(sel);
      ASSERT_THAT(sa, IsOk());
      ASSERT_THAT(sb, IsOk());
      EXPECT_EQ(sa->received, sb->received) << m;
      EXPECT_EQ(sa->sent, sb->sent) << m;
      EXPECT_EQ(sa->tx_count, sb->tx_count) << m;
      EXPECT_EQ(sa->first_seen_height, sb->first_seen_height) << m;
      EXPECT_EQ(sa->last_seen_height, sb->last_seen_height) << m;
      if (ma.size() > 1 && explained < 300) {
        ++explained;
        const std::string from = Name(a, ma.front()), to = Name(a, ma.back());
        auto xa = a.Explain(from, to), xb = b.Explain(from, to);
        ASSERT_THAT(xa, IsOk());
        ASSERT_THAT(xb, IsOk());
        ASSERT_EQ(xa->links.size(), xb->links.size());
        for (size_t i = 0; i < xa->links.size(); ++i) {
          EXPECT_EQ(xa->links[i].txid, xb->links[i].txid);
          EXPECT_EQ(xa->links[i].heuristic, xb->links[i].heuristic);
          EXPECT_EQ(xa->links[i].from, xb->links[i].from);
          EXPECT_EQ(xa->links[i].to, xb->links[i].to);
        }
      }
    }
    EXPECT_GT(explained, 10u);
  }

  size_t Folders() {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e :
         std::filesystem::directory_iterator(store_->dir() / "clusters")) {
      ++n;
    }
    return n;
  }

  std::filesystem::path dir_;
  std::vector<std::filesystem::path> files_;
  std::unique_ptr<store::Store> store_;
  std::vector<std::unique_ptr<store::Store>> views_;
};

TEST_F(ClusterFilesTest, FilesMirrorTheRowsAndAnswersEqualThePassesOverEverything) {
  Index(files_.size() / 2);
  ASSERT_THAT(Recluster(), IsOk());
  auto check = graph::CheckClusterFiles(*store_);
  ASSERT_THAT(check, IsOk());
  EXPECT_TRUE(check->present);
  // The indexer's later unions and outputs: the overlays.
  Index(files_.size());
  check = graph::CheckClusterFiles(*store_);
  ASSERT_THAT(check, IsOk());
  ASSERT_TRUE(check->present);
  auto state = store_->ReadState();
  ASSERT_THAT(state, IsOk());
  EXPECT_LT(check->meta.txs, state->tx_count);
  auto files = Open(false);
  auto rows = Open(true);
  ASSERT_THAT(files, IsOk());
  ASSERT_THAT(rows, IsOk());
  ASSERT_TRUE((*files)->clusters()->overlaid());
  ASSERT_FALSE((*rows)->clusters()->overlaid());
  // The settled clustering of the files was settled again where the indexer changed it (spent
  // candidates, new ones, the unions since), not everywhere.
  EXPECT_GT((*files)->resettled_nodes(), 0u);
  EXPECT_GT((*files)->clusters()->dirty_count(), 0u);
  EXPECT_LT((*files)->clusters()->dirty_count(), check->meta.of(graph::ClusterArray::kSvRoots));
  ExpectSameAnswers(**files, **rows);
}

TEST_F(ClusterFilesTest, ACurrentStoreIsServedFromTheSettledFilesWithNoOverlay) {
  Index(files_.size());
  ASSERT_THAT(Recluster(), IsOk());
  auto check = graph::CheckClusterFiles(*store_);
  ASSERT_THAT(check, IsOk());
  ASSERT_TRUE(check->meta.settle.settles);
  EXPECT_GT(check->meta.of(graph::ClusterArray::kSvLinks), 0u);  // the default policy settles
  EXPECT_GT(check->meta.of(graph::ClusterArray::kPending), 0u);
  auto files = Open(false);
  auto rows = Open(true);
  ASSERT_THAT(files, IsOk());
  ASSERT_THAT(rows, IsOk());
  // Nothing to settle at start-up: the pending rows are not read, nothing is overlaid.
  EXPECT_FALSE((*files)->clusters()->overlaid());
  EXPECT_EQ((*files)->resettled_nodes(), 0u);
  ExpectSameAnswers(**files, **rows);
}

TEST_F(ClusterFilesTest, ASettledFileThatDisagreesWithTheRowsIsDataLossNamingIt) {
  Index(files_.size() / 2);
  ASSERT_THAT(Recluster(), IsOk());
  Index(files_.size());  // some candidates of the files are consumed since: still checked
  ASSERT_THAT(graph::CheckClusterFiles(*store_), IsOk());
  auto poke = [](const std::filesystem::path& p, uint64_t at) {
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(at);
    char c = 0;
    f.read(&c, 1);
    c ^= 0x21;
    f.seekp(at);
    f.write(&c, 1);
  };
  // A candidate's key (its vout's low byte): the row it mirrored is missing, or it mirrors none.
  const auto pending = LiveFile(graph::ClusterArray::kPending);
  const uint64_t last = (std::filesystem::file_size(pending) - files::kFlatHeaderBytes) / 24 - 1;
  poke(pending, files::kFlatHeaderBytes + 24 * last);
  EXPECT_THAT(graph::CheckClusterFiles(*store_),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "pending.bin"));
  poke(pending, files::kFlatHeaderBytes + 24 * last);  // back
  ASSERT_THAT(graph::CheckClusterFiles(*store_), IsOk());
  // A settled cluster: db check names the file and the record.
  poke(LiveFile(graph::ClusterArray::kSvDense), files::kFlatHeaderBytes + 4 * 5);
  EXPECT_THAT(graph::CheckClusterFiles(*store_),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "sv_dense.bin: record 5"));
  // A short settled file: the server refuses to start on it, naming it.
  const auto totals = LiveFile(graph::ClusterArray::kSvTotals);
  std::filesystem::resize_file(totals, std::filesystem::file_size(totals) - 32);
  EXPECT_THAT(Open(false), StatusIsWithMessage(absl::StatusCode::kDataLoss, "sv_totals"));
  EXPECT_THAT(graph::CheckClusterFiles(*store_),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "sv_totals"));
}

TEST_F(ClusterFilesTest, ARefreshEqualsAFreshOpen) {
  Index(files_.size() / 2);
  ASSERT_THAT(Recluster(), IsOk());
  auto before = Open(false, &View());
  ASSERT_THAT(before, IsOk());
  Index(files_.size());
  auto refreshed = (*before)->Refreshed(View());
  ASSERT_THAT(refreshed, IsOk());
  auto fresh = Open(true);
  ASSERT_THAT(fresh, IsOk());
  ExpectSameAnswers(static_cast<const utxo::UtxoBackend&>(**refreshed), **fresh);
}

TEST_F(ClusterFilesTest, ARefreshOfARefreshEqualsAFreshOpen) {
  // The second refresh reuses what the first made over the same files (the merged clusters'
  // sums of parts): still every answer of the passes over everything.
  Index(files_.size() / 2);
  ASSERT_THAT(Recluster(), IsOk());
  auto before = Open(false, &View());
  ASSERT_THAT(before, IsOk());
  Index(files_.size() * 3 / 4);
  auto first = (*before)->Refreshed(View());
  ASSERT_THAT(first, IsOk());
  ASSERT_TRUE((*first)->clusters()->overlaid());
  Index(files_.size());
  auto second = (*first)->Refreshed(View());
  ASSERT_THAT(second, IsOk());
  auto fresh = Open(true);
  ASSERT_THAT(fresh, IsOk());
  ExpectSameAnswers(static_cast<const utxo::UtxoBackend&>(**second), **fresh);
}

TEST_F(ClusterFilesTest, ARefreshStartsAGrownClusterFromTheSumItGrewFrom) {
  // Without a settled layer every merged cluster keeps its parts from one refresh to the next,
  // so those that gained parts start from the previous engine's sums: still every answer of the
  // passes over everything.
  auto policy = heuristics::ParsePolicy("ci,change=address_reuse|own_address,defer=off");
  ASSERT_THAT(policy, IsOk());
  Index(files_.size() / 2);
  ASSERT_THAT(Recluster({}, *policy), IsOk());
  auto before = Open(false, &View());
  ASSERT_THAT(before, IsOk());
  Index(files_.size() * 3 / 4);
  auto first = (*before)->Refreshed(View());
  ASSERT_THAT(first, IsOk());
  Index(files_.size());
  auto second = (*first)->Refreshed(View());
  ASSERT_THAT(second, IsOk());
  EXPECT_GT(static_cast<const utxo::UtxoBackend&>(**second).grown_totals(), 0u);
  auto fresh = Open(true);
  ASSERT_THAT(fresh, IsOk());
  ExpectSameAnswers(static_cast<const utxo::UtxoBackend&>(**second), **fresh);
}

TEST_F(ClusterFilesTest, FilesOfTheVersionBeforeTheSettledClusteringAreNotUsedWithAWarning) {
  Index(files_.size());
  ASSERT_THAT(Recluster(), IsOk());
  auto meta = store_->ReadMeta(graph::kMetaClusterFiles);
  ASSERT_THAT(meta, IsOk());
  std::string v1 = *meta;
  v1[0] = 1;  // the version byte
  ASSERT_TRUE(store_->db()
                  ->Put(rocksdb::WriteOptions(), store_->handle(store::Cf::kMeta),
                        std::string(graph::kMetaClusterFiles), v1)
                  .ok());
  auto files = Open(false);
  auto rows = Open(true);
  ASSERT_THAT(files, IsOk());
  ASSERT_THAT(rows, IsOk());
  bool warned = false;
  for (const std::string& w : (*files)->warnings()) warned |= w.find("older version") != w.npos;
  EXPECT_TRUE(warned);
  ExpectSameAnswers(**files, **rows);
}

TEST_F(ClusterFilesTest, AShortFileIsDataLossNamingItAndTheServerRefuses) {
  Index(files_.size());
  ASSERT_THAT(Recluster(), IsOk());
  const auto path = LiveFile(graph::ClusterArray::kMembers);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 4);
  EXPECT_THAT(graph::OpenClusterFiles(*store_),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "cl_members"));
  EXPECT_THAT(Open(false), StatusIsWithMessage(absl::StatusCode::kDataLoss, "cl_members"));
  EXPECT_THAT(graph::CheckClusterFiles(*store_),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "cl_members"));
}

TEST_F(ClusterFilesTest, ACorruptHeaderOrRecordIsDataLossNamingTheFile) {
  Index(files_.size());
  ASSERT_THAT(Recluster(), IsOk());
  auto poke = [](const std::filesystem::path& p, uint64_t at) {
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(at);
    char c = 0;
    f.read(&c, 1);
    c ^= 0x5a;
    f.seekp(at);
    f.write(&c, 1);
  };
  // A record: serve cannot tell (it trusts the files), db check can.
  poke(LiveFile(graph::ClusterArray::kDense), files::kFlatHeaderBytes + 4 * 17);
  EXPECT_THAT(graph::CheckClusterFiles(*store_),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "cl_dense.bin: record 17"));
  // A header: both refuse.
  poke(LiveFile(graph::ClusterArray::kTotals), 20);
  EXPECT_THAT(Open(false), StatusIsWithMessage(absl::StatusCode::kDataLoss, "cl_totals"));
  EXPECT_THAT(graph::CheckClusterFiles(*store_),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "cl_totals"));
}

TEST_F(ClusterFilesTest, AReclusterStoppedBeforeItsCommitLeavesThePreviousFilesLive) {
  Index(files_.size());
  ASSERT_THAT(Recluster(), IsOk());
  auto meta_before = store_->ReadMeta(graph::kMetaClusterFiles);
  ASSERT_THAT(meta_before, IsOk());
  // The next generation's files are written, then the run stops before the commit that would
  // make them live (what a kill between the two leaves).
  EXPECT_THAT(Recluster([this](const store::ClusterMeta& meta, store::CommitBatch* batch) {
                absl::Status s = graph::PutClusterFiles(
                    *store_, meta.gen, heuristics::SettleParamsOf(heuristics::DefaultPolicy()),
                    batch);
                return s.ok() ? absl::UnavailableError("killed") : s;
              }),
              StatusIs(absl::StatusCode::kUnavailable));
  auto meta_after = store_->ReadMeta(graph::kMetaClusterFiles);
  ASSERT_THAT(meta_after, IsOk());
  EXPECT_EQ(*meta_before, *meta_after);
  // Bytes past a file's committed length (a writer's tail) are never read.
  const auto path = LiveFile(graph::ClusterArray::kRoots);
  {
    std::ofstream tail(path, std::ios::binary | std::ios::app);
    tail << std::string(4096, '\x7f');
  }
  EXPECT_THAT(graph::CheckClusterFiles(*store_), IsOk());
  auto files = Open(false);
  auto rows = Open(true);
  ASSERT_THAT(files, IsOk());
  ASSERT_THAT(rows, IsOk());
  ExpectSameAnswers(**files, **rows);
  // The next complete recluster makes its own files live and removes the others.
  ASSERT_THAT(Recluster(), IsOk());
  graph::RemoveOtherClusterFiles(
      store_->dir(),
      graph::DecodeClusterFilesMeta(*store_->ReadMeta(graph::kMetaClusterFiles))->gen);
  EXPECT_THAT(graph::CheckClusterFiles(*store_), IsOk());
  EXPECT_EQ(Folders(), 1u);
}

TEST_F(ClusterFilesTest, TheIndexerWritesTheFilesWhenMissingOrFarBehindAndServersMapThem) {
  heuristics::ClusterFilesRefreshOptions quarter;
  quarter.min_overlay_txs = 0;  // the share alone (the test chain is small)
  Index(files_.size() / 2);
  // Never reclustered: no files until the indexer writes them.
  auto age = heuristics::CheckClusterFilesAge(*store_, quarter);
  ASSERT_THAT(age, IsOk());
  EXPECT_TRUE(age->needed);
  EXPECT_THAT(age->why, ::testing::HasSubstr("no cluster files"));
  auto r = heuristics::RefreshClusterFiles(store_.get(), quarter);
  ASSERT_THAT(r, IsOk());
  ASSERT_TRUE(r->written);
  auto state = store_->ReadState();
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(r->txs, state->tx_count);
  ASSERT_THAT(graph::CheckClusterFiles(*store_), IsOk());
  auto server = Open(false, &View());  // a server running from here on
  ASSERT_THAT(server, IsOk());
  EXPECT_FALSE((*server)->clusters()->overlaid());
  // A few more blocks: below the share, the files stay (the server overlays them).
  Index(files_.size() / 2 + 1);
  r = heuristics::RefreshClusterFiles(store_.get(), quarter);
  ASSERT_THAT(r, IsOk());
  EXPECT_FALSE(r->written);
  EXPECT_GT(r->overlay_txs, 0u);
  EXPECT_THAT(r->why, ::testing::HasSubstr("fewer than"));
  // The rest: past the share, they are written again into the next folder, the previous one goes.
  const std::filesystem::path first = LiveFile(graph::ClusterArray::kDense).parent_path();
  Index(files_.size());
  r = heuristics::RefreshClusterFiles(store_.get(), quarter);
  ASSERT_THAT(r, IsOk());
  ASSERT_TRUE(r->written);
  EXPECT_NE(LiveFile(graph::ClusterArray::kDense).parent_path(), first);
  EXPECT_FALSE(std::filesystem::exists(first));
  EXPECT_EQ(Folders(), 1u);
  ASSERT_THAT(graph::CheckClusterFiles(*store_), IsOk());
  // The running server's refresh maps the new files (nothing overlaid) and answers as the passes
  // over everything do.
  auto refreshed = (*server)->Refreshed(View());
  ASSERT_THAT(refreshed, IsOk());
  EXPECT_FALSE((*refreshed)->clusters()->overlaid());
  auto rows = Open(true);
  ASSERT_THAT(rows, IsOk());
  ExpectSameAnswers(static_cast<const utxo::UtxoBackend&>(**refreshed), **rows);
}

TEST_F(ClusterFilesTest, AWriteAboveTheMemoryBudgetIsNotMadeAndSaysWhatWould) {
  Index(files_.size());
  auto state = store_->ReadState();
  ASSERT_THAT(state, IsOk());
  heuristics::ClusterFilesRefreshOptions tight;
  tight.memory_budget_bytes = heuristics::kBuildBytesPerAddress * state->addr_count - 1;
  auto r = heuristics::RefreshClusterFiles(store_.get(), tight);
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->needed);
  EXPECT_TRUE(r->over_budget);
  EXPECT_FALSE(r->written);
  EXPECT_THAT(r->why, ::testing::HasSubstr("ariadne db cluster-files"));
  EXPECT_THAT(store_->ReadMeta(graph::kMetaClusterFiles), StatusIs(absl::StatusCode::kNotFound));
  // Within the budget, the same store gets them.
  tight.memory_budget_bytes += 1;
  r = heuristics::RefreshClusterFiles(store_.get(), tight);
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->written);
  EXPECT_THAT(graph::CheckClusterFiles(*store_), IsOk());
}

TEST_F(ClusterFilesTest, DamagedFilesOrAKilledRewritesFolderAreReplacedByTheNextWrite) {
  Index(files_.size());
  ASSERT_THAT(heuristics::RefreshClusterFiles(store_.get(), {}), IsOk());
  ASSERT_THAT(graph::CheckClusterFiles(*store_), IsOk());
  // What a rewrite killed before its commit leaves: the next serial's folder, half written.
  auto meta = graph::DecodeClusterFilesMeta(*store_->ReadMeta(graph::kMetaClusterFiles));
  ASSERT_THAT(meta, IsOk());
  const std::filesystem::path killed =
      graph::ClusterFilesDir(store_->dir(), meta->gen, meta->serial + 1);
  std::filesystem::create_directories(killed);
  std::ofstream(killed / "cl_dense.bin") << "half";
  // A live file whose header is damaged: servers refuse it, the next write replaces it.
  const auto totals = LiveFile(graph::ClusterArray::kTotals);
  std::filesystem::resize_file(totals, 10);
  ASSERT_THAT(Open(false), StatusIsWithMessage(absl::StatusCode::kDataLoss, "cl_totals"));
  auto age = heuristics::CheckClusterFilesAge(*store_, {});
  ASSERT_THAT(age, IsOk());
  EXPECT_TRUE(age->needed);
  EXPECT_THAT(age->why, ::testing::HasSubstr("cl_totals"));
  auto r = heuristics::RefreshClusterFiles(store_.get(), {});
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->written);
  EXPECT_THAT(graph::CheckClusterFiles(*store_), IsOk());
  EXPECT_EQ(Folders(), 1u);
  auto files = Open(false);
  auto rows = Open(true);
  ASSERT_THAT(files, IsOk());
  ASSERT_THAT(rows, IsOk());
  ExpectSameAnswers(**files, **rows);
}

}  // namespace
}  // namespace ariadne::testing
