// Payment amounts: log-normal in US dollars at the era's BTC price, with the round-number habits
// seen on chain (round BTC amounts, fiat-priced amounts that are round in dollars but not in BTC)
// and change left unrounded.
#ifndef ARIADNE_GEN_VALUES_H_
#define ARIADNE_GEN_VALUES_H_

#include <cstdint>

#include "gen/era.h"
#include "gen/random.h"

namespace ariadne::gen {

// How a payment's amount was chosen.
enum class AmountStyle : uint8_t {
  kRoundBtc = 0,  // "send 0.05 BTC"
  kFiat = 1,      // a price in dollars converted at the day's rate
  kArbitrary = 2,
};

class ValueModel {
 public:
  explicit ValueModel(const EraModel* era) : era_(era) {}

  // Returns: satoshi worth `usd` in `year` (the price is floored at $3 so that the first years'
  // sub-dollar prices do not make every payment thousands of BTC).
  int64_t UsdToSat(double usd, double year) const;
  // Returns: a payment in satoshi of typical size `median_usd` (log-normal, sigma), in a style
  // drawn with the shares 35% round BTC, 30% fiat, 35% arbitrary.
  int64_t Payment(double median_usd, double sigma, double year, Rng* rng) const;
  // Returns: a payment of the given style.
  int64_t PaymentOfStyle(AmountStyle style, double median_usd, double sigma, double year,
                         Rng* rng) const;

  // Returns: `sat` rounded to one or two significant decimal digits in BTC terms (0.05, 0.12,
  // 1.5, ...), never below 1000 sat.
  static int64_t RoundBtc(int64_t sat, Rng* rng);
  // Returns: `usd` rounded to the nearest of 1, 2, 2.5, 5 times a power of ten.
  static double RoundUsd(double usd);
  // Returns: true when `sat` has at most two significant digits as a BTC amount (a "round"
  // amount, as the round-payment heuristic sees it).
  static bool IsRound(int64_t sat);

 private:
  const EraModel* era_;
  // The price of the last year asked for (the era is fixed within a block).
  mutable double cached_year_ = -1;
  mutable double cached_price_ = 0;
};

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_VALUES_H_
