// Exposure to labelled entities on hand-built graphs of both models (engine/trace/exposure.h,
// account_exposure.h): what a subject received from and sent to each labelled entity and category,
// directly and within the hops, with the taint model's shares.
#include "engine/trace/exposure.h"

#include "engine/store/schema.h"
#include "engine/trace/account_exposure.h"
#include "tests/engine/graph/account_chain.h"
#include "tests/testutil.h"

namespace ariadne::trace {
namespace {

constexpr int64_t kBtc = 100'000'000;

std::unique_ptr<graph::LabelIndex> Labels(std::vector<std::pair<uint32_t, store::LabelRow>> rows) {
  std::vector<graph::MemberLabel> members;
  for (const auto& [m, row] : rows) members.push_back({m, store::EncodeLabel(row)});
  return *graph::LabelIndex::Build(members, nullptr);
}

// tx 0: coinbase -> E 10 (out 0), M 4 (out 1)
// tx 1: E's 10 -> S 6 (out 2), E 3.9 (out 3)      E pays the subject: received, direct
// tx 2: M's 4 -> U 4 (out 4)
// tx 3: U's 4 -> S 3.9 (out 5)                     from the mixer through U: received, indirect
// tx 4: S's 6 -> E 2 (out 6), V 3.9 (out 7)        to the exchange: sent, direct
// tx 5: V's 3.9 -> E 3.8 (out 8)                   through V: sent, indirect
TEST(UtxoExposure, DirectAndIndirectPerEntityAndCategory) {
  enum : uint32_t { S = 1, E, M, U, V };
  auto g = graph::TxGraph::Empty();
  auto tx = [&](std::vector<OutNum> in, std::vector<graph::TxGraph::NewOutput> out) {
    ASSERT_TRUE(g->AppendTx(in, out).ok());
  };
  tx({}, {{10 * kBtc, AddrId(E)}, {4 * kBtc, AddrId(M)}});
  tx({OutNum(0)}, {{6 * kBtc, AddrId(S)}, {39 * kBtc / 10, AddrId(E)}});
  tx({OutNum(1)}, {{4 * kBtc, AddrId(U)}});
  tx({OutNum(4)}, {{39 * kBtc / 10, AddrId(S)}});
  tx({OutNum(2)}, {{2 * kBtc, AddrId(E)}, {39 * kBtc / 10, AddrId(V)}});
  tx({OutNum(7)}, {{38 * kBtc / 10, AddrId(E)}});
  store::HeightIndex heights;
  for (uint64_t b = 0; b < 6; ++b) heights.Append(b, 1000 + b);
  const graph::AddressIndex addresses(*g, 6);
  auto labels =
      Labels({{E, {"Exchange X", "exchange", "test", ""}}, {M, {"Mixer M", "mixer", "test", ""}}});
  ExposureOptions o;
  o.labels = labels.get();
  const uint32_t subject[] = {S};
  const UtxoExposure r = ComputeExposure(*g, addresses, heights, subject, o);
  EXPECT_FALSE(r.truncated);
  EXPECT_EQ(r.received.at(AssetId(0)), 99 * kBtc / 10);
  EXPECT_EQ(r.sent.at(AssetId(0)), 59 * kBtc / 10);
  const auto& exchange = r.by_category.at({"exchange", AssetId(0)});
  EXPECT_EQ(exchange.received_direct, 6 * kBtc);
  EXPECT_EQ(exchange.received_indirect, 0);
  EXPECT_EQ(exchange.sent_direct, 2 * kBtc);
  EXPECT_EQ(exchange.sent_indirect, 38 * kBtc / 10);  // V's fee is not the exchange's
  const auto& mixer = r.by_category.at({"mixer", AssetId(0)});
  EXPECT_EQ(mixer.received_direct, 0);
  EXPECT_EQ(mixer.received_indirect, 39 * kBtc / 10);
  EXPECT_EQ(r.by_entity.at({"Mixer M", "mixer", AssetId(0)}).received_indirect, 39 * kBtc / 10);
  EXPECT_EQ(r.by_entity.size(), 2u);
  // One hop: only what the counterparties themselves are.
  o.hops = 1;
  const UtxoExposure near = ComputeExposure(*g, addresses, heights, subject, o);
  EXPECT_EQ(near.by_category.at({"exchange", AssetId(0)}).sent_indirect, 0);
  EXPECT_FALSE(near.by_category.contains({"mixer", AssetId(0)}));
}

// The same flows in ether between accounts.
TEST(AccountExposure, DirectAndIndirectPerAssetEntityAndCategory) {
  testing::AccountChain c;
  c.Pay(1, "E", "S", 100);
  c.Pay(2, "M", "U", 50);
  c.Pay(3, "U", "S", 40);
  c.Pay(4, "S", "E", 30);
  c.Pay(5, "S", "V", 20);
  c.Pay(6, "V", "E", 15);
  c.Pay(7, "E", "S", 5, c.token());  // a token: its own asset
  auto g = c.Finish();
  auto labels = Labels({{c.Id("E"), {"Exchange X", "exchange", "test", ""}},
                        {c.Id("M"), {"Mixer M", "mixer", "test", ""}}});
  ExposureOptions o;
  o.labels = labels.get();
  const uint32_t subject[] = {c.Id("S")};
  const AccountExposure r = ComputeAccountExposure(*g, subject, o);
  const AssetId eth(0);
  EXPECT_EQ(r.received.at(eth), evm::U256(140));
  EXPECT_EQ(r.sent.at(eth), evm::U256(50));
  EXPECT_EQ(r.received.at(c.token()), evm::U256(5));
  const auto& exchange = r.by_category.at({"exchange", eth});
  EXPECT_EQ(exchange.received_direct, evm::U256(100));
  EXPECT_EQ(exchange.sent_direct, evm::U256(30));
  EXPECT_EQ(exchange.sent_indirect, evm::U256(15));
  EXPECT_EQ(r.by_category.at({"mixer", eth}).received_indirect, evm::U256(40));
  EXPECT_EQ(r.by_category.at({"exchange", c.token()}).received_direct, evm::U256(5));
  EXPECT_EQ(r.by_entity.at({"Exchange X", "exchange", eth}).sent_indirect, evm::U256(15));
}

}  // namespace
}  // namespace ariadne::trace
