// Serving while indexing: a replica (RocksDB secondary) serves while `ariadne index`, a separate
// process holding the primary, appends to the same store; the replica catches up, answers stay
// consistent (each answer from one state of the store, the tip never goes back), requests keep
// the engine they started with, the refreshed engine equals one loaded from scratch, and a reorg
// is served as one step.
#include <google/protobuf/util/message_differencer.h>

#include <atomic>
#include <thread>

#include "engine/service/replica.h"
#include "engine/store/store.h"
#include "engine/utxo/utxo_backend.h"
#include "heuristics/clustering.h"
#include "heuristics/clustering_observer.h"
#include "indexer/pipeline/btc_indexer.h"
#include "tests/engine/service/hardening_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

// The UTXO backend of a Bitcoin store's engine, whose structures the replica refreshes.
const utxo::UtxoBackend& Utxo(const service::Engine& e) {
  return static_cast<const utxo::UtxoBackend&>(e.backend());
}

v1::ChainStatus GetStatus(v1::Ariadne::Stub* stub, grpc::Status* status) {
  v1::ChainStatus r;
  *status = stub->GetStatus(Ctx().get(), v1::GetStatusRequest(), &r);
  return r;
}

TEST(ReplicaTest, ServesWhileTheIndexerAppendsAndCatchesUp) {
  const std::filesystem::path dir = MakeTempDir("replica");
  auto chain = MakeTestChain(dir, 120, 120, /*index=*/false);
  ASSERT_THAT(chain, IsOk());
  const std::filesystem::path part = dir / "part.blk";
  ASSERT_THAT(CopyBlkPrefix(chain->blk, part, 60), IsOk());
  std::string out;
  ASSERT_EQ(RunAriadne({"index", "btc", "--blocks", part.string(), "--db", chain->db.string(),
                        "--network", "regtest"},
                       &out),
            0)
      << out;

  std::atomic<int> swaps{0};
  service::ReplicaOptions ro;
  ro.catch_up_interval = absl::Milliseconds(100);
  ro.secondary_dir = dir / "views";
  ro.on_engine = [&](const service::Engine&, bool) { ++swaps; };
  auto replica = service::ReplicaEngineSource::Open(chain->db, ro);
  ASSERT_THAT(replica, IsOk());
  ASSERT_TRUE((*replica)->WaitLoaded(absl::Seconds(60)));
  service::ServerOptions so;
  so.listen = "127.0.0.1:0";
  auto server = service::AriadneServer::Start(replica->get(), so);
  ASSERT_THAT(server, IsOk());
  auto stub = v1::Ariadne::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string((*server)->port()), grpc::InsecureChannelCredentials()));
  grpc::Status s;
  v1::ChainStatus before = GetStatus(stub.get(), &s);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(before.tip_height(), 59);
  // A request that started before the catch-up keeps its engine.
  std::shared_ptr<const service::Engine> old = (*replica)->Get();
  const uint64_t old_txs = Utxo(*old).graph().tx_count();

  // Index the rest in another process (small commits, so the replica may see several) while
  // queries go on; every answer must come from one consistent state, and the tip never goes back.
  std::atomic<bool> indexing{true};
  std::atomic<int> index_rc{-1};
  std::thread indexer([&] {
    std::string log;
    index_rc = RunAriadne({"index", "btc", "--blocks", chain->blk.string(), "--db",
                           chain->db.string(), "--network", "regtest", "--commit-txs", "600"},
                          &log);
    if (index_rc != 0) std::fprintf(stderr, "%s\n", log.c_str());
    indexing = false;
  });
  int queries = 0, last_tip = 59, tips_seen = 1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    const bool done_indexing = !indexing;
    v1::ChainStatus st = GetStatus(stub.get(), &s);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ++queries;
    ASSERT_GE(st.tip_height(), last_tip) << "the served tip went back";
    if (st.tip_height() != last_tip) ++tips_seen;
    last_tip = st.tip_height();
    // The totals agree with each other within one answer.
    ASSERT_EQ(st.tx_count() >= before.tx_count(), true);
    v1::GetAddressRequest a;
    a.set_address(chain->addresses[(queries * 7) % chain->addresses.size()]);
    v1::AddressSummary sum;
    grpc::Status as = stub->GetAddress(Ctx().get(), a, &sum);
    ASSERT_TRUE(as.ok() || as.error_code() == grpc::StatusCode::NOT_FOUND) << as.error_message();
    if (as.ok()) {
      ASSERT_EQ(sum.balance(), sum.received() - sum.sent());
    }
    if (done_indexing && st.tip_height() == 119) break;
  }
  indexer.join();
  ASSERT_EQ(index_rc, 0);
  EXPECT_EQ(last_tip, 119) << "the replica did not catch up with the indexer";
  std::printf("%d queries while indexing, %d tips seen, %d engines swapped in\n", queries,
              tips_seen, swaps.load());
  EXPECT_GE(swaps.load(), 2);

  // The old engine still answers from its own state.
  EXPECT_EQ(old->store().ReadState()->tip_height, 59);
  EXPECT_EQ(Utxo(*old).graph().tx_count(), old_txs);

  // The caught-up engine equals one loaded from scratch.
  std::shared_ptr<const service::Engine> now = (*replica)->Get();
  store::StoreOptions ro_opts;
  ro_opts.mode = store::StoreOptions::Mode::kReadOnly;
  auto fresh_store = store::Store::Open(chain->db, ro_opts);
  ASSERT_THAT(fresh_store, IsOk());
  auto fresh = service::Engine::Load(*std::move(fresh_store));
  ASSERT_THAT(fresh, IsOk());
  // Both over the graph files: the replica mapped the grown files instead of copying its graph.
  EXPECT_TRUE(Utxo(*now).graph().mapped());
  EXPECT_TRUE(Utxo(*old).graph().mapped());
  ASSERT_EQ(Utxo(*now).graph().tx_count(), Utxo(**fresh).graph().tx_count());
  ASSERT_EQ(Utxo(*now).graph().output_count(), Utxo(**fresh).graph().output_count());
  for (uint64_t o = 0; o < Utxo(*now).graph().output_count(); o += 97) {
    ASSERT_EQ(Utxo(*now).graph().SpentBy(OutNum(o)), Utxo(**fresh).graph().SpentBy(OutNum(o))) << o;
    ASSERT_EQ(Utxo(*now).graph().Addr(OutNum(o)), Utxo(**fresh).graph().Addr(OutNum(o))) << o;
  }
  // The names held in memory (txids, address keys) are the store's, extended and loaded alike.
  const store::Store& st = (*fresh)->store();
  for (uint64_t t = 0; t < Utxo(*now).graph().tx_count(); ++t) {
    auto txid = st.ReadTxid(TxNum(t));
    ASSERT_THAT(txid, IsOk());
    ASSERT_EQ(Utxo(*now).graph().TxidOf(TxNum(t)), *txid) << t;
    ASSERT_EQ(Utxo(**fresh).graph().TxidOf(TxNum(t)), *txid) << t;
  }
  ASSERT_EQ(Utxo(*now).names().size(), st.ReadState()->addr_count);
  ASSERT_EQ(Utxo(**fresh).names().size(), st.ReadState()->addr_count);
  for (uint32_t a = 0; a < Utxo(*now).names().size(); ++a) {
    auto row = st.ReadAddress(AddrId(a));
    ASSERT_THAT(row, IsOk());
    AddressKey k1, k2;
    ASSERT_TRUE(Utxo(*now).names().Get(AddrId(a), &k1));
    ASSERT_TRUE(Utxo(**fresh).names().Get(AddrId(a), &k2));
    ASSERT_EQ(k1, row->key) << a;
    ASSERT_EQ(k2, row->key) << a;
  }
  AddressKey none;
  EXPECT_FALSE(Utxo(*now).names().Get(AddrId(Utxo(*now).names().size()), &none));
  ASSERT_NE(now->backend().clusters(), nullptr);
  ASSERT_NE((*fresh)->backend().clusters(), nullptr);
  EXPECT_EQ(now->backend().clusters()->cluster_count(),
            (*fresh)->backend().clusters()->cluster_count());
  EXPECT_EQ(Utxo(*now).addresses().address_count(), Utxo(**fresh).addresses().address_count());
  EXPECT_EQ(Utxo(*now).heights().blocks(), Utxo(**fresh).heights().blocks());

  // And the served answers equal those of a server started on the finished store.
  auto reference = TestServer::Start(chain->db, service::ServerOptions());
  ASSERT_THAT(reference, IsOk());
  auto ref_stub = (*reference)->Stub();
  for (size_t i = 0; i < chain->addresses.size(); i += chain->addresses.size() / 25) {
    v1::GetAddressRequest a;
    a.set_address(chain->addresses[i]);
    v1::AddressSummary x, y;
    grpc::Status sx = stub->GetAddress(Ctx().get(), a, &x);
    grpc::Status sy = ref_stub->GetAddress(Ctx().get(), a, &y);
    ASSERT_EQ(sx.error_code(), sy.error_code()) << a.address();
    EXPECT_EQ(x.SerializeAsString(), y.SerializeAsString()) << a.address();
    v1::TraceRequest t;
    t.set_seed(a.address());
    t.set_hops(3);
    std::vector<v1::TraceEvent> tx, ty;
    for (auto* p : {&tx, &ty}) {
      auto ctx = Ctx();
      auto reader = (p == &tx ? stub : ref_stub)->Trace(ctx.get(), t);
      v1::TraceEvent ev;
      while (reader->Read(&ev)) p->push_back(ev);
      (void)reader->Finish();
    }
    ASSERT_EQ(tx.size(), ty.size()) << "trace from " << a.address();
    for (size_t k = 0; k < tx.size(); ++k) {
      // (MessageDifferencer: the summary's map has no fixed serialized order.)
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(tx[k], ty[k]))
          << "trace from " << a.address() << ", event " << k;
    }
  }
  (*server)->Shutdown(absl::ZeroDuration());
}

