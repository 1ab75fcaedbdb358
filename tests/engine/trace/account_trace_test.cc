// Taint per asset in the account model (engine/evm/account_trace.h) on hand-made graphs whose
// numbers are worked out by hand: each model's rule, fees, unseen income, hop limits, stops,
// burns and mints, assets kept apart, and every tainted amount ending somewhere.
#include "engine/trace/account_trace.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "tests/engine/graph/account_chain.h"

namespace ariadne::trace {
namespace {

using Chain = testing::AccountChain;
using graph::AccountGraph;

// (node, reason) -> tainted amount, for asserting ends.
std::map<std::pair<uint32_t, std::string>, uint64_t> Ends(const AccountTraceResult& r) {
  std::map<std::pair<uint32_t, std::string>, uint64_t> out;
  for (const AccountTraceEnd& e : r.ends) {
    out[{e.node, std::string(EndReasonName(e.reason))}] += e.tainted.low64();
  }
  return out;
}

uint64_t Total(const AccountTraceResult& r) {
  uint64_t sum = 0;
  for (const AccountTraceEnd& e : r.ends) sum += e.tainted.low64();
  return sum;
}

AccountTraceOptions Opts(TaintModel model, uint32_t hops = 3, Direction d = Direction::kForward) {
  AccountTraceOptions o;
  o.model = model;
  o.max_hops = hops;
  o.direction = d;
  return o;
}

// S receives 100 (the seed) and 300; sends 200 to X; X sends 100 to Y; Y sends 100 to Z.
struct Forwarding {
  Chain c;
  TransferNum seed;
  std::unique_ptr<AccountGraph> g;
  Forwarding() {
    c.Tx(1, "P");
    seed = c.Send("P", "S", 100);
    c.Tx(1, "Q");
    c.Send("Q", "S", 300);
    c.Tx(2, "S");
    c.Send("S", "X", 200);
    c.Tx(3, "X");
    c.Send("X", "Y", 100);
    c.Tx(3, "Y");
    c.Send("Y", "Z", 100);
    g = c.Finish();
  }
};

TEST(AccountTrace, HaircutPassesTheTaintedShareOfTheBalance) {
  Forwarding f;
  const TransferNum seeds[] = {f.seed};
  AccountTraceResult r = TraceAccounts(*f.g, seeds, Opts(TaintModel::kHaircut, /*hops=*/2));
  auto ends = Ends(r);
  EXPECT_EQ((ends[{f.c.Id("S"), "unspent"}]), 50u);    // 100 of 400; 200 sent: 50 go
  EXPECT_EQ((ends[{f.c.Id("X"), "unspent"}]), 25u);    // 50 of 200; 100 sent: 25 go
  EXPECT_EQ((ends[{f.c.Id("Y"), "hop_limit"}]), 25u);  // Z would be hop 3
  EXPECT_EQ(Total(r), 100u);
  ASSERT_EQ(r.edges.size(), 2u);
  EXPECT_EQ(r.edges[0].tainted, U256(50));
  EXPECT_EQ(r.edges[0].hop, 1u);
  EXPECT_EQ(r.edges[1].tainted, U256(25));
  EXPECT_EQ(r.edges[1].hop, 2u);
  EXPECT_EQ(r.seed_amounts.at(AssetId(0)), U256(100));
}

TEST(AccountTrace, PoisonTaintsEverythingSentAfterIt) {
  Forwarding f;
  const TransferNum seeds[] = {f.seed};
  AccountTraceResult r = TraceAccounts(*f.g, seeds, Opts(TaintModel::kPoison));
  auto ends = Ends(r);
  EXPECT_EQ((ends[{f.c.Id("S"), "unspent"}]), 200u);  // the whole balance left
  EXPECT_EQ((ends[{f.c.Id("X"), "unspent"}]), 100u);
  EXPECT_EQ((ends[{f.c.Id("Z"), "unspent"}]), 100u);
  ASSERT_EQ(r.edges.size(), 3u);
  EXPECT_EQ(r.edges[0].tainted, U256(200));
  EXPECT_EQ(r.edges[2].tainted, U256(100));
}

TEST(AccountTrace, FifoTakesFromTheFrontOfTheQueue) {
  Chain c;
  c.Tx(1, "Q");
  c.Send("Q", "S", 300);
  c.Tx(1, "P");
  const TransferNum seed = c.Send("P", "S", 100);
  c.Tx(2, "S");
  c.Send("S", "X", 200);  // 200 of Q's 300: clean
  c.Tx(2, "S");
  c.Send("S", "W", 150);  // Q's last 100 and 50 of the seed
  c.Tx(3, "W");
  c.Send("W", "V", 120);  // W's clean 100 first, then 20 tainted
  auto g = c.Finish();
  const TransferNum seeds[] = {seed};
  AccountTraceResult r = TraceAccounts(*g, seeds, Opts(TaintModel::kFifo));
  auto ends = Ends(r);
  EXPECT_EQ((ends[{c.Id("S"), "unspent"}]), 50u);
  EXPECT_EQ((ends[{c.Id("W"), "unspent"}]), 30u);
  EXPECT_EQ((ends[{c.Id("V"), "unspent"}]), 20u);
  EXPECT_EQ(ends.count({c.Id("X"), "unspent"}), 0u);
  EXPECT_EQ(Total(r), 100u);
  // The same with haircut spreads it: X gets 200 * 100/400.
  r = TraceAccounts(*g, seeds, Opts(TaintModel::kHaircut));
  EXPECT_EQ((Ends(r)[{c.Id("X"), "unspent"}]), 50u);
  EXPECT_EQ(Total(r), 100u);
}

TEST(AccountTrace, UnseenIncomeIsAnUntaintedShortfall) {
  Chain c;
  c.Tx(1, "Q");
  c.Send("Q", "S", 30);
  c.Tx(1, "P");
  const TransferNum seed = c.Send("P", "S", 100);
  c.Tx(2, "S");
  c.Send("S", "X", 150);  // S holds 130 by the indexed transfers: 20 came from elsewhere
  auto g = c.Finish();
  const TransferNum seeds[] = {seed};
  for (TaintModel m : {TaintModel::kHaircut, TaintModel::kFifo}) {
    AccountTraceResult r = TraceAccounts(*g, seeds, Opts(m));
    // Haircut: 100 of max(130, 150); FIFO: [20 unknown, 30, 100 tainted] all taken.
    EXPECT_EQ((Ends(r)[{c.Id("X"), "unspent"}]), 100u) << TaintModelName(m);
    EXPECT_EQ(Total(r), 100u);
  }
}

TEST(AccountTrace, FeesTakeTheirTaintedShareFirst) {
  Chain c;
  c.Tx(1, "P");
  const TransferNum seed = c.Send("P", "S", 100);
  c.Tx(1, "Q");
  c.Send("Q", "S", 100);
  c.Tx(2, "S", /*fee=*/10);  // the fee is paid before the transaction's transfers
  c.Send("S", "X", 50);
  auto g = c.Finish();
  const TransferNum seeds[] = {seed};
  AccountTraceResult r = TraceAccounts(*g, seeds, Opts(TaintModel::kHaircut));
  auto ends = Ends(r);
  EXPECT_EQ((ends[{c.Id("S"), "fee"}]), 5u);       // 10 * 100/200
  EXPECT_EQ((ends[{c.Id("X"), "unspent"}]), 25u);  // 50 * 95/190
  EXPECT_EQ((ends[{c.Id("S"), "unspent"}]), 70u);
  EXPECT_EQ(Total(r), 100u);
}

TEST(AccountTrace, LabelledAccountsAndBurnsEndTheTaint) {
  Chain c;
  c.Tx(1, "P");
  const TransferNum seed = c.Send("P", "S", 100);
  c.Tx(2, "S");
  c.Send("S", "E", 60);
  c.Tx(2, "S");
  c.Send("S", "zero", 40);
  c.Tx(3, "E");
  c.Send("E", "Y", 60);  // not followed: the trace stops at E
  auto g = c.Finish();
  AccountTraceOptions o = Opts(TaintModel::kHaircut);
  const uint32_t e = c.Id("E");
  o.stop_at = [e](AccountId a) { return a.value() == e; };
  const TransferNum seeds[] = {seed};
  AccountTraceResult r = TraceAccounts(*g, seeds, o);
  auto ends = Ends(r);
  EXPECT_EQ((ends[{e, "labelled"}]), 60u);
  EXPECT_EQ((ends[{c.Id("zero"), "burned"}]), 40u);
  EXPECT_EQ(Total(r), 100u);
  EXPECT_EQ(r.edges.size(), 2u);
}

TEST(AccountTrace, BelowThresholdAndTimeWindowStopTheTaint) {
  Forwarding f;
  const TransferNum seeds[] = {f.seed};
  AccountTraceOptions o = Opts(TaintModel::kHaircut);
  o.min_amount = U256(30);  // S -> X carries 50, X -> Y 25: ends at Y
  AccountTraceResult r = TraceAccounts(*f.g, seeds, o);
  EXPECT_EQ((Ends(r)[{f.c.Id("Y"), "below_threshold"}]), 25u);
  o = Opts(TaintModel::kHaircut);
  o.to_block = 2;  // X's payment in block 3 is outside
  r = TraceAccounts(*f.g, seeds, o);
  EXPECT_EQ((Ends(r)[{f.c.Id("X"), "time_window"}]), 50u);
  EXPECT_EQ(Total(r), 100u);
}

TEST(AccountTrace, TaintNeverCrossesAssets) {
  Chain c;
  c.Tx(1, "P");
  const TransferNum seed = c.Send("P", "S", 100, c.token());
  c.Tx(1, "Q");
  c.Send("Q", "S", 500);  // ether
  c.Tx(2, "S");
  c.Send("S", "X", 500);  // ether out: carries no token taint
  c.Tx(3, "S");
  c.Send("S", "Y", 40, c.token());
  auto g = c.Finish();
  const TransferNum seeds[] = {seed};
  AccountTraceResult r = TraceAccounts(*g, seeds, Opts(TaintModel::kHaircut));
  ASSERT_EQ(r.edges.size(), 1u);
  EXPECT_EQ(r.edges[0].to, c.Id("Y"));
  for (const AccountTraceEnd& e : r.ends) EXPECT_EQ(e.asset, c.token());
  EXPECT_EQ(Total(r), 100u);
}

TEST(AccountTrace, ClustersAreNodesAndMovesInsideOneAreNoHop) {
  Forwarding f;
  const TransferNum seeds[] = {f.seed};
  AccountTraceOptions o = Opts(TaintModel::kHaircut, /*hops=*/1);
  const uint32_t s = f.c.Id("S"), x = f.c.Id("X");
  o.node_of = [s, x](AccountId a) {
    return a.value() == x ? s : a.value();
  };  // S and X: one wallet
  AccountTraceResult r = TraceAccounts(*f.g, seeds, o);
  // S -> X stays in the wallet (hop 0), X -> Y is hop 1, Y -> Z would be hop 2.
  EXPECT_EQ((Ends(r)[{f.c.Id("Y"), "hop_limit"}]), 25u);
  EXPECT_EQ(Total(r), 100u);
}

// Backward: X received 200 from S; S had received 100 from P and 300 from Q, and sent 200 to W
// before.
struct Origins {
  Chain c;
  TransferNum seed;
  std::unique_ptr<AccountGraph> g;
  Origins() {
    c.Tx(1, "P");
    c.Send("P", "S", 100);
    c.Tx(1, "Q");
    c.Send("Q", "S", 300);
    c.Tx(2, "S");
    c.Send("S", "W", 200);
    c.Tx(3, "S");
    seed = c.Send("S", "X", 200);
    g = c.Finish();
  }
};

TEST(AccountTraceBackward, HaircutAttributesToWhatIsLeftOfEachReceipt) {
  Origins f;
  const TransferNum seeds[] = {f.seed};
  AccountTraceResult r =
      TraceAccounts(*f.g, seeds, Opts(TaintModel::kHaircut, 3, Direction::kBackward));
  auto ends = Ends(r);
  // After sending 200 of 400, half of each receipt is left: P 50, Q 150.
  EXPECT_EQ((ends[{f.c.Id("P"), "unknown_source"}]), 50u);
  EXPECT_EQ((ends[{f.c.Id("Q"), "unknown_source"}]), 150u);
  EXPECT_EQ(Total(r), 200u);
  ASSERT_EQ(r.edges.size(), 3u);
  EXPECT_EQ(r.edges[2].from, f.c.Id("S"));  // edges in chain order: P->S, Q->S, S->X
  EXPECT_EQ(r.edges[2].hop, 1u);
  EXPECT_EQ(r.edges[0].hop, 2u);
}

TEST(AccountTraceBackward, FifoAttributesToTheReceiptsTheQueueGivesUp) {
  Origins f;
  const TransferNum seeds[] = {f.seed};
  AccountTraceResult r =
      TraceAccounts(*f.g, seeds, Opts(TaintModel::kFifo, 3, Direction::kBackward));
  // W took P's 100 and 100 of Q's; X's 200 are the rest of Q's.
  EXPECT_EQ((Ends(r)[{f.c.Id("Q"), "unknown_source"}]), 200u);
  EXPECT_EQ(Total(r), 200u);
}

TEST(AccountTraceBackward, PoisonBlamesEveryEarlierReceipt) {
  Origins f;
  const TransferNum seeds[] = {f.seed};
  AccountTraceResult r =
      TraceAccounts(*f.g, seeds, Opts(TaintModel::kPoison, 3, Direction::kBackward));
  auto ends = Ends(r);
  EXPECT_EQ((ends[{f.c.Id("P"), "unknown_source"}]), 100u);
  EXPECT_EQ((ends[{f.c.Id("Q"), "unknown_source"}]), 300u);
}

TEST(AccountTraceBackward, MintsAndUnknownValueAreOrigins) {
  Chain c;
  c.Tx(1, "M");
  c.Send("zero", "S", 70, c.token());  // minted to S
  c.Tx(2, "S");
  const TransferNum seed = c.Send("S", "X", 100, c.token());  // 30 more than S was seen to get
  auto g = c.Finish();
  const TransferNum seeds[] = {seed};
  AccountTraceResult r =
      TraceAccounts(*g, seeds, Opts(TaintModel::kHaircut, 3, Direction::kBackward));
  auto ends = Ends(r);
  EXPECT_EQ((ends[{c.Id("zero"), "minted"}]), 70u);
  EXPECT_EQ((ends[{c.Id("S"), "unknown_source"}]), 30u);
  EXPECT_EQ(Total(r), 100u);
}

TEST(AccountTrace, EdgeLimitTruncatesAndStillAccountsForEverything) {
  Forwarding f;
  const TransferNum seeds[] = {f.seed};
  AccountTraceOptions o = Opts(TaintModel::kHaircut);
  o.max_edges = 1;
  AccountTraceResult r = TraceAccounts(*f.g, seeds, o);
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(r.edges.size(), 1u);
  EXPECT_EQ(Total(r), 100u);
}

TEST(U256MulDiv, ExactFloorAcrossTheFullRange) {
  EXPECT_EQ(U256::MulDiv(U256(10), U256(7), U256(3)), U256(23));
  const U256 max = U256::Max();
  EXPECT_EQ(U256::MulDiv(max, max, max), max);
  EXPECT_EQ(U256::MulDiv(max, U256(2), U256(4)), U256::FromLimbs(~0ULL, ~0ULL, ~0ULL, ~0ULL >> 1));
  // (2^200 + 1) * (2^100) / 2^150 = 2^150 + 2^-50 -> 2^150.
  const U256 p200 = U256::FromLimbs(0, 0, 0, uint64_t{1} << 8);
  U256 a;
  ASSERT_TRUE(U256::CheckedAdd(p200, U256(1), &a));
  EXPECT_EQ(U256::MulDiv(a, U256::FromLimbs(0, uint64_t{1} << 36, 0, 0),
                         U256::FromLimbs(0, 0, uint64_t{1} << 22, 0)),
            U256::FromLimbs(0, 0, uint64_t{1} << 22, 0));
}

}  // namespace
}  // namespace ariadne::trace
