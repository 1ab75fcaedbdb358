// Trace shapes (TraceRequest.shape) on a generated chain, through the real service: for every
// direction, taint model and node kind, the summary-only answer is the full stream's summary and
// nothing else, and the aggregated answer's flows are the sums of the full stream's edges per
// (from, to), with the same nodes, endpoints and summary. Bad shape values are refused.
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>

#include <map>
#include <set>
#include <tuple>

#include "gen/generator.h"
#include "gen/truth.h"
#include "heuristics/clustering_observer.h"
#include "indexer/tags/tag_import.h"
#include "tests/engine/service/service_harness.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

using google::protobuf::util::MessageDifferencer;

struct Answer {
  std::vector<v1::TraceNode> nodes;
  std::vector<v1::TraceEdge> edges;
  std::vector<v1::TraceFlow> flows;
  std::vector<v1::TraceEndpoint> endpoints;
  std::vector<v1::TraceSummary> summaries;
  int messages = 0;
  grpc::Status status;
};

class TraceShape : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto dir = MakeTempDir("trace-shapes");
    gen::GenOptions g;
    g.out_dir = dir / "chain";
    g.blocks = 300;
    g.txs_per_block = 80;
    g.seed = 11;
    g.scenarios = 3;
    ASSERT_TRUE(gen::GenerateChain(g, nullptr).ok());
    auto truth = gen::LoadTruth(g.out_dir);
    ASSERT_TRUE(truth.ok()) << truth.status();
    for (const gen::ScenarioRow& row : truth->scenario_rows()) {
      if (row.role == "seed" || row.role == "cashout") seeds_.insert(row.ref);
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
  }
  static void TearDownTestSuite() { delete harness_; }

  static Answer Ask(v1::TraceRequest req, int shape, uint32_t per_message = 128) {
    grpc::ClientContext ctx;
    req.set_shape(static_cast<v1::TraceRequest::Shape>(shape));
    req.set_events_per_message(per_message);
    auto reader = harness_->stub()->Trace(&ctx, req);
    v1::TraceEvent ev;
    Answer a;
    auto take = [&a](const v1::TraceEvent& e) {
      if (e.has_node()) a.nodes.push_back(e.node());
      if (e.has_edge()) a.edges.push_back(e.edge());
      if (e.has_flow()) a.flows.push_back(e.flow());
      if (e.has_endpoint()) a.endpoints.push_back(e.endpoint());
      if (e.has_summary()) a.summaries.push_back(e.summary());
    };
    while (reader->Read(&ev)) {
      ++a.messages;
      if (ev.has_batch()) {
        for (const v1::TraceEvent& e : ev.batch().events()) take(e);
      } else {
        take(ev);
      }
    }
    a.status = reader->Finish();
    return a;
  }

  static inline std::set<std::string> seeds_;
  static inline ServiceHarness* harness_ = nullptr;
};

template <typename T>
bool SameMessages(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!MessageDifferencer::Equals(a[i], b[i])) return false;
  }
  return true;
}

