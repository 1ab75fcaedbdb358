// The virtual calendar: the generated chain's heights are mapped linearly onto a span of Bitcoin's
// history (by default 2009.0 to 2025.0), and every era-dependent behaviour reads its figures here:
// script types of new wallets, fee rates, the BTC price used for fiat-denominated payments, block
// subsidy, header versions, and which CoinJoin implementations exist. The tables and their sources
// are in docs/generator.md.
#ifndef ARIADNE_GEN_ERA_H_
#define ARIADNE_GEN_ERA_H_

#include <cstdint>

#include "gen/keys.h"
#include "gen/random.h"

namespace ariadne::gen {

class EraModel {
 public:
  // Args: begin_year, end_year: the calendar span the chain covers (begin < end);
  //       blocks: the chain's block count (heights 0..blocks-1).
  EraModel(double begin_year, double end_year, uint32_t blocks);

  // Returns: the virtual calendar year of `height` (e.g. 2017.6).
  double YearAt(uint32_t height) const;

  // Returns: an output kind for a wallet created in `year` (script type mix of new wallets).
  OutKind SampleWalletKind(double year, Rng* rng) const;
  // Returns: the kind a service (exchange, market, pool...) uses in `year`: services move to new
  // types later than individuals and keep multisig for their reserves.
  OutKind SampleServiceKind(double year, Rng* rng) const;
  // Returns: the kind a wallet of kind `current` upgrades to in `year`, or `current` when it is
  // already the era's newest kind for it.
  OutKind UpgradeKind(OutKind current, double year, Rng* rng) const;

  // Returns: mainnet's transaction count per year around `year`, in millions: blocks of the
  // generated chain take transactions in proportion to it, so that, as on mainnet, most
  // transactions belong to the later eras.
  double TxDensity(double year) const;
  // Returns: the median fee rate in sat/vB paid in `year`.
  double MedianFeeRate(double year) const;
  // Returns: the share of transactions that pay no fee in `year` (only before 2013).
  double ZeroFeeShare(double year) const;
  // Returns: the BTC price in USD in `year` (monthly-scale interpolation of yearly figures).
  double PriceUsd(double year) const;
  // Returns: the block subsidy in satoshi at `height`: mainnet's schedule (50 BTC halving every
  // 210,000 blocks) evaluated at the mainnet height of the same calendar date.
  int64_t Subsidy(uint32_t height) const;
  // Returns: the header version miners signalled in `year` (1, 2, 3, 4, then BIP9's 0x20000000).
  int32_t BlockVersion(double year) const;
  // Returns: the share of transactions carrying an OP_RETURN output in `year`.
  double OpReturnShare(double year) const;
  // Returns: the share of gambling bets among payments in `year` (SatoshiDice dominated 2012-2013).
  double GamblingWeight(double year) const;
  // Returns: true when the CoinJoin implementation ran in `year`.
  static bool JoinMarketActive(double year) { return year >= 2015.4; }
  static bool Wasabi1Active(double year) { return year >= 2018.8 && year < 2024.45; }
  static bool WhirlpoolActive(double year) { return year >= 2019.4 && year < 2024.3; }
  static bool Wasabi2Active(double year) { return year >= 2022.45; }
  // Returns: true when the custodial-mixer era has begun (Bitcoin Fog, 2011).
  static bool CustodialMixersActive(double year) { return year >= 2011.0; }
  static bool SegwitActive(double year) { return year >= 2017.65; }
  static bool TaprootActive(double year) { return year >= 2021.87; }

 private:
  double begin_;
  double span_per_block_;
};

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_ERA_H_