TEST(ReplicaTest, ReadOnlyWhenNotFollowingAndErrorsAtOpen) {
  const std::filesystem::path dir = MakeTempDir("replica-ro");
  EXPECT_THAT(service::ReplicaEngineSource::Open(dir / "missing", {}),
              StatusIs(absl::StatusCode::kNotFound));
  auto chain = MakeTestChain(dir, 30, 20);
  ASSERT_THAT(chain, IsOk());
  service::ReplicaOptions ro;
  ro.catch_up_interval = absl::ZeroDuration();
  auto replica = service::ReplicaEngineSource::Open(chain->db, ro);
  ASSERT_THAT(replica, IsOk());
  ASSERT_TRUE((*replica)->WaitLoaded(absl::Seconds(60)));
  EXPECT_EQ((*replica)->Get()->store().ReadState()->tip_height, 29);
  auto step = (*replica)->CatchUpNow();
  ASSERT_THAT(step, IsOk());
  EXPECT_FALSE(*step) << "nothing changed";
  EXPECT_EQ((*replica)->generation(), 1u);
}

// `ariadne serve` follows the indexer on its own, and says so.
TEST(ReplicaTest, ServeCommandFollowsTheIndexer) {
  const std::filesystem::path dir = MakeTempDir("replica-cli");
  auto chain = MakeTestChain(dir, 80, 30, /*index=*/false);
  ASSERT_THAT(chain, IsOk());
  ASSERT_THAT(CopyBlkPrefix(chain->blk, dir / "part.blk", 40), IsOk());
  std::string out;
  ASSERT_EQ(RunAriadne({"index", "btc", "--blocks", (dir / "part.blk").string(), "--db",
                        chain->db.string(), "--network", "regtest"},
                       &out),
            0)
      << out;
  auto serve = ServeProcess::Start({"--db", chain->db.string(), "--catch-up-interval", "0.2"});
  ASSERT_THAT(serve, IsOk());
  ASSERT_TRUE((*serve)->WaitForOutput("serving ", 30)) << (*serve)->Output();
  EXPECT_NE((*serve)->Output().find("tip 39"), std::string::npos) << (*serve)->Output();
  ASSERT_EQ(RunAriadne({"index", "btc", "--blocks", chain->blk.string(), "--db", chain->db.string(),
                        "--network", "regtest"},
                       &out),
            0)
      << out;
  ASSERT_TRUE((*serve)->WaitForOutput("caught up with the indexer: tip 79", 30))
      << (*serve)->Output();
  EXPECT_EQ(RunAriadne({"status", "--server", (*serve)->address(), "--json"}, &out), 0);
  EXPECT_NE(out.find("\"tip_height\":79"), std::string::npos) << out;
}

