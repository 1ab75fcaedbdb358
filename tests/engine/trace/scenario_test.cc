// Tracing scored against the generator's case scenarios: victims pay a perpetrator's collector,
// the funds are swept, peeled to exchange deposit addresses, passed through a mixer or a CoinJoin
// (or not) and cashed out at exchanges. A haircut trace by cluster from the scenario's seed,
// stopping at exchanges and mixers, and (where a mixer broke the on-chain trail) a second trace
// from the mixer's payout must bring at least 95% of the value the truth says was cashed out to
// the cash-out addresses' clusters.
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>

#include <map>
#include <set>

#include "engine/core/address.h"
#include "engine/store/codec.h"
#include "engine/store/scan.h"
#include "gen/generator.h"
#include "gen/truth.h"
#include "heuristics/clustering.h"
#include "heuristics/clustering_observer.h"
#include "indexer/tags/tag_import.h"
#include "tests/engine/service/service_harness.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

struct Scenario {
  std::string seed;
  std::set<std::string> cashout;
  int64_t cashout_total = 0;
  std::string tx_mixer_in, tx_mixer_out;
  std::set<std::string> mixer, mixer_out;
};

class ScenarioTrace : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto dir = MakeTempDir("scenarios");
    gen::GenOptions g;
    g.out_dir = dir / "chain";
    g.blocks = 600;
    g.txs_per_block = 120;
    g.seed = 5;
    g.scenarios = 6;
    ASSERT_TRUE(gen::GenerateChain(g, nullptr).ok());
    auto truth = gen::LoadTruth(g.out_dir);
    ASSERT_TRUE(truth.ok()) << truth.status();
    for (const gen::ScenarioRow& row : truth->scenario_rows()) {
      Scenario& s = scenarios_[row.scenario_id];
      if (row.role == "seed") s.seed = row.ref;
      if (row.role == "cashout") s.cashout.insert(row.ref);
      if (row.role == "cashout_total") s.cashout_total = row.value;
      if (row.role == "tx_mixer_in") s.tx_mixer_in = row.ref;
      if (row.role == "tx_mixer_out") s.tx_mixer_out = row.ref;
      if (row.role == "mixer") s.mixer.insert(row.ref);
      if (row.role == "mixer_out") s.mixer_out.insert(row.ref);
    }
    store::StoreOptions so;
    so.create_if_missing = true;
    so.network = Network::kRegtest;
    auto store = store::Store::Open(dir / "db", so);
    ASSERT_TRUE(store.ok());
    auto clustering = heuristics::ClusteringObserver::Create(store->get());
    ASSERT_TRUE(clustering.ok());
    pipeline::BtcIndexOptions io;
    io.inputs = {g.out_dir / "blocks"};
    io.observers = {clustering->get()};
    pipeline::IndexResult r;
    ASSERT_TRUE(pipeline::IndexBitcoin(store->get(), io, &r).ok());
    ASSERT_TRUE(tags::ImportTags(store->get(), {g.out_dir / "truth" / "tags.csv"}).ok());
    auto harness = ServiceHarness::Start(*std::move(store), dir, service::ServiceOptions());
    ASSERT_TRUE(harness.ok()) << harness.status();
    harness_ = harness->release();
    stub_ = harness_->stub();
  }
  static void TearDownTestSuite() { delete harness_; }

  static int64_t ClusterOf(const std::string& address) {
    grpc::ClientContext ctx;
    v1::GetAddressRequest req;
    req.set_address(address);
    v1::AddressSummary r;
    EXPECT_TRUE(stub_->GetAddress(&ctx, req, &r).ok()) << address;
    return r.cluster_id();
  }
  // Traces by cluster from a seed; returns tainted value per endpoint node and reason.
  static std::map<std::pair<std::string, std::string>, int64_t> Trace(const std::string& seed,
                                                                      int64_t* seeded) {
    grpc::ClientContext ctx;
    v1::TraceRequest req;
    req.set_seed(seed);
    req.set_hops(50);
    req.set_taint("haircut");
    req.set_by_cluster(true);
    req.add_stop_at("exchange");
    req.add_stop_at("mixer");
    req.set_max_edges(200'000);
    auto reader = stub_->Trace(&ctx, req);
    v1::TraceEvent ev;
    std::map<std::pair<std::string, std::string>, int64_t> ends;
    while (reader->Read(&ev)) {
      if (ev.has_endpoint()) {
        ends[{ev.endpoint().node(), ev.endpoint().reason()}] += ev.endpoint().tainted_value();
      }
      if (ev.has_summary()) *seeded += ev.summary().seed_value();
    }
    EXPECT_TRUE(reader->Finish().ok());
    return ends;
  }
  // The events of a trace by cluster from `seed`, batches flattened, each serialized; `messages`
  // counts the stream's messages.
  static std::vector<std::string> Events(const std::string& seed, uint32_t per_message,
                                         int* messages) {
    grpc::ClientContext ctx;
    v1::TraceRequest req;
    req.set_seed(seed);
    req.set_hops(6);
    req.set_by_cluster(true);
    req.set_events_per_message(per_message);
    auto reader = stub_->Trace(&ctx, req);
    v1::TraceEvent ev;
    std::vector<std::string> out;
    *messages = 0;
    while (reader->Read(&ev)) {
      ++*messages;
      if (ev.has_batch()) {
        EXPECT_LE(ev.batch().events_size(), static_cast<int>(per_message));
        for (const v1::TraceEvent& e : ev.batch().events()) {
          EXPECT_FALSE(e.has_batch() || e.has_summary());
          out.push_back(e.SerializeAsString());
        }
      } else {
        out.push_back(ev.SerializeAsString());
      }
    }
    EXPECT_TRUE(reader->Finish().ok());
    return out;
  }
  // Seeds "txid:vout" for the outputs of `txid` paying one of `addresses`.
  static std::vector<std::string> OutputsTo(const std::string& txid,
                                            const std::set<std::string>& addresses) {
    grpc::ClientContext ctx;
    v1::GetTransactionRequest req;
    req.set_txid(txid);
    v1::Transaction tx;
    EXPECT_TRUE(stub_->GetTransaction(&ctx, req, &tx).ok()) << txid;
    std::vector<std::string> out;
    for (const auto& o : tx.outputs()) {
      if (addresses.contains(o.address())) out.push_back(txid + ":" + std::to_string(o.vout()));
    }
    return out;
  }

  static inline std::map<uint32_t, Scenario> scenarios_;
  static inline ServiceHarness* harness_ = nullptr;
  static inline v1::Ariadne::Stub* stub_ = nullptr;  // harness_'s
};

