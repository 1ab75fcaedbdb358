// The batched reads a rewind uses (engine/store/rewind_reads.h) answer what the one-row reads of
// Store answer, and name the row when the store has a hole or a corrupt row.
#include "engine/store/rewind_reads.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/store/codec.h"
#include "tests/testutil.h"

namespace ariadne::store {
namespace {

using ::ariadne::testing::MakeTempDir;
using ::testing::ElementsAre;

rocksdb::Slice ToSlice(const std::string& s) { return rocksdb::Slice(s.data(), s.size()); }

class RewindReadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions so;
    so.create_if_missing = true;
    so.network = Network::kRegtest;
    auto s = Store::Open(MakeTempDir("rewind-reads") / "db", so);
    ASSERT_THAT(s, IsOk());
    store_ = *std::move(s);
  }
  void Put(Cf cf, const std::string& key, const std::string& value) {
    ASSERT_TRUE(store_->db()
                    ->Put(rocksdb::WriteOptions(), store_->handle(cf), ToSlice(key), ToSlice(value))
                    .ok());
  }
  void Delete(Cf cf, const std::string& key) {
    ASSERT_TRUE(
        store_->db()->Delete(rocksdb::WriteOptions(), store_->handle(cf), ToSlice(key)).ok());
  }
  // Transaction n has n + 1 outputs and spends output 0 of transaction n - 1.
  void PutTx(uint64_t n) {
    TxRow row;
    row.txid.data()[0] = static_cast<uint8_t>(n + 1);
    for (uint64_t i = 0; i <= n; ++i)
      row.outputs.push_back({static_cast<int64_t>(i), AddrId(), {}});
    if (n > 0) row.inputs.push_back({TxNum(n - 1), 0});
    std::string v;
    EncodeTxRow(row, TxNum(n), &v);
    Put(Cf::kTx, TxKey(TxNum(n)), v);
  }
  void PutAddr(uint32_t id) {
    AddrRow row;
    row.key.kind = AddrKind::kKeyHash;
    row.key.size = 20;
    row.key.payload[0] = static_cast<uint8_t>(id + 1);
    row.type = ScriptType::kP2pkh;
    Put(Cf::kAddr, AddrKey(AddrId(id)), EncodeAddrRow(row));
  }
  std::unique_ptr<Store> store_;
};

