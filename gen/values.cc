#include "gen/values.h"

namespace ariadne::gen {

int64_t ValueModel::UsdToSat(double usd, double year) const {
  if (year != cached_year_) {
    cached_year_ = year;
    cached_price_ = era_->PriceUsd(year);
    if (cached_price_ < 3.0) cached_price_ = 3.0;
  }
  const double price = cached_price_;
  const double sat = usd / price * 1e8;
  if (sat < 1000) return 1000;
  if (sat > 2e15) return 2'000'000'000'000'000LL;
  return static_cast<int64_t>(sat);
}

int64_t ValueModel::Payment(double median_usd, double sigma, double year, Rng* rng) const {
  const double r = rng->Unit();
  const AmountStyle style =
      r < 0.35 ? AmountStyle::kRoundBtc : (r < 0.65 ? AmountStyle::kFiat : AmountStyle::kArbitrary);
  return PaymentOfStyle(style, median_usd, sigma, year, rng);
}

int64_t ValueModel::PaymentOfStyle(AmountStyle style, double median_usd, double sigma, double year,
                                   Rng* rng) const {
  const double usd = rng->LogNormal(median_usd, sigma);
  switch (style) {
    case AmountStyle::kRoundBtc:
      return RoundBtc(UsdToSat(usd, year), rng);
    case AmountStyle::kFiat:
      return UsdToSat(RoundUsd(usd), year);
    case AmountStyle::kArbitrary:
      break;
  }
  return UsdToSat(usd, year);
}

int64_t ValueModel::RoundBtc(int64_t sat, Rng* rng) {
  if (sat < 1000) return 1000;
  int64_t p = 1;
  while (p <= sat / 10) p *= 10;  // largest power of ten <= sat
  const int64_t q = (rng->Chance(0.6) || p < 10) ? p : p / 10;
  const int64_t v = (sat + q / 2) / q * q;
  return v < 1000 ? 1000 : v;
}

double ValueModel::RoundUsd(double usd) {
  if (usd < 1) return 1;
  double p = 1;
  while (p * 10 <= usd) p *= 10;
  static constexpr double kSteps[] = {1, 2, 2.5, 5, 10};
  double best = p;
  double best_diff = usd - p;
  for (double step : kSteps) {
    const double v = step * p;
    const double diff = v > usd ? v - usd : usd - v;
    if (diff < best_diff) {
      best = v;
      best_diff = diff;
    }
  }
  return best;
}

bool ValueModel::IsRound(int64_t sat) {
  if (sat <= 0) return false;
  int64_t p = 1;
  while (p <= sat / 10) p *= 10;
  const int64_t q = p >= 10 ? p / 10 : 1;
  return sat % q == 0 && p >= 1000;
}

}  // namespace ariadne::gen
