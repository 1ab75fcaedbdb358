// Traces on hand-built graphs with known numbers: where the taint goes (edges), where it ends
// (reasons and amounts), hops, thresholds, windows, labels, clusters, truncation, and the
// conservation of the seed's value.
#include "engine/trace/tracer.h"

#include <map>

#include "tests/testutil.h"

namespace ariadne::trace {
namespace {

constexpr int64_t kBtc = 100'000'000;

// A -> mined 10 BTC (tx 0, block 0)
// tx 1 (block 1): A's 10 BTC -> B 4, C 5.9 (fee 0.1)
// tx 2 (block 2): C's 5.9 -> D 5.8 (fee 0.1)
// tx 3 (block 3): D's 5.8 + E's 2 (E mined in tx 4? no: E mined in block 0 as tx 0 output 1)
//                 -> F 7.8
class TraceGraph : public ::testing::Test {
 protected:
  enum : uint32_t { A = 1, B, C, D, E, F };
  void SetUp() override {
    g_ = graph::TxGraph::Empty();
    Tx({}, {{10 * kBtc, AddrId(A)}, {2 * kBtc, AddrId(E)}});                // tx 0, outs 0, 1
    Tx({OutNum(0)}, {{4 * kBtc, AddrId(B)}, {59 * kBtc / 10, AddrId(C)}});  // tx 1, outs 2, 3
    Tx({OutNum(3)}, {{58 * kBtc / 10, AddrId(D)}});                         // tx 2, out 4
    Tx({OutNum(4), OutNum(1)}, {{78 * kBtc / 10, AddrId(F)}});              // tx 3, out 5
    for (uint64_t b = 0; b < 4; ++b) heights_.Append(b, 1000 + b);
  }
  void Tx(std::vector<OutNum> in, std::vector<graph::TxGraph::NewOutput> out) {
    ASSERT_TRUE(g_->AppendTx(in, out).ok());
  }
  TraceResult Run(std::vector<OutNum> seeds, TraceOptions o) {
    return Trace(*g_, heights_, seeds, o);
  }
  static int64_t EndAt(const TraceResult& r, uint32_t node, EndReason reason) {
    for (const TraceEnd& e : r.ends)
      if (e.node == node && e.reason == reason) return e.tainted;
    return 0;
  }
  static int64_t Total(const TraceResult& r) {
    int64_t s = 0;
    for (int64_t t : r.totals) s += t;
    return s;
  }
  std::unique_ptr<graph::TxGraph> g_;
  store::HeightIndex heights_;
};

TEST_F(TraceGraph, ForwardHaircutFollowsTheMoneyToItsEnds) {
  TraceOptions o;
  o.max_hops = 10;
  TraceResult r = Run({OutNum(0)}, o);
  EXPECT_EQ(r.seed_value, 10 * kBtc);
  EXPECT_EQ(EndAt(r, B, EndReason::kUnspent), 4 * kBtc);
  // tx 3 mixes D's 5.8 tainted with E's 2 clean: F's 7.8 BTC output holds 5.8 tainted.
  EXPECT_EQ(EndAt(r, F, EndReason::kUnspent), 58 * kBtc / 10);
  EXPECT_EQ(EndAt(r, kNoNode, EndReason::kFee), 2 * kBtc / 10);
  EXPECT_EQ(Total(r), 10 * kBtc);  // every tainted satoshi ends somewhere
  EXPECT_EQ(r.txs, 3u);
  // Edges: A->B and A->C at hop 1, C->D at hop 2, D->F at hop 3 (E->F is clean: no edge).
  std::map<std::pair<uint32_t, uint32_t>, TraceEdge> edges;
  for (const TraceEdge& e : r.edges) edges[{e.from, e.to}] = e;
  auto edge = [&](uint32_t from, uint32_t to) { return edges[{from, to}]; };
  ASSERT_EQ(edges.size(), 4u);
  EXPECT_EQ(edge(A, B).hop, 1u);
  EXPECT_EQ(edge(A, B).tainted, 4 * kBtc);
  EXPECT_EQ(edge(C, D).hop, 2u);
  EXPECT_EQ(edge(D, F).hop, 3u);
  EXPECT_EQ(edge(D, F).value, 78 * kBtc / 10);
  EXPECT_EQ(edge(D, F).tainted, 58 * kBtc / 10);
}

TEST_F(TraceGraph, PoisonTaintsWholeOutputs) {
  TraceOptions o;
  o.model = TaintModel::kPoison;
  TraceResult r = Run({OutNum(0)}, o);
  EXPECT_EQ(EndAt(r, F, EndReason::kUnspent), 78 * kBtc / 10);  // E's clean 2 BTC too
}

TEST_F(TraceGraph, HopLimitThresholdAndLabelsEndTheTrace) {
  TraceOptions o;
  o.max_hops = 1;
  TraceResult r = Run({OutNum(0)}, o);
  // C's 5.9 BTC: 5.8 would go to D at hop 2 and end at C, 0.1 is tx 2's fee.
  EXPECT_EQ(EndAt(r, C, EndReason::kHopLimit), 58 * kBtc / 10);
  EXPECT_EQ(EndAt(r, kNoNode, EndReason::kFee), 2 * kBtc / 10);
  EXPECT_EQ(EndAt(r, B, EndReason::kUnspent), 4 * kBtc);
  EXPECT_EQ(Total(r), 10 * kBtc);

  o.max_hops = 10;
  o.min_value = 5 * kBtc;  // B's 4 BTC is not followed (it is unspent anyway: below threshold)
  r = Run({OutNum(0)}, o);
  EXPECT_EQ(EndAt(r, B, EndReason::kBelowThreshold), 4 * kBtc);

  o.min_value = 0;
  o.stop_at = [](AddrId a) { return a.value() == D; };  // D is an exchange
  r = Run({OutNum(0)}, o);
  EXPECT_EQ(EndAt(r, D, EndReason::kLabelled), 58 * kBtc / 10);
  EXPECT_EQ(EndAt(r, F, EndReason::kUnspent), 0);
  EXPECT_EQ(Total(r), 10 * kBtc);
}

TEST_F(TraceGraph, TimeWindowStopsAtTransactionsOutsideIt) {
  TraceOptions o;
  o.to_height = 1;
  TraceResult r = Run({OutNum(0)}, o);
  EXPECT_EQ(EndAt(r, C, EndReason::kTimeWindow), 59 * kBtc / 10);
  EXPECT_EQ(EndAt(r, B, EndReason::kUnspent), 4 * kBtc);
}

TEST_F(TraceGraph, BackwardFindsWhereValueCameFrom) {
  TraceOptions o;
  o.direction = Direction::kBackward;
  o.max_hops = 10;
  TraceResult r = Run({OutNum(5)}, o);  // F's 7.8 BTC
  // Haircut backward: tx 3's inputs 5.8 (from D) and 2 (from E, mined) in proportion; D's part
  // goes back through C to A's mined coins.
  EXPECT_EQ(EndAt(r, E, EndReason::kCoinbase), 2 * kBtc);
  EXPECT_EQ(EndAt(r, A, EndReason::kCoinbase), 58 * kBtc / 10);
  EXPECT_EQ(Total(r), 78 * kBtc / 10);
  bool saw_cd = false;
  for (const TraceEdge& e : r.edges) saw_cd |= e.from == C && e.to == D;
  EXPECT_TRUE(saw_cd);
}

TEST_F(TraceGraph, FifoForwardIsExact) {
  TraceOptions o;
  o.model = TaintModel::kFifo;
  o.max_hops = 10;
  // Seed E's 2 BTC only: in tx 3 it is the second input (after D's 5.8), so FIFO puts it in the
  // last 2 BTC of F's output.
  TraceResult r = Run({OutNum(1)}, o);
  EXPECT_EQ(EndAt(r, F, EndReason::kUnspent), 2 * kBtc);
  EXPECT_EQ(Total(r), 2 * kBtc);
}

TEST_F(TraceGraph, NodesCanBeClusters) {
  TraceOptions o;
  o.max_hops = 10;
  // B and C are one wallet (cluster 2), D and F another (cluster 4).
  o.node_of = [](AddrId a) -> uint32_t {
    switch (a.value()) {
      case B:
      case C:
        return 2;
      case D:
      case F:
        return 4;
      default:
        return a.value();
    }
  };
  TraceResult r = Run({OutNum(0)}, o);
  EXPECT_EQ(EndAt(r, 2, EndReason::kUnspent), 4 * kBtc);
  EXPECT_EQ(EndAt(r, 4, EndReason::kUnspent), 58 * kBtc / 10);
  bool saw_internal = false;
  for (const TraceEdge& e : r.edges) {
    if (e.from == 4 && e.to == 4) {
      saw_internal = true;
      EXPECT_EQ(e.hop, 2u);  // D -> F inside cluster 4 is not a hop: it stays at C -> D's hop
    }
  }
  EXPECT_TRUE(saw_internal);
  // So two hops reach F's output in cluster mode, where address mode needs three.
  o.max_hops = 2;
  r = Run({OutNum(0)}, o);
  EXPECT_EQ(EndAt(r, 4, EndReason::kUnspent), 58 * kBtc / 10);
  o.node_of = nullptr;
  r = Run({OutNum(0)}, o);
  EXPECT_EQ(EndAt(r, D, EndReason::kHopLimit), 58 * kBtc / 10);
}

TEST_F(TraceGraph, StopsAtTransactionsTheCallerNames) {
  TraceOptions o;
  o.max_hops = 10;
  o.stop_at_tx = [](TxNum t) { return t.value() == 2; };  // say tx 2 is a CoinJoin
  TraceResult r = Run({OutNum(0)}, o);
  EXPECT_EQ(EndAt(r, C, EndReason::kCoinJoin), 59 * kBtc / 10);
  EXPECT_EQ(EndAt(r, F, EndReason::kUnspent), 0);
  EXPECT_EQ(Total(r), 10 * kBtc);
  EXPECT_EQ(EndReasonName(EndReason::kCoinJoin), "coinjoin");
}

TEST_F(TraceGraph, TruncationAndCancellationAccountForTheRest) {
  TraceOptions o;
  o.max_edges = 1;
  TraceResult r = Run({OutNum(0)}, o);
  EXPECT_TRUE(r.truncated);
  EXPECT_GT(r.totals[static_cast<int>(EndReason::kTruncated)], 0);
  EXPECT_EQ(Total(r), 10 * kBtc);
  TraceOptions c;
  int polls = 0;
  c.cancelled = [&] { return ++polls > 0; };
  r = Run({OutNum(0)}, c);  // three transactions: fewer than a poll interval, so it completes
  EXPECT_FALSE(r.cancelled);
}

TEST_F(TraceGraph, TheEdgeLimitIsNeverExceededTheTransactionThatWouldIsLeftOut) {
  // tx 1 makes two edges (A->B, A->C): with room for one it is not taken up at all, and the taint
  // it would have moved ends where it is, truncated.
  TraceOptions o;
  o.max_hops = 10;
  o.max_edges = 1;
  TraceResult r = Run({OutNum(0)}, o);
  EXPECT_TRUE(r.edges.empty());
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(EndAt(r, A, EndReason::kTruncated), 10 * kBtc);
  EXPECT_EQ(Total(r), 10 * kBtc);
  EXPECT_EQ(r.txs, 0u);
  // Room for exactly the four edges: the whole trace, not truncated.
  o.max_edges = 4;
  r = Run({OutNum(0)}, o);
  EXPECT_EQ(r.edges.size(), 4u);
  EXPECT_FALSE(r.truncated);
  // Three: tx 1 and tx 2 fit (three edges), tx 3 does not.
  o.max_edges = 3;
  r = Run({OutNum(0)}, o);
  EXPECT_EQ(r.edges.size(), 3u);
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(EndAt(r, D, EndReason::kTruncated), 58 * kBtc / 10);
  EXPECT_EQ(Total(r), 10 * kBtc);
}

// Taken edges (TraceOptions::take_edges, the summary-only and aggregated answers) are the kept
// edges, transaction by transaction in the same order, and the edge limit counts them alike.
TEST_F(TraceGraph, TakenEdgesAreTheKeptEdgesAndCountAgainstTheLimit) {
  for (size_t max_edges : {size_t{100}, size_t{3}, size_t{1}}) {
    for (TaintModel model : {TaintModel::kPoison, TaintModel::kHaircut, TaintModel::kFifo}) {
      TraceOptions o;
      o.max_hops = 10;
      o.max_edges = max_edges;
      o.model = model;
      const TraceResult kept = Run({OutNum(0)}, o);
      std::vector<TraceEdge> taken;
      int calls = 0;
      o.take_edges = [&](std::span<const TraceEdge> edges) {
        ++calls;
        EXPECT_FALSE(edges.empty());
        for (const TraceEdge& e : edges) EXPECT_EQ(e.tx, edges.front().tx);  // one transaction
        taken.insert(taken.end(), edges.begin(), edges.end());
      };
      const TraceResult r = Run({OutNum(0)}, o);
      EXPECT_TRUE(r.edges.empty());
      EXPECT_EQ(r.edge_count, kept.edges.size()) << max_edges;
      EXPECT_EQ(kept.edge_count, kept.edges.size());
      ASSERT_EQ(taken.size(), kept.edges.size()) << max_edges;
      for (size_t i = 0; i < taken.size(); ++i) {
        EXPECT_EQ(std::tie(taken[i].from, taken[i].to, taken[i].tx, taken[i].value,
                           taken[i].tainted, taken[i].hop),
                  std::tie(kept.edges[i].from, kept.edges[i].to, kept.edges[i].tx,
                           kept.edges[i].value, kept.edges[i].tainted, kept.edges[i].hop));
      }
      EXPECT_EQ(r.truncated, kept.truncated);
      EXPECT_EQ(r.totals, kept.totals);
      EXPECT_EQ(static_cast<uint64_t>(calls), r.txs);
    }
  }
}

}  // namespace
}  // namespace ariadne::trace
