// The cluster builder on hand-made transactions: common-input, each change heuristic, the
// exactly-one rule, spend-time decisions, CoinJoins, the guard, and the evidence it records.
#include "heuristics/cluster_builder.h"

#include "tests/heuristics/tx_builder.h"
#include "tests/testutil.h"

namespace ariadne::heuristics {
namespace {

using ::ariadne::testing::TxBuilder;

ClusteringPolicy Policy(const std::string& spec) {
  auto p = ParsePolicy(spec);
  EXPECT_TRUE(p.ok()) << p.status();
  return *p;
}

// Runs a policy on one transaction; returns the builder.
std::unique_ptr<ClusterBuilder> RunPolicy(const std::string& spec, TxBuilder& tx) {
  auto b = std::make_unique<ClusterBuilder>(Policy(spec));
  b->union_find().Grow(64);
  b->Process(tx.Build());
  return b;
}

TEST(ClusterBuilder, CommonInputJoinsAllInputAddressesWithEvidence) {
  TxBuilder tx(7);
  tx.In(1, 100).In(2, 100).In(3, 100).In(2, 50).Out(10, 300);
  auto b = RunPolicy("ci", tx);
  EXPECT_EQ(b->union_find().SetId(2), 1u);
  EXPECT_EQ(b->union_find().SetId(3), 1u);
  EXPECT_EQ(b->union_find().SetId(10), 10u);
  ASSERT_EQ(b->evidence().size(), 2u);  // 1-2 and 1-3: the repeated address adds nothing
  EXPECT_EQ(b->evidence()[0], (Evidence{1, 2, EvidenceKind::kCommonInput, 0, TxNum(7)}));
  EXPECT_EQ(b->evidence()[1], (Evidence{1, 3, EvidenceKind::kCommonInput, 0, TxNum(7)}));
}

TEST(ClusterBuilder, CoinJoinsAndCoinbasesAreSkipped) {
  TxBuilder cj(1);
  for (int i = 0; i < 5; ++i) cj.In(1 + i, 2'000'000 + i);
  for (int i = 0; i < 5; ++i) cj.Out(20 + i, 1'000'000);
  for (int i = 0; i < 4; ++i) cj.Out(30 + i, 500'000 + i * 17);
  auto b = RunPolicy("ci,change=fresh_address", cj);
  EXPECT_TRUE(b->evidence().empty());
  uint64_t detected = 0;
  for (uint64_t c : b->counters().coinjoins) detected += c;
  EXPECT_EQ(detected, 1u);  // JoinMarket's shape: 5 equal outputs, 4 distinct changes
  // With detection off, the same transaction merges its inputs.
  auto off = RunPolicy("ci,coinjoin=off", cj);
  EXPECT_EQ(off->evidence().size(), 4u);
  TxBuilder cb(2);
  cb.Coinbase().Out(1, 50).Out(2, 50);
  EXPECT_TRUE(RunPolicy("ci,change=fresh_address", cb)->evidence().empty());
}

// A payment of 0.3 BTC with change: inputs 1 (p2wpkh), outputs 10 (payment) and 11 (change).
TxBuilder Payment(bool change_fresh, bool payment_fresh, ScriptType change_type,
                  int64_t change_value) {
  TxBuilder tx(5);
  tx.In(1, 1'000'000, ScriptType::kP2wpkh).In(2, 600'000, ScriptType::kP2wpkh);
  tx.Out(10, 30'000'000 / 100, payment_fresh, ScriptType::kP2pkh);
  tx.Out(11, change_value, change_fresh, change_type);
  return tx;
}

uint32_t LinkedTo(ClusterBuilder& b, uint32_t a) {
  for (const Evidence& e : b.evidence()) {
    if (e.kind == EvidenceKind::kChange && e.a == a) return e.b;
  }
  return 0;
}

TEST(ClusterBuilder, EachChangeHeuristicPicksTheExpectedOutput) {
  // address_type: only output 11 has the inputs' type.
  TxBuilder t1 = Payment(false, false, ScriptType::kP2wpkh, 123'456);
  EXPECT_EQ(LinkedTo(*RunPolicy("change=address_type", t1), 1), 11u);
  // fresh_address: only output 11 is new.
  TxBuilder t2 = Payment(true, false, ScriptType::kP2pkh, 123'456);
  EXPECT_EQ(LinkedTo(*RunPolicy("change=fresh_address", t2), 1), 11u);
  // optimal_change: 11 is smaller than the smallest input, 10 (300,000) is too...
  TxBuilder t3 = Payment(false, false, ScriptType::kP2pkh, 123'456);
  EXPECT_EQ(LinkedTo(*RunPolicy("change=optimal_change", t3), 1), 0u);  // two candidates: no link
  // ...but not when the payment is larger than an input.
  TxBuilder t4(5);
  t4.In(1, 1'000'000).In(2, 900'000).Out(10, 1'500'000, false).Out(11, 390'000, false);
  EXPECT_EQ(LinkedTo(*RunPolicy("change=optimal_change", t4), 1), 11u);
  // round_payment: 10 is round (a multiple of 100,000 sat), 11 is not.
  TxBuilder t5 = Payment(false, false, ScriptType::kP2pkh, 123'456);
  EXPECT_EQ(LinkedTo(*RunPolicy("change=round_payment", t5), 1), 11u);
  // address_reuse: the change goes back to input address 2, and that rule decides (no later rule
  // links the fresh payment address 10). Without common-input the link joins inputs 1 and 2.
  TxBuilder t6(5);
  t6.In(1, 1'000'000).In(2, 600'000).Out(10, 300'000, true).Out(2, 1'290'000, false);
  auto b6 = RunPolicy("change=address_reuse|fresh_address", t6);
  EXPECT_EQ(b6->counters().change_decided, 1u);
  EXPECT_EQ(LinkedTo(*b6, 1), 2u);
  EXPECT_EQ(b6->union_find().SetId(10), 10u);
}

TEST(ClusterBuilder, OwnAddressTakesChangeToAnAddressAlreadyInTheInputsCluster) {
  // Tx 1 joins 1 and 3 (common input). Tx 2 spends 1 alone and sends its change to 3, an address
  // it used before but not one of its inputs; the payee's 10 is the only fresh output.
  auto run = [](const std::string& spec) {
    auto b = std::make_unique<ClusterBuilder>(Policy(spec));
    b->union_find().Grow(64);
    TxBuilder t1(1);
    t1.In(1, 500'000).In(3, 500'000).Out(1, 990'000, false);
    b->Process(t1.Build());
    TxBuilder t2(2);
    t2.In(1, 990'000).Out(10, 250'000, true).Out(3, 739'000, false);
    b->Process(t2.Build());
    return b;
  };
  // Without own_address, fresh_address takes the payee for change: a wrong link.
  EXPECT_EQ(run("ci,change=fresh_address")->union_find().SetId(10), 1u);
  // With it, output 3 is found first: the transaction is decided, and 10 stays apart.
  auto b = run("ci,change=own_address|fresh_address");
  EXPECT_EQ(b->union_find().SetId(10), 10u);
  EXPECT_EQ(b->counters().change_decided, 1u);
  EXPECT_EQ(b->counters().change_unions, 0u);  // nothing new to join
  // An earlier address of another cluster does not qualify: the fresh rule still decides.
  auto other = std::make_unique<ClusterBuilder>(Policy("ci,change=own_address|fresh_address"));
  other->union_find().Grow(64);
  TxBuilder t(3);
  t.In(1, 990'000).Out(10, 250'000, true).Out(4, 739'000, false);
  other->Process(t.Build());
  EXPECT_EQ(other->union_find().SetId(10), 1u);
}

// bcoin's nested-segwit accounts (P2SH-P2WPKH coins) send change to native P2WPKH: a payment to
// a P2SH payee then leaves the payee's output as the only one of the inputs' type, and
// address_type names it. type-upgrade=nested abstains when the inputs are P2SH and some output is
// newer; abstain does so for any older input type; ignore (the default without the option) keeps
// the old behaviour.
TEST(ClusterBuilder, TypeUpgradeAbstainsWhenTheChangeMayBeOfANewerType) {
  auto nested_payment = [] {
    TxBuilder tx(5);
    tx.In(1, 5'000'000, ScriptType::kP2sh)
        .Out(10, 1'234'567, true, ScriptType::kP2sh)     // the payee
        .Out(11, 3'765'000, true, ScriptType::kP2wpkh);  // the change, of the newer type
    return tx;
  };
  const std::string rule = "change=address_type+fresh_address";
  TxBuilder t1 = nested_payment();
  EXPECT_EQ(LinkedTo(*RunPolicy(rule, t1), 1), 10u);  // the wrong link
  TxBuilder t2 = nested_payment();
  EXPECT_EQ(LinkedTo(*RunPolicy(rule + ",type-upgrade=nested", t2), 1), 0u);
  TxBuilder t3 = nested_payment();
  EXPECT_EQ(LinkedTo(*RunPolicy(rule + ",type-upgrade=abstain", t3), 1), 0u);
  TxBuilder t4 = nested_payment();
  EXPECT_EQ(LinkedTo(*RunPolicy("default,defer=off", t4), 1), 0u);
  // P2PKH coins paying a P2WPKH payee with P2PKH change: nested still links (bcoin's legacy
  // accounts keep P2PKH change), abstain does not (Bitcoin Core may send it to P2WPKH).
  auto legacy_payment = [] {
    TxBuilder tx(5);
    tx.In(1, 5'000'000, ScriptType::kP2pkh)
        .Out(10, 1'234'567, true, ScriptType::kP2wpkh)
        .Out(11, 3'765'000, true, ScriptType::kP2pkh);
    return tx;
  };
  TxBuilder t5 = legacy_payment();
  EXPECT_EQ(LinkedTo(*RunPolicy(rule + ",type-upgrade=nested", t5), 1), 11u);
  TxBuilder t6 = legacy_payment();
  EXPECT_EQ(LinkedTo(*RunPolicy(rule + ",type-upgrade=abstain", t6), 1), 0u);
  TxBuilder t8 = legacy_payment();
  EXPECT_EQ(LinkedTo(*RunPolicy("default,defer=off", t8), 1), 0u);  // the default abstains
  // No newer output: the rule is unchanged.
  TxBuilder t7(5);
  t7.In(1, 5'000'000, ScriptType::kP2sh)
      .Out(10, 1'234'567, true, ScriptType::kP2pkh)
      .Out(11, 3'765'000, true, ScriptType::kP2sh);
  EXPECT_EQ(LinkedTo(*RunPolicy(rule + ",type-upgrade=abstain", t7), 1), 11u);
}

TEST(ClusterBuilder, RoundDigitsCountsFewSignificantDigitsAsRound) {
  // 350,000 sat (0.0035 BTC) is not a multiple of 100,000 but has two significant digits.
  TxBuilder tx(5);
  tx.In(1, 1'000'000).Out(10, 350'000, true).Out(11, 638'411, true);
  EXPECT_EQ(LinkedTo(*RunPolicy("change=round_payment", tx), 1), 0u);
  EXPECT_EQ(LinkedTo(*RunPolicy("change=round_payment,round-digits=2", tx), 1), 11u);
  // Three significant digits are not round at 2.
  TxBuilder three(5);
  three.In(1, 1'000'000).Out(10, 351'000, true).Out(11, 638'411, true);
  EXPECT_EQ(LinkedTo(*RunPolicy("change=round_payment,round-digits=2", three), 1), 0u);
  EXPECT_EQ(LinkedTo(*RunPolicy("change=round_payment,round-digits=3", three), 1), 11u);
}

TEST(ClusterBuilder, RulesAreConjunctionsTriedInOrder) {
  // fresh alone: both outputs fresh -> two candidates; fresh+address_type -> only 11.
  TxBuilder tx = Payment(true, true, ScriptType::kP2wpkh, 123'456);
  EXPECT_EQ(LinkedTo(*RunPolicy("change=fresh_address", tx), 1), 0u);
  EXPECT_EQ(LinkedTo(*RunPolicy("change=fresh_address+address_type", tx), 1), 11u);
  // The first rule finding nothing falls through to the next.
  EXPECT_EQ(LinkedTo(*RunPolicy("change=fresh_address|address_type", tx), 1), 11u);
  // Without an address-bearing output nothing qualifies.
  TxBuilder opret(5);
  opret.In(1, 1000).Out(10, 0, true, ScriptType::kOpReturn).Out(11, 900, true);
  EXPECT_EQ(LinkedTo(*RunPolicy("change=fresh_address", opret), 1), 11u);
}

TEST(ClusterBuilder, PeelChainIsDecidedWhenTheLargerOutputIsSpentLikeAPeel) {
  auto b = std::make_unique<ClusterBuilder>(Policy("change=peel_chain"));
  b->union_find().Grow(64);
  TxBuilder p1(10);  // 1 in, 2 out: 11 is the larger output
  p1.In(1, 10'000'000).Out(20, 1'000'000).Out(11, 8'990'000);
  b->Process(p1.Build());
  EXPECT_TRUE(b->evidence().empty());
  ASSERT_EQ(b->pending().size(), 1u);
  EXPECT_EQ(b->pending().begin()->first, PendingKey(TxNum(10), 1));
  TxBuilder p2(11);  // spends output 1 of tx 10 in the same shape: the chain continues
  p2.In(11, 8'990'000, ScriptType::kP2wpkh, 10, 1).Out(21, 500'000).Out(12, 8'480'000);
  b->Process(p2.Build());
  ASSERT_EQ(b->evidence().size(), 1u);
  EXPECT_EQ(b->evidence()[0],
            (Evidence{1, 11, EvidenceKind::kChange, Bit(ChangeHeuristic::kPeelChain), TxNum(10)}));
  EXPECT_EQ(b->pending().size(), 1u);  // tx 11's larger output now waits
  EXPECT_EQ(b->pending_removed().size(), 1u);
  // A spender of another shape ends the chain without a link.
  TxBuilder p3(12);
  p3.In(12, 8'480'000, ScriptType::kP2wpkh, 11, 1).In(30, 5).Out(40, 8'000'000);
  b->Process(p3.Build());
  EXPECT_EQ(b->evidence().size(), 1u);
  EXPECT_TRUE(b->pending().empty());
}

TEST(ClusterBuilder, LocktimeVersionComparesTheSpendersFingerprint) {
  for (bool same : {true, false}) {
    auto b = std::make_unique<ClusterBuilder>(Policy("change=fresh_address+locktime_version"));
    b->union_find().Grow(64);
    TxBuilder pay(10);
    pay.Version(2).Locktime(700'000).In(1, 1'000'000).Out(20, 300'000, false).Out(11, 690'000);
    b->Process(pay.Build());
    ASSERT_EQ(b->pending().size(), 1u);
    TxBuilder spend(11);
    spend.Version(same ? 2 : 1).Locktime(same ? 700'100 : 0);
    spend.In(11, 690'000, ScriptType::kP2wpkh, 10, 1).Out(30, 600'000);
    b->Process(spend.Build());
    EXPECT_EQ(b->evidence().size(), same ? 1u : 0u);
  }
}

TEST(ClusterBuilder, GuardRefusesChangeLinksIntoLargeClusters) {
  auto b = std::make_unique<ClusterBuilder>(Policy("ci,change=fresh_address,guard=3"));
  b->union_find().Grow(64);
  // Two clusters of 4 by common input: {1,2,3,4} and {5,6,7,8}.
  TxBuilder a(1), c(2);
  a.In(1, 10).In(2, 10).In(3, 10).In(4, 10).Out(50, 30, true).Out(51, 5, true);
  c.In(5, 10).In(6, 10).In(7, 10).In(8, 10).Out(52, 30, true).Out(53, 5, true);
  b->Process(a.Build());
  b->Process(c.Build());
  EXPECT_EQ(b->ClusterSize(1), 4u);
  // A change link from cluster {1..4} (above the guard of 3) to a fresh address is refused...
  TxBuilder bridge(3);
  bridge.In(1, 100).Out(61, 60, true).Out(60, 30, false);
  b->Process(bridge.Build());
  EXPECT_FALSE(b->union_find().Same(1, 61));
  EXPECT_EQ(b->counters().change_links_rejected_by_guard, 1u);
  // ...while a small cluster's change link is made.
  TxBuilder small(4);
  small.In(20, 100).Out(62, 60, true).Out(63, 30, false);
  b->Process(small.Build());
  EXPECT_TRUE(b->union_find().Same(20, 62));
  // Common-input links are never refused.
  TxBuilder ci(5);
  ci.In(1, 10).In(5, 10).Out(64, 15, false);
  b->Process(ci.Build());
  EXPECT_TRUE(b->union_find().Same(1, 5));
}

TEST(ClusterBuilder, ReplayingEvidenceRebuildsTheSamePartition) {
  auto b = std::make_unique<ClusterBuilder>(DefaultPolicy());
  b->union_find().Grow(64);
  TxBuilder t1(1), t2(2), t3(3);
  t1.In(1, 500).In(2, 500).Out(3, 300, true).Out(4, 650, false);
  t2.In(4, 650, ScriptType::kP2wpkh, 1, 1).In(5, 100).Out(6, 700, true);
  t3.In(6, 700, ScriptType::kP2wpkh, 2, 0).In(7, 10).Out(8, 5, true).Out(9, 600, true);
  b->Process(t1.Build());
  b->Process(t2.Build());
  b->Process(t3.Build());
  ClusterBuilder replay(DefaultPolicy());
  replay.union_find().Grow(64);
  for (const Evidence& e : b->evidence()) replay.Replay(e);
  for (uint32_t x = 0; x < 64; ++x) {
    EXPECT_EQ(replay.union_find().SetId(x), b->union_find().SetId(x)) << x;
  }
}

// Deferred change: the link waits for the change output's spend and is made after the spender's
// common-input links, under the guard; unspent candidates are linked only by SettlePending.
TEST(ClusterBuilder, DeferredChangeIsLinkedAfterTheSpendersCommonInputUnderTheGuard) {
  auto run = [](const std::string& spec, bool payee_spends_with_its_wallet) {
    auto b = std::make_unique<ClusterBuilder>(Policy(spec));
    b->union_find().Grow(64);
    TxBuilder wallet(1);  // the payee's wallet: 30..33 are one cluster of 4
    wallet.In(30, 1).In(31, 1).In(32, 1).In(33, 1).Out(34, 3, true, ScriptType::kP2pkh);
    b->Process(wallet.Build());
    TxBuilder pay(2);  // payer 1 (p2wpkh) pays 10 (p2pkh) with change 11 (p2wpkh): 11 is change
    pay.In(1, 1'000'000).Out(10, 300'000, true, ScriptType::kP2pkh).Out(11, 612'345, true);
    b->Process(pay.Build());
    TxBuilder spend(3);  // output 1 of tx 2 (address 11) is spent
    spend.In(11, 612'345, ScriptType::kP2wpkh, 2, 1);
    if (payee_spends_with_its_wallet) spend.In(30, 1);
    spend.Out(40, 600'000);
    b->Process(spend.Build());
    return b;
  };
  const std::string deferred = "ci,change=address_type+fresh_address,defer=on,guard=3";
  // Spent alone: linked when spent; the evidence names the payment, made at the spend.
  auto alone = run(deferred, false);
  ASSERT_EQ(alone->evidence().size(), 4u);  // 3 common-input links of tx 1, then the change
  EXPECT_EQ(alone->evidence()[3],
            (Evidence{1, 11, EvidenceKind::kChange, alone->policy().change_rules[0], TxNum(2)}));
  EXPECT_EQ(alone->evidence_at()[3], TxNum(3));
  EXPECT_TRUE(alone->pending().empty());
  // Spent with the 4-address cluster of 30: the spend's common input comes first, so the guard
  // (3) sees that the link would join a cluster of 5 and refuses it.
  auto joined = run(deferred, true);
  EXPECT_EQ(joined->union_find().SetId(11), joined->union_find().SetId(30));
  EXPECT_NE(joined->union_find().SetId(1), joined->union_find().SetId(30));
  EXPECT_EQ(joined->counters().change_links_rejected_by_guard, 1u);
  // Made at payment time (no deferral), the link joins 1 and 11 before the spend, and the spend's
  // common input then pulls the payee's wallet in regardless of the guard.
  auto eager = run("ci,change=address_type+fresh_address,guard=3", true);
  EXPECT_EQ(eager->union_find().SetId(1), eager->union_find().SetId(30));
  // Never spent: pending until SettlePending links it as unspent change.
  auto b = std::make_unique<ClusterBuilder>(Policy(deferred));
  b->union_find().Grow(64);
  TxBuilder pay(2);
  pay.In(1, 1'000'000).Out(10, 300'000, true, ScriptType::kP2pkh).Out(11, 612'345, true);
  b->Process(pay.Build());
  EXPECT_TRUE(b->evidence().empty());
  EXPECT_EQ(b->pending().size(), 1u);
  EXPECT_EQ(b->SettlePending(), 1u);
  ASSERT_EQ(b->evidence().size(), 1u);
  EXPECT_EQ(b->evidence()[0].kind, EvidenceKind::kChangeUnspent);
  EXPECT_EQ(EvidenceName(b->evidence()[0].kind, b->evidence()[0].rule),
            "change:address_type+fresh_address:unspent");
}

}  // namespace
}  // namespace ariadne::heuristics
