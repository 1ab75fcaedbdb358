#include "gen/era.h"

#include <array>
#include <span>

namespace ariadne::gen {
namespace {

// Wallet kinds in the order of the mix tables: the spendable kinds of OutKind.
constexpr int kMixKinds = 9;

struct MixRow {
  double year;
  // kP2pkUncompressed, kP2pk, kP2pkhUncompressed, kP2pkh, kP2shMultisig, kP2shP2wpkh, kP2wpkh,
  // kP2wshMultisig, kP2tr
  std::array<double, kMixKinds> w;
};

// Script types of new individual wallets by year. Shapes follow: P2PK dominating 2009-2010 and
// uncompressed keys until 2012 (Bitcoin 0.6 made compressed keys the default); 84% P2PKH / 16% P2SH
// of inputs in Aug 2015 - Aug 2017 with ~91% compressed keys (karelbilek.com/btcinputs); segwit
// from Aug 2017 (activation) to ~1/3 of transactions in 2018, ~43% in 2019, ~80% by mid-2021 and
// ~87% in 2022 (transactionfee.info, blockchainanalysis.co.uk/segwit-adoption); taproot from Nov
// 2021, growing with 2023's inscriptions. Rows at activation dates keep new types at zero before.
constexpr MixRow kWalletMix[] = {
    {2009.0, {0.85, 0, 0.15, 0, 0, 0, 0, 0, 0}},
    {2010.0, {0.30, 0, 0.70, 0, 0, 0, 0, 0, 0}},
    {2011.0, {0.05, 0, 0.95, 0, 0, 0, 0, 0, 0}},
    {2012.2, {0.01, 0, 0.79, 0.20, 0, 0, 0, 0, 0}},
    {2013.0, {0, 0, 0.35, 0.60, 0.05, 0, 0, 0, 0}},
    {2015.5, {0, 0, 0.09, 0.75, 0.16, 0, 0, 0, 0}},
    {2017.64, {0, 0, 0.06, 0.76, 0.18, 0, 0, 0, 0}},
    {2018.0, {0, 0, 0.04, 0.62, 0.12, 0.16, 0.05, 0.01, 0}},
    {2019.0, {0, 0, 0.02, 0.48, 0.08, 0.25, 0.15, 0.02, 0}},
    {2020.5, {0, 0, 0.01, 0.35, 0.05, 0.22, 0.34, 0.03, 0}},
    {2021.86, {0, 0, 0.01, 0.20, 0.03, 0.14, 0.58, 0.04, 0}},
    {2022.5, {0, 0, 0.01, 0.16, 0.03, 0.11, 0.62, 0.04, 0.03}},
    {2023.5, {0, 0, 0.01, 0.12, 0.02, 0.08, 0.60, 0.04, 0.13}},
    {2025.0, {0, 0, 0.01, 0.08, 0.02, 0.06, 0.58, 0.04, 0.21}},
};

struct Point {
  double year;
  double value;
};

// Median fee rate (sat/vB) of fee-paying transactions: 0.0005 BTC/kB defaults until 2013, 0.0001
// BTC/kB after, the 2017 congestion, quiet 2018-2019, 2021's bull market, 2023's inscriptions and
// the 2024 halving spike (chainquery.com fee-pressure history; bitlab21.com feerate percentiles).
constexpr Point kFeeRate[] = {
    {2009.0, 50},   {2012.5, 50}, {2013.5, 10}, {2015.0, 20}, {2016.3, 50}, {2017.0, 100},
    {2017.95, 400}, {2018.2, 20}, {2018.8, 8},  {2019.5, 30}, {2020.0, 15}, {2020.9, 50},
    {2021.3, 80},   {2021.6, 5},  {2022.5, 3},  {2023.0, 5},  {2023.4, 40}, {2023.9, 50},
    {2024.3, 60},   {2024.6, 5},  {2025.0, 4},
};

// Share of zero-fee transactions: most early transactions paid nothing; pre-2016 weekly medians
// sit at 0-1 sat/vB (chainquery.com).
constexpr Point kZeroFee[] = {
    {2009.0, 0.95}, {2010.5, 0.70}, {2011.5, 0.40}, {2012.5, 0.20}, {2013.5, 0.03}, {2014.5, 0},
};

// Mainnet transactions per year in millions (christianott.co "Bitcoin Statistics" for 2009-2019:
// 0.03, 0.19, 1.9, 8.4, 19.7, 25.3, 45.7, 82.6, 104.1, 81.4, 119.8; blockchain.com's daily
// transaction chart for the later years), at mid-year, log-linear in between.
constexpr Point kTxPerYear[] = {
    {2009.5, 0.033}, {2010.5, 0.185}, {2011.5, 1.9},   {2012.5, 8.4},
    {2013.5, 19.7},  {2014.5, 25.3},  {2015.5, 45.7},  {2016.5, 82.6},
    {2017.5, 104.1}, {2018.5, 81.4},  {2019.5, 119.8}, {2020.5, 112.0},
    {2021.5, 96.0},  {2022.5, 91.0},  {2023.5, 150.0}, {2024.5, 165.0},
};

// BTC/USD, approximate market prices at those dates (log-linear in between).
constexpr Point kPrice[] = {
    {2009.0, 0.001}, {2010.5, 0.07},   {2011.0, 0.3},   {2011.45, 15},    {2012.0, 5},
    {2013.0, 13},    {2013.9, 900},    {2014.5, 600},   {2015.0, 300},    {2016.0, 430},
    {2017.0, 1000},  {2017.95, 15000}, {2018.5, 7000},  {2019.0, 3700},   {2019.5, 10000},
    {2020.2, 6000},  {2021.0, 30000},  {2021.3, 58000}, {2021.55, 33000}, {2021.85, 62000},
    {2022.5, 20000}, {2023.0, 17000},  {2024.0, 43000}, {2024.2, 68000},  {2025.0, 95000},
};

// OP_RETURN use: relayed from Bitcoin 0.9 (2014); Omni/colored coins; VeriBlock's proofs at ~20%
// of transactions in 2019 (longhash.com); runes in 2024.
constexpr Point kOpReturn[] = {
    {2014.15, 0},    {2014.2, 0.005}, {2015.5, 0.03}, {2018.8, 0.04},
    {2019.2, 0.10},  {2019.9, 0.10},  {2020.5, 0.03}, {2021.5, 0.01},
    {2023.0, 0.015}, {2024.3, 0.08},  {2025.0, 0.03},
};

// Gambling's share of payments: SatoshiDice made up most transactions in 2012-2013.
constexpr Point kGambling[] = {
    {2011.0, 0.01}, {2012.3, 0.35}, {2013.3, 0.25}, {2013.9, 0.05}, {2015.0, 0.03}, {2025.0, 0.02},
};

double Interpolate(std::span<const Point> table, double year) {
  if (year <= table.front().year) return table.front().value;
  if (year >= table.back().year) return table.back().value;
  for (size_t i = 1; i < table.size(); ++i) {
    if (year < table[i].year) {
      const Point& a = table[i - 1];
      const Point& b = table[i];
      const double t = (year - a.year) / (b.year - a.year);
      return a.value + t * (b.value - a.value);
    }
  }
  return table.back().value;
}

double InterpolateLog(std::span<const Point> table, double year) {
  if (year <= table.front().year) return table.front().value;
  if (year >= table.back().year) return table.back().value;
  for (size_t i = 1; i < table.size(); ++i) {
    if (year < table[i].year) {
      const Point& a = table[i - 1];
      const Point& b = table[i];
      const double t = (year - a.year) / (b.year - a.year);
      return DetExp(DetLog(a.value) + t * (DetLog(b.value) - DetLog(a.value)));
    }
  }
  return table.back().value;
}

std::array<double, kMixKinds> MixAt(double year) {
  const auto& first = kWalletMix[0];
  const auto& last = kWalletMix[std::size(kWalletMix) - 1];
  if (year <= first.year) return first.w;
  if (year >= last.year) return last.w;
  for (size_t i = 1; i < std::size(kWalletMix); ++i) {
    if (year < kWalletMix[i].year) {
      const MixRow& a = kWalletMix[i - 1];
      const MixRow& b = kWalletMix[i];
      const double t = (year - a.year) / (b.year - a.year);
      std::array<double, kMixKinds> w;
      for (int k = 0; k < kMixKinds; ++k) w[k] = a.w[k] + t * (b.w[k] - a.w[k]);
      return w;
    }
  }
  return last.w;
}

// Generations, so that upgrades only move forward.
int Generation(OutKind kind) {
  switch (kind) {
    case OutKind::kP2pkUncompressed:
      return 0;
    case OutKind::kP2pk:
      return 1;
    case OutKind::kP2pkhUncompressed:
      return 2;
    case OutKind::kP2pkh:
      return 3;
    case OutKind::kP2shMultisig:
      return 4;
    case OutKind::kP2shP2wpkh:
      return 5;
    case OutKind::kP2wpkh:
    case OutKind::kP2wshMultisig:
      return 6;
    case OutKind::kP2tr:
      return 7;
    case OutKind::kOpReturn:
      break;
  }
  return 0;
}

}  // namespace

EraModel::EraModel(double begin_year, double end_year, uint32_t blocks)
    : begin_(begin_year),
      span_per_block_((end_year - begin_year) / static_cast<double>(blocks > 1 ? blocks - 1 : 1)) {}

double EraModel::YearAt(uint32_t height) const { return begin_ + span_per_block_ * height; }

OutKind EraModel::SampleWalletKind(double year, Rng* rng) const {
  const std::array<double, kMixKinds> w = MixAt(year);
  return static_cast<OutKind>(rng->Weighted(w));
}

OutKind EraModel::SampleServiceKind(double year, Rng* rng) const {
  // Services adopt new script types about a year after wallets (exchanges moved to native segwit
  // late: blockchain.com only in June 2021) and keep P2SH multisig for their reserves.
  OutKind k = SampleWalletKind(year - 1.0, rng);
  if (k == OutKind::kP2pk || k == OutKind::kP2pkUncompressed) k = OutKind::kP2pkhUncompressed;
  return k;
}

OutKind EraModel::UpgradeKind(OutKind current, double year, Rng* rng) const {
  const OutKind k = SampleWalletKind(year, rng);
  return Generation(k) > Generation(current) ? k : current;
}

double EraModel::TxDensity(double year) const { return InterpolateLog(kTxPerYear, year); }

double EraModel::MedianFeeRate(double year) const { return InterpolateLog(kFeeRate, year); }

double EraModel::ZeroFeeShare(double year) const { return Interpolate(kZeroFee, year); }

double EraModel::PriceUsd(double year) const { return InterpolateLog(kPrice, year); }

int64_t EraModel::Subsidy(uint32_t height) const {
  // Mainnet's halvings fell on 2012-11-28, 2016-07-09, 2020-05-11 and 2024-04-20.
  const double year = YearAt(height);
  constexpr int64_t kCoin = 100'000'000;
  if (year < 2012.91) return 50 * kCoin;
  if (year < 2016.52) return 25 * kCoin;
  if (year < 2020.36) return 25 * kCoin / 2;
  if (year < 2024.30) return 25 * kCoin / 4;
  return 25 * kCoin / 8;
}

int32_t EraModel::BlockVersion(double year) const {
  if (year < 2012.2) return 1;
  if (year < 2015.5) return 2;   // BIP34
  if (year < 2015.95) return 3;  // BIP66
  if (year < 2016.5) return 4;   // BIP65
  return 0x20000000;             // BIP9 version bits
}

double EraModel::OpReturnShare(double year) const { return Interpolate(kOpReturn, year); }

double EraModel::GamblingWeight(double year) const { return Interpolate(kGambling, year); }

}  // namespace ariadne::gen
