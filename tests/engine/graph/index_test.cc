// The index classes of both models (engine/graph): the cluster index and its evidence forest, the
// clusters' totals over a transaction graph, the label index by member and by cluster, and the
// account graph built by hand, appended to, and named by strong ids.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/graph/account_graph.h"
#include "engine/graph/address_index.h"
#include "engine/graph/cluster_index.h"
#include "engine/graph/cluster_totals.h"
#include "engine/graph/label_index.h"
#include "engine/graph/tx_graph.h"
#include "engine/store/schema.h"
#include "tests/engine/graph/account_chain.h"
#include "tests/testutil.h"

namespace ariadne::graph {
namespace {

// Members 0..7; links: (5,3) (3,7) (1,2) (7,6); 0 and 4 alone.
std::unique_ptr<ClusterIndex> Sample() {
  const ClusterLink links[] = {{5, 3}, {3, 7}, {1, 2}, {7, 6}};
  return *ClusterIndex::Build(8, links, "test-policy");
}

TEST(ClusterIndex, ClustersAreNamedByTheirSmallestMember) {
  auto ci = Sample();
  EXPECT_EQ(ci->member_count(), 8u);
  EXPECT_EQ(ci->cluster_count(), 4u);  // {0}, {1,2}, {3,5,6,7}, {4}
  EXPECT_EQ(ci->policy(), "test-policy");
  EXPECT_EQ(ci->ClusterOf(7u), ClusterId(3));
  EXPECT_EQ(ci->ClusterOf(AddrId(2)), ClusterId(1));
  EXPECT_EQ(ci->ClusterOf(AccountId(4)), ClusterId(4));
  EXPECT_TRUE(ci->IsCluster(ClusterId(3)));
  EXPECT_FALSE(ci->IsCluster(ClusterId(5)));   // a member, not the cluster's name
  EXPECT_FALSE(ci->IsCluster(ClusterId(99)));  // beyond the members
  EXPECT_THAT(ci->Members(ClusterId(3)), ::testing::ElementsAre(3, 5, 6, 7));
  EXPECT_EQ(ci->Size(ClusterId(0)), 1u);
  // Ordinals number the clusters in order of id.
  EXPECT_EQ(ci->Ordinal(ClusterId(0)), 0u);
  EXPECT_EQ(ci->Ordinal(ClusterId(1)), 1u);
  EXPECT_EQ(ci->OrdinalOf(6), 2u);
  EXPECT_EQ(ci->Ordinal(ClusterId(4)), 3u);
}

TEST(ClusterIndex, ExplainWalksTheForestFromOneMemberToTheOther) {
  auto ci = Sample();
  auto path = ci->Explain(5, 6);
  ASSERT_THAT(path, IsOk());
  ASSERT_EQ(path->size(), 3u);  // 5-3, 3-7, 7-6
  EXPECT_EQ((*path)[0].link, 0u);
  EXPECT_EQ((*path)[0].from, 5u);
  EXPECT_EQ((*path)[0].to, 3u);
  EXPECT_EQ((*path)[1].link, 1u);
  EXPECT_EQ((*path)[2].link, 3u);
  EXPECT_EQ((*path)[2].from, 7u);
  EXPECT_EQ((*path)[2].to, 6u);
  auto back = ci->Explain(6, 5);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ((*back)[0].from, 6u);  // oriented along the asked direction
  auto same = ci->Explain(2, 2);
  ASSERT_THAT(same, IsOk());
  EXPECT_TRUE(same->empty());
  EXPECT_THAT(ci->Explain(1, 3), StatusIs(absl::StatusCode::kNotFound));
}

TEST(ClusterIndex, ALinkToAnUnknownMemberIsDataLoss) {
  const ClusterLink links[] = {{1, 8}};
  EXPECT_THAT(ClusterIndex::Build(8, links, ""),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "unknown address"));
  EXPECT_THAT(CheckCoverage("the clustering", 5, 6, "`x`"),
              StatusIsWithMessage(absl::StatusCode::kFailedPrecondition,
                                  "the clustering covers 5 transactions, the store 6: run `x`"));
  EXPECT_THAT(CheckCoverage("the clustering", 6, 6, "`x`"), IsOk());
}

TEST(ClusterTotals, FlowsAcrossTheBoundaryOnly) {
  // Addresses 1 and 2 are one wallet. tx 0: coinbase -> 1 (50). tx 1: 1's 50 -> 3 (20), 2 (29)
  // (change back to the wallet). tx 2: 3's 20 -> 2 (20).
  auto g = TxGraph::Empty();
  auto tx = [&](std::vector<OutNum> in, std::vector<TxGraph::NewOutput> out) {
    ASSERT_THAT(g->AppendTx(in, out), IsOk());
  };
  tx({}, {{50, AddrId(1)}});
  tx({OutNum(0)}, {{20, AddrId(3)}, {29, AddrId(2)}});
  tx({OutNum(1)}, {{20, AddrId(2)}});
  store::HeightIndex heights;
  for (uint64_t b = 0; b < 3; ++b) heights.Append(b, 0);
  const ClusterLink links[] = {{1, 2}};
  auto ci = *ClusterIndex::Build(4, links, "");
  const auto totals = ComputeClusterTotals(*g, heights, *ci);
  const ClusterTotals& wallet = totals[ci->Ordinal(ClusterId(1))];
  EXPECT_EQ(wallet.received, 70);  // 50 mined, 20 from 3; the 29 of change is not received
  EXPECT_EQ(wallet.sent, 21);      // 50 spent, 29 came back: 20 paid and 1 fee
  EXPECT_EQ(wallet.tx_count, 3u);
  EXPECT_EQ(wallet.first_height, 0u);
  EXPECT_EQ(wallet.last_height, 2u);
  const ClusterTotals& other = totals[ci->Ordinal(ClusterId(3))];
  EXPECT_EQ(other.received, 20);
  EXPECT_EQ(other.sent, 20);
  const AddressIndex received(*g, 4);
  EXPECT_THAT(received.Received(AddrId(2)), ::testing::ElementsAre(2, 3));
  EXPECT_TRUE(received.Received(AddrId(9)).empty());
}

TEST(LabelIndex, LabelsByMemberAndByClusterInTheOrderGiven) {
  auto ci = Sample();
  const store::LabelRow exchange{"Binance", "Exchange", "tagpack", ""};
  const store::LabelRow market{"Hydra", "darknet_market", "case 7", ""};
  const std::vector<MemberLabel> rows = {{6, store::EncodeLabel(exchange)},
                                         {5, store::EncodeLabel(market)},
                                         {6, store::EncodeLabel(market)},
                                         {2, store::EncodeLabel(exchange)}};
  auto li = *LabelIndex::Build(rows, ci.get(), 9);
  EXPECT_EQ(li->rows(), 9u);
  EXPECT_EQ(li->labels().size(), 2u);  // the same label on two members: stored once
  EXPECT_EQ(li->labelled_members(), 3u);
  ASSERT_EQ(li->Of(6).size(), 2u);
  EXPECT_EQ(li->labels()[li->Of(6)[1]], market);
  EXPECT_TRUE(li->Of(0).empty());
  auto of_cluster = li->OfCluster(ClusterId(3));
  ASSERT_EQ(of_cluster.size(), 3u);
  EXPECT_EQ(of_cluster[0].member, 6u);
  EXPECT_EQ(of_cluster[1].member, 5u);
  EXPECT_THAT(li->MembersIn({"EXCHANGE"}), ::testing::UnorderedElementsAre(6, 2));
  EXPECT_THAT(li->ClustersIn({"darknet_market"}), ::testing::UnorderedElementsAre(3));
  // Without a cluster index clusters have no labels.
  auto plain = *LabelIndex::Build(rows, nullptr);
  EXPECT_TRUE(plain->OfCluster(ClusterId(3)).empty());
  const std::vector<MemberLabel> corrupt = {{1, "\\x05ab"}};
  EXPECT_THAT(LabelIndex::Build(corrupt, nullptr), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(AccountGraph, AppendedRowsAreWhatABuilderMakes) {
  testing::AccountChain c;
  c.Pay(1, "A", "B", 10);
  const TxNum second = c.Tx(2, "B", /*fee=*/3);
  c.Send("B", "C", 4);
  c.Send("B", "zero", 1, c.token());
  auto built = c.Finish();
  EXPECT_EQ(built->account_count(), 4u);
  EXPECT_EQ(built->zero_account(), AccountId(c.Id("zero")));
  EXPECT_EQ(built->FirstTransfer(second), TransferNum(1));
  EXPECT_EQ(built->FirstTransfer(TxNum(2)), TransferNum(3));
  EXPECT_THAT(built->Out(AccountId(c.Id("B"))),
              ::testing::ElementsAre(TransferNum(1), TransferNum(2)));
  EXPECT_THAT(built->FeesPaid(AccountId(c.Id("B"))), ::testing::ElementsAre(second));
  EXPECT_EQ(built->Timestamp(2), 24u);
  EXPECT_EQ(built->Timestamp(3), 0u);  // not indexed

  // The same chain as one commit's rows appended to an empty graph.
  auto g = AccountGraph::Builder().Finish();
  const evm::Address accounts[] = {c.Address("A"), c.Address("B"), c.Address("C"), evm::Address()};
  const store::EvmAssetRow assets[] = {{store::AssetStandard::kErc20, c.Address("token"), 2}};
  const std::pair<uint64_t, uint64_t> blocks[] = {{1, 12}, {2, 24}};
  store::EvmTxRow t0, t1;
  t0.block = 1;
  t0.from = 0;
  t0.first_transfer = 0;
  t1.block = 2;
  t1.from = 1;
  t1.fee = evm::U256(3);
  t1.first_transfer = 1;
  const store::EvmTxRow txs[] = {t0, t1};
  const store::EvmTransferRow transfers[] = {{0, 0, 1, 0, evm::U256(10), {}, 0, UINT32_MAX},
                                             {0, 1, 2, 0, evm::U256(4), {}, 1, UINT32_MAX},
                                             {2, 1, 3, 1, evm::U256(1), {}, 1, 0}};
  ASSERT_THAT(g->Append({accounts, assets, blocks, txs, transfers}), IsOk());
  EXPECT_EQ(g->transfer_count(), built->transfer_count());
  EXPECT_EQ(g->zero_account(), AccountId(3));
  for (uint64_t t = 0; t < g->transfer_count(); ++t) {
    const TransferNum n(t);
    EXPECT_EQ(g->From(n).value(), built->From(n).value()) << t;
    EXPECT_EQ(g->TxOf(n), built->TxOf(n)) << t;
    EXPECT_EQ(g->Amount(n), built->Amount(n)) << t;
  }
  EXPECT_THAT(g->In(AccountId(2)), ::testing::ElementsAre(TransferNum(1)));
  EXPECT_THAT(g->FeesPaid(AccountId(1)), ::testing::ElementsAre(TxNum(1)));
  // A row naming an account the graph does not have is refused.
  const store::EvmTransferRow bad[] = {{0, 0, 9, 0, evm::U256(1), {}, 1, UINT32_MAX}};
  EXPECT_THAT(g->Append({{}, {}, {}, {}, bad}), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace ariadne::graph
