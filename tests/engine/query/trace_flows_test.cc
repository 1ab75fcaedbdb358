// The aggregation of a trace's edges into flows (engine/query/trace_flows.h), on hand-made edges.
#include "engine/query/trace_flows.h"

#include <gtest/gtest.h>

#include <vector>

namespace ariadne::query {
namespace {

// Flows sum their edges per (from, to, asset) in the order of the first edge; a transaction with
// two edges between the same nodes (two transfers) counts once.
TEST(TraceFlows, SumPerPairOfNodesAndCountEachTransactionOnce) {
  FlowTable<int64_t> t;
  //      from to asset tx height value tainted hop
  t.Add({1, 2, 0, 10, 100, 50, 20, 1});
  t.Add({1, 3, 0, 10, 100, 7, 7, 1});
  t.Add({1, 2, 0, 11, 104, 30, 30, 2});
  t.Add({1, 2, 1, 11, 104, 5, 5, 2});  // another asset: another flow
  t.Add({2, 1, 0, 12, 101, 1, 1, 0});  // the other way: another flow
  t.Add({1, 2, 0, 12, 102, 10, 0, 3});
  t.Add({1, 2, 0, 12, 102, 10, 4, 3});  // the same transaction again (account: two transfers)
  ASSERT_EQ(t.flows().size(), 4u);
  const FlowSums<int64_t>& f = t.flows()[0];
  EXPECT_EQ(std::make_tuple(f.from, f.to, f.asset), std::make_tuple(1u, 2u, 0u));
  EXPECT_EQ(f.value, 100);
  EXPECT_EQ(f.tainted, 54);
  EXPECT_EQ(f.transactions, 3u);
  EXPECT_EQ(f.edges, 4u);
  EXPECT_EQ(f.hop, 1u);
  EXPECT_EQ(f.first_height, 100u);
  EXPECT_EQ(f.last_height, 104u);
  EXPECT_EQ(t.flows()[1].to, 3u);
  EXPECT_EQ(t.flows()[2].asset, 1u);
  EXPECT_EQ(t.flows()[3].from, 2u);
  EXPECT_EQ(t.flows()[3].hop, 0u);
}

TEST(TraceFlows, AccountSumsSaturateAndNodesAreCountedOnce) {
  FlowTable<evm::U256> t;
  t.Add({1, 2, 3, 10, 5, evm::U256::Max(), evm::U256(7), 1});
  t.Add({1, 2, 3, 11, 6, evm::U256(1), evm::U256(8), 1});
  ASSERT_EQ(t.flows().size(), 1u);
  EXPECT_EQ(t.flows()[0].value, evm::U256::Max());
  EXPECT_EQ(t.flows()[0].tainted, evm::U256(15));
  struct End {
    uint32_t node;
  };
  // A summary's digest counts the nodes of edges and ends once each, and sums no flows.
  EdgeDigest<int64_t> nodes(/*aggregate=*/false);
  EXPECT_EQ(nodes.CountNodes(std::vector<End>{}), 0u);
  for (auto [from, to] : {std::pair{1u, 2u}, {2u, 3u}, {1u, 2u}}) nodes.Add({from, to});
  EXPECT_EQ(nodes.CountNodes(std::vector<End>{{3}, {9}, {9}, {10}}), 5u);
  EXPECT_TRUE(nodes.flows().flows().empty());
  EdgeDigest<int64_t> flows(/*aggregate=*/true);
  flows.Add({1, 2, 0, 7, 1, 10, 5, 1});
  EXPECT_EQ(flows.flows().flows().size(), 1u);
}

}  // namespace
}  // namespace ariadne::query
