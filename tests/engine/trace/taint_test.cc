// The taint models on hand-built transactions with known numbers, and conservation on random ones.
#include "engine/trace/taint.h"

#include <random>

#include "tests/testutil.h"

namespace ariadne::trace {
namespace {

constexpr int64_t kBtc = 100'000'000;

struct Result {
  std::vector<Taint> out;
  int64_t fee = 0;
  std::vector<std::vector<int64_t>> share;
};

Result Fwd(TaintModel m, std::vector<int64_t> in, std::vector<Taint> taint,
           std::vector<int64_t> out) {
  Result r;
  Forward(m, in, taint, out, &r.out, &r.fee, &r.share);
  return r;
}

// Inputs: 3 BTC clean, then 2 BTC stolen; outputs 4 BTC and 0.9 BTC; fee 0.1 BTC.
TEST(Taint, FifoFollowsInputAndOutputOrder) {
  Result r = Fwd(TaintModel::kFifo, {3 * kBtc, 2 * kBtc}, {Taint(), Whole(2 * kBtc)},
                 {4 * kBtc, 90'000'000});
  EXPECT_EQ(r.out[0].amount, 1 * kBtc);  // the 4th BTC of the first output is the stolen one
  EXPECT_EQ(r.out[0].intervals, (Intervals{{3 * kBtc, 4 * kBtc}}));
  EXPECT_EQ(r.out[1].amount, 90'000'000);
  EXPECT_EQ(r.fee, 10'000'000);
  EXPECT_EQ(r.share[1][0], 1 * kBtc);
  EXPECT_EQ(r.share[0][0], 0);
  // Reversed input order: the stolen 2 BTC go first and all land in the first output.
  Result rev = Fwd(TaintModel::kFifo, {2 * kBtc, 3 * kBtc}, {Whole(2 * kBtc), Taint()},
                   {4 * kBtc, 90'000'000});
  EXPECT_EQ(rev.out[0].amount, 2 * kBtc);
  EXPECT_EQ(rev.out[1].amount, 0);
  EXPECT_EQ(rev.fee, 0);
}

TEST(Taint, FifoRemembersWhereInACoinTheTaintIs) {
  // The first output above carries its taint in its last BTC ([3, 4) BTC). Spent alone into 1 BTC
  // and 3 BTC outputs, the taint goes to the second output, not the first.
  Result hop1 = Fwd(TaintModel::kFifo, {3 * kBtc, 2 * kBtc}, {Taint(), Whole(2 * kBtc)},
                    {4 * kBtc, 90'000'000});
  Result hop2 = Fwd(TaintModel::kFifo, {4 * kBtc}, {hop1.out[0]}, {1 * kBtc, 3 * kBtc});
  EXPECT_EQ(hop2.out[0].amount, 0);
  EXPECT_EQ(hop2.out[1].amount, 1 * kBtc);
  EXPECT_EQ(hop2.out[1].intervals, (Intervals{{2 * kBtc, 3 * kBtc}}));
}

TEST(Taint, HaircutSharesProportionally) {
  Result r = Fwd(TaintModel::kHaircut, {3 * kBtc, 2 * kBtc}, {Taint(), Whole(2 * kBtc)},
                 {4 * kBtc, 90'000'000});
  EXPECT_EQ(r.out[0].amount, 160'000'000);  // 4 * 2/5
  EXPECT_EQ(r.out[1].amount, 36'000'000);   // 0.9 * 2/5
  EXPECT_EQ(r.fee, 4'000'000);              // 0.1 * 2/5
  EXPECT_EQ(r.share[1][0], 160'000'000);
  EXPECT_EQ(r.share[0][0], 0);
  // Exact integer shares: 1 sat of taint over three equal outputs and no fee.
  Result odd = Fwd(TaintModel::kHaircut, {3}, {Whole(1)}, {1, 1, 1});
  EXPECT_EQ(odd.out[0].amount + odd.out[1].amount + odd.out[2].amount, 1);
}

TEST(Taint, PoisonTaintsEverything) {
  Result r =
      Fwd(TaintModel::kPoison, {3 * kBtc, 2 * kBtc}, {Taint(), Whole(1)}, {4 * kBtc, 90'000'000});
  EXPECT_EQ(r.out[0].amount, 4 * kBtc);
  EXPECT_EQ(r.out[1].amount, 90'000'000);
  EXPECT_EQ(r.fee, 10'000'000);
  Result clean = Fwd(TaintModel::kPoison, {5}, {Taint()}, {5});
  EXPECT_EQ(clean.out[0].amount, 0);
}

TEST(Taint, BackwardAttributesOutputsToInputs) {
  std::vector<Taint> in;
  std::vector<std::vector<int64_t>> share;
  // The 4 BTC output, traced back: FIFO -> all 3 BTC of input 0 and 1 BTC of input 1.
  Backward(TaintModel::kFifo, std::vector<int64_t>{3 * kBtc, 2 * kBtc},
           std::vector<int64_t>{4 * kBtc, 90'000'000}, std::vector<Taint>{Whole(4 * kBtc), Taint()},
           &in, &share);
  EXPECT_EQ(in[0].amount, 3 * kBtc);
  EXPECT_EQ(in[1].amount, 1 * kBtc);
  EXPECT_EQ(share[1][0], 1 * kBtc);
  // Haircut: in proportion to the inputs: 4 * 3/5 and 4 * 2/5.
  Backward(TaintModel::kHaircut, std::vector<int64_t>{3 * kBtc, 2 * kBtc},
           std::vector<int64_t>{4 * kBtc, 90'000'000}, std::vector<Taint>{Whole(4 * kBtc), Taint()},
           &in, &share);
  EXPECT_EQ(in[0].amount, 240'000'000);
  EXPECT_EQ(in[1].amount, 160'000'000);
  // Poison: every input.
  Backward(TaintModel::kPoison, std::vector<int64_t>{3 * kBtc, 2 * kBtc},
           std::vector<int64_t>{4 * kBtc, 90'000'000}, std::vector<Taint>{Whole(1), Taint()}, &in,
           &share);
  EXPECT_EQ(in[0].amount, 3 * kBtc);
  EXPECT_EQ(in[1].amount, 2 * kBtc);
}

TEST(Taint, HaircutAndFifoConserveValueOnRandomTransactions) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 2000; ++round) {
    const int n_in = 1 + rng() % 6, n_out = 1 + rng() % 6;
    std::vector<int64_t> in, out;
    std::vector<Taint> taint;
    int64_t total = 0, tainted = 0;
    for (int i = 0; i < n_in; ++i) {
      in.push_back(1 + rng() % 1'000'000);
      total += in.back();
      if (rng() % 2) {
        taint.push_back(Whole(in.back()));
        tainted += in.back();
      } else {
        taint.push_back(Taint());
      }
    }
    int64_t left = total - static_cast<int64_t>(rng() % (total / 10 + 1));  // fee up to 10%
    for (int j = 0; j < n_out; ++j) {
      const int64_t v = j + 1 == n_out ? left : static_cast<int64_t>(rng() % (left + 1));
      out.push_back(v);
      left -= v;
    }
    for (TaintModel m : {TaintModel::kHaircut, TaintModel::kFifo}) {
      Result r = Fwd(m, in, taint, out);
      int64_t sum = r.fee;
      for (int j = 0; j < n_out; ++j) {
        EXPECT_LE(r.out[j].amount, out[j]);
        EXPECT_GE(r.out[j].amount, 0);
        sum += r.out[j].amount;
      }
      ASSERT_EQ(sum, tainted) << TaintModelName(m) << " round " << round;
      int64_t shared = 0;
      for (const auto& row : r.share)
        for (int64_t x : row) shared += x;
      EXPECT_EQ(shared + r.fee, tainted) << TaintModelName(m);
    }
  }
}

TEST(Taint, ModelNamesParse) {
  EXPECT_THAT(query::ParseTaintModel("fifo"), IsOk());
  EXPECT_THAT(query::ParseTaintModel("FIFO"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(query::TaintModelName(*query::ParseTaintModel("haircut")), "haircut");
}

}  // namespace
}  // namespace ariadne::trace
