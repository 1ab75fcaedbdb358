#include "gen/coinjoin.h"

#include <algorithm>
#include <numeric>

namespace ariadne::gen {
namespace {

constexpr uint32_t Bit(OutKind k) { return 1u << static_cast<int>(k); }
constexpr uint32_t kAnyKind = 0xffffffffu & ~Bit(OutKind::kOpReturn);
constexpr uint32_t kWasabi1Kinds = Bit(OutKind::kP2wpkh);
constexpr uint32_t kWasabi2Kinds = Bit(OutKind::kP2wpkh) | Bit(OutKind::kP2tr);

// Whirlpool's pool fees: 5% of the denomination, 3.5% for the 0.5 BTC pool.
constexpr int64_t kWhirlpoolFees[4] = {5'000, 50'000, 250'000, 1'750'000};

bool Contains(const std::vector<uint32_t>& v, uint32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

CoinJoins::CoinJoins(World* world, Economy* economy) : world_(world), economy_(economy) {
  for (size_t i = 0; i < kWhirlpoolDenominations.size(); ++i) {
    premix_[i] = world_->AddPool(economy_->whirlpool_coordinator());
    postmix_[i] = world_->AddPool(economy_->whirlpool_coordinator());
  }
  // WabiSabi's standard denominations between 5,000 sat and 43,000 BTC.
  constexpr int64_t kMin = 5'000, kMax = 4'300'000'000'000LL;
  for (int64_t v = 1; v <= kMax; v *= 2) {
    if (v >= kMin) wasabi2_denominations_.push_back(v);
  }
  for (int64_t v = 1; v <= kMax; v *= 3) {
    if (v >= kMin) wasabi2_denominations_.push_back(v);
    if (2 * v >= kMin && 2 * v <= kMax) wasabi2_denominations_.push_back(2 * v);
  }
  for (int64_t v = 1; v <= kMax; v *= 10) {
    for (int64_t m : {1, 2, 5}) {
      if (m * v >= kMin && m * v <= kMax) wasabi2_denominations_.push_back(m * v);
    }
  }
  std::sort(wasabi2_denominations_.begin(), wasabi2_denominations_.end(), std::greater<>());
  wasabi2_denominations_.erase(
      std::unique(wasabi2_denominations_.begin(), wasabi2_denominations_.end()),
      wasabi2_denominations_.end());
}

int64_t CoinJoins::TakeCoins(uint32_t who, int64_t need, size_t max_inputs, uint32_t kinds_mask) {
  World& w = *world_;
  Pool& p = w.pool(who);
  const size_t n = p.slots.size();
  if (n == 0 || p.balance < need) return -1;
  scratch_.clear();
  int64_t sum = 0;
  const size_t start = w.rng().Below(n);
  for (size_t k = 0; k < n && sum < need && scratch_.size() < max_inputs; ++k) {
    const uint32_t slot = p.slots[(start + k) % n];
    const Utxo& u = w.utxo(slot);
    if (!(kinds_mask & Bit(u.kind))) continue;
    scratch_.push_back(slot);
    sum += u.value;
  }
  if (sum < need) return -1;
  for (uint32_t slot : scratch_) {
    w.Detach(slot);
    plan_.inputs.push_back(slot);
  }
  return sum;
}

void CoinJoins::Recruit(size_t want, int64_t min_value, size_t max_inputs, uint32_t kinds_mask,
                        std::vector<Seat>* seats) {
  World& w = *world_;
  for (size_t tries = 0; tries < want * 8 && seats->size() < want; ++tries) {
    const uint32_t id = w.RandomFundedIndividual();
    if (id == kNoId) return;
    if (w.pool(id).balance < min_value) continue;
    bool seated = false;
    for (const Seat& s : *seats) seated |= s.entity == id;
    if (seated) continue;
    const size_t first = plan_.inputs.size();
    const int64_t v = TakeCoins(id, min_value, max_inputs, kinds_mask);
    if (v < 0) continue;
    seats->push_back(Seat{id, first, v});
  }
}

Txid CoinJoins::CommitRound(const char* label, std::vector<uint32_t>* created,
                            std::vector<size_t>* order) {
  World& w = *world_;
  Rng& rng = w.rng();
  for (size_t i = plan_.inputs.size(); i > 1; --i) {
    std::swap(plan_.inputs[i - 1], plan_.inputs[rng.Below(i)]);
  }
  order->resize(plan_.outputs.size());
  std::iota(order->begin(), order->end(), size_t{0});
  for (size_t i = order->size(); i > 1; --i) std::swap((*order)[i - 1], (*order)[rng.Below(i)]);
  std::vector<PlannedOutput> shuffled(plan_.outputs.size());
  for (size_t i = 0; i < order->size(); ++i) shuffled[i] = plan_.outputs[(*order)[i]];
  plan_.outputs.swap(shuffled);
  const Txid txid = w.Commit(plan_, created);
  w.labels().push_back(TxLabel{txid, label});
  return txid;
}

bool CoinJoins::Wasabi1() {
  World& w = *world_;
  Rng& rng = w.rng();
  const double rate = std::max(w.NextFeeRate(), 1.0);
  const int64_t d = 10'000'000 - static_cast<int64_t>(rng.Below(300'000));  // ~0.1 BTC
  const size_t want = 30 + rng.Below(71);
  // Coordinator fee: 0.003% of the denomination per member of the anonymity set.
  const int64_t coordinator_fee = d * 3 * static_cast<int64_t>(want) / 100'000;
  const int64_t mining_budget = static_cast<int64_t>(rate * 400);
  plan_.Clear();
  seats_.clear();
  Recruit(want, d + coordinator_fee + mining_budget, 7, kWasabi1Kinds, &seats_);
  if (seats_.size() < 5) {
    w.Abandon(&plan_);
    return false;
  }
  int64_t coordinator_total = 0;
  for (size_t i = 0; i < seats_.size(); ++i) {
    const Seat& s = seats_[i];
    const size_t inputs =
        (i + 1 < seats_.size() ? seats_[i + 1].first_input : plan_.inputs.size()) - s.first_input;
    auto mining_of = [&](int outputs) {
      return static_cast<int64_t>(rate * (68.0 * inputs + 31.0 * outputs + 12.0));
    };
    // A second denomination only when the seat's coins pay for it, its share of the coordinator
    // fee and its mining fee (3d alone is not enough: the round would spend more than it has).
    const bool level2 = s.in_value >= 3 * d && rng.Chance(0.3) &&
                        s.in_value >= 3 * d + coordinator_fee + mining_of(3);
    const int64_t outputs_value = level2 ? 3 * d : d;
    const int64_t mining = mining_of(level2 ? 3 : 2);
    plan_.outputs.push_back(PlannedOutput{d, w.NewAddress(OutKind::kP2wpkh), s.entity, s.entity});
    if (level2) {
      plan_.outputs.push_back(
          PlannedOutput{2 * d, w.NewAddress(OutKind::kP2wpkh), s.entity, s.entity});
    }
    const int64_t change = s.in_value - outputs_value - coordinator_fee - mining;
    // Change below 0.7% of the denomination is not paid out (it goes to the miners).
    if (change >= std::max<int64_t>(kDust, d * 7 / 1000)) {
      plan_.outputs.push_back(
          PlannedOutput{change, w.NewAddress(OutKind::kP2wpkh), s.entity, s.entity});
    }
    coordinator_total += coordinator_fee;
  }
  const uint32_t coordinator = economy_->wasabi_coordinator();
  plan_.outputs.push_back(PlannedOutput{coordinator_total, economy_->HotAddress(coordinator),
                                        coordinator, coordinator});
  std::vector<uint32_t> created;
  std::vector<size_t> order;
  CommitRound("wasabi1_coinjoin", &created, &order);
  return true;
}

bool CoinJoins::Wasabi2(Participant* extra, Txid* txid) {
  World& w = *world_;
  Rng& rng = w.rng();
  const double rate = std::max(w.NextFeeRate(), 1.0);
  const size_t want = 20 + rng.Below(61);
  plan_.Clear();
  seats_.clear();
  if (extra != nullptr) {
    int64_t v = 0;
    for (uint32_t slot : extra->inputs) {
      v += w.utxo(slot).value;
      plan_.inputs.push_back(slot);
    }
    seats_.push_back(Seat{extra->entity, 0, v});
  }
  for (size_t tries = 0; tries < want * 8 && seats_.size() < want; ++tries) {
    const uint32_t id = w.RandomFundedIndividual();
    if (id == kNoId) break;
    const int64_t balance = w.pool(id).balance;
    if (balance < 50'000) continue;
    bool seated = false;
    for (const Seat& s : seats_) seated |= s.entity == id;
    if (seated) continue;
    const size_t first = plan_.inputs.size();
    const int64_t need =
        std::max<int64_t>(30'000, static_cast<int64_t>(balance * (0.3 + 0.6 * rng.Unit())));
    const int64_t v = TakeCoins(id, need, 1 + rng.Below(5), kWasabi2Kinds);
    if (v < 0) continue;
    seats_.push_back(Seat{id, first, v});
  }
  if (seats_.size() < 10 || plan_.inputs.size() < 20) {
    // Give back everyone's coins; an extra participant's return to its own pool.
    w.Abandon(&plan_);
    return false;
  }
  const bool coordinator_fee = w.year() < 2024.45;
  int64_t coordinator_total = 0;
  std::vector<size_t> extra_outputs;
  for (size_t i = 0; i < seats_.size(); ++i) {
    const Seat& s = seats_[i];
    const bool is_extra = extra != nullptr && i == 0;
    const size_t inputs =
        (i + 1 < seats_.size() ? seats_[i + 1].first_input : plan_.inputs.size()) - s.first_input;
    int64_t avail = s.in_value - static_cast<int64_t>(rate * (68.0 * inputs + 31.0 * 5 + 10));
    if (coordinator_fee && s.in_value > 1'000'000) {
      const int64_t fee = s.in_value * 3 / 1000;
      avail -= fee;
      coordinator_total += fee;
    }
    const OutKind kind =
        (w.year() >= 2024.0 && rng.Chance(0.3)) ? OutKind::kP2tr : OutKind::kP2wpkh;
    const uint32_t pool = is_extra ? extra->out_pool : s.entity;
    int outputs = 0;
    for (int64_t denom : wasabi2_denominations_) {
      while (avail >= denom && outputs < 8) {
        if (is_extra) extra_outputs.push_back(plan_.outputs.size());
        plan_.outputs.push_back(PlannedOutput{denom, w.NewAddress(kind), s.entity, pool});
        avail -= denom;
        ++outputs;
      }
      if (outputs >= 8) break;
    }
    if (avail >= 5'000) {  // the non-standard remainder
      if (is_extra) extra_outputs.push_back(plan_.outputs.size());
      plan_.outputs.push_back(PlannedOutput{avail, w.NewAddress(kind), s.entity, pool});
    }
  }
  if (coordinator_total >= kDust) {
    const uint32_t coordinator = economy_->wasabi_coordinator();
    plan_.outputs.push_back(PlannedOutput{coordinator_total, economy_->HotAddress(coordinator),
                                          coordinator, coordinator});
  }
  // WabiSabi orders outputs by value, largest first (ties in registration order).
  std::vector<size_t> order(plan_.outputs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return plan_.outputs[a].value > plan_.outputs[b].value;
  });
  std::vector<PlannedOutput> sorted(order.size());
  for (size_t i = 0; i < order.size(); ++i) sorted[i] = plan_.outputs[order[i]];
  plan_.outputs.swap(sorted);
  for (size_t i = plan_.inputs.size(); i > 1; --i) {
    std::swap(plan_.inputs[i - 1], plan_.inputs[rng.Below(i)]);
  }
  std::vector<uint32_t> created;
  const Txid id = w.Commit(plan_, &created);
  w.labels().push_back(TxLabel{id, "wasabi2_coinjoin"});
  if (txid != nullptr) *txid = id;
  if (extra != nullptr) {
    extra->inputs.clear();
    for (size_t i = 0; i < order.size(); ++i) {
      if (std::find(extra_outputs.begin(), extra_outputs.end(), order[i]) != extra_outputs.end()) {
        extra->out_slots.push_back(created[i]);
        extra->out_addrs.push_back(plan_.outputs[i].addr);
        extra->out_values.push_back(plan_.outputs[i].value);
      }
    }
  }
  return true;
}

bool CoinJoins::WhirlpoolTx0() {
  World& w = *world_;
  Rng& rng = w.rng();
  const double rate = std::max(w.NextFeeRate(), 1.0);
  for (int tries = 0; tries < 10; ++tries) {
    const uint32_t user = w.RandomFundedIndividual();
    if (user == kNoId) return false;
    const int64_t balance = w.pool(user).balance;
    // The largest pool the user can enter with at least one premix output.
    int pool = -1;
    for (int i = 3; i >= 0; --i) {
      if (i == 0 && w.year() < 2021.3) break;  // the 0.001 BTC pool opened in 2021
      if (balance >= kWhirlpoolDenominations[i] * 11 / 10 + kWhirlpoolFees[i]) {
        pool = i;
        break;
      }
    }
    if (pool < 0) continue;
    const int64_t d = kWhirlpoolDenominations[pool];
    // Each premix output carries its share of a 5-input mix's miner fee (510 vB).
    const int64_t alloc = static_cast<int64_t>(rate * 255 * (1 + rng.Unit()));
    const int64_t budget =
        static_cast<int64_t>(static_cast<double>(balance) * (0.5 + 0.45 * rng.Unit()));
    const int64_t k = std::min<int64_t>(70, (budget - kWhirlpoolFees[pool]) / (d + alloc));
    if (k < 1) continue;
    const int64_t need =
        k * (d + alloc) + kWhirlpoolFees[pool] + static_cast<int64_t>(rate * (31.0 * k + 300));
    plan_.Clear();
    if (TakeCoins(user, need, 20, kAnyKind) < 0) continue;
    for (int64_t i = 0; i < k; ++i) {
      plan_.outputs.push_back(
          PlannedOutput{d + alloc, w.NewAddress(OutKind::kP2wpkh), user, premix_[pool]});
    }
    const uint32_t coordinator = economy_->whirlpool_coordinator();
    plan_.outputs.push_back(PlannedOutput{
        kWhirlpoolFees[pool], w.NewAddress(w.entity(coordinator).pref), coordinator, coordinator});
    // The tx0 OP_RETURN carries 46 bytes (the encrypted fee payload).
    PlannedOutput op = w.OpReturnOutput();
    op.addr.id = op.addr.id / 61 * 61 + 26;
    plan_.outputs.push_back(op);
    int64_t in = 0;
    for (uint32_t slot : plan_.inputs) in += w.utxo(slot).value;
    int64_t out = 0;
    for (const PlannedOutput& o : plan_.outputs) out += o.value;
    const int64_t change = in - out - w.EstimateFee(plan_, rate, 1, OutKind::kP2wpkh);
    if (change >= kDust) {  // "doxxic" change, back to the user's deposit wallet
      plan_.outputs.push_back(PlannedOutput{change, w.NewAddress(OutKind::kP2wpkh), user, user});
    } else if (in - out - w.EstimateFee(plan_, rate) < 0) {
      w.Abandon(&plan_);
      continue;
    }
    const Txid txid = w.Commit(plan_);
    w.labels().push_back(TxLabel{txid, "whirlpool_tx0"});
    return true;
  }
  return false;
}

bool CoinJoins::WhirlpoolMix() {
  World& w = *world_;
  Rng& rng = w.rng();
  const size_t start = rng.Below(4);
  int pool = -1;
  for (size_t k = 0; k < 4; ++k) {
    const size_t i = (start + k) % 4;
    if (w.pool(premix_[i]).slots.size() >= 2) {
      pool = static_cast<int>(i);
      break;
    }
  }
  if (pool < 0) return false;
  const int64_t d = kWhirlpoolDenominations[pool];
  // 2 new entrants and 3 remixers from distinct wallets; surge cycles (May 2023) add premixers.
  const size_t premixers = (w.year() >= 2023.37 && rng.Chance(0.3)) ? 2 + rng.Below(4) : 2;
  std::vector<uint32_t> owners;
  plan_.Clear();
  auto draw = [&](uint32_t pool_id, size_t want) {
    Pool& p = w.pool(pool_id);
    for (int tries = 0; tries < 30 && want > 0 && !p.slots.empty(); ++tries) {
      const uint32_t slot = p.slots[rng.Below(p.slots.size())];
      const uint32_t owner = w.utxo(slot).owner;
      if (Contains(owners, owner)) continue;
      owners.push_back(owner);
      w.Detach(slot);
      plan_.inputs.push_back(slot);
      --want;
    }
  };
  draw(premix_[pool], premixers);
  if (plan_.inputs.size() < 2) {
    w.Abandon(&plan_);
    return false;
  }
  draw(postmix_[pool], 3);
  if (plan_.inputs.size() < 5) draw(premix_[pool], 5 - plan_.inputs.size());  // bootstrapping
  if (plan_.inputs.size() < 5) {
    w.Abandon(&plan_);
    return false;
  }
  // Postmix coins stay in the pool to remix for free; some leave for their owner's wallet.
  const double leave = w.pool(postmix_[pool]).slots.size() > 2000 ? 0.5 : 0.25;
  for (uint32_t slot : plan_.inputs) {
    const uint32_t owner = w.utxo(slot).owner;
    plan_.outputs.push_back(PlannedOutput{d, w.NewAddress(OutKind::kP2wpkh), owner,
                                          rng.Chance(leave) ? owner : postmix_[pool]});
  }
  std::vector<uint32_t> created;
  std::vector<size_t> order;
  CommitRound("whirlpool_mix", &created, &order);
  return true;
}

bool CoinJoins::JoinMarket() {
  World& w = *world_;
  Rng& rng = w.rng();
  const std::vector<uint32_t>& makers = economy_->makers();
  if (makers.empty()) return false;
  const double y = w.year();
  // JoinMarket wallets: P2PKH at first, nested segwit from 2018, native segwit from v0.9 (2021).
  const OutKind kind =
      y < 2018.0 ? OutKind::kP2pkh : (y < 2021.5 ? OutKind::kP2shP2wpkh : OutKind::kP2wpkh);
  const double rate = std::max(w.NextFeeRate(), 1.0);
  const uint32_t taker = w.RandomFundedIndividual();
  if (taker == kNoId || w.pool(taker).balance < 300'000) return false;
  const int64_t taker_balance = w.pool(taker).balance;
  const bool sweep = rng.Chance(0.25);
  int64_t amount = std::min<int64_t>(
      taker_balance * 9 / 10,
      economy_->values().PaymentOfStyle(AmountStyle::kArbitrary, 3000, 1.3, y, &rng));
  if (amount < 100'000) return false;
  plan_.Clear();
  plan_.version = 2;
  plan_.locktime = w.LastHeight();
  plan_.sequence = 0xfffffffe;
  const int64_t taker_in =
      TakeCoins(taker, sweep ? taker_balance : amount + amount / 50 + 20'000, 6, kAnyKind);
  if (taker_in < 0) {
    w.Abandon(&plan_);
    return false;
  }
  if (sweep) amount = taker_in;  // provisional: the sweep's amount is fixed once fees are known
  std::vector<uint32_t> seated = {taker};
  const size_t want = 3 + rng.Below(7);
  struct MakerSeat {
    uint32_t maker;
    int64_t in;
    int64_t cjfee;
  };
  std::vector<MakerSeat> seats;
  for (size_t tries = 0; tries < 40 && seats.size() < want; ++tries) {
    const uint32_t m = makers[rng.Below(makers.size())];
    if (Contains(seated, m) || w.pool(m).balance < amount) continue;
    const int64_t v = TakeCoins(m, amount, 3, kAnyKind);
    if (v < 0) continue;
    seated.push_back(m);
    // Makers' offers: a relative fee of 0.002%-0.03% or an absolute one of a few hundred sat.
    const int64_t cjfee = std::max<int64_t>(
        250, static_cast<int64_t>(static_cast<double>(amount) * (0.00002 + 0.00028 * rng.Unit())));
    seats.push_back(MakerSeat{m, v, cjfee});
  }
  if (seats.size() < 2) {
    w.Abandon(&plan_);
    return false;
  }
  int64_t cjfees = 0;
  for (const MakerSeat& m : seats) {
    cjfees += m.cjfee;
    plan_.outputs.push_back(PlannedOutput{0, w.NewAddress(kind), m.maker, m.maker});
    plan_.outputs.push_back(PlannedOutput{0, w.NewAddress(kind), m.maker, m.maker});
  }
  plan_.outputs.push_back(PlannedOutput{0, w.NewAddress(kind), taker, taker});
  const int64_t fee = w.EstimateFee(plan_, rate, sweep ? 0 : 1, kind);
  if (sweep) amount = taker_in - cjfees - fee;
  const int64_t taker_change = sweep ? 0 : taker_in - amount - cjfees - fee;
  if (amount < 100'000 || taker_change < 0) {
    w.Abandon(&plan_);
    return false;
  }
  // Fill in the values; maker change below dust is left to the miners.
  std::vector<PlannedOutput> outputs;
  for (size_t i = 0; i < seats.size(); ++i) {
    PlannedOutput equal = plan_.outputs[2 * i];
    equal.value = amount;
    outputs.push_back(equal);
    PlannedOutput change = plan_.outputs[2 * i + 1];
    change.value = seats[i].in - amount + seats[i].cjfee;
    if (change.value >= kDust) outputs.push_back(change);
  }
  PlannedOutput taker_out = plan_.outputs.back();
  taker_out.value = amount;
  outputs.push_back(taker_out);
  if (taker_change >= kDust) {
    outputs.push_back(PlannedOutput{taker_change, w.NewAddress(kind), taker, taker});
  }
  plan_.outputs.swap(outputs);
  std::vector<uint32_t> created;
  std::vector<size_t> order;
  CommitRound("joinmarket_coinjoin", &created, &order);
  return true;
}

}  // namespace ariadne::gen
