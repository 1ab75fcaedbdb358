// The EVM clustering heuristics (heuristics/evm_clustering.h) on crafted transfers: each rule joins
// what it should, with its evidence, and leaves alone what it should not.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "engine/graph/cluster_index.h"
#include "heuristics/evm_clustering.h"
#include "tests/engine/graph/account_chain.h"
#include "tests/testutil.h"

namespace ariadne::heuristics {
namespace {

using store::EvmHeuristic;
using Crafted = testing::AccountChain;

std::unique_ptr<graph::ClusterIndex> Clusters(const graph::AccountGraph& g,
                                              const EvmClusterResult& r) {
  std::vector<graph::ClusterLink> links;
  for (const store::EvmEvidenceRow& e : r.evidence) links.push_back({e.a, e.b});
  return *graph::ClusterIndex::Build(g.account_count(), links, r.params);
}

TEST(DepositAddressReuse, SendersToAForwardingDepositAddressAreOneEntity) {
  Crafted c;
  const uint64_t first = c.Pay(10, "S1", "Dep", 1000).value();
  const uint64_t forward = c.Pay(11, "Dep", "E", 995).value();  // within 1% and the window
  const uint64_t second = c.Pay(20, "S2", "Dep", 50, c.token()).value();
  const uint64_t third = c.Pay(30, "S3", "Dep", 7).value();
  c.Pay(31, "E2", "Dep", 5);  // another exchange paying a user: not the user's entity
  // Not deposit addresses: forwards too little of what it got, or too late.
  c.Pay(40, "S5", "Half", 1000);
  c.Pay(41, "Half", "E", 500);
  c.Pay(42, "S6", "Half", 10);
  c.Pay(50, "S4", "Late", 1000);
  c.Pay(50, "S7", "Late", 1000);
  c.Pay(50 + 7200 + 1, "Late", "E", 1000);
  auto g = c.Finish();
  const absl::flat_hash_set<uint32_t> exchanges = {c.Id("E"), c.Id("E2")};
  EvmClusterResult r = BuildEvmClusters(*g, {}, exchanges, EvmClusterParams());
  EXPECT_EQ(r.deposit_addresses, 1u);
  ASSERT_EQ(r.evidence.size(), 2u);
  EXPECT_EQ(r.unions[0], 2u);
  const store::EvmEvidenceRow& e = r.evidence[0];
  EXPECT_EQ(e.heuristic, EvmHeuristic::kDepositAddressReuse);
  EXPECT_EQ(e.a, c.Id("S1"));
  EXPECT_EQ(e.b, c.Id("S2"));
  EXPECT_EQ(e.tx, second);
  EXPECT_EQ(e.via, c.Id("Dep"));
  EXPECT_EQ(e.related_tx, forward);
  EXPECT_EQ(r.evidence[1].tx, third);
  (void)first;
  auto clusters = Clusters(*g, r);
  EXPECT_EQ(clusters->ClusterOf(c.Id("S3")), clusters->ClusterOf(c.Id("S1")));
  EXPECT_NE(clusters->ClusterOf(c.Id("E2")), clusters->ClusterOf(c.Id("S1")));
  EXPECT_NE(clusters->ClusterOf(c.Id("Dep")), clusters->ClusterOf(c.Id("S1")));
  EXPECT_NE(clusters->ClusterOf(c.Id("S5")), clusters->ClusterOf(c.Id("S6")));
  EXPECT_NE(clusters->ClusterOf(c.Id("S4")), clusters->ClusterOf(c.Id("S7")));
  auto path = clusters->Explain(c.Id("S3"), c.Id("S2"));
  ASSERT_THAT(path, IsOk());
  ASSERT_EQ(path->size(), 2u);
  EXPECT_EQ((*path)[0].from, c.Id("S3"));
  EXPECT_EQ((*path)[1].to, c.Id("S2"));
}

TEST(DepositAddressReuse, EtherForwardsMayLackTheForwardingFee) {
  Crafted c;
  c.Pay(1, "S1", "Dep", 100);
  {  // Dep forwards 100 - fee: more than 1% short, but the fee explains it.
    c.Tx(2, "Dep", /*fee=*/5);
    c.Send("Dep", "E", 94);
  }
  c.Pay(3, "S2", "Dep", 10);
  auto g = c.Finish();
  EvmClusterResult r = BuildEvmClusters(*g, {}, {c.Id("E")}, EvmClusterParams());
  EXPECT_EQ(r.deposit_addresses, 1u);
  EXPECT_EQ(r.evidence.size(), 1u);
}

TEST(AirdropMultiParticipation, ParticipantsCollectingAtOneAddressJoinTheCollector) {
  Crafted c;
  // The airdrop: one distributor, one amount, five recipients (one transaction).
  const uint64_t drop = c.Tx(1, "X").value();
  for (const char* p : {"P1", "P2", "P3", "P4", "P5"}) c.Send("X", p, 7, c.token());
  // Unequal payouts to five others: not an airdrop.
  c.Tx(1, "Y");
  int k = 1;
  for (const char* q : {"Q1", "Q2", "Q3", "Q4", "Q5"}) c.Send("Y", q, k++, c.token());
  const uint64_t p1 = c.Pay(2, "P1", "C", 7, c.token()).value();
  const uint64_t p2 = c.Pay(3, "P2", "C", 7, c.token()).value();
  c.Pay(4, "P3", "C2", 7, c.token());  // alone at its collector
  c.Pay(5, "Q1", "C3", 1, c.token());
  c.Pay(5, "Q2", "C3", 2, c.token());
  auto g = c.Finish();
  EvmClusterParams params;
  params.airdrop_min_recipients = 5;
  EvmClusterResult r = BuildEvmClusters(*g, {}, {}, params);
  EXPECT_EQ(r.airdrops, 1u);
  ASSERT_EQ(r.evidence.size(), 2u);
  EXPECT_EQ(r.evidence[0].heuristic, EvmHeuristic::kAirdropMultiParticipation);
  EXPECT_EQ(r.evidence[0].a, c.Id("C"));
  EXPECT_EQ(r.evidence[0].b, c.Id("P1"));
  EXPECT_EQ(r.evidence[0].tx, p1);
  EXPECT_EQ(r.evidence[0].related_tx, drop);
  EXPECT_EQ(r.evidence[0].via, c.token().value());
  EXPECT_EQ(r.evidence[1].tx, p2);
  // The default needs ten recipients.
  EXPECT_TRUE(BuildEvmClusters(*g, {}, {}, EvmClusterParams()).evidence.empty());
}

TEST(SelfAuthorization, AnApprovedSpenderMovingTheTokensItselfIsTheOwner) {
  Crafted c;
  c.Pay(1, "Mint", "O", 1000, c.token());
  const uint64_t approval = c.Tx(2, "O").value();  // approve(P, 500)
  const uint64_t router = c.Tx(2, "O").value();    // approve(Router, 500): a DEX contract
  const uint64_t revoke = c.Tx(2, "O").value();    // approve(W, 0): a revocation
  const uint64_t pull = c.Tx(3, "P").value();      // P itself calls transferFrom(O, Z, 100)
  c.Send("O", "Z", 100, c.token());
  c.Tx(4, "O");  // O swaps through the router: O's own transaction moves its tokens
  c.Send("O", "Router", 50, c.token());
  c.Tx(5, "W");  // W moves O's tokens, but its allowance was revoked
  c.Send("O", "W", 10, c.token());
  c.Tx(6, "Q");  // Q was never approved
  c.Send("O", "Q", 10, c.token());
  c.Acct("Router");
  auto g = c.Finish();
  const std::vector<ApprovalEvent> approvals = {
      {approval, c.Id("O"), c.Id("P"), c.token().value(), true},
      {router, c.Id("O"), c.Id("Router"), c.token().value(), true},
      {revoke, c.Id("O"), c.Id("W"), c.token().value(), false},
  };
  EvmClusterResult r = BuildEvmClusters(*g, approvals, {}, EvmClusterParams());
  ASSERT_EQ(r.evidence.size(), 1u);
  EXPECT_EQ(r.unions[2], 1u);
  EXPECT_EQ(r.evidence[0].heuristic, EvmHeuristic::kSelfAuthorization);
  EXPECT_EQ(r.evidence[0].a, c.Id("O"));
  EXPECT_EQ(r.evidence[0].b, c.Id("P"));
  EXPECT_EQ(r.evidence[0].tx, pull);
  EXPECT_EQ(r.evidence[0].related_tx, approval);
  EXPECT_EQ(r.evidence[0].via, c.token().value());
  auto clusters = Clusters(*g, r);
  for (const char* other : {"Router", "W", "Q", "Z"}) {
    EXPECT_NE(clusters->ClusterOf(c.Id(other)), clusters->ClusterOf(c.Id("O"))) << other;
  }
}

TEST(EvmClustering, EvidenceIsATreeAndTheResultIsDeterministic) {
  Crafted c;
  c.Pay(1, "S1", "Dep", 10);
  c.Pay(2, "Dep", "E", 10);
  c.Pay(3, "S2", "Dep", 10);
  c.Pay(4, "S3", "Dep", 10);
  c.Pay(5, "S2", "Dep", 10);  // S2 again: already joined, no second link
  auto g = c.Finish();
  EvmClusterResult a = BuildEvmClusters(*g, {}, {c.Id("E")}, EvmClusterParams());
  EvmClusterResult b = BuildEvmClusters(*g, {}, {c.Id("E")}, EvmClusterParams());
  EXPECT_EQ(a.evidence, b.evidence);
  EXPECT_EQ(a.evidence.size(), 2u);  // three accounts, two links
  EXPECT_EQ(a.params,
            "deposit_window=7200,deposit_tolerance_bps=100,airdrop_min_recipients=10,"
            "exchanges_listed=0");
}

}  // namespace
}  // namespace ariadne::heuristics
