// Paths of value on hand-built UTXO graphs (engine/trace/paths.h): the shortest chains of
// transactions, as many as asked, within the hops, a shared output is no path, and the visit
// limit and cancellation stop the search and say so.
#include "engine/trace/paths.h"

#include "tests/testutil.h"

namespace ariadne::trace {
namespace {

// S receives outs 0 and 1 (tx 0). tx 1 spends out 0 -> X (out 2); tx 2 spends out 2 -> T (out 3).
// tx 3 spends out 1 -> Y (out 4) and T (out 5): a second, shorter path to T. tx 4 pays T again
// from outside (out 6).
class PathGraph : public ::testing::Test {
 protected:
  enum : uint32_t { S = 1, X, Y, T, Z };
  void SetUp() override {
    g_ = graph::TxGraph::Empty();
    Tx({}, {{100, AddrId(S)}, {50, AddrId(S)}});
    Tx({OutNum(0)}, {{99, AddrId(X)}});
    Tx({OutNum(2)}, {{98, AddrId(T)}});
    Tx({OutNum(1)}, {{20, AddrId(Y)}, {29, AddrId(T)}});
    Tx({}, {{7, AddrId(T)}});
  }
  void Tx(std::vector<OutNum> in, std::vector<graph::TxGraph::NewOutput> out) {
    ASSERT_TRUE(g_->AppendTx(in, out).ok());
  }
  // The outputs an address received.
  std::vector<uint64_t> Received(uint32_t a) const {
    std::vector<uint64_t> out;
    for (uint64_t o = 0; o < g_->output_count(); ++o) {
      if (g_->Addr(OutNum(o)) == AddrId(a)) out.push_back(o);
    }
    return out;
  }
  UtxoPaths Find(uint32_t from, uint32_t to, PathOptions o = PathOptions()) const {
    return FindPaths(*g_, Received(from), Received(to), o);
  }
  std::unique_ptr<graph::TxGraph> g_;
};

TEST_F(PathGraph, TheShortestPathsWinAndEachStepNamesItsTransactionAndOutput) {
  const UtxoPaths r = Find(S, T);
  ASSERT_EQ(r.hops, 1u);  // tx 3 pays T straight from S's out 1
  ASSERT_EQ(r.paths.size(), 1u);
  ASSERT_EQ(r.paths[0].size(), 1u);
  EXPECT_EQ(r.paths[0][0].tx, TxNum(3));
  EXPECT_EQ(r.paths[0][0].out, OutNum(5));
  EXPECT_FALSE(r.truncated);
  EXPECT_FALSE(r.cancelled);
}

TEST_F(PathGraph, APathOfSeveralTransactionsNeedsAsManyHops) {
  Tx({OutNum(3)}, {{97, AddrId(Z)}});  // tx 5: T pays X's money on to Z (out 7)
  const UtxoPaths r = Find(X, Z);
  ASSERT_EQ(r.hops, 2u);
  ASSERT_EQ(r.paths.size(), 1u);
  ASSERT_EQ(r.paths[0].size(), 2u);
  EXPECT_EQ(r.paths[0][0].tx, TxNum(2));
  EXPECT_EQ(r.paths[0][0].out, OutNum(3));
  EXPECT_EQ(r.paths[0][1].tx, TxNum(5));
  EXPECT_EQ(r.paths[0][1].out, OutNum(7));
  PathOptions one;
  one.max_hops = 1;
  EXPECT_TRUE(Find(X, Z, one).paths.empty());
  EXPECT_EQ(Find(S, Z).hops, 3u);  // S -> X -> T -> Z
}

TEST_F(PathGraph, AnOutputBothReceivedIsNoPathBetweenThem) {
  Tx({}, {{1, AddrId(Y)}});  // nothing moves between Y and T in it
  const UtxoPaths r = Find(Y, T);
  EXPECT_TRUE(r.paths.empty());
  EXPECT_EQ(r.hops, 0u);
}

TEST_F(PathGraph, MaxPathsLimitsTheAnswerAndTheVisitLimitTruncates) {
  // Two more one-transaction paths from S to T.
  Tx({}, {{10, AddrId(S)}, {10, AddrId(S)}});  // tx 5: outs 7, 8
  Tx({OutNum(7)}, {{9, AddrId(T)}});           // tx 6
  Tx({OutNum(8)}, {{9, AddrId(T)}});           // tx 7
  EXPECT_EQ(Find(S, T).paths.size(), 3u);
  PathOptions two;
  two.max_paths = 2;
  EXPECT_EQ(Find(S, T, two).paths.size(), 2u);
  PathOptions tight;
  tight.max_visits = 1;
  const UtxoPaths r = Find(X, Z, tight);
  EXPECT_TRUE(r.truncated);
  PathOptions cancel;
  cancel.cancelled = [] { return true; };
  const UtxoPaths c = Find(S, Z, cancel);
  EXPECT_TRUE(c.cancelled);
  EXPECT_TRUE(c.paths.empty());
}

}  // namespace
}  // namespace ariadne::trace
