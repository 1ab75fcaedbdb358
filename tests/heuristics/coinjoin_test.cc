// CoinJoin detectors on crafted transactions, including the near misses that must not match.
#include "heuristics/coinjoin.h"

#include <gtest/gtest.h>

#include "tests/heuristics/tx_builder.h"

namespace ariadne::heuristics {
namespace {

using ::ariadne::testing::TxBuilder;

// n participants each with an input of their own and an equal output plus a change output.
TxBuilder EqualOutputs(int n, int64_t value, bool change = true) {
  TxBuilder b(100);
  for (int i = 0; i < n; ++i) b.In(10 + i, value + 50'000 + i * 777);
  for (int i = 0; i < n; ++i) b.Out(100 + i, value);
  if (change) {
    for (int i = 0; i < n - 1; ++i) b.Out(200 + i, 40'000 + i * 1311);
  }
  return b;
}

TEST(CoinJoin, GenericRuleFollowsBlockSci) {
  CoinJoinDetector d;
  // 3 participants: 5 outputs, p = 3, three equal outputs: a CoinJoin.
  TxBuilder b = EqualOutputs(3, 1'234'567);
  EXPECT_TRUE(d.IsGeneric(b.Build()));
  // The most frequent value must occur exactly p times: 4 equal of 6 outputs (p = 3) is not.
  TxBuilder four(1);
  for (int i = 0; i < 4; ++i) four.In(10 + i, 5'000'000);
  for (int i = 0; i < 4; ++i) four.Out(100 + i, 1'000'000);
  four.Out(200, 7).Out(201, 8);
  EXPECT_FALSE(d.IsGeneric(four.Build()));
  // Fewer distinct input addresses than participants: one wallet, not a CoinJoin.
  TxBuilder same(2);
  for (int i = 0; i < 3; ++i) same.In(10, 2'000'000);
  for (int i = 0; i < 3; ++i) same.Out(100 + i, 1'000'000);
  same.Out(200, 5).Out(201, 6);
  EXPECT_FALSE(d.IsGeneric(same.Build()));
  // Dust-valued equal outputs (546 and 2730 sat) are protocol outputs, not CoinJoin shares.
  for (int64_t dust : {546, 2730}) {
    TxBuilder x = EqualOutputs(3, dust);
    EXPECT_FALSE(d.IsGeneric(x.Build())) << dust;
  }
  // Too few outputs or inputs.
  TxBuilder two(3);
  two.In(1, 10).In(2, 10).Out(3, 5).Out(4, 5);
  EXPECT_FALSE(d.IsGeneric(two.Build()));
}

TEST(CoinJoin, Whirlpool) {
  CoinJoinDetector d;
  for (int64_t pool : {100'000, 1'000'000, 5'000'000, 50'000'000}) {
    for (int n : {5, 8}) {
      TxBuilder b(1);
      for (int i = 0; i < n; ++i) b.In(10 + i, pool + 1000 + i);
      for (int i = 0; i < n; ++i) b.Out(100 + i, pool);
      EXPECT_EQ(d.Detect(b.Build()), CoinJoinKind::kWhirlpool) << pool << " " << n;
    }
  }
  TxBuilder off(1);  // not a pool size
  for (int i = 0; i < 5; ++i) off.In(10 + i, 2'001'000).Out(100 + i, 2'000'000);
  EXPECT_FALSE(d.IsWhirlpool(off.Build()));
  TxBuilder reused(1);  // two outputs to one address
  for (int i = 0; i < 5; ++i) reused.In(10 + i, 1'001'000).Out(i == 4 ? 100 : 100 + i, 1'000'000);
  EXPECT_FALSE(d.IsWhirlpool(reused.Build()));
  TxBuilder nine(1);  // beyond 8
  for (int i = 0; i < 9; ++i) nine.In(10 + i, 1'001'000).Out(100 + i, 1'000'000);
  EXPECT_FALSE(d.IsWhirlpool(nine.Build()));
}

TEST(CoinJoin, Wasabi1) {
  CoinJoinDetector d;
  TxBuilder b = EqualOutputs(40, 10'010'000);  // 0.1001 BTC, within 2% of 0.1
  b.Out(999, 123'456);                         // coordinator fee
  EXPECT_EQ(d.Detect(b.Build()), CoinJoinKind::kWasabi1);
  TxBuilder level = EqualOutputs(15, 40'100'000);  // mixing level 0.4 BTC
  EXPECT_TRUE(d.IsWasabi1(level.Build()));
  TxBuilder other = EqualOutputs(15, 25'000'000);  // 0.25 BTC: no Wasabi level
  EXPECT_FALSE(d.IsWasabi1(other.Build()));
  TxBuilder drift = EqualOutputs(6, 9'700'000);  // a small round, denomination 3% under 0.1
  EXPECT_TRUE(d.IsWasabi1(drift.Build()));
  TxBuilder few = EqualOutputs(4, 10'000'000);  // fewer than 5 participants
  EXPECT_FALSE(d.IsWasabi1(few.Build()));
}

TEST(CoinJoin, Wasabi2) {
  CoinJoinDetector d;
  TxBuilder b(1);
  for (int i = 0; i < 25; ++i) b.In(10 + i, 3'000'000 + i * 1000);
  for (int64_t denom : {1'048'576, 531'441, 200'000}) {
    for (int i = 0; i < 4; ++i) b.Out(static_cast<uint32_t>(1000 + denom % 97 + i * 100), denom);
  }
  for (int i = 0; i < 10; ++i) b.Out(5000 + i, 12'345 + i);
  EXPECT_EQ(d.Detect(b.Build()), CoinJoinKind::kWasabi2);
  TxBuilder small(1);  // fewer than 20 inputs
  for (int i = 0; i < 10; ++i) small.In(10 + i, 3'000'000);
  for (int64_t denom : {1'048'576, 531'441, 200'000}) small.Out(1, denom).Out(2, denom);
  EXPECT_FALSE(d.IsWasabi2(small.Build()));
}

TEST(CoinJoin, JoinMarket) {
  CoinJoinDetector d;
  // Taker + 3 makers: 4 equal outputs, 3 changes (the taker without change).
  TxBuilder b(1);
  for (int i = 0; i < 5; ++i) b.In(10 + i, 30'000'000 + i * 1'000'000);
  for (int i = 0; i < 4; ++i) b.Out(100 + i, 25'000'000);
  b.Out(200, 4'999'000).Out(201, 5'998'100).Out(202, 7'001'234);
  EXPECT_EQ(d.Detect(b.Build()), CoinJoinKind::kJoinMarket);
  // Two changes with one value: not JoinMarket's shape.
  TxBuilder dup(1);
  for (int i = 0; i < 5; ++i) dup.In(10 + i, 30'000'000);
  for (int i = 0; i < 4; ++i) dup.Out(100 + i, 25'000'000);
  dup.Out(200, 5'000'000).Out(201, 5'000'000);
  EXPECT_FALSE(d.IsJoinMarket(dup.Build()));
}

// A wallet paying equal amounts to several payees pays them in their own script types; CoinJoin
// software gives every participant's equal output the round's one type. bcoin's wallets' chain
// (docs/clustering.md) had such batches taken for generic and JoinMarket CoinJoins.
TEST(CoinJoin, EqualPaymentsToPayeesOfSeveralScriptTypesAreNotCoinJoins) {
  CoinJoinDetector d;
  // Two payees of 0.01 BTC (one P2PKH, one P2WPKH) and the change: BlockSci's shape (p = 2).
  TxBuilder two(1);
  two.In(1, 900'000).In(2, 700'000);
  two.Out(100, 1'000'000, false, ScriptType::kP2pkh).Out(101, 1'000'000).Out(102, 512'345);
  EXPECT_FALSE(d.IsGeneric(two.Build()));
  EXPECT_EQ(d.Detect(two.Build()), CoinJoinKind::kNone);
  // The same payees of one type: two equal outputs are never taken for a CoinJoin (p >= 3).
  TxBuilder same(1);
  same.In(1, 900'000).In(2, 700'000);
  same.Out(100, 1'000'000).Out(101, 1'000'000).Out(102, 512'345);
  EXPECT_FALSE(d.IsGeneric(same.Build()));
  // Three equal payouts to three script types and the change: JoinMarket's shape otherwise.
  TxBuilder three(1);
  for (int i = 0; i < 3; ++i) three.In(10 + i, 2'000'000 + i * 1000);
  three.Out(100, 1'500'000, false, ScriptType::kP2pkh)
      .Out(101, 1'500'000, false, ScriptType::kP2sh)
      .Out(102, 1'500'000)
      .Out(103, 1'234'567);
  EXPECT_FALSE(d.IsJoinMarket(three.Build()));
  EXPECT_EQ(d.Detect(three.Build()), CoinJoinKind::kNone);
  // Equal outputs of one type that no input spends: a P2WPKH wallet paying two P2PKH payees.
  TxBuilder other(1);
  other.In(1, 900'000).In(2, 700'000);
  other.Out(100, 1'000'000, false, ScriptType::kP2pkh)
      .Out(101, 1'000'000, false, ScriptType::kP2pkh)
      .Out(102, 512'345);
  EXPECT_FALSE(d.IsGeneric(other.Build()));
  // The change's type does not matter: only the equal outputs must share one.
  TxBuilder jm(1);
  for (int i = 0; i < 5; ++i) jm.In(10 + i, 30'000'000 + i * 1'000'000);
  for (int i = 0; i < 4; ++i) jm.Out(100 + i, 25'000'000);
  jm.Out(200, 4'999'000, false, ScriptType::kP2pkh).Out(201, 5'998'100).Out(202, 7'001'234);
  EXPECT_EQ(d.Detect(jm.Build()), CoinJoinKind::kJoinMarket);
}

// BlockSci's rule with p = 2 (two equal outputs and one or two others) is a wallet paying two
// people one amount, the generic rule's every false positive on bcoin's chain and generated
// traffic; three equal outputs (p = 3) still match.
TEST(CoinJoin, GenericRuleNeedsThreeEqualOutputs) {
  CoinJoinDetector d;
  for (bool second_other : {false, true}) {
    TxBuilder two(1);  // 2 participants' inputs, each worth the equal output
    two.In(1, 1'300'000).In(2, 1'200'000).Out(100, 1'000'000).Out(101, 1'000'000).Out(102, 54'321);
    if (second_other) two.Out(103, 65'432);
    EXPECT_FALSE(d.IsGeneric(two.Build())) << second_other;
    EXPECT_EQ(d.Detect(two.Build()), CoinJoinKind::kNone);
  }
  TxBuilder three = EqualOutputs(3, 1'000'000);
  EXPECT_TRUE(d.IsGeneric(three.Build()));
}

// Each participant pays for its own equal output: a wallet paying three equal amounts from one
// large coin and small ones cannot be three participants.
TEST(CoinJoin, InputsMustFundEveryEqualOutput) {
  CoinJoinDetector d;
  // 3 x 1M from 5M + 600k + 500k: at most 1 + 1.1M / 1M = 2 groups of 1M: not 3 participants.
  TxBuilder one_payer(1);
  one_payer.In(1, 5'000'000).In(2, 600'000).In(3, 500'000);
  for (int i = 0; i < 3; ++i) one_payer.Out(100 + i, 1'000'000);
  one_payer.Out(200, 2'000'000).Out(201, 1'050'000);
  EXPECT_FALSE(d.IsGeneric(one_payer.Build()));
  EXPECT_FALSE(d.IsJoinMarket(one_payer.Build()));
  EXPECT_EQ(d.Detect(one_payer.Build()), CoinJoinKind::kNone);
  // Small coins that together pay for participants count: 5M, then 3M in coins below 1M.
  TxBuilder pooled(1);
  pooled.In(1, 5'000'000).In(2, 900'000).In(3, 800'000).In(4, 700'000).In(5, 600'000);
  for (int i = 0; i < 3; ++i) pooled.Out(100 + i, 1'000'000);
  pooled.Out(200, 2'000'000).Out(201, 1'450'000);
  EXPECT_TRUE(d.IsJoinMarket(pooled.Build()));
  // Wasabi 1.x: 5 equal outputs of 0.1 BTC from inputs that cover only 4 of them.
  TxBuilder wasabi(1);
  for (int i = 0; i < 4; ++i) wasabi.In(10 + i, 10'100'000);
  wasabi.In(20, 50'000);
  for (int i = 0; i < 5; ++i) wasabi.Out(100 + i, 10'000'000);
  EXPECT_FALSE(d.IsWasabi1(wasabi.Build()));
  // Whirlpool: an input below the pool's denomination is no premix or postmix coin.
  TxBuilder pool(1);
  for (int i = 0; i < 5; ++i) pool.In(10 + i, i == 0 ? 999'999 : 1'001'000);
  for (int i = 0; i < 5; ++i) pool.Out(100 + i, 1'000'000);
  EXPECT_FALSE(d.IsWhirlpool(pool.Build()));
}

// JoinMarket's makers always have change (their coins less the amount plus their fee), and its
// transactions hold no OP_RETURN. A wallet's sendmany of three equal amounts has one change; a
// Whirlpool tx0 has premix outputs of one value, a fee, an OP_RETURN and change.
TEST(CoinJoin, JoinMarketNeedsTheMakersChangeAndNoOpReturn) {
  CoinJoinDetector d;
  TxBuilder sendmany(1);  // bcoin's heavy user paying three people 0.06084176 BTC each
  sendmany.In(1, 5'935'529).In(2, 5'306'070).In(3, 4'000'000).In(4, 5'112'878);
  for (int i = 0; i < 3; ++i) sendmany.Out(100 + i, 6'084'176);
  sendmany.Out(200, 2'089'437);
  EXPECT_FALSE(d.IsJoinMarket(sendmany.Build()));
  EXPECT_EQ(d.Detect(sendmany.Build()), CoinJoinKind::kNone);
  sendmany.Out(201, 1'234);  // a second change: two of three participants have one
  EXPECT_TRUE(d.IsJoinMarket(sendmany.Build()));
  TxBuilder tx0(1);  // a tx0 into the 0.05 BTC pool
  tx0.In(1, 6'000'000).In(2, 6'500'000).In(3, 7'000'000).In(4, 200'000);
  for (int i = 0; i < 3; ++i) tx0.Out(100 + i, 5'026'182);
  tx0.Out(200, 250'000).Out(201, 1'458'744);
  tx0.Out(AddrId::kInvalid, 0, false, ScriptType::kOpReturn);
  EXPECT_FALSE(d.IsJoinMarket(tx0.Build()));
  EXPECT_FALSE(d.IsGeneric(tx0.Build()));
  EXPECT_EQ(d.Detect(tx0.Build()), CoinJoinKind::kNone);
}

TEST(CoinJoin, OrdinaryPaymentsAreNotCoinJoins) {
  CoinJoinDetector d;
  TxBuilder pay(1);
  pay.In(1, 10'000'000).Out(2, 3'000'000).Out(3, 6'990'000);
  EXPECT_EQ(d.Detect(pay.Build()), CoinJoinKind::kNone);
  TxBuilder batch(1);  // an exchange batch: distinct amounts
  batch.In(1, 90'000'000).In(1, 80'000'000);
  for (int i = 0; i < 20; ++i) batch.Out(100 + i, 1'000'000 + i * 10'101);
  EXPECT_EQ(d.Detect(batch.Build()), CoinJoinKind::kNone);
  TxBuilder cb(1);
  cb.Coinbase().Out(1, 5).Out(2, 5).Out(3, 5);
  EXPECT_EQ(d.Detect(cb.Build()), CoinJoinKind::kNone);
}

}  // namespace
}  // namespace ariadne::heuristics