TEST_F(ScenarioTrace, TracesBringTheCashedOutValueToTheCashOutClusters) {
  ASSERT_GE(scenarios_.size(), 4u);
  for (auto& [id, s] : scenarios_) {
    ASSERT_FALSE(s.seed.empty());
    std::set<std::string> cashout_nodes;
    for (const std::string& a : s.cashout) {
      cashout_nodes.insert("cluster:" + std::to_string(ClusterOf(a)));
    }
    int64_t seeded = 0, at_cashout = 0, at_mixer = 0;
    auto add = [&](const std::map<std::pair<std::string, std::string>, int64_t>& ends) {
      for (const auto& [key, v] : ends) {
        if (key.second == "labelled" && cashout_nodes.contains(key.first)) at_cashout += v;
        if (key.second == "labelled" && !cashout_nodes.contains(key.first)) at_mixer += v;
        if (key.second == "coinjoin") at_mixer += v;
      }
    };
    // The seed is one of the perpetrator's collector addresses; its wallet is all of them.
    add(Trace("cluster:" + std::to_string(ClusterOf(s.seed)), &seeded));
    const int64_t first_leg = at_cashout;
    // Second leg: the mixer's payout (custodial), or the perpetrator's CoinJoin outputs.
    std::vector<std::string> second;
    if (!s.tx_mixer_out.empty()) second = OutputsTo(s.tx_mixer_out, s.mixer_out);
    if (s.tx_mixer_out.empty() && !s.tx_mixer_in.empty()) {
      second = OutputsTo(s.tx_mixer_in, s.mixer);
    }
    int64_t reseeded = 0;
    for (const std::string& seed : second) add(Trace(seed, &reseeded));
    const double share = static_cast<double>(at_cashout) / s.cashout_total;
    RecordProperty("scenario_" + std::to_string(id) + "_share", std::to_string(share));
    std::printf(
        "scenario %u: seeded %.8f BTC; cash-out %.8f BTC in the truth; traced to the "
        "cash-out clusters %.8f BTC (%.8f directly, %.8f after the mixer: %s) = %.2f%%\n",
        id, seeded / 1e8, s.cashout_total / 1e8, at_cashout / 1e8, first_leg / 1e8,
        (at_cashout - first_leg) / 1e8,
        s.tx_mixer_out.empty() ? (s.tx_mixer_in.empty() ? "no mixer" : "CoinJoin")
                               : "custodial mixer",
        100 * share);
    EXPECT_GE(share, 0.95) << "scenario " << id;
    EXPECT_LE(at_cashout, s.cashout_total + s.cashout_total / 100);
  }
}

TEST_F(ScenarioTrace, BatchedEventsAreTheSameEventsInFewerMessages) {
  int traced = 0;
  for (const auto& [id, s] : scenarios_) {
    const std::string seed = "cluster:" + std::to_string(ClusterOf(s.seed));
    int single = 0, batched = 0;
    const std::vector<std::string> one = Events(seed, 0, &single);
    const std::vector<std::string> many = Events(seed, 64, &batched);
    ASSERT_EQ(one.size(), many.size()) << "scenario " << id;
    ASSERT_GT(one.size(), 2u);
    size_t differ = 0;
    while (differ + 1 < one.size() && one[differ] == many[differ]) ++differ;
    EXPECT_EQ(differ, one.size() - 1) << "scenario " << id << ": event " << differ << " differs";
    // The summary last: equal as messages (its map serializes in no fixed order).
    v1::TraceEvent a, b;
    ASSERT_TRUE(a.ParseFromString(one.back()) && b.ParseFromString(many.back()));
    EXPECT_TRUE(a.has_summary());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, b)) << "scenario " << id;
    // The summary comes alone and last; the rest in ceil(events / 64) messages.
    EXPECT_EQ(single, static_cast<int>(one.size()));
    EXPECT_EQ(batched, static_cast<int>((one.size() - 1 + 63) / 64 + 1)) << "scenario " << id;
    ++traced;
  }
  EXPECT_GT(traced, 0);
}

