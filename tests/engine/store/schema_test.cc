// The row codecs of Bitcoin stores (engine/store/schema.h): every row decodes to what was encoded,
// and a row cut short, with bytes after its end, or with an impossible value is DATA_LOSS.
#include "engine/store/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/engine/store/codec_test_util.h"
#include "tests/testutil.h"

namespace ariadne::store {
namespace {

using ::ariadne::testing::ExpectCorruptionIsDataLoss;
using ::ariadne::testing::ExpectValue;

Txid SomeTxid(uint8_t seed) {
  Txid t;
  for (int i = 0; i < 32; ++i) t.data()[i] = static_cast<uint8_t>(seed * 31 + i);
  return t;
}

TEST(Schema, StateRoundTripsAndCorruptionIsDataLoss) {
  ChainState s;
  s.tip_height = 840'000;
  s.tip_hash = BlockHash(SomeTxid(3).span());
  s.tx_count = 1'100'000'000;
  s.output_count = 3'000'000'000;
  s.input_count = 2'900'000'000;
  s.addr_count = 1'450'000'000;
  s.utxo_count = 180'000'000;
  s.utxo_value = 19'700'000 * 100'000'000LL;
  const std::string v = EncodeState(s);
  ExpectValue(DecodeState(v), s);
  ExpectCorruptionIsDataLoss(v, DecodeState);
  ChainState empty;  // no block: tip -1
  EXPECT_EQ(DecodeState(EncodeState(empty))->tip_height, -1);
}

TEST(Schema, TxRowRoundTripsWithInputsAsDeltas) {
  TxRow row;
  row.txid = SomeTxid(7);
  row.segwit = true;
  row.version = -2;  // any int32
  row.locktime = 840'000;
  row.size = 225;
  row.vsize = 144;
  row.fee = 1'234;
  row.outputs = {{50'000, AddrId(42), ScriptType::kP2wpkh}, {0, AddrId(), ScriptType::kOpReturn}};
  row.inputs = {{TxNum(99), 1}, {TxNum(0), 0}};
  const TxNum self(100);
  std::string v;
  EncodeTxRow(row, self, &v);
  TxRow back;
  ASSERT_THAT(DecodeTxRow(v, self, &back), IsOk());
  EXPECT_EQ(back.txid, row.txid);
  EXPECT_EQ(back.segwit, true);
  EXPECT_EQ(back.coinbase, false);
  EXPECT_EQ(back.version, -2);
  EXPECT_EQ(back.locktime, 840'000u);
  EXPECT_EQ(back.size, 225u);
  EXPECT_EQ(back.vsize, 144u);
  EXPECT_EQ(back.fee, 1'234);
  ASSERT_EQ(back.outputs.size(), 2u);
  EXPECT_EQ(back.outputs[0].addr, AddrId(42));
  EXPECT_FALSE(back.outputs[1].addr.valid());
  EXPECT_EQ(back.outputs[1].type, ScriptType::kOpReturn);
  ASSERT_EQ(back.inputs.size(), 2u);
  EXPECT_EQ(back.inputs[0].prev_tx, TxNum(99));
  EXPECT_EQ(back.inputs[1].prev_tx, TxNum(0));
  EXPECT_EQ(*DecodeTxRowTxid(v), row.txid);
  ExpectCorruptionIsDataLoss(v, [&](std::string_view s) { return DecodeTxRow(s, self, &back); });
  // An input that names itself or a transaction after it cannot be.
  EXPECT_THAT(DecodeTxRow(v, TxNum(50), &back),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "corrupt tx 50 row"));
  EXPECT_THAT(DecodeTxRowTxid(v.substr(0, 31)), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(Schema, CountsBeyondTheRowAreDataLossNotAnAllocation) {
  std::string v(32, '\0');
  v.push_back('\0');                              // flags
  for (int i = 0; i < 5; ++i) v.push_back('\0');  // version .. fee
  v += std::string("\xff\xff\xff\xff\x0f", 5);    // 4 billion outputs in a 43-byte row
  TxRow row;
  EXPECT_THAT(DecodeTxRow(v, TxNum(1), &row), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(Schema, AddrRowStatsAndBlockRowsRoundTrip) {
  AddrRow a;
  a.key.kind = AddrKind::kMultisig;
  a.key.size = 32;
  for (int i = 0; i < 32; ++i) a.key.payload[i] = static_cast<uint8_t>(i);
  a.type = ScriptType::kMultisig;
  a.multisig_keys = {AddrId(1), AddrId(2), AddrId(3)};
  const std::string av = EncodeAddrRow(a);
  auto ab = DecodeAddrRow(av);
  ASSERT_THAT(ab, IsOk());
  EXPECT_EQ(ab->key, a.key);
  EXPECT_EQ(ab->type, a.type);
  EXPECT_EQ(ab->multisig_keys, a.multisig_keys);
  ExpectCorruptionIsDataLoss(av, DecodeAddrRow);
  std::string bad_type = av;
  bad_type[1] = static_cast<char>(kNumScriptTypes);
  EXPECT_THAT(DecodeAddrRow(bad_type), StatusIs(absl::StatusCode::kDataLoss));

  AddrStats s{3, 70, 20, 2, 1, 9, 170};
  const std::string sv = EncodeStats(s);
  ExpectValue(DecodeStats(sv), s);
  ExpectCorruptionIsDataLoss(sv, DecodeStats);
  AddrStats sum = s;
  MergeStats(AddrStats{1, 5, 0, 1, 0, 3, 200}, &sum);
  EXPECT_EQ(sum, (AddrStats{4, 75, 20, 3, 1, 3, 200}));

  BlockRow b;
  for (int i = 0; i < 80; ++i) b.header[i] = static_cast<uint8_t>(i * 3);
  b.first_txnum = 123'456;
  b.tx_count = 2'500;
  b.first_outnum = 654'321;
  b.first_addrid = 77;
  b.size = 1'200'000;
  const std::string bv = EncodeBlockRow(b);
  auto bb = DecodeBlockRow(bv);
  ASSERT_THAT(bb, IsOk());
  EXPECT_EQ(bb->header, b.header);
  EXPECT_EQ(bb->first_txnum, b.first_txnum);
  EXPECT_EQ(bb->tx_count, b.tx_count);
  EXPECT_EQ(bb->first_outnum, b.first_outnum);
  EXPECT_EQ(bb->first_addrid, b.first_addrid);
  EXPECT_EQ(bb->size, b.size);
  ExpectCorruptionIsDataLoss(bv, DecodeBlockRow);

  BlockIndexEntry e{BlockHash(SomeTxid(1).span()), 0x1d00ffff, 1231006505, 3, 1 << 20, 285};
  const std::string ev = EncodeBlockIndexEntry(e);
  auto eb = DecodeBlockIndexEntry(ev);
  ASSERT_THAT(eb, IsOk());
  EXPECT_EQ(eb->prev_hash, e.prev_hash);
  EXPECT_EQ(eb->bits, e.bits);
  EXPECT_EQ(eb->time, e.time);
  EXPECT_EQ(eb->file_id, e.file_id);
  EXPECT_EQ(eb->offset, e.offset);
  EXPECT_EQ(eb->size, e.size);
  ExpectCorruptionIsDataLoss(ev, DecodeBlockIndexEntry);
}

TEST(Schema, EvidenceKeepsItsSpendTimeBackReference) {
  EvidenceRow e{10, 20, 1, 5, TxNum(1'000), TxNum(1'003)};
  const std::string key = EvidenceKey(2, e.at, 4);
  const std::string v = EncodeEvidence(e);
  auto back = DecodeEvidence(key, v);
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(back->a, 10u);
  EXPECT_EQ(back->b, 20u);
  EXPECT_EQ(back->kind, 1);
  EXPECT_EQ(back->rule, 5);
  EXPECT_EQ(back->tx, TxNum(1'000));
  EXPECT_EQ(back->at, TxNum(1'003));
  // Made at its own transaction: no back reference stored.
  EvidenceRow same{1, 2, 0, 0, TxNum(7), TxNum(7)};
  auto s = DecodeEvidence(EvidenceKey(0, TxNum(7), 0), EncodeEvidence(same));
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->tx, TxNum(7));
  EXPECT_THAT(DecodeEvidence(key.substr(1), v), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeEvidence(EvidenceKey(2, TxNum(2), 0), v),  // reaches before TxNum 0
              StatusIs(absl::StatusCode::kDataLoss));
  std::string bad_kind = EncodeEvidence(same);
  bad_kind[2] = 2;  // kind 2 (unspent change) is never stored
  EXPECT_THAT(DecodeEvidence(EvidenceKey(0, TxNum(7), 0), bad_kind),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(Schema, MetaPendingAndLabelRowsRoundTrip) {
  ClusterMeta m{3, "ci,change=address_reuse", 1'000'000, 400'000};
  auto mb = DecodeClusterMeta(EncodeClusterMeta(m));
  ASSERT_THAT(mb, IsOk());
  EXPECT_EQ(mb->gen, 3);
  EXPECT_EQ(mb->processed_txs, 1'000'000u);
  EXPECT_EQ(mb->unions, 400'000u);
  EXPECT_EQ(mb->policy, m.policy);
  EXPECT_THAT(DecodeClusterMeta(""), StatusIs(absl::StatusCode::kDataLoss));

  PendingRow p{5, 6, 3, 2, true};
  const std::string pv = EncodePending(p);
  auto pb = DecodePending(pv);
  ASSERT_THAT(pb, IsOk());
  EXPECT_EQ(pb->anchor, 5u);
  EXPECT_EQ(pb->change, 6u);
  EXPECT_EQ(pb->rule, 3);
  EXPECT_EQ(pb->version, 2);
  EXPECT_TRUE(pb->locktime_set);
  ExpectCorruptionIsDataLoss(pv, DecodePending);

  LabelRow l{"Hydra Market", "darknet_market", "case 7", "actor-1"};
  const std::string lv = EncodeLabel(l);
  ExpectValue(DecodeLabel(lv), l);
  ExpectCorruptionIsDataLoss(lv, DecodeLabel);
  AddressKey k;
  k.kind = AddrKind::kWitnessV0ScriptHash;
  k.size = 32;
  k.payload[31] = 9;
  auto key_back = LabelKeyAddress(LabelKey(LabelIdentity(k), l));
  ASSERT_THAT(key_back, IsOk());
  EXPECT_EQ(*key_back, k);
  EXPECT_THAT(LabelKeyAddress(std::string(1, kLabelChainEvm) + std::string(28, 'x')),
              StatusIs(absl::StatusCode::kFailedPrecondition));

  FileEntry f{"/data/blocks/blk00042.dat", 134'217'728, {1, 2, 3, 4, 5, 6, 7, 8}};
  auto fb = DecodeFileEntry(EncodeFileEntry(f));
  ASSERT_THAT(fb, IsOk());
  EXPECT_EQ(fb->path, f.path);
  EXPECT_EQ(fb->scanned, f.scanned);
  EXPECT_EQ(fb->xor_key, f.xor_key);
}

}  // namespace
}  // namespace ariadne::store
