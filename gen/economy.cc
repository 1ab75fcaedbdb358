#include "gen/economy.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "gen/coinjoin.h"

namespace ariadne::gen {
namespace {

template <typename T>
T Clamp(T v, T lo, T hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

enum Action : int {
  kPay,
  kDeposit,
  kShop,
  kBet,
  kGamblingPayout,
  kDarknetBuy,
  kMarketSweep,
  kVendorPayout,
  kUseMixer,
  kConsolidate,
  kSelfTransfer,
  kWithdraw,
  kBatchWithdraw,
  kSweepDeposits,
  kMerchantSettle,
  kPoolPayout,
  kServiceConsolidate,
  kWasabi1,
  kWasabi2,
  kWhirlpoolTx0,
  kWhirlpoolMix,
  kJoinMarket,
  kNumActions,
};

// Shares of transactions by action in `year` (normalised by the caller). The ordinary mix is
// tuned so that input and output counts match mainnet's (1-input-2-output payments most common,
// about a fifth single-output, batches and consolidations in the tail); CoinJoin rates are about
// three times mainnet's so that small chains contain some of each implementation.
std::array<double, kNumActions> ActionWeights(const EraModel& era, double year) {
  std::array<double, kNumActions> w{};
  const double gambling = era.GamblingWeight(year);
  w[kPay] = 0.36;
  w[kDeposit] = 0.085;
  w[kShop] = year >= 2011.0 ? 0.06 : 0.01;
  w[kBet] = gambling;
  w[kGamblingPayout] = 0.75 * gambling;
  w[kDarknetBuy] = year >= 2011.1 ? 0.015 : 0;
  w[kMarketSweep] = year >= 2011.1 ? 0.0025 : 0;
  w[kVendorPayout] = year >= 2011.1 ? 0.004 : 0;
  w[kUseMixer] = EraModel::CustodialMixersActive(year) ? 0.003 : 0;
  w[kConsolidate] = 0.035;
  w[kSelfTransfer] = 0.04;
  w[kWithdraw] = 0.07;
  // Exchanges batched withdrawals from 2017 on (Bitcoin Optech, payment batching).
  w[kBatchWithdraw] = year >= 2017.0 ? 0.014 : 0.003;
  w[kSweepDeposits] = 0.016;
  w[kMerchantSettle] = 0.006;
  w[kPoolPayout] = 0.004;
  w[kServiceConsolidate] = 0.004;
  w[kWasabi1] = EraModel::Wasabi1Active(year) ? 0.0004 : 0;
  w[kWasabi2] = EraModel::Wasabi2Active(year) ? 0.0003 : 0;
  w[kWhirlpoolTx0] = EraModel::WhirlpoolActive(year) ? 0.0008 : 0;
  w[kWhirlpoolMix] = EraModel::WhirlpoolActive(year) ? 0.003 : 0;
  w[kJoinMarket] = EraModel::JoinMarketActive(year) ? 0.0005 : 0;
  return w;
}

// Spends up to `max_inputs` coins of `pool_id` entirely to `dest` (a sweep: one output, no
// change). Returns: false when the coins do not cover the fee.
bool SendAll(World* w, uint32_t pool_id, size_t max_inputs, PlannedOutput dest, double rate,
             TxPlan* plan) {
  Pool& p = w->pool(pool_id);
  const size_t n = std::min(max_inputs, p.slots.size());
  if (n == 0) return false;
  int64_t in = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t slot = p.slots[w->rng().Below(p.slots.size())];
    w->Detach(slot);
    plan->inputs.push_back(slot);
    in += w->utxo(slot).value;
  }
  plan->outputs.push_back(dest);
  const int64_t fee = w->EstimateFee(*plan, rate);
  if (in - fee < kDust) {
    plan->outputs.pop_back();
    w->Abandon(plan);
    return false;
  }
  plan->outputs.back().value = in - fee;
  w->Commit(*plan);
  return true;
}

}  // namespace

Population Population::ForChain(uint64_t txs, uint32_t scenarios, uint32_t individuals) {
  Population p;
  p.individuals = individuals != 0
                      ? individuals
                      : static_cast<uint32_t>(Clamp<uint64_t>(txs / 8, 500, 4'000'000));
  p.exchanges = static_cast<uint32_t>(Clamp<uint64_t>(3 + txs / 1'000'000, 3, 40));
  p.merchants = static_cast<uint32_t>(Clamp<uint64_t>(txs / 20'000, 5, 2000));
  p.pools = static_cast<uint32_t>(Clamp<uint64_t>(4 + txs / 2'000'000, 4, 20));
  p.solo_miners = 30;
  p.gambling = static_cast<uint32_t>(Clamp<uint64_t>(1 + txs / 3'000'000, 1, 10));
  p.markets = static_cast<uint32_t>(Clamp<uint64_t>(1 + txs / 3'000'000, 1, 10));
  p.custodial_mixers = static_cast<uint32_t>(Clamp<uint64_t>(1 + txs / 5'000'000, 1, 5));
  p.perpetrators = scenarios;
  return p;
}

uint32_t Economy::AddService(EntityKind kind, std::string name, uint8_t flags,
                             size_t hot_addresses) {
  World& w = *world_;
  const OutKind pref = w.era().SampleServiceKind(w.year(), &w.rng());
  const uint32_t id = w.AddEntity(kind, std::move(name), pref, WalletProfile::kService, flags);
  Service s;
  s.entity = id;
  for (size_t i = 0; i < hot_addresses; ++i) s.hot.push_back(w.NewAddress(pref));
  s.updated_year = w.year();
  if (service_of_.size() <= id) service_of_.resize(id + 1, kNoId);
  service_of_[id] = static_cast<uint32_t>(services_.size());
  services_.push_back(std::move(s));
  return id;
}

Economy::Economy(World* world, const ValueModel* values, const Population& pop)
    : world_(world), values_(values) {
  World& w = *world_;
  Rng& rng = w.rng();
  genesis_entity_ = w.AddEntity(EntityKind::kMiner, "genesis-satoshi", OutKind::kP2pkUncompressed,
                                WalletProfile::kLegacy, 0);
  for (uint32_t i = 0; i < pop.pools; ++i) {
    pools_.push_back(AddService(EntityKind::kMiner, absl::StrCat("pool-", i + 1), kReusesAddresses,
                                1 + (i % 2)));
  }
  for (uint32_t i = 0; i < pop.solo_miners; ++i) {
    solo_miners_.push_back(
        AddService(EntityKind::kMiner, absl::StrCat("solo-miner-", i + 1), 0, 0));
  }
  for (uint32_t i = 0; i < pop.exchanges; ++i) {
    const uint32_t id = AddService(EntityKind::kExchange, absl::StrCat("exchange-", i + 1),
                                   kSendsChangeLast, 1 + rng.Below(3));
    exchanges_.push_back(id);
    exchange_weights_.push_back(DetExp(-1.1 * DetLog(static_cast<double>(i + 1))));
  }
  for (uint32_t i = 0; i < pop.merchants; ++i) {
    const uint32_t id = AddService(EntityKind::kMerchant, absl::StrCat("merchant-", i + 1), 0, 1);
    w.entity(id).exchange = RandomExchange();
    merchants_.push_back(id);
  }
  for (uint32_t i = 0; i < pop.gambling; ++i) {
    gambling_.push_back(AddService(EntityKind::kGambling, absl::StrCat("gambling-", i + 1),
                                   kReusesAddresses, 2 + rng.Below(7)));
  }
  bets_.resize(gambling_.size());
  for (uint32_t i = 0; i < pop.markets; ++i) {
    const uint32_t id =
        AddService(EntityKind::kDarknetMarket, absl::StrCat("darknet-market-", i + 1), 0, 2);
    markets_.push_back(id);
  }
  for (uint32_t i = 0; i < pop.custodial_mixers; ++i) {
    mixers_.push_back(AddService(EntityKind::kMixer, absl::StrCat("mixer-", i + 1), 0, 1));
  }
  wasabi_coordinator_ = AddService(EntityKind::kMixer, "wasabi-coordinator", kReusesAddresses, 1);
  whirlpool_coordinator_ =
      AddService(EntityKind::kMixer, "whirlpool-coordinator", kReusesAddresses, 1);
  for (uint32_t i = 0; i < pop.perpetrators; ++i) {
    const uint32_t id = w.AddEntity(EntityKind::kIndividual, absl::StrCat("perpetrator-", i + 1),
                                    OutKind::kP2pkh, WalletProfile::kElectrum, kPerpetrator);
    w.entity(id).exchange = RandomExchange();
    perpetrators_.push_back(id);
  }
  service_of_.resize(w.entity_count(), kNoId);

  const uint32_t begin = w.entity_count();
  const uint32_t makers = std::max<uint32_t>(12, pop.individuals / 300);
  const uint32_t vendors = std::max<uint32_t>(6, pop.individuals / 400);
  for (uint32_t i = 0; i < pop.individuals; ++i) {
    uint8_t flags = 0;
    if (i < makers) flags |= kJoinMarketMaker;
    if (i >= makers && i < makers + vendors) flags |= kVendor;
    const uint32_t id = w.AddIndividual(OutKind::kP2pkh, WalletProfile::kLegacy, flags);
    w.entity(id).exchange = RandomExchange();
    if (i < makers) makers_.push_back(id);
    if (i >= makers && i < makers + vendors) vendors_.push_back(id);
  }
  w.SetIndividualRange(begin, w.entity_count());
  // Pools beyond the entities' wallets come after all entities (wallet pool id = entity id).
  for (uint32_t id : exchanges_) service(id).deposits = w.AddPool(id);
  for (uint32_t id : markets_) service(id).deposits = w.AddPool(id);
  members_per_pool_ = Clamp<uint32_t>(pop.individuals / 40, 10, 5000);
}

uint32_t Economy::RandomExchange() { return exchanges_[world_->rng().Weighted(exchange_weights_)]; }

AddrRef Economy::HotAddress(uint32_t entity) {
  return HotAddressOfKind(entity, world_->entity(entity).pref);
}

AddrRef Economy::HotAddressOfKind(uint32_t entity, OutKind kind) {
  Service& s = service(entity);
  if (s.hot.empty()) s.hot.push_back(world_->NewAddress(world_->entity(entity).pref));
  size_t matching = 0;
  for (const AddrRef& a : s.hot) matching += a.kind == kind ? 1 : 0;
  if (matching == 0) return s.hot[world_->rng().Below(s.hot.size())];
  size_t pick = world_->rng().Below(matching);
  for (const AddrRef& a : s.hot) {
    if (a.kind == kind && pick-- == 0) return a;
  }
  return s.hot.back();
}

void Economy::OnBlock() {
  World& w = *world_;
  const std::array<double, kNumActions> weights = ActionWeights(w.era(), w.year());
  weights_.assign(weights.begin(), weights.end());
  for (Service& s : services_) {
    if (w.year() - s.updated_year < 0.5) continue;
    s.updated_year = w.year();
    if (!w.rng().Chance(0.5)) continue;
    Entity& e = w.entity(s.entity);
    const OutKind k = w.era().UpgradeKind(e.pref, w.year() - 1.0, &w.rng());
    if (k == e.pref) continue;
    // The hot wallet gains addresses of the new type; the old ones keep receiving the change of
    // old coins until those are spent (a gradual migration, like exchanges' on mainnet).
    e.pref = k;
    const size_t n = std::max<size_t>(1, s.hot.size() / 2);
    for (size_t i = 0; i < n; ++i) s.hot.push_back(w.NewAddress(k));
    if (s.hot.size() > 12) s.hot.erase(s.hot.begin(), s.hot.begin() + (s.hot.size() - 12));
  }
}

int64_t Economy::Affordable(int64_t amount, int64_t balance) {
  if (amount <= balance * 19 / 20) return amount;
  const int64_t v =
      static_cast<int64_t>(static_cast<double>(balance) * (0.2 + 0.6 * world_->rng().Unit()));
  return std::max<int64_t>(v, 1000);
}

void Economy::MaybeOpReturn(TxPlan* plan) {
  World& w = *world_;
  if (w.rng().Chance(w.op_return_share())) plan->outputs.push_back(w.OpReturnOutput());
}

bool Economy::FundAndCommit(uint32_t payer, uint32_t pool_id, TxPlan* plan, double rate,
                            ChangeTo change_to, bool single_first, size_t max_inputs, Txid* txid,
                            AddrRef* first_input) {
  World& w = *world_;
  const int64_t in =
      w.SelectCoins(pool_id, plan, 0, rate, w.entity(payer).pref, single_first, max_inputs);
  if (in < 0) return false;
  if (first_input != nullptr) *first_input = w.utxo(plan->inputs[0]).ref();
  AddrRef change_addr;
  switch (change_to) {
    case ChangeTo::kWallet:
      change_addr = w.ChangeAddress(payer, *plan);
      break;
    case ChangeTo::kHot:
      change_addr = HotAddressOfKind(payer, w.utxo(plan->inputs[0]).kind);
      break;
    case ChangeTo::kFresh:
      change_addr = w.NewAddress(w.entity(payer).pref);
      break;
  }
  int64_t out = 0;
  for (const PlannedOutput& o : plan->outputs) out += o.value;
  const int64_t change = in - out - w.EstimateFee(*plan, rate, 1, change_addr.kind);
  if (change < kDust) {
    if (in - out - w.EstimateFee(*plan, rate, 0) < 0) {
      w.Abandon(plan);
      return false;
    }
  } else {
    w.AddChange(plan, change, payer, change_addr, payer);
  }
  const Txid id = w.Commit(*plan);
  if (txid != nullptr) *txid = id;
  return true;
}

bool Economy::PayFromWallet(uint32_t payer, const PlannedOutput& dest, Txid* txid,
                            AddrRef* first_input) {
  World& w = *world_;
  plan_.Clear();
  w.ApplyProfile(payer, &plan_);
  plan_.outputs.push_back(dest);
  const bool single_first = w.entity(payer).profile == WalletProfile::kCore;
  return FundAndCommit(payer, payer, &plan_, w.NextFeeRate(), ChangeTo::kWallet, single_first, 30,
                       txid, first_input);
}

bool Economy::Pay() {
  World& w = *world_;
  Rng& rng = w.rng();
  const uint32_t payer = w.RandomFundedIndividual();
  if (payer == kNoId) return false;
  const Pool& wallet = w.pool(payer);
  if (wallet.slots.size() > 40) return Consolidate(payer);
  const double rate = w.NextFeeRate();
  plan_.Clear();
  w.ApplyProfile(payer, &plan_);
  if (rng.Chance(0.04)) {
    // "Send max": the whole (small) wallet to one payee, no change.
    uint32_t payee = w.RandomIndividual();
    if (payee == payer) return false;
    return SendAll(&w, payer, 12, PlannedOutput{0, w.ReceiveAddress(payee), payee, payee}, rate,
                   &plan_);
  }
  // Most payments have one payee; some pay several at once (payroll, splitting a bill).
  const int n = rng.Chance(0.12) ? 2 + static_cast<int>(rng.Geometric(0.35, 12)) : 1;
  int64_t budget = wallet.balance;
  for (int i = 0; i < n; ++i) {
    const uint32_t payee = w.RandomIndividual();
    if (payee == payer) continue;
    const int64_t amount = Affordable(values_->Payment(60, 1.7, w.year(), &rng), budget / n);
    plan_.outputs.push_back(PlannedOutput{amount, w.ReceiveAddress(payee), payee, payee});
  }
  if (plan_.outputs.empty()) return false;
  MaybeOpReturn(&plan_);
  const bool single_first = w.entity(payer).profile == WalletProfile::kCore;
  if (FundAndCommit(payer, payer, &plan_, rate, ChangeTo::kWallet, single_first, 30)) {
    return true;
  }
  return false;
}

bool Economy::Deposit() {
  World& w = *world_;
  Rng& rng = w.rng();
  const uint32_t payer = w.RandomFundedIndividual();
  if (payer == kNoId) return false;
  const uint32_t exchange = w.entity(payer).exchange;
  const PlannedOutput dest{0, w.DepositAddress(payer), exchange, DepositPool(exchange)};
  const double rate = w.NextFeeRate();
  plan_.Clear();
  w.ApplyProfile(payer, &plan_);
  if (rng.Chance(0.3)) return SendAll(&w, payer, 15, dest, rate, &plan_);
  plan_.outputs.push_back(dest);
  plan_.outputs.back().value =
      Affordable(values_->Payment(300, 1.6, w.year(), &rng), w.pool(payer).balance);
  const bool single_first = w.entity(payer).profile == WalletProfile::kCore;
  return FundAndCommit(payer, payer, &plan_, rate, ChangeTo::kWallet, single_first, 30);
}

bool Economy::Shop() {
  World& w = *world_;
  Rng& rng = w.rng();
  const uint32_t payer = w.RandomFundedIndividual();
  if (payer == kNoId || merchants_.empty()) return false;
  const uint32_t merchant = merchants_[rng.Below(merchants_.size())];
  const double rate = w.NextFeeRate();
  plan_.Clear();
  w.ApplyProfile(payer, &plan_);
  // Merchants price in fiat: invoices are round in dollars, not in BTC, on a fresh address.
  const int64_t amount = Affordable(
      values_->PaymentOfStyle(AmountStyle::kFiat, 40, 1.3, w.year(), &rng), w.pool(payer).balance);
  plan_.outputs.push_back(
      PlannedOutput{amount, w.NewAddress(w.entity(merchant).pref), merchant, merchant});
  const bool single_first = w.entity(payer).profile == WalletProfile::kCore;
  return FundAndCommit(payer, payer, &plan_, rate, ChangeTo::kWallet, single_first, 30);
}

bool Economy::Bet() {
  World& w = *world_;
  Rng& rng = w.rng();
  const uint32_t payer = w.RandomFundedIndividual();
  if (payer == kNoId || gambling_.empty()) return false;
  const size_t gi = rng.Below(gambling_.size());
  const uint32_t site = gambling_[gi];
  const double rate = w.NextFeeRate();
  plan_.Clear();
  w.ApplyProfile(payer, &plan_);
  const AmountStyle style = rng.Chance(0.6) ? AmountStyle::kRoundBtc : AmountStyle::kArbitrary;
  const int64_t amount =
      Affordable(values_->PaymentOfStyle(style, 8, 1.5, w.year(), &rng), w.pool(payer).balance);
  plan_.outputs.push_back(PlannedOutput{amount, HotAddress(site), site, site});
  const bool single_first = w.entity(payer).profile == WalletProfile::kCore;
  const int64_t in = w.SelectCoins(payer, &plan_, 0, rate, w.entity(payer).pref, single_first, 20);
  if (in < 0) return false;
  const AddrRef ret = w.utxo(plan_.inputs[0]).ref();  // winnings go back to the betting address
  const AddrRef change = w.ChangeAddress(payer, plan_);
  const int64_t rest = in - amount - w.EstimateFee(plan_, rate, 1, change.kind);
  if (rest >= kDust) {
    w.AddChange(&plan_, rest, payer, change, payer);
  } else if (in - amount - w.EstimateFee(plan_, rate, 0) < 0) {
    w.Abandon(&plan_);
    return false;
  }
  w.Commit(plan_);
  std::vector<PendingBet>& bets = bets_[gi];
  if (bets.size() >= 50'000) bets.erase(bets.begin(), bets.begin() + 25'000);
  bets.push_back({payer, ret, amount});
  return true;
}

bool Economy::GamblingPayout() {
  World& w = *world_;
  Rng& rng = w.rng();
  if (gambling_.empty()) return false;
  const size_t gi = rng.Below(gambling_.size());
  std::vector<PendingBet>& bets = bets_[gi];
  if (bets.empty()) return false;
  const uint32_t site = gambling_[gi];
  const size_t k = std::min<size_t>(
      bets.size(), rng.Chance(0.7) ? 1 : 2 + static_cast<size_t>(rng.Geometric(0.15, 40)));
  plan_.Clear();
  w.ApplyProfile(site, &plan_);
  // SatoshiDice-style: a win pays 1.95x the bet, a loss returns 0.5% of it, both to the address
  // the bet came from.
  for (size_t i = 0; i < k; ++i) {
    const PendingBet& b = bets[i];
    const int64_t v = rng.Chance(0.49) ? b.amount * 195 / 100 : b.amount / 200;
    if (v >= kDust) plan_.outputs.push_back(PlannedOutput{v, b.ret, b.bettor, b.bettor});
  }
  bets.erase(bets.begin(), bets.begin() + static_cast<std::ptrdiff_t>(k));
  if (plan_.outputs.empty()) return false;
  return FundAndCommit(site, site, &plan_, w.NextFeeRate(), ChangeTo::kHot, false, 20);
}

bool Economy::DarknetBuy() {
  World& w = *world_;
  Rng& rng = w.rng();
  const uint32_t payer = w.RandomFundedIndividual();
  if (payer == kNoId || markets_.empty()) return false;
  const uint32_t market = markets_[rng.Below(markets_.size())];
  const double rate = w.NextFeeRate();
  plan_.Clear();
  w.ApplyProfile(payer, &plan_);
  const int64_t amount = Affordable(
      values_->PaymentOfStyle(AmountStyle::kFiat, 150, 1.2, w.year(), &rng), w.pool(payer).balance);
  plan_.outputs.push_back(
      PlannedOutput{amount, w.NewAddress(w.entity(market).pref), market, DepositPool(market)});
  const bool single_first = w.entity(payer).profile == WalletProfile::kCore;
  return FundAndCommit(payer, payer, &plan_, rate, ChangeTo::kWallet, single_first, 30);
}

bool Economy::MarketSweep() {
  World& w = *world_;
  if (markets_.empty()) return false;
  const uint32_t market = markets_[w.rng().Below(markets_.size())];
  const uint32_t deposits = DepositPool(market);
  if (w.pool(deposits).slots.size() < 3) return false;
  plan_.Clear();
  w.ApplyProfile(market, &plan_);
  const size_t n = 3 + w.rng().Geometric(0.05, 150);
  return SendAll(&w, deposits, n, PlannedOutput{0, HotAddress(market), market, market},
                 w.NextFeeRate() * 0.7, &plan_);
}

bool Economy::VendorPayout() {
  World& w = *world_;
  Rng& rng = w.rng();
  if (markets_.empty() || vendors_.empty()) return false;
  const uint32_t market = markets_[rng.Below(markets_.size())];
  const int64_t balance = w.pool(market).balance;
  if (balance < 100'000) return false;
  plan_.Clear();
  w.ApplyProfile(market, &plan_);
  const size_t n = 1 + rng.Geometric(0.15, 40);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t vendor = vendors_[rng.Below(vendors_.size())];
    const int64_t amount =
        Affordable(values_->PaymentOfStyle(AmountStyle::kArbitrary, 500, 1.2, w.year(), &rng),
                   balance / static_cast<int64_t>(2 * n));
    plan_.outputs.push_back(PlannedOutput{amount, w.ReceiveAddress(vendor), vendor, vendor});
  }
  return FundAndCommit(market, market, &plan_, w.NextFeeRate(), ChangeTo::kHot, false, 30);
}

bool Economy::UseMixer(uint64_t tx_index) {
  World& w = *world_;
  Rng& rng = w.rng();
  const uint32_t payer = w.RandomFundedIndividual();
  if (payer == kNoId || mixers_.empty()) return false;
  const uint32_t mixer = mixers_[rng.Below(mixers_.size())];
  const double rate = w.NextFeeRate();
  plan_.Clear();
  w.ApplyProfile(payer, &plan_);
  const int64_t amount =
      Affordable(values_->PaymentOfStyle(AmountStyle::kRoundBtc, 2000, 1.2, w.year(), &rng),
                 w.pool(payer).balance);
  plan_.outputs.push_back(PlannedOutput{amount, w.NewAddress(w.entity(mixer).pref), mixer, mixer});
  const bool single_first = w.entity(payer).profile == WalletProfile::kCore;
  if (!FundAndCommit(payer, payer, &plan_, rate, ChangeTo::kWallet, single_first, 30)) {
    return false;
  }
  // The mixer pays back later from other coins, minus its 1-3% fee.
  const double fee = 0.01 + 0.02 * rng.Unit();
  payouts_.push(MixerPayout{tx_index + 20 + static_cast<uint64_t>(rng.Exponential(300)),
                            payout_seq_++, mixer, payer,
                            static_cast<int64_t>(static_cast<double>(amount) * (1 - fee))});
  return true;
}

bool Economy::RunDue(uint64_t tx_index) {
  World& w = *world_;
  Rng& rng = w.rng();
  while (!payouts_.empty() && payouts_.top().due <= tx_index) {
    const MixerPayout p = payouts_.top();
    payouts_.pop();
    plan_.Clear();
    w.ApplyProfile(p.mixer, &plan_);
    const int parts = 1 + static_cast<int>(rng.Below(3));
    int64_t left = p.amount;
    for (int i = 0; i < parts && left >= kDust; ++i) {
      const int64_t v =
          i + 1 == parts
              ? left
              : static_cast<int64_t>(static_cast<double>(left) * (0.3 + 0.4 * rng.Unit()));
      if (v < kDust) break;
      plan_.outputs.push_back(
          PlannedOutput{v, w.ReceiveAddress(p.customer), p.customer, p.customer});
      left -= v;
    }
    if (plan_.outputs.empty()) continue;
    if (FundAndCommit(p.mixer, p.mixer, &plan_, w.NextFeeRate(), ChangeTo::kFresh, false, 20)) {
      return true;
    }
  }
  return false;
}

bool Economy::Consolidate(uint32_t who) {
  World& w = *world_;
  Rng& rng = w.rng();
  if (who == kNoId) {
    for (int tries = 0; tries < 8 && who == kNoId; ++tries) {
      const uint32_t c = w.RandomFundedIndividual();
      if (c != kNoId && w.pool(c).slots.size() >= 3) who = c;
    }
    if (who == kNoId) return false;
  }
  const size_t have = w.pool(who).slots.size();
  if (have < 2) return false;
  const size_t n = std::min<size_t>(have, std::min<size_t>(3 + rng.Geometric(0.08, 100), 100));
  plan_.Clear();
  w.ApplyProfile(who, &plan_);
  // Consolidations wait for cheap blocks.
  return SendAll(&w, who, n, PlannedOutput{0, w.ChangeAddress(who, plan_), who, who},
                 w.NextFeeRate() * 0.5, &plan_);
}

bool Economy::SelfTransfer() {
  World& w = *world_;
  // Owners of old wallets are the likeliest to move to a new one.
  uint32_t who = kNoId;
  for (int i = 0; i < 4; ++i) {
    const uint32_t c = w.RandomFundedIndividual();
    if (c != kNoId && (who == kNoId || w.entity(c).wallet_year < w.entity(who).wallet_year)) {
      who = c;
    }
  }
  if (who == kNoId) return false;
  // Moving to a new wallet (software, often a newer script type): the old coins are swept to one
  // fresh address of it.
  Entity& e = w.entity(who);
  w.NewWallet(&e, false);
  if (e.reuse.valid()) e.reuse = w.NewAddress(e.pref);
  plan_.Clear();
  w.ApplyProfile(who, &plan_);
  return SendAll(&w, who, 100, PlannedOutput{0, w.NewAddress(e.pref), who, who}, w.NextFeeRate(),
                 &plan_);
}

bool Economy::Withdraw(bool batch) {
  World& w = *world_;
  Rng& rng = w.rng();
  const uint32_t exchange = RandomExchange();
  const int64_t balance = w.pool(exchange).balance;
  if (balance < 100'000) return SweepDeposits();
  plan_.Clear();
  w.ApplyProfile(exchange, &plan_);
  const size_t n = batch ? 5 + rng.Geometric(0.04, 245) : 1;
  // A quarter of batches pay every customer one amount (payouts of a fixed size: the exchanges of
  // bcoin's wallets' chain, tests/wallets, and issue 19's independent chain do this), the shape
  // CoinJoin detectors must not take for a round.
  const bool equal = batch && rng.Chance(0.25);
  int64_t amount = 0;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t customer = w.RandomIndividual();
    if (i == 0 || !equal) {
      const AmountStyle style = rng.Chance(0.45) ? AmountStyle::kRoundBtc : AmountStyle::kArbitrary;
      amount = Affordable(values_->PaymentOfStyle(style, 250, 1.6, w.year(), &rng),
                          balance / static_cast<int64_t>(4 * n));
    }
    plan_.outputs.push_back(PlannedOutput{amount, w.ReceiveAddress(customer), customer, customer});
  }
  if (FundAndCommit(exchange, exchange, &plan_, w.NextFeeRate(), ChangeTo::kHot, false,
                    batch ? 20 : 6)) {
    return true;
  }
  return SweepDeposits();
}

bool Economy::SweepDeposits() {
  World& w = *world_;
  Rng& rng = w.rng();
  // The exchange with the most waiting deposits among a few drawn by size.
  uint32_t exchange = kNoId;
  size_t most = 1;
  for (int i = 0; i < 3; ++i) {
    const uint32_t x = RandomExchange();
    const size_t have = w.pool(DepositPool(x)).slots.size();
    if (have > most) {
      most = have;
      exchange = x;
    }
  }
  if (exchange == kNoId) return false;
  plan_.Clear();
  w.ApplyProfile(exchange, &plan_);
  const size_t n = 2 + rng.Geometric(0.03, 200);
  return SendAll(&w, DepositPool(exchange), n,
                 PlannedOutput{0, HotAddress(exchange), exchange, exchange}, w.NextFeeRate() * 0.7,
                 &plan_);
}

bool Economy::MerchantSettle() {
  World& w = *world_;
  Rng& rng = w.rng();
  if (merchants_.empty()) return false;
  const uint32_t merchant = merchants_[rng.Below(merchants_.size())];
  if (w.pool(merchant).slots.size() < 3) return false;
  plan_.Clear();
  w.ApplyProfile(merchant, &plan_);
  const uint32_t exchange = w.entity(merchant).exchange;
  return SendAll(&w, merchant, 60,
                 PlannedOutput{0, w.DepositAddress(merchant), exchange, DepositPool(exchange)},
                 w.NextFeeRate(), &plan_);
}

bool Economy::PoolPayout() {
  World& w = *world_;
  Rng& rng = w.rng();
  // A mining pool paying its members, or a solo miner selling at an exchange.
  const size_t candidates = pools_.size() + solo_miners_.size();
  const size_t start = rng.Below(candidates);
  for (size_t k = 0; k < candidates; ++k) {
    const size_t i = (start + k) % candidates;
    const bool is_pool = i < pools_.size();
    const uint32_t miner = is_pool ? pools_[i] : solo_miners_[i - pools_.size()];
    const int64_t balance = w.pool(miner).balance;
    if (balance < kCoin / 10) continue;
    plan_.Clear();
    w.ApplyProfile(miner, &plan_);
    if (!is_pool) {
      // A solo miner sells through its own exchange account.
      const uint32_t exchange =
          w.entity(miner).exchange != kNoId ? w.entity(miner).exchange : RandomExchange();
      w.entity(miner).exchange = exchange;
      return SendAll(&w, miner, 5,
                     PlannedOutput{0, w.DepositAddress(miner), exchange, DepositPool(exchange)},
                     w.NextFeeRate(), &plan_);
    }
    const size_t n = std::min<size_t>(members_per_pool_, 5 + rng.Geometric(0.02, 400));
    const double share = static_cast<double>(balance) * (0.3 + 0.5 * rng.Unit()) / n;
    const uint32_t individuals = w.individuals_end() - w.individuals_begin();
    for (size_t j = 0; j < n; ++j) {
      // Members are a fixed, pool-specific subset of individuals, paid again and again.
      const uint64_t member_index = rng.Below(members_per_pool_);
      const uint32_t member =
          w.individuals_begin() +
          static_cast<uint32_t>(Mix64((static_cast<uint64_t>(miner) << 32) | member_index) %
                                individuals);
      const int64_t v = static_cast<int64_t>(share * rng.Exponential(1.0));
      if (v < 10'000) continue;
      plan_.outputs.push_back(PlannedOutput{v, w.ReceiveAddress(member), member, member});
    }
    if (plan_.outputs.empty()) return false;
    return FundAndCommit(miner, miner, &plan_, w.NextFeeRate(), ChangeTo::kHot, false, 50);
  }
  return false;
}

bool Economy::ServiceConsolidate() {
  World& w = *world_;
  Rng& rng = w.rng();
  uint32_t best = kNoId;
  size_t most = 150;
  for (int i = 0; i < 8; ++i) {
    const Service& s = services_[rng.Below(services_.size())];
    const size_t have = w.pool(s.entity).slots.size();
    if (have > most) {
      most = have;
      best = s.entity;
    }
  }
  if (best == kNoId) return false;
  plan_.Clear();
  w.ApplyProfile(best, &plan_);
  const size_t n = 50 + rng.Below(150);
  return SendAll(&w, best, n, PlannedOutput{0, HotAddress(best), best, best}, w.NextFeeRate() * 0.5,
                 &plan_);
}

bool Economy::Step(uint64_t tx_index, CoinJoins* coinjoins) {
  World& w = *world_;
  if (weights_.empty()) OnBlock();
  const int action = static_cast<int>(w.rng().Weighted(weights_));
  bool ok = false;
  switch (action) {
    case kPay:
      ok = Pay();
      break;
    case kDeposit:
      ok = Deposit();
      break;
    case kShop:
      ok = Shop();
      break;
    case kBet:
      ok = Bet();
      break;
    case kGamblingPayout:
      ok = GamblingPayout();
      break;
    case kDarknetBuy:
      ok = DarknetBuy();
      break;
    case kMarketSweep:
      ok = MarketSweep();
      break;
    case kVendorPayout:
      ok = VendorPayout();
      break;
    case kUseMixer:
      ok = UseMixer(tx_index);
      break;
    case kConsolidate:
      ok = Consolidate(kNoId);
      break;
    case kSelfTransfer:
      ok = SelfTransfer();
      break;
    case kWithdraw:
      ok = Withdraw(false);
      break;
    case kBatchWithdraw:
      ok = Withdraw(true);
      break;
    case kSweepDeposits:
      ok = SweepDeposits();
      break;
    case kMerchantSettle:
      ok = MerchantSettle();
      break;
    case kPoolPayout:
      ok = PoolPayout();
      break;
    case kServiceConsolidate:
      ok = ServiceConsolidate();
      break;
    case kWasabi1:
      ok = coinjoins->Wasabi1();
      break;
    case kWasabi2:
      ok = coinjoins->Wasabi2(nullptr);
      break;
    case kWhirlpoolTx0:
      ok = coinjoins->WhirlpoolTx0();
      break;
    case kWhirlpoolMix:
      ok = coinjoins->WhirlpoolMix();
      break;
    case kJoinMarket:
      ok = coinjoins->JoinMarket();
      break;
    default:
      break;
  }
  for (int tries = 0; !ok && tries < 3; ++tries) ok = Pay();
  return ok;
}

void Economy::CoinbaseOutputs(int64_t value, std::vector<PlannedOutput>* out) {
  World& w = *world_;
  Rng& rng = w.rng();
  const double y = w.year();
  const bool solo = y < 2010.9 || (y < 2012.5 && rng.Chance((2012.5 - y) / 1.6));
  if (solo) {
    // Solo miners: a fresh key per block, paid to the key itself until 2012.
    const uint32_t miner = solo_miners_[rng.Zipf(solo_miners_.size(), 0.8)];
    const OutKind kind = y < 2012.2 ? OutKind::kP2pkUncompressed : OutKind::kP2pkh;
    out->push_back(PlannedOutput{value, w.NewAddress(kind), miner, miner});
    return;
  }
  const uint32_t pool = pools_[rng.Zipf(pools_.size(), 1.0)];
  if (y >= 2011.5 && y < 2016.0 && rng.Chance(0.1)) {
    // P2Pool and Eligius paid miners straight from the coinbase.
    const size_t n = 10 + rng.Below(31);
    const uint32_t individuals = w.individuals_end() - w.individuals_begin();
    int64_t left = value;
    for (size_t j = 0; j < n && left >= kDust; ++j) {
      const uint64_t member_index = rng.Below(members_per_pool_);
      const uint32_t member =
          w.individuals_begin() +
          static_cast<uint32_t>(Mix64((static_cast<uint64_t>(pool) << 32) | member_index) %
                                individuals);
      const int64_t v = j + 1 == n ? left : value / static_cast<int64_t>(n);
      out->push_back(PlannedOutput{v, w.ReceiveAddress(member), member, member});
      left -= v;
    }
    if (left > 0) out->back().value += left;
    return;
  }
  out->push_back(PlannedOutput{value, HotAddress(pool), pool, pool});
}

void Economy::PremineOutputs(int64_t total, std::vector<PlannedOutput>* out) {
  World& w = *world_;
  Rng& rng = w.rng();
  const size_t first = out->size();
  auto add = [&](int64_t v, AddrRef a, uint32_t owner) {
    if (v >= kDust) out->push_back(PlannedOutput{v, a, owner, owner});
  };
  const double t = static_cast<double>(total);
  double weight_sum = 0;
  for (double x : exchange_weights_) weight_sum += x;
  for (size_t i = 0; i < exchanges_.size(); ++i) {
    const double share = 0.45 * t * exchange_weights_[i] / weight_sum;
    for (int k = 0; k < 12; ++k) {
      add(static_cast<int64_t>(share / 12), HotAddress(exchanges_[i]), exchanges_[i]);
    }
  }
  auto spread = [&](const std::vector<uint32_t>& ids, double share, int pieces) {
    if (ids.empty()) return;
    const double each = share * t / static_cast<double>(ids.size() * pieces);
    for (uint32_t id : ids) {
      for (int k = 0; k < pieces; ++k) add(static_cast<int64_t>(each), HotAddress(id), id);
    }
  };
  spread(mixers_, 0.06, 8);
  spread(gambling_, 0.04, 8);
  spread(markets_, 0.03, 4);
  spread(merchants_, 0.01, 1);
  spread(pools_, 0.01, 2);
  for (uint32_t m : makers_) {
    add(static_cast<int64_t>(0.06 * t / static_cast<double>(makers_.size())), w.ReceiveAddress(m),
        m);
  }
  // Early adopters: log-normal holdings.
  const uint32_t individuals = w.individuals_end() - w.individuals_begin();
  const size_t n = std::min<size_t>(individuals, 1500);
  std::vector<double> weights(n);
  double sum = 0;
  for (double& x : weights) sum += (x = rng.LogNormal(1.0, 1.2));
  for (size_t i = 0; i < n; ++i) {
    const uint32_t who = w.RandomIndividual();
    add(static_cast<int64_t>(0.35 * t * weights[i] / sum), w.ReceiveAddress(who), who);
  }
  // The remainder of the integer divisions to the largest exchange.
  int64_t given = 0;
  for (size_t i = first; i < out->size(); ++i) given += (*out)[i].value;
  (*out)[first].value += total - given;
}

}  // namespace ariadne::gen