TEST_F(RewindReadsTest, ATxRangeReadsEveryRowInOrderAndNamesAHole) {
  for (uint64_t n = 0; n < 6; ++n) PutTx(n);
  std::vector<TxRow> rows;
  ASSERT_THAT(ReadTxRange(*store_, TxNum(2), 3, &rows), IsOk());
  ASSERT_EQ(rows.size(), 3u);
  for (uint64_t i = 0; i < 3; ++i) {
    EXPECT_EQ(rows[i].outputs.size(), i + 3);
    ASSERT_EQ(rows[i].inputs.size(), 1u);
    EXPECT_EQ(rows[i].inputs[0].prev_tx, TxNum(i + 1));
  }
  ASSERT_THAT(ReadTxRange(*store_, TxNum(0), 0, &rows), IsOk());
  EXPECT_TRUE(rows.empty());
  Delete(Cf::kTx, TxKey(TxNum(3)));
  EXPECT_THAT(ReadTxRange(*store_, TxNum(2), 3, &rows),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "tx row 3 is missing"));
  // The range runs past the last row.
  EXPECT_THAT(ReadTxRange(*store_, TxNum(4), 3, &rows),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "tx row 6 is missing"));
  Put(Cf::kTx, TxKey(TxNum(3)), "\xff");
  EXPECT_THAT(ReadTxRange(*store_, TxNum(2), 3, &rows), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(RewindReadsTest, ScatteredTransactionsAreReadInOneCallAndAMissingOneIsNamed) {
  for (uint64_t n = 0; n < 6; ++n) PutTx(n);
  std::vector<TxRow> rows;
  const std::vector<TxNum> nums = {TxNum(0), TxNum(3), TxNum(5)};
  ASSERT_THAT(MultiReadTx(*store_, nums, &rows), IsOk());
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].outputs.size(), 1u);
  EXPECT_EQ(rows[1].outputs.size(), 4u);
  EXPECT_EQ(rows[2].outputs.size(), 6u);
  const std::vector<TxNum> with_missing = {TxNum(1), TxNum(9)};
  EXPECT_THAT(MultiReadTx(*store_, with_missing, &rows),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "tx row 9 is missing"));
  Put(Cf::kTx, TxKey(TxNum(1)), "");
  EXPECT_THAT(MultiReadTx(*store_, with_missing, &rows), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(RewindReadsTest, StatsOfManyAddressesEqualReadStatsAndAMissingRowIsEmpty) {
  AddrStats a;
  a.tx_count = 3;
  a.received = 700;
  a.first_height = 1;
  a.last_height = 9;
  Put(Cf::kStats, AddrKey(AddrId(4)), EncodeStats(a));
  // A merge operand on top of the row, as the indexer's commits write them.
  AddrStats delta;
  delta.tx_count = 1;
  delta.sent = 5;
  delta.first_height = 12;
  delta.last_height = 12;
  ASSERT_TRUE(store_->db()
                  ->Merge(rocksdb::WriteOptions(), store_->handle(Cf::kStats),
                          ToSlice(AddrKey(AddrId(4))), ToSlice(EncodeStats(delta)))
                  .ok());
  const std::vector<AddrId> ids = {AddrId(2), AddrId(4)};
  std::vector<AddrStats> stats;
  ASSERT_THAT(MultiReadStats(*store_, ids, &stats), IsOk());
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0], AddrStats());
  auto one = store_->ReadStats(AddrId(4));
  ASSERT_THAT(one, IsOk());
  EXPECT_EQ(stats[1], *one);
  EXPECT_EQ(stats[1].tx_count, 4u);
  Put(Cf::kStats, AddrKey(AddrId(2)), "x");
  EXPECT_THAT(MultiReadStats(*store_, ids, &stats), StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(RewindReadsTest, LastHistoryBeforeEqualsReadHistoryReverseForEachAddress) {
  // Address 1: 3, 7, 20; address 2: 10 (none before 8); address 3: 0, 8; address 5: nothing.
  for (auto [a, t] : std::vector<std::pair<uint32_t, uint64_t>>{
           {1, 3}, {1, 7}, {1, 20}, {2, 10}, {3, 0}, {3, 8}}) {
    Put(Cf::kHist, HistKey(AddrId(a), TxNum(t)), "");
  }
  const std::vector<AddrId> ids = {AddrId(1), AddrId(2), AddrId(3), AddrId(5)};
  for (uint64_t before : {1, 4, 8, 9, 21}) {
    SCOPED_TRACE(before);
    std::vector<TxNum> last;
    ASSERT_THAT(LastHistoryBefore(*store_, ids, TxNum(before), &last), IsOk());
    ASSERT_EQ(last.size(), ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      std::vector<TxNum> one;
      ASSERT_THAT(store_->ReadHistoryReverse(ids[i], TxNum(before - 1), 1, &one), IsOk());
      EXPECT_EQ(last[i], one.empty() ? TxNum() : one[0]) << "address " << ids[i].value();
    }
  }
  std::vector<TxNum> last;
  ASSERT_THAT(LastHistoryBefore(*store_, ids, TxNum(8), &last), IsOk());
  EXPECT_THAT(last, ElementsAre(TxNum(7), TxNum(), TxNum(0), TxNum()));
}

TEST_F(RewindReadsTest, AnAddressRangeReadsEveryRowAndNamesAHoleOrACorruptRow) {
  for (uint32_t id = 0; id < 5; ++id) PutAddr(id);
  std::vector<AddrRow> rows;
  ASSERT_THAT(ReadAddressRange(*store_, AddrId(1), AddrId(4), &rows), IsOk());
  ASSERT_EQ(rows.size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(rows[i].key.payload[0], i + 2);
  ASSERT_THAT(ReadAddressRange(*store_, AddrId(3), AddrId(3), &rows), IsOk());
  EXPECT_TRUE(rows.empty());
  Delete(Cf::kAddr, AddrKey(AddrId(2)));
  EXPECT_THAT(ReadAddressRange(*store_, AddrId(1), AddrId(4), &rows),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "addr row 2 is missing"));
  Put(Cf::kAddr, AddrKey(AddrId(2)), "");
  EXPECT_THAT(ReadAddressRange(*store_, AddrId(1), AddrId(4), &rows),
              StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace ariadne::store