// Watches a reorg from inside the indexer: after each rewind, and before each commit (when the
// previous one is durable), catches the replica up and records the tip it serves and whether it
// answers cluster queries.
class ServedDuringTheReorg : public store::IndexObserver {
 public:
  explicit ServedDuringTheReorg(service::ReplicaEngineSource* replica) : replica_(replica) {}
  void OnTx(const store::ResolvedTx&) override {}
  absl::Status OnCommit(store::CommitBatch*) override { return Record(); }
  absl::Status OnRewind(const store::Store&, uint32_t, const store::BlockRow&,
                        rocksdb::WriteBatch*) override {
    return Record();
  }
  absl::Status Record() {
    auto step = replica_->CatchUpNow();
    if (!step.ok()) return step.status();
    std::shared_ptr<const service::Engine> e = replica_->Get();
    tips.push_back(e->store().ReadState()->tip_height);
    clusters.push_back(e->backend().clusters() != nullptr);
    return absl::OkStatus();
  }
  std::vector<int> tips;
  std::vector<bool> clusters;

 private:
  service::ReplicaEngineSource* replica_;
};

// A deep reorg takes many commits (a rewind per block, batches of the new branch, the clusters'
// undo). A replica used to serve each of them (tips 24, 23, ..., 0, then up to 29, cluster
// queries failing meanwhile); it now serves the old tip until the new branch is complete.
TEST(ReplicaTest, ADeepReorgIsServedInOneStep) {
  const std::filesystem::path dir = MakeTempDir("replica-reorg");
  std::string out;
  for (const auto& [name, blocks, seed] :
       {std::tuple{"old", "25", "1"}, std::tuple{"new", "30", "2"}}) {
    ASSERT_EQ(RunAriadne({"gen", "--out", (dir / name).string(), "--blocks", blocks, "--seed", seed,
                          "--txs-per-block", "20", "--no-truth"},
                         &out),
              0)
        << out;
  }
  const std::filesystem::path old_blk = dir / "old" / "blocks" / "blk00000.dat";
  const std::filesystem::path new_blk = dir / "new" / "blocks" / "blk00000.dat";
  const std::filesystem::path db = dir / "db";
  ASSERT_EQ(RunAriadne({"index", "btc", "--blocks", old_blk.string(), "--db", db.string(),
                        "--network", "regtest"},
                       &out),
            0)
      << out;

  std::vector<std::string> notes;
  service::ReplicaOptions ro;
  ro.catch_up_interval = absl::Hours(1);  // caught up by hand below
  ro.secondary_dir = dir / "views";
  ro.on_error = [&](const absl::Status& s) { notes.emplace_back(s.message()); };
  auto replica = service::ReplicaEngineSource::Open(db, ro);
  ASSERT_THAT(replica, IsOk());
  ASSERT_TRUE((*replica)->WaitLoaded(absl::Seconds(60)));
  ASSERT_EQ((*replica)->Get()->store().ReadState()->tip_height, 24);
  ASSERT_NE((*replica)->Get()->backend().clusters(), nullptr);

  store::StoreOptions so;
  so.network = Network::kRegtest;
  auto store = store::Store::Open(db, so);
  ASSERT_THAT(store, IsOk());
  auto clustering = heuristics::ClusteringObserver::Create(store->get());
  ASSERT_THAT(clustering, IsOk());
  ServedDuringTheReorg served(replica->get());
  pipeline::BtcIndexOptions io;
  io.inputs = {old_blk, new_blk};
  io.commit_txs = 100;
  io.observers = {clustering->get(), &served};
  pipeline::IndexResult r;
  ASSERT_THAT(pipeline::IndexBitcoin(store->get(), io, &r), IsOk());
  EXPECT_EQ(r.blocks_rewound, 24u);
  EXPECT_EQ(r.tip_height, 29);
  EXPECT_THAT(store->get()->ReadMeta(store::kMetaReorg), StatusIs(absl::StatusCode::kNotFound));
  // The reorg is within the clustering's undo window: its unions were rewound with the blocks, so
  // the new branch and its clusters arrive together, no rebuild.
  EXPECT_FALSE((*clustering)->needs_rebuild());
  ASSERT_THAT((*clustering)->Finish(store->get()), IsOk());
  ASSERT_THAT(served.Record(), IsOk());

  ASSERT_GT(served.tips.size(), 28u);  // 24 rewinds, several commits of the new branch
  EXPECT_EQ(served.tips.back(), 29);
  EXPECT_TRUE(served.clusters.back());
  // Until the new branch is committed up to the old tip's height, the old tip is served; after
  // that, only tips of the new branch at or above it (where its commits fall depends on the
  // indexer's batches). Never a tip below the old one, never without cluster queries.
  bool on_new_branch = false;
  for (size_t i = 0; i + 1 < served.tips.size(); ++i) {
    if (on_new_branch || served.tips[i] != 24) {
      on_new_branch = true;
      EXPECT_GT(served.tips[i], 24) << "step " << i << " of the reorg was served";
      EXPECT_GE(i, 24u) << "step " << i << ": a tip other than the old one during the rewinds";
    }
    EXPECT_TRUE(served.clusters[i]) << "step " << i << ": no cluster queries";
  }
  EXPECT_THAT(notes, ::testing::Contains(::testing::HasSubstr(
                         "the indexer is switching to another branch: serving tip 24")));
}

}  // namespace
}  // namespace ariadne::testing
