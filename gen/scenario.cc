#include "gen/scenario.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ariadne::gen {
namespace {

constexpr const char* kKind = "trafficking_proceeds";

template <typename T>
T Clamp(T v, T lo, T hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

}  // namespace

Scenarios::Scenarios(World* world, Economy* economy, CoinJoins* coinjoins, uint32_t count,
                     uint64_t expected_txs)
    : world_(world), economy_(economy), coinjoins_(coinjoins) {
  const std::vector<uint32_t>& perps = economy_->perpetrators();
  count = std::min<uint32_t>(count, static_cast<uint32_t>(perps.size()));
  for (uint32_t i = 0; i < count; ++i) {
    Scenario s;
    s.id = i + 1;
    s.perp = perps[i];
    s.pool = world_->AddPool(s.perp);
    world_->entity(s.perp).flags |= kJoined;
    const double start = 0.08 + 0.72 * static_cast<double>(i) / count;
    s.next_due = static_cast<uint64_t>(static_cast<double>(expected_txs) * start);
    s.victims = static_cast<uint32_t>(Clamp<uint64_t>(expected_txs / (300ULL * count), 8, 150));
    s.peels = Clamp<uint32_t>(s.victims / 4 + 3, 4, 20);
    const uint64_t steps = s.victims + 1 + s.peels + 2 + 3;
    s.gap = std::max<uint64_t>(1, expected_txs * 15 / 100 / steps);
    scenarios_.push_back(std::move(s));
  }
}

std::string Scenarios::Address(const AddrRef& a) const {
  return world_->keys().Address(a, world_->network());
}

void Scenarios::Add(Scenario* s, const char* role, std::string ref, int64_t value) {
  s->rows.push_back(ScenarioRow{s->id, kKind, role, std::move(ref), value});
}

bool Scenarios::AllDone() const {
  for (const Scenario& s : scenarios_) {
    if (s.phase != Phase::kDone) return false;
  }
  return true;
}

uint32_t Scenarios::completed() const {
  uint32_t n = 0;
  for (const Scenario& s : scenarios_) n += s.phase == Phase::kDone ? 1 : 0;
  return n;
}

std::vector<ScenarioRow> Scenarios::Rows() const {
  std::vector<ScenarioRow> rows;
  for (const Scenario& s : scenarios_) rows.insert(rows.end(), s.rows.begin(), s.rows.end());
  return rows;
}

bool Scenarios::RunDue(uint64_t tx_index, bool hurry) {
  for (Scenario& s : scenarios_) {
    if (s.phase == Phase::kDone || (!hurry && s.next_due > tx_index)) continue;
    const bool ok = Step(&s);
    s.next_due = tx_index + (ok ? s.gap : std::max<uint64_t>(s.gap / 4, 1));
    if (ok) return true;
    ++s.attempts;
    // Without enough willing victims, the case goes on with those it has.
    if (s.phase == Phase::kVictims && s.victims_done > 0 && s.attempts > 100) Advance(&s);
  }
  return false;
}

void Scenarios::Advance(Scenario* s) {
  s->attempts = 0;
  World& w = *world_;
  switch (s->phase) {
    case Phase::kVictims:
      s->phase = Phase::kConsolidate;
      return;
    case Phase::kConsolidate:
      s->phase = Phase::kPeel;
      return;
    case Phase::kPeel: {
      const double y = w.year();
      const double r = w.rng().Unit();
      if (EraModel::Wasabi2Active(y) && r < 0.45) {
        s->mixer = Mixer::kCoinJoin;
      } else if (EraModel::CustodialMixersActive(y) && r < 0.85 &&
                 !economy_->custodial_mixers().empty()) {
        s->mixer = Mixer::kCustodial;
      } else {
        s->mixer = Mixer::kNone;
      }
      s->phase = s->mixer == Mixer::kNone ? Phase::kCashout : Phase::kMixIn;
      return;
    }
    case Phase::kMixIn:
      s->phase = s->mixer == Mixer::kCustodial ? Phase::kMixOut : Phase::kCashout;
      return;
    case Phase::kMixOut:
      s->phase = Phase::kCashout;
      return;
    case Phase::kCashout:
      s->phase = Phase::kDone;
      Add(s, "proceeds", "", s->proceeds);
      Add(s, "cashout_total", "", s->cashed_out);
      Add(s, "perpetrator", absl::StrCat(s->perp), 0);
      return;
    case Phase::kDone:
      return;
  }
}

bool Scenarios::Step(Scenario* s) {
  switch (s->phase) {
    case Phase::kVictims:
      return Victim(s);
    case Phase::kConsolidate:
      return Consolidate(s);
    case Phase::kPeel:
      return Peel(s);
    case Phase::kMixIn:
      return MixIn(s);
    case Phase::kMixOut:
      return MixOut(s);
    case Phase::kCashout:
      return Cashout(s);
    case Phase::kDone:
      break;
  }
  return false;
}

bool Scenarios::Victim(Scenario* s) {
  World& w = *world_;
  Rng& rng = w.rng();
  if (s->collectors.empty()) {
    Entity& perp = w.entity(s->perp);
    perp.pref = w.era().SampleWalletKind(w.year(), &rng);
    if (perp.pref == OutKind::kP2pk || perp.pref == OutKind::kP2pkUncompressed) {
      perp.pref = OutKind::kP2pkhUncompressed;
    }
    const size_t k = 1 + rng.Below(3);
    for (size_t i = 0; i < k; ++i) {
      s->collectors.push_back(w.NewAddress(perp.pref));
      Add(s, "seed", Address(s->collectors.back()), 0);
    }
  }
  const uint32_t victim = w.RandomFundedIndividual();
  if (victim == kNoId) return false;
  const int64_t balance = w.pool(victim).balance;
  // Scam payments: fiat sums of a few hundred to a few thousand dollars.
  int64_t amount = economy_->values().PaymentOfStyle(AmountStyle::kFiat, 1500, 0.9, w.year(), &rng);
  if (amount > balance * 9 / 10) {
    amount = static_cast<int64_t>(static_cast<double>(balance) * (0.3 + 0.5 * rng.Unit()));
  }
  if (amount < 10'000) return false;
  const AddrRef collector = s->collectors[s->victims_done % s->collectors.size()];
  Txid txid;
  AddrRef first;
  if (!economy_->PayFromWallet(victim, PlannedOutput{amount, collector, s->perp, s->pool}, &txid,
                               &first)) {
    return false;
  }
  Add(s, "victim", Address(first), amount);
  Add(s, "tx_victim", txid.ToHex(), amount);
  s->proceeds += amount;
  if (++s->victims_done == s->victims) Advance(s);
  return true;
}

bool Scenarios::Consolidate(Scenario* s) {
  World& w = *world_;
  Pool& p = w.pool(s->pool);
  if (p.slots.empty()) {
    Advance(s);
    return false;
  }
  // Report what each collector received, then sweep everything into one address.
  for (const AddrRef& c : s->collectors) {
    int64_t got = 0;
    for (uint32_t slot : p.slots) got += w.utxo(slot).addr == c.id ? w.utxo(slot).value : 0;
    Add(s, "collector", Address(c), got);
  }
  plan_.Clear();
  w.ApplyProfile(s->perp, &plan_);
  int64_t in = 0;
  while (!p.slots.empty() && plan_.inputs.size() < 200) {
    const uint32_t slot = p.slots.back();
    w.Detach(slot);
    plan_.inputs.push_back(slot);
    in += w.utxo(slot).value;
  }
  const AddrRef dest = w.NewAddress(w.entity(s->perp).pref);
  plan_.outputs.push_back(PlannedOutput{0, dest, s->perp, s->pool});
  const int64_t value = in - w.EstimateFee(plan_, w.NextFeeRate());
  plan_.outputs[0].value = value;
  const Txid txid = w.Commit(plan_);
  Add(s, "tx_consolidation", txid.ToHex(), value);
  Add(s, "consolidation", Address(dest), value);
  if (p.slots.size() <= 1) Advance(s);
  return true;
}

PlannedOutput Scenarios::CashoutDestination(Scenario* s) {
  World& w = *world_;
  if (s->cashout_owners.empty()) {
    s->cashout_owners.push_back(s->perp);
    const size_t mules = 1 + w.rng().Below(3);
    for (size_t i = 0; i < mules; ++i) s->cashout_owners.push_back(w.RandomIndividual());
  }
  const uint32_t owner = s->cashout_owners[w.rng().Below(s->cashout_owners.size())];
  const uint32_t exchange = w.entity(owner).exchange;
  return PlannedOutput{0, w.DepositAddress(owner), exchange, economy_->DepositPool(exchange)};
}

bool Scenarios::Peel(Scenario* s) {
  World& w = *world_;
  Rng& rng = w.rng();
  Pool& p = w.pool(s->pool);
  if (p.slots.empty()) {
    Advance(s);
    return false;
  }
  const uint32_t slot = p.slots[0];
  const int64_t value = w.utxo(slot).value;
  // Peels just under reporting thresholds: round dollar sums, at most a third of what is left.
  int64_t peel = economy_->values().PaymentOfStyle(AmountStyle::kFiat, 5000, 0.4, w.year(), &rng);
  peel = std::min<int64_t>(peel, value / 3);
  if (peel < 20'000) {
    Advance(s);  // too little left to peel: move on with the remainder
    return false;
  }
  plan_.Clear();
  w.ApplyProfile(s->perp, &plan_);
  w.Detach(slot);
  plan_.inputs.push_back(slot);
  PlannedOutput cash = CashoutDestination(s);
  cash.value = peel;
  const AddrRef next = w.NewAddress(w.entity(s->perp).pref);
  const double rate = w.NextFeeRate();
  plan_.outputs.push_back(cash);
  plan_.outputs.push_back(PlannedOutput{0, next, s->perp, s->pool});
  const int64_t rest = value - peel - w.EstimateFee(plan_, rate);
  plan_.outputs[1].value = rest;
  if (rng.Chance(0.5)) std::swap(plan_.outputs[0], plan_.outputs[1]);
  const Txid txid = w.Commit(plan_);
  Add(s, "tx_peel", txid.ToHex(), peel);
  Add(s, "peel", Address(next), rest);
  Add(s, "cashout", Address(cash.addr), peel);
  s->cashed_out += peel;
  if (++s->peels_done == s->peels) Advance(s);
  return true;
}

bool Scenarios::MixIn(Scenario* s) {
  World& w = *world_;
  Rng& rng = w.rng();
  Pool& p = w.pool(s->pool);
  if (p.slots.empty()) {
    s->phase = Phase::kCashout;
    return false;
  }
  if (s->mixer == Mixer::kCoinJoin) {
    Participant part;
    part.entity = s->perp;
    part.out_pool = s->pool;
    while (!p.slots.empty()) {
      const uint32_t slot = p.slots.back();
      w.Detach(slot);
      part.inputs.push_back(slot);
    }
    Txid txid;
    if (!coinjoins_->Wasabi2(&part, &txid)) {
      // The coins went back to the scenario's pool; after many failed rounds use a custodial
      // mixer instead.
      if (++s->attempts > 20 && !economy_->custodial_mixers().empty()) s->mixer = Mixer::kCustodial;
      return false;
    }
    int64_t total = 0;
    for (int64_t v : part.out_values) total += v;
    Add(s, "tx_mixer_in", txid.ToHex(), total);
    for (size_t i = 0; i < part.out_addrs.size(); ++i) {
      Add(s, "mixer", Address(part.out_addrs[i]), part.out_values[i]);
    }
    Advance(s);
    return true;
  }
  // A custodial mixer: everything to a fresh deposit address of the mixer.
  const std::vector<uint32_t>& mixers = economy_->custodial_mixers();
  s->mixer_entity = mixers[rng.Below(mixers.size())];
  plan_.Clear();
  w.ApplyProfile(s->perp, &plan_);
  int64_t in = 0;
  while (!p.slots.empty()) {
    const uint32_t slot = p.slots.back();
    w.Detach(slot);
    plan_.inputs.push_back(slot);
    in += w.utxo(slot).value;
  }
  const AddrRef deposit = w.NewAddress(w.entity(s->mixer_entity).pref);
  plan_.outputs.push_back(PlannedOutput{0, deposit, s->mixer_entity, s->mixer_entity});
  const int64_t value = in - w.EstimateFee(plan_, w.NextFeeRate());
  plan_.outputs[0].value = value;
  const Txid txid = w.Commit(plan_);
  Add(s, "tx_mixer_in", txid.ToHex(), value);
  Add(s, "mixer", Address(deposit), value);
  s->mixer_amount = value;
  Advance(s);
  return true;
}

bool Scenarios::MixOut(Scenario* s) {
  World& w = *world_;
  Rng& rng = w.rng();
  // The mixer pays back 97-99% from its own coins, in two or three parts.
  const int64_t total =
      static_cast<int64_t>(static_cast<double>(s->mixer_amount) * (0.97 + 0.02 * rng.Unit()));
  plan_.Clear();
  w.ApplyProfile(s->mixer_entity, &plan_);
  const int parts = 2 + static_cast<int>(rng.Below(2));
  int64_t left = total;
  for (int i = 0; i < parts; ++i) {
    const int64_t v =
        i + 1 == parts
            ? left
            : static_cast<int64_t>(static_cast<double>(total) * (0.2 + 0.2 * rng.Unit()));
    plan_.outputs.push_back(
        PlannedOutput{v, w.NewAddress(w.entity(s->perp).pref), s->perp, s->pool});
    left -= v;
  }
  const double rate = w.NextFeeRate();
  const AddrRef change = w.NewAddress(w.entity(s->mixer_entity).pref);
  const int64_t in = w.SelectCoins(s->mixer_entity, &plan_, 0, rate, change.kind, false, 50);
  if (in < 0) return false;
  const int64_t rest = in - total - w.EstimateFee(plan_, rate, 1, change.kind);
  if (rest >= kDust) {
    w.AddChange(&plan_, rest, s->mixer_entity, change, s->mixer_entity);
  } else if (in - total - w.EstimateFee(plan_, rate) < 0) {
    w.Abandon(&plan_);
    return false;
  }
  const Txid txid = w.Commit(plan_);
  Add(s, "tx_mixer_out", txid.ToHex(), total);
  for (const PlannedOutput& o : plan_.outputs) {
    if (o.owner == s->perp) Add(s, "mixer_out", Address(o.addr), o.value);
  }
  Advance(s);
  return true;
}

bool Scenarios::Cashout(Scenario* s) {
  World& w = *world_;
  Rng& rng = w.rng();
  Pool& p = w.pool(s->pool);
  if (p.slots.empty()) {
    Advance(s);
    return false;
  }
  // One to three cash-out transactions, each sweeping some of the coins to a deposit address.
  const size_t take = p.slots.size() <= 2 ? p.slots.size() : 1 + rng.Below(p.slots.size());
  plan_.Clear();
  w.ApplyProfile(s->perp, &plan_);
  int64_t in = 0;
  for (size_t i = 0; i < take; ++i) {
    const uint32_t slot = p.slots.back();
    w.Detach(slot);
    plan_.inputs.push_back(slot);
    in += w.utxo(slot).value;
  }
  PlannedOutput dest = CashoutDestination(s);
  plan_.outputs.push_back(dest);
  const int64_t value = in - w.EstimateFee(plan_, w.NextFeeRate());
  if (value < kDust) {
    w.Abandon(&plan_);
    Advance(s);
    return false;
  }
  plan_.outputs[0].value = value;
  const Txid txid = w.Commit(plan_);
  Add(s, "tx_cashout", txid.ToHex(), value);
  Add(s, "cashout", Address(dest.addr), value);
  s->cashed_out += value;
  if (p.slots.empty()) Advance(s);
  return true;
}

}  // namespace ariadne::gen