TEST_F(TraceShape, SummaryIsTheStreamsSummaryAndFlowsAreItsEdgesSummed) {
  ASSERT_GE(seeds_.size(), 3u);
  size_t traced = 0, merged = 0;
  for (const std::string& seed : seeds_) {
    for (int direction : {0, 1}) {
      for (const char* taint : {"poison", "haircut", "fifo"}) {
        for (bool by_cluster : {false, true}) {
          v1::TraceRequest req;
          req.set_seed(seed);
          req.set_direction(static_cast<v1::TraceRequest::Direction>(direction));
          req.set_taint(taint);
          req.set_hops(4);
          req.set_by_cluster(by_cluster);
          const std::string what = seed + " " + (direction ? "backward " : "forward ") + taint +
                                   (by_cluster ? " by cluster" : "");
          const Answer full = Ask(req, v1::TraceRequest::EDGES);
          ASSERT_TRUE(full.status.ok()) << what << ": " << full.status.error_message();
          ASSERT_EQ(full.summaries.size(), 1u) << what;
          const v1::TraceSummary& summary = full.summaries[0];
          EXPECT_EQ(summary.edges(), full.edges.size()) << what;

          // Summary only: one message, the same summary.
          const Answer only = Ask(req, v1::TraceRequest::SUMMARY);
          ASSERT_TRUE(only.status.ok()) << what;
          EXPECT_EQ(only.messages, 1) << what;
          EXPECT_TRUE(only.nodes.empty() && only.edges.empty() && only.flows.empty() &&
                      only.endpoints.empty())
              << what;
          ASSERT_EQ(only.summaries.size(), 1u) << what;
          EXPECT_TRUE(MessageDifferencer::Equals(only.summaries[0], summary)) << what;

          // Aggregated: the same nodes, endpoints and summary; flows are the edges summed.
          const Answer agg = Ask(req, v1::TraceRequest::AGGREGATED);
          ASSERT_TRUE(agg.status.ok()) << what;
          EXPECT_TRUE(agg.edges.empty()) << what;
          EXPECT_TRUE(SameMessages(agg.nodes, full.nodes)) << what;
          EXPECT_TRUE(SameMessages(agg.endpoints, full.endpoints)) << what;
          ASSERT_EQ(agg.summaries.size(), 1u) << what;
          EXPECT_TRUE(MessageDifferencer::Equals(agg.summaries[0], summary)) << what;
          struct Sums {
            int64_t value = 0, tainted = 0;
            std::set<std::string> txids;
            uint64_t edges = 0;
            uint32_t hop = UINT32_MAX;
            int32_t first = INT32_MAX, last = INT32_MIN;
          };
          std::map<std::pair<std::string, std::string>, Sums> want;
          std::vector<std::pair<std::string, std::string>> order;  // of the first edge
          for (const v1::TraceEdge& e : full.edges) {
            auto [it, inserted] = want.try_emplace({e.from(), e.to()});
            if (inserted) order.push_back(it->first);
            Sums& s = it->second;
            s.value += e.value();
            s.tainted += e.tainted_value();
            s.txids.insert(e.txid());
            ++s.edges;
            s.hop = std::min(s.hop, e.hop());
            s.first = std::min(s.first, e.block_height());
            s.last = std::max(s.last, e.block_height());
          }
          ASSERT_EQ(agg.flows.size(), want.size()) << what;
          for (size_t i = 0; i < agg.flows.size(); ++i) {
            const v1::TraceFlow& f = agg.flows[i];
            ASSERT_EQ(std::make_pair(f.from(), f.to()), order[i]) << what << " flow " << i;
            const Sums& s = want[order[i]];
            EXPECT_EQ(f.value(), s.value) << what << " flow " << i;
            EXPECT_EQ(f.tainted_value(), s.tainted) << what << " flow " << i;
            EXPECT_EQ(f.transactions(), s.txids.size()) << what << " flow " << i;
            EXPECT_EQ(f.edges(), s.edges) << what << " flow " << i;
            EXPECT_EQ(f.hop(), s.hop) << what << " flow " << i;
            EXPECT_EQ(f.first_block_height(), s.first) << what << " flow " << i;
            EXPECT_EQ(f.last_block_height(), s.last) << what << " flow " << i;
            EXPECT_TRUE(f.asset().empty() && f.amount().empty()) << what;
          }
          merged += full.edges.size() - agg.flows.size();
          ++traced;
        }
      }
    }
  }
  EXPECT_EQ(traced, seeds_.size() * 12);
  // Some pair of nodes is joined by more than one transaction, so the sums were put to the test.
  EXPECT_GT(merged, 0u);
}

TEST_F(TraceShape, ATruncatedTraceIsTruncatedAlikeInEveryShape) {
  v1::TraceRequest req;
  req.set_seed(*seeds_.begin());
  req.set_hops(10);
  req.set_max_edges(5);
  const Answer full = Ask(req, v1::TraceRequest::EDGES);
  ASSERT_TRUE(full.status.ok());
  ASSERT_EQ(full.summaries.size(), 1u);
  ASSERT_TRUE(full.summaries[0].truncated());
  for (int shape : {v1::TraceRequest::SUMMARY, v1::TraceRequest::AGGREGATED}) {
    const Answer a = Ask(req, shape);
    ASSERT_TRUE(a.status.ok());
    ASSERT_EQ(a.summaries.size(), 1u);
    EXPECT_TRUE(MessageDifferencer::Equals(a.summaries[0], full.summaries[0])) << shape;
  }
}

TEST_F(TraceShape, UnknownShapesAreInvalidArgument) {
  v1::TraceRequest req;
  req.set_seed(*seeds_.begin());
  for (int bad : {3, 7, -1}) {
    const Answer a = Ask(req, bad);
    EXPECT_EQ(a.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_EQ(a.status.error_message(),
              "unknown shape " + std::to_string(bad) + " (0 edges, 1 summary, 2 aggregated)");
    EXPECT_TRUE(a.summaries.empty() && a.nodes.empty());
  }
}

}  // namespace
}  // namespace ariadne::testing