// The default policy defers change links to the change's spend; the served view also links the
// candidates whose output is still unspent, and says so in the evidence.
TEST_F(ScenarioTrace, ExplainNamesDeferredAndUnspentChangeLinks) {
  const store::Store& store = harness_->engine().store();
  auto name = [&](uint32_t id) {
    auto row = store.ReadAddress(AddrId(id));
    EXPECT_TRUE(row.ok()) << row.status();
    return EncodeAddress(row->key, store.network());
  };
  auto explain = [&](uint32_t a, uint32_t b) {
    grpc::ClientContext ctx;
    v1::ExplainRequest req;
    req.set_from(name(a));
    req.set_to(name(b));
    v1::ExplainReply r;
    EXPECT_TRUE(stub_->Explain(&ctx, req, &r).ok());
    return r;
  };
  auto loaded = heuristics::LoadClustering(store);
  ASSERT_THAT(loaded, IsOk());
  ASSERT_GT((*loaded)->SettlePending(), 0u);
  const heuristics::Evidence unspent = (*loaded)->evidence().front();
  EXPECT_EQ(unspent.kind, heuristics::EvidenceKind::kChangeUnspent);
  v1::ExplainReply r = explain(unspent.a, unspent.b);
  ASSERT_EQ(r.links_size(), 1);
  EXPECT_TRUE(r.links(0).heuristic().ends_with(":unspent")) << r.links(0).heuristic();
  EXPECT_EQ(r.links(0).txid(), store.ReadTxid(unspent.tx)->ToHex());
  EXPECT_TRUE(r.links(0).related_txid().empty());
  // A stored change link made at its spend names that spend.
  auto meta = heuristics::ReadClusterMeta(store);
  ASSERT_THAT(meta, IsOk());
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.handle(store::Cf::kEvidence)));
  bool found = false;
  for (it->Seek(std::string(1, static_cast<char>(meta->gen))); it->Valid() && !found; it->Next()) {
    auto row = store::DecodeEvidence(std::string_view(it->key().data(), it->key().size()),
                                     std::string_view(it->value().data(), it->value().size()));
    ASSERT_THAT(row, IsOk());
    if (row->kind != 1 || row->at == row->tx) continue;
    found = true;
    v1::ExplainReply later = explain(row->a, row->b);
    ASSERT_EQ(later.links_size(), 1);
    EXPECT_TRUE(later.links(0).heuristic().starts_with("change:"));
    EXPECT_FALSE(later.links(0).heuristic().ends_with(":unspent"));
    EXPECT_EQ(later.links(0).txid(), store.ReadTxid(row->tx)->ToHex());
    EXPECT_EQ(later.links(0).related_txid(), store.ReadTxid(row->at)->ToHex());
  }
  EXPECT_TRUE(found);
}

TEST_F(ScenarioTrace, EveryAddressKindIsASeedWhateverItsLength) {
  // One address of every shape on this regtest chain: base58 (P2PKH, P2SH) and bech32 of every
  // length, P2WSH and P2TR (bcrt1q.../bcrt1p..., 64 characters: as long as a txid) included.
  const store::Store& store = harness_->engine().store();
  std::map<std::pair<AddrKind, size_t>, std::string> shapes;
  ASSERT_THAT(store::ScanRows(store, store::Cf::kAddr, "",
                              [&](std::string_view, std::string_view v) -> absl::Status {
                                auto row = store::DecodeAddrRow(v);
                                if (!row.ok()) return row.status();
                                const std::string a = EncodeAddress(row->key, store.network());
                                shapes.emplace(std::make_pair(row->key.kind, a.size()), a);
                                return absl::OkStatus();
                              }),
              IsOk());
  bool long_bech32 = false;
  for (const auto& [shape, address] : shapes) {
    long_bech32 |= address.size() == 64;
    grpc::ClientContext ctx;
    v1::TraceRequest req;
    req.set_seed(address);
    req.set_hops(1);
    auto reader = stub_->Trace(&ctx, req);
    v1::TraceEvent ev;
    v1::TraceSummary summary;
    while (reader->Read(&ev)) {
      if (ev.has_summary()) summary = ev.summary();
    }
    grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << address << ": " << s.error_message();
    EXPECT_GT(summary.seed_value(), 0) << address;
    EXPECT_EQ(summary.seed(), address);
  }
  EXPECT_TRUE(long_bech32) << "the chain has no 64-character address";
}

}  // namespace
}  // namespace ariadne::testing
