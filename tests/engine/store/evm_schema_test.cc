// The row codecs of EVM stores (engine/store/evm_schema.h): every row decodes to what was encoded,
// 256-bit amounts included, and a row cut short, with bytes after its end, or with an impossible
// value is DATA_LOSS.
#include "engine/store/evm_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/engine/store/codec_test_util.h"
#include "tests/testutil.h"

namespace ariadne::store {
namespace {

using ::ariadne::testing::ExpectCorruptionIsDataLoss;
using ::ariadne::testing::ExpectValue;

Address SomeAddress(uint8_t seed) {
  Address a;
  for (int i = 0; i < 20; ++i) a.data()[i] = static_cast<uint8_t>(seed + i);
  return a;
}

template <typename Hash>
Hash SomeHash(uint8_t seed) {
  Hash h;
  for (int i = 0; i < 32; ++i) h.data()[i] = static_cast<uint8_t>(seed * 7 + i);
  return h;
}

const U256 kHuge = U256::Max();

TEST(EvmSchema, StateRoundTripsAndCorruptionIsDataLoss) {
  EvmChainState s;
  s.tip_number = 19'000'000;
  s.tip_hash = SomeHash<evm::EvmBlockHash>(1);
  s.chain_id = 1;
  s.block_count = 5;
  s.tx_count = 2'000'000'000;
  s.transfer_count = 3'000'000'000;
  s.log_count = 9;
  s.account_count = 300'000'000;
  s.asset_count = 40'000;
  s.approval_count = 12;
  s.gaps = 2;
  s.blocks_without_traces = 3;
  const std::string v = EncodeEvmState(s);
  ExpectValue(DecodeEvmState(v), s);
  EXPECT_THAT(DecodeEvmState(v + '\x01'), StatusIs(absl::StatusCode::kDataLoss));
  // A row written by an earlier build lacks the appended blocks_without_traces: it decodes as not
  // counted; every prefix of it is DATA_LOSS (a byte appended makes it the current row).
  EvmChainState earlier = s;
  earlier.traces_counted = false;
  earlier.blocks_without_traces = 0;
  const std::string e = EncodeEvmState(earlier);
  ASSERT_EQ(e, v.substr(0, e.size()));
  ExpectValue(DecodeEvmState(e), earlier);
  ExpectCorruptionIsDataLoss(e, DecodeEvmState, /*strict_end=*/false);
  EvmChainState empty;
  EXPECT_EQ(DecodeEvmState(EncodeEvmState(empty))->tip_number, -1);
}

TEST(EvmSchema, TxAndTransferRowsKeepTheirAmounts) {
  EvmTxRow t;
  t.hash = SomeHash<evm::EvmTxHash>(2);
  t.block = 17'000'000;
  t.index = 211;
  t.type = 2;
  t.status = 1;
  t.from = 7;
  t.has_to = true;
  t.to = 9;
  t.nonce = 44;
  t.value = kHuge;
  t.fee = U256(21'000ULL * 30'000'000'000ULL);
  t.gas_used = 21'000;
  t.effective_gas_price = U256(30'000'000'000ULL);
  t.first_transfer = 1'000'000'000'000;
  t.transfer_count = 3;
  t.log_count = 2;
  t.selector = {0xa9, 0x05, 0x9c, 0xbb};
  std::string tv;
  EncodeEvmTxRow(t, &tv);
  auto tb = DecodeEvmTxRow(tv);
  ASSERT_THAT(tb, IsOk());
  EXPECT_EQ(tb->hash, t.hash);
  EXPECT_EQ(tb->block, t.block);
  EXPECT_EQ(tb->index, t.index);
  EXPECT_EQ(tb->type, t.type);
  EXPECT_EQ(tb->status, t.status);
  EXPECT_EQ(tb->from, t.from);
  EXPECT_TRUE(tb->has_to);
  EXPECT_EQ(tb->to, t.to);
  EXPECT_FALSE(tb->has_created);
  EXPECT_EQ(tb->nonce, t.nonce);
  EXPECT_EQ(tb->value, kHuge);
  EXPECT_EQ(tb->fee, t.fee);
  EXPECT_EQ(tb->effective_gas_price, t.effective_gas_price);
  EXPECT_EQ(tb->first_transfer, t.first_transfer);
  EXPECT_EQ(tb->transfer_count, t.transfer_count);
  EXPECT_EQ(tb->log_count, t.log_count);
  EXPECT_EQ(tb->selector, t.selector);
  ExpectCorruptionIsDataLoss(tv, DecodeEvmTxRow);

  EvmTransferRow r;
  r.kind = 3;
  r.from = 1;
  r.to = 2;
  r.asset = 5;
  r.amount = U256(1);
  r.token_id = kHuge;
  r.tx = 123;
  r.log_index = 0;
  std::string rv;
  EncodeEvmTransferRow(r, &rv);
  auto rb = DecodeEvmTransferRow(rv);
  ASSERT_THAT(rb, IsOk());
  EXPECT_EQ(rb->kind, 3);
  EXPECT_EQ(rb->from, 1u);
  EXPECT_EQ(rb->to, 2u);
  EXPECT_EQ(rb->asset, 5u);
  EXPECT_EQ(rb->amount, U256(1));
  EXPECT_EQ(rb->token_id, kHuge);
  EXPECT_EQ(rb->tx, 123u);
  EXPECT_EQ(rb->log_index, 0u);
  ExpectCorruptionIsDataLoss(rv, DecodeEvmTransferRow);
  r.log_index = UINT32_MAX;  // a native transfer has no log
  rv.clear();
  EncodeEvmTransferRow(r, &rv);
  EXPECT_EQ(DecodeEvmTransferRow(rv)->log_index, UINT32_MAX);
}

TEST(EvmSchema, BlockAccountAssetApprovalAndTotalsRowsRoundTrip) {
  EvmBlockRow b;
  b.hash = SomeHash<evm::EvmBlockHash>(3);
  b.parent_hash = SomeHash<evm::EvmBlockHash>(4);
  b.timestamp = 1'700'000'000;
  b.miner = SomeAddress(9);
  b.first_tx = 10;
  b.tx_count = 150;
  b.first_transfer = 20;
  b.transfer_count = 300;
  b.log_count = 400;
  b.gas_used = 29'999'000;
  b.provenance = 63;
  const std::string bv = EncodeEvmBlockRow(b);
  auto bb = DecodeEvmBlockRow(bv);
  ASSERT_THAT(bb, IsOk());
  EXPECT_EQ(bb->hash, b.hash);
  EXPECT_EQ(bb->parent_hash, b.parent_hash);
  EXPECT_EQ(bb->timestamp, b.timestamp);
  EXPECT_EQ(bb->miner, b.miner);
  EXPECT_EQ(bb->first_tx, b.first_tx);
  EXPECT_EQ(bb->transfer_count, b.transfer_count);
  EXPECT_EQ(bb->gas_used, b.gas_used);
  EXPECT_EQ(bb->provenance, 63);
  ExpectCorruptionIsDataLoss(bv, DecodeEvmBlockRow);

  EvmAccountRow a{SomeAddress(5), 46'147, true};
  const std::string av = EncodeEvmAccountRow(a);
  auto ab = DecodeEvmAccountRow(av);
  ASSERT_THAT(ab, IsOk());
  EXPECT_EQ(ab->address, a.address);
  EXPECT_EQ(ab->first_block, a.first_block);
  EXPECT_TRUE(ab->contract);
  ExpectCorruptionIsDataLoss(av, DecodeEvmAccountRow);

  EvmAssetRow s{AssetStandard::kErc721, SomeAddress(6), 12};
  const std::string sv = EncodeEvmAssetRow(s);
  auto sb = DecodeEvmAssetRow(sv);
  ASSERT_THAT(sb, IsOk());
  EXPECT_EQ(sb->standard, AssetStandard::kErc721);
  EXPECT_EQ(sb->contract, s.contract);
  ExpectCorruptionIsDataLoss(sv, DecodeEvmAssetRow);
  std::string bad_standard = sv;
  bad_standard[0] = 4;
  EXPECT_THAT(DecodeEvmAssetRow(bad_standard), StatusIs(absl::StatusCode::kDataLoss));

  EvmApprovalRow p{3, 4, 5, kHuge};
  const std::string pv = EncodeEvmApprovalRow(p);
  auto pb = DecodeEvmApprovalRow(pv);
  ASSERT_THAT(pb, IsOk());
  EXPECT_EQ(pb->owner, 3u);
  EXPECT_EQ(pb->spender, 4u);
  EXPECT_EQ(pb->asset, 5u);
  EXPECT_EQ(pb->value, kHuge);
  ExpectCorruptionIsDataLoss(pv, DecodeEvmApprovalRow);

  EvmTotals t;
  t.received = kHuge;
  t.sent = U256(5);
  t.fees = U256(7);
  t.received_count = 2;
  t.sent_count = 1;
  t.tx_count = 3;
  t.first_block = 100;
  t.last_block = 105;
  t.overflow = true;
  const std::string tv = EncodeEvmTotals(t);
  ExpectValue(DecodeEvmTotals(tv), t);
  ExpectCorruptionIsDataLoss(tv, DecodeEvmTotals);
  EvmTotals none;  // never seen: first block stays "none"
  EXPECT_EQ(DecodeEvmTotals(EncodeEvmTotals(none))->first_block, UINT64_MAX);
  // Sums saturate and say so.
  EvmTotals sum;
  sum.received = kHuge;
  EvmTotals more;
  more.received = U256(1);
  more.first_block = 50;
  MergeEvmTotals(more, &sum);
  EXPECT_EQ(sum.received, kHuge);
  EXPECT_TRUE(sum.overflow);
  EXPECT_EQ(sum.first_block, 50u);
}

TEST(EvmSchema, ClusteringMetaAndEvidenceRoundTrip) {
  // The EVM clustering stores the Bitcoin clustering's meta row; its errors name its own key.
  ClusterMeta m{4, "deposit_window=7200,deposit_tolerance_bps=100", 15, 2};
  auto mb = DecodeClusterMeta(EncodeClusterMeta(m), kMetaEvmCluster);
  ASSERT_THAT(mb, IsOk());
  EXPECT_EQ(mb->gen, 4);
  EXPECT_EQ(mb->processed_txs, 15u);
  EXPECT_EQ(mb->unions, 2u);
  EXPECT_EQ(mb->policy, m.policy);
  EXPECT_THAT(DecodeClusterMeta("", kMetaEvmCluster),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "meta/evm/cluster"));

  EvmEvidenceRow e{1, 2, EvmHeuristic::kAirdropMultiParticipation, 77, 3, 70};
  const std::string key = EvmEvidenceKey(4, e.tx, 1);
  const std::string v = EncodeEvmEvidence(e);
  ExpectValue(DecodeEvmEvidence(key, v), e);
  EvmEvidenceRow unrelated{1, 2, EvmHeuristic::kSelfAuthorization, 9, 0, UINT64_MAX};
  ExpectValue(DecodeEvmEvidence(EvmEvidenceKey(0, 9, 0), EncodeEvmEvidence(unrelated)), unrelated);
  ExpectCorruptionIsDataLoss(v, [&](std::string_view s) { return DecodeEvmEvidence(key, s); });
  EXPECT_THAT(DecodeEvmEvidence(key.substr(0, 9), v), StatusIs(absl::StatusCode::kDataLoss));
  std::string bad_heuristic = v;
  bad_heuristic[2] = static_cast<char>(kNumEvmHeuristics);
  EXPECT_THAT(DecodeEvmEvidence(key, bad_heuristic), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace ariadne::store
