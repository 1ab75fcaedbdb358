#include "gen/world.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "engine/core/byte_writer.h"
#include "engine/core/hash.h"
#include "gen/values.h"

namespace ariadne::gen {
namespace {

inline uint32_t CompactSizeLength(uint64_t n) { return n < 0xfd ? 1 : (n <= 0xffff ? 3 : 5); }

// Serialised size of an output, OP_RETURN by its actual data length.
inline uint32_t ExactOutputSize(const AddrRef& ref) {
  if (ref.kind != OutKind::kOpReturn) return OutputSize(ref.kind);
  const uint32_t n = 20 + ref.id % 61;
  return 8 + 1 + 1 + (n > 75 ? 1 : 0) + n;
}

// Per year of a wallet's age, the probability that its owner has replaced it when next making
// change, capped at kUpgradeChanceMax: most owners move to a new wallet by sweeping the old one
// (Economy's self-transfers); paying with change to the new wallet's script type is the rarer
// path, and the one that misleads the address-type change heuristic.
constexpr double kUpgradeChancePerYear = 0.004;
constexpr double kUpgradeChanceMax = 0.02;

}  // namespace

World::World(uint64_t seed, Network network, const EraModel* era, TruthWriter* truth)
    : rng_(Mix64(seed ^ 0x776f726c64ULL)),
      keys_(seed),
      era_(era),
      truth_(truth),
      network_(network) {
  body_.Clear();
  body_.bytes.reserve(4 << 20);
  script_buf_.resize(kMaxOutputScript);
  key_cache_.resize(4096);
}

const AddressKey& World::KeyOf(const AddrRef& ref) {
  CachedKey& c = key_cache_[ref.id & (key_cache_.size() - 1)];
  if (c.id != ref.id || c.kind != ref.kind) {
    c.id = ref.id;
    c.kind = ref.kind;
    c.key = keys_.Key(ref);
  }
  return c.key;
}

uint32_t World::AddEntity(EntityKind kind, std::string name, OutKind pref, WalletProfile profile,
                          uint8_t flags) {
  const uint32_t id = static_cast<uint32_t>(entities_.size());
  CheckPoolsFollowEntities();
  Entity e;
  e.kind = kind;
  e.pref = pref;
  e.profile = profile;
  e.flags = flags;
  entities_.push_back(e);
  names_.resize(id);
  names_.push_back(std::move(name));
  pools_.emplace_back();
  pools_.back().owner = id;
  funded_pos_.push_back(kNoId);
  return id;
}

uint32_t World::AddIndividual(OutKind pref, WalletProfile profile, uint8_t flags) {
  const uint32_t id = static_cast<uint32_t>(entities_.size());
  CheckPoolsFollowEntities();
  Entity e;
  e.kind = EntityKind::kIndividual;
  e.pref = pref;
  e.profile = profile;
  e.flags = flags;
  entities_.push_back(e);
  pools_.emplace_back();
  pools_.back().owner = id;
  funded_pos_.push_back(kNoId);
  return id;
}

void World::CheckPoolsFollowEntities() const {
  if (pools_.size() != entities_.size()) {
    std::fprintf(stderr,
                 "gen: entity added after a shared pool (wallet pool ids must equal "
                 "entity ids)\n");
    std::abort();
  }
}

std::string_view WalletProfileName(WalletProfile profile) {
  switch (profile) {
    case WalletProfile::kLegacy:
      return "legacy";
    case WalletProfile::kCore:
      return "core";
    case WalletProfile::kElectrum:
      return "electrum";
    case WalletProfile::kService:
      return "service";
    case WalletProfile::kBcoin:
      return "bcoin";
  }
  return "unknown";
}

void World::AppendProfilesCsv(std::string* out) const {
  out->append("entity_id,profile\n");
  for (uint32_t id = 0; id < entities_.size(); ++id) {
    const std::string_view name = WalletProfileName(entities_[id].profile);
    absl::StrAppend(out, id, ",", absl::string_view(name.data(), name.size()), "\n");
  }
}

void World::AppendEntitiesCsv(std::string* out) const {
  out->append("entity_id,kind,name\n");
  for (uint32_t id = 0; id < entities_.size(); ++id) {
    const std::string_view kind = EntityKindName(entities_[id].kind);
    absl::StrAppend(out, id, ",", absl::string_view(kind.data(), kind.size()), ",");
    if (id < names_.size() && !names_[id].empty()) {
      absl::StrAppend(out, names_[id], "\n");
    } else {
      absl::StrAppend(out, "individual-", id, "\n");
    }
  }
}

std::vector<uint64_t> World::CountByKind() const {
  std::vector<uint64_t> counts(kNumEntityKinds, 0);
  for (const Entity& e : entities_) ++counts[static_cast<int>(e.kind)];
  return counts;
}

uint32_t World::AddPool(uint32_t owner) {
  pools_.emplace_back();
  pools_.back().owner = owner;
  return static_cast<uint32_t>(pools_.size() - 1);
}

void World::NoteFunded(uint32_t pool_id, bool now_empty) {
  if (pool_id < individuals_begin_ || pool_id >= individuals_end_) return;
  uint32_t& pos = funded_pos_[pool_id];
  if (!now_empty && pos == kNoId) {
    pos = static_cast<uint32_t>(funded_.size());
    funded_.push_back(pool_id);
  } else if (now_empty && pos != kNoId) {
    const uint32_t last = funded_.back();
    funded_[pos] = last;
    funded_pos_[last] = pos;
    funded_.pop_back();
    pos = kNoId;
  }
}

void World::Detach(uint32_t slot) {
  Utxo& u = utxos_[slot];
  if (!u.attached) return;
  Pool& p = pools_[u.pool];
  const uint32_t last = p.slots.back();
  p.slots[u.pos] = last;
  utxos_[last].pos = u.pos;
  p.slots.pop_back();
  p.balance -= u.value;
  u.attached = false;
  if (p.slots.empty()) NoteFunded(u.pool, true);
}

void World::Attach(uint32_t slot, uint32_t pool_id) {
  Utxo& u = utxos_[slot];
  if (u.attached) Detach(slot);
  Pool& p = pools_[pool_id];
  u.pool = pool_id;
  u.pos = static_cast<uint32_t>(p.slots.size());
  u.attached = true;
  p.slots.push_back(slot);
  p.balance += u.value;
  if (p.slots.size() == 1) NoteFunded(pool_id, false);
}

void World::Abandon(TxPlan* plan) {
  for (uint32_t slot : plan->inputs) Attach(slot, utxos_[slot].pool);
  plan->inputs.clear();
}

void World::Join(uint32_t id) {
  Entity& e = entities_[id];
  if (e.kind != EntityKind::kIndividual || (e.flags & kJoined)) return;
  e.flags |= kJoined;
  NewWallet(&e, true);
  // Address reuse: about a quarter of wallets receive on (and send change to) one address
  // (BitMEX Research: ~50% of outputs to previously used addresses, services included).
  if (rng_.Chance(year_ < 2014 ? 0.35 : 0.22)) e.flags |= kReusesAddresses;
}

void World::NewWallet(Entity* e, bool first) {
  e->wallet_year = static_cast<float>(year_);
  // A new wallet never goes back to an older script type than the one it replaces.
  e->pref = first ? era_->SampleWalletKind(year_, &rng_) : era_->UpgradeKind(e->pref, year_, &rng_);
  // Wallet software by era: web and early desktop wallets (v1, locktime 0) until Bitcoin Core's
  // anti-fee-sniping (0.11, 2015) and Electrum's; mobile and web wallets keep the legacy shape.
  const double r = rng_.Unit();
  if (year_ < 2015.5) {
    e->profile = r < 0.85 ? WalletProfile::kLegacy : WalletProfile::kElectrum;
  } else {
    e->profile = r < 0.35 ? WalletProfile::kLegacy
                          : (r < 0.65 ? WalletProfile::kCore : WalletProfile::kElectrum);
    // bcoin (1.0 in 2017, segwit; no taproot): a few wallets of the types it has, drawn from the
    // same number.
    const bool bcoin_type = e->pref == OutKind::kP2pkh || e->pref == OutKind::kP2shP2wpkh ||
                            e->pref == OutKind::kP2wpkh;
    // Only a first wallet: an entity whose truth says bcoin made all its transactions with it.
    if (first && year_ >= 2017.5 && r >= 0.95 && bcoin_type) e->profile = WalletProfile::kBcoin;
  }
  e->flags &= static_cast<uint8_t>(~kSendsChangeLast);
  if (e->profile == WalletProfile::kLegacy && rng_.Chance(0.5)) e->flags |= kSendsChangeLast;
}

AddrRef World::ReceiveAddress(uint32_t id) {
  Join(id);
  Entity& e = entities_[id];
  if (e.flags & kReusesAddresses) {
    if (!e.reuse.valid()) e.reuse = NewAddress(e.pref);
    return e.reuse;
  }
  return NewAddress(e.pref);
}

AddrRef World::ChangeAddress(uint32_t id, const TxPlan& plan) {
  Entity& e = entities_[id];
  // Wallets age: the older the wallet, the likelier its owner has moved to new software (and its
  // script type) by now; change then goes to the new wallet's type.
  if (e.kind == EntityKind::kIndividual && (e.flags & kJoined) &&
      rng_.Chance(std::min(kUpgradeChanceMax, (year_ - e.wallet_year) * kUpgradeChancePerYear))) {
    const OutKind before = e.pref;
    NewWallet(&e, false);
    if (e.pref != before && e.reuse.valid()) e.reuse = NewAddress(e.pref);
  }
  // bcoin derives a change address on every payment, also for owners who reuse their receiving one.
  if ((e.flags & kReusesAddresses) && e.profile != WalletProfile::kBcoin) return ReceiveAddress(id);
  OutKind kind = e.pref;
  auto single_sig = [](OutKind k) {
    return k == OutKind::kP2pkh || k == OutKind::kP2pkhUncompressed || k == OutKind::kP2shP2wpkh ||
           k == OutKind::kP2wpkh || k == OutKind::kP2tr;
  };
  if (e.profile == WalletProfile::kBcoin) {
    // A segwit account's change is native P2WPKH whatever address type it handed out.
    if (kind == OutKind::kP2shP2wpkh || kind == OutKind::kP2wpkh || kind == OutKind::kP2tr) {
      kind = OutKind::kP2wpkh;
    }
  } else if (e.profile == WalletProfile::kElectrum && !plan.inputs.empty()) {
    const OutKind first = utxos_[plan.inputs[0]].kind;
    bool same = single_sig(first);
    for (uint32_t slot : plan.inputs) same &= utxos_[slot].kind == first;
    if (same) kind = first;
  } else if (e.profile == WalletProfile::kCore && year_ >= 2018.1) {
    for (const PlannedOutput& o : plan.outputs) {
      if (o.addr.kind == OutKind::kP2tr && year_ >= 2022.3) {
        kind = OutKind::kP2tr;
        break;
      }
      if (o.addr.kind == OutKind::kP2wpkh || o.addr.kind == OutKind::kP2wshMultisig ||
          o.addr.kind == OutKind::kP2tr) {
        kind = OutKind::kP2wpkh;
      }
    }
  }
  return NewAddress(kind);
}

AddrRef World::DepositAddress(uint32_t customer) {
  Entity& e = entities_[customer];
  if (!e.deposit.valid()) e.deposit = NewAddress(entities_[e.exchange].pref);
  return e.deposit;
}

double World::NextFeeRate() {
  if (zero_fee_share_ > 0 && rng_.Chance(zero_fee_share_)) return 0;
  double rate = block_fee_rate_ * rng_.LogNormal(1.0, 0.5);
  if (year_ >= 2013.5 && rate < 1.0) rate = 1.0;
  return rate;
}

int64_t World::EstimateFee(const TxPlan& plan, double rate, int extra_outputs,
                           OutKind extra_kind) const {
  if (rate <= 0) return 0;
  const size_t n_out = plan.outputs.size() + static_cast<size_t>(extra_outputs);
  uint64_t base = 8 + CompactSizeLength(plan.inputs.size()) + CompactSizeLength(n_out);
  uint64_t witness = 0;
  bool segwit = false;
  for (uint32_t slot : plan.inputs) {
    const SpendSize s = EstimatedSpendSize(utxos_[slot].kind);
    base += s.base;
    if (s.witness > 0) {
      segwit = true;
      witness += s.witness;
    } else {
      witness += 1;
    }
  }
  for (const PlannedOutput& o : plan.outputs) base += ExactOutputSize(o.addr);
  base += static_cast<uint64_t>(extra_outputs) * OutputSize(extra_kind);
  const uint64_t total = base + (segwit ? 2 + witness : 0);
  const uint64_t vsize = (3 * base + total + 3) / 4;
  return static_cast<int64_t>(rate * static_cast<double>(vsize) + 0.999);
}

int64_t World::SelectCoins(uint32_t pool_id, TxPlan* plan, int64_t extra, double rate,
                           OutKind change_kind, bool single_first, size_t max_inputs) {
  Pool& p = pools_[pool_id];
  int64_t out_sum = extra;
  for (const PlannedOutput& o : plan->outputs) out_sum += o.value;
  int64_t in_sum = 0;
  for (uint32_t slot : plan->inputs) in_sum += utxos_[slot].value;
  const size_t first_new = plan->inputs.size();
  if (p.balance + in_sum < out_sum) return -1;

  // Fee per additional input at this rate, by kind (the estimate's marginal cost).
  auto input_fee = [rate](OutKind k) {
    const SpendSize s = EstimatedSpendSize(k);
    return static_cast<int64_t>(rate * (s.base + (s.witness + 3) / 4.0) + 0.999);
  };
  const int64_t fee_now = EstimateFee(*plan, rate, 1, change_kind);

  if (single_first && p.slots.size() <= 512) {
    // The smallest coin that covers everything alone: no input the payment does not need.
    uint32_t best = kNoId;
    int64_t best_value = 0;
    for (uint32_t slot : p.slots) {
      const Utxo& u = utxos_[slot];
      if (in_sum + u.value >= out_sum + fee_now + input_fee(u.kind) &&
          (best == kNoId || u.value < best_value)) {
        best = slot;
        best_value = u.value;
      }
    }
    if (best != kNoId) {
      Detach(best);
      plan->inputs.push_back(best);
      return in_sum + best_value;
    }
  }
  int64_t fee = fee_now;
  while (in_sum < out_sum + fee) {
    if (p.slots.empty() || plan->inputs.size() >= max_inputs) {
      for (size_t i = first_new; i < plan->inputs.size(); ++i) {
        Attach(plan->inputs[i], pool_id);
      }
      plan->inputs.resize(first_new);
      return -1;
    }
    const uint32_t slot = p.slots[rng_.Below(p.slots.size())];
    Detach(slot);
    plan->inputs.push_back(slot);
    in_sum += utxos_[slot].value;
    fee += input_fee(utxos_[slot].kind);
  }
  return in_sum;
}

void World::ApplyProfile(uint32_t entity, TxPlan* plan) {
  switch (entities_[entity].profile) {
    case WalletProfile::kLegacy:
      plan->version = 1;
      plan->locktime = 0;
      plan->sequence = 0xffffffff;
      return;
    case WalletProfile::kCore:
      plan->version = 2;
      // Anti-fee-sniping: the current height, now and then a little earlier.
      plan->locktime =
          LastHeight() - (rng_.Chance(0.1)
                              ? static_cast<uint32_t>(rng_.Below(std::min(LastHeight(), 100u) + 1))
                              : 0);
      plan->sequence = year_ >= 2021.9 ? 0xfffffffd : 0xfffffffe;
      return;
    case WalletProfile::kElectrum:
      plan->version = 2;
      plan->locktime = LastHeight();
      plan->sequence = 0xfffffffd;
      return;
    case WalletProfile::kService:
      plan->version = (entity & 1) ? 2 : 1;
      plan->locktime = 0;
      plan->sequence = 0xffffffff;
      return;
    case WalletProfile::kBcoin:
      plan->version = 1;
      plan->locktime = 0;
      plan->sequence = 0xffffffff;
      return;
  }
}

void World::SortBip69(TxPlan* plan) const {
  std::vector<std::pair<std::string, uint32_t>> keys;
  std::vector<size_t> order(plan->inputs.size());
  for (size_t i = 0; i < order.size(); ++i) {
    const Utxo& u = utxos_[plan->inputs[i]];
    keys.emplace_back(u.txid.ToHex(), u.vout);
    order[i] = i;
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  std::vector<uint32_t> inputs;
  for (size_t i : order) inputs.push_back(plan->inputs[i]);
  plan->inputs.swap(inputs);
  std::stable_sort(plan->outputs.begin(), plan->outputs.end(),
                   [](const PlannedOutput& a, const PlannedOutput& b) {
                     return a.value != b.value ? a.value < b.value : a.addr.id < b.addr.id;
                   });
}

void World::AddChange(TxPlan* plan, int64_t change, uint32_t owner, AddrRef addr,
                      uint32_t pool_id) {
  if (change < kDust) return;
  PlannedOutput o{change, addr, owner, pool_id};
  if (entities_[owner].profile == WalletProfile::kBcoin) {
    plan->outputs.push_back(o);
    SortBip69(plan);
  } else if ((entities_[owner].flags & kSendsChangeLast) || plan->outputs.empty()) {
    plan->outputs.push_back(o);
  } else {
    const size_t at = rng_.Below(plan->outputs.size() + 1);
    plan->outputs.insert(plan->outputs.begin() + static_cast<std::ptrdiff_t>(at), o);
  }
}

uint32_t World::NewSlot() {
  if (!free_slots_.empty()) {
    const uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  utxos_.emplace_back();
  return static_cast<uint32_t>(utxos_.size() - 1);
}

void World::FreeSlot(uint32_t slot) { free_slots_.push_back(slot); }

void World::SeeAddress(const AddrRef& ref, uint32_t owner, const AddressKey& key) {
  const uint32_t id = ref.id;
  if (id / 64 >= seen_.size()) seen_.resize(id / 64 + 1 + seen_.size() / 2, 0);
  uint64_t& word = seen_[id / 64];
  const uint64_t bit = 1ULL << (id % 64);
  if (word & bit) return;
  word |= bit;
  if (truth_ != nullptr) truth_->AddAddress(KeyDeriver::AddressOfKey(key, network_), owner);
}

void World::SetHeight(uint32_t height, double block_fee_rate) {
  height_ = height;
  year_ = era_->YearAt(height);
  block_fee_rate_ = block_fee_rate;
  zero_fee_share_ = era_->ZeroFeeShare(year_);
  op_return_share_ = era_->OpReturnShare(year_);
}

Txid World::Commit(const TxPlan& plan, std::vector<uint32_t>* created) {
  std::vector<uint8_t>& bytes = body_.bytes;
  const size_t start = bytes.size();
  ByteWriter w(&bytes);
  bool segwit = false;
  for (uint32_t slot : plan.inputs) segwit |= SpendHasWitness(utxos_[slot].kind);

  w.I32LE(plan.version);
  if (segwit) {
    w.U8(0);  // marker
    w.U8(1);  // flag
  }
  const size_t vin_start = bytes.size();
  w.CompactSize(plan.inputs.size());
  int64_t in_sum = 0;
  for (uint32_t slot : plan.inputs) {
    const Utxo& u = utxos_[slot];
    w.Bytes(u.txid.span());
    w.U32LE(u.vout);
    keys_.WriteScriptSig(u.ref(), &rng_, &w);
    w.U32LE(plan.sequence);
    in_sum += u.value;
  }
  w.CompactSize(plan.outputs.size());
  int64_t out_sum = 0;
  for (const PlannedOutput& o : plan.outputs) {
    w.I64LE(o.value);
    size_t n;
    if (o.addr.kind == OutKind::kOpReturn) {
      n = keys_.OutputScript(o.addr, script_buf_.data());
    } else {
      const AddressKey& key = KeyOf(o.addr);
      n = keys_.OutputScriptWithKey(o.addr, key, script_buf_.data());
      SeeAddress(o.addr, o.owner, key);
    }
    w.CompactSize(n);
    w.Bytes(script_buf_.data(), n);
    out_sum += o.value;
  }
  if (out_sum > in_sum) {
    // A planner spent more than its inputs hold: a generator bug, and the chain would be invalid.
    std::fprintf(stderr, "generator bug: transaction %zu of the block spends %lld of %lld sat\n",
                 body_.txids.size(), static_cast<long long>(out_sum),
                 static_cast<long long>(in_sum));
    std::abort();
  }
  const size_t vout_end = bytes.size();
  if (segwit) {
    for (uint32_t slot : plan.inputs) keys_.WriteWitness(utxos_[slot].ref(), &rng_, &w);
  }
  const size_t lock_at = bytes.size();
  w.U32LE(plan.locktime);
  const size_t end = bytes.size();

  // txid: SHA-256d of the serialisation without marker, flag and witnesses.
  Txid txid;
  {
    Sha256Hasher h;
    h.Write(bytes.data() + start, 4);
    h.Write(bytes.data() + vin_start, vout_end - vin_start);
    h.Write(bytes.data() + lock_at, 4);
    h.FinishDouble(txid.data());
  }
  const uint64_t base_size = 4 + (vout_end - vin_start) + 4;
  const uint64_t total_size = end - start;
  body_.txids.push_back(Uint256(txid.span()));
  body_.wtxids.push_back(segwit ? Sha256d(ByteSpan(bytes.data() + start, total_size))
                                : Uint256(txid.span()));
  body_.weight += 3 * base_size + total_size;
  body_.has_segwit |= segwit;
  body_.fees += in_sum - out_sum;
  totals_.tx_bytes += total_size;

  for (uint32_t slot : plan.inputs) {
    const Utxo& u = utxos_[slot];
    --totals_.utxo_count;
    totals_.utxo_value -= u.value;
    FreeSlot(slot);
  }
  ++totals_.txs;
  totals_.inputs += plan.inputs.size();
  auto bucket = [](size_t n) { return n <= 3 ? n - 1 : (n < 10 ? 3 : 4); };
  if (!plan.inputs.empty()) ++totals_.by_inputs[bucket(plan.inputs.size())];
  if (!plan.outputs.empty()) ++totals_.by_outputs[bucket(plan.outputs.size())];
  if (plan.inputs.size() == 1 && plan.outputs.size() == 2) ++totals_.one_in_two_out;
  if (plan.outputs.size() == 2 &&
      ValueModel::IsRound(plan.outputs[0].value) != ValueModel::IsRound(plan.outputs[1].value)) {
    ++totals_.round_payments;
  }
  for (const PlannedOutput& o : plan.outputs) ++totals_.by_kind[static_cast<int>(o.addr.kind)];

  if (created != nullptr) created->clear();
  for (uint32_t i = 0; i < plan.outputs.size(); ++i) {
    const PlannedOutput& o = plan.outputs[i];
    if (o.addr.kind == OutKind::kOpReturn) {
      CountOutput(false, 0);
      if (created != nullptr) created->push_back(kNoId);
      continue;
    }
    const uint32_t slot = NewSlot();
    Utxo& u = utxos_[slot];
    u.txid = txid;
    u.value = o.value;
    u.vout = i;
    u.addr = o.addr.id;
    u.owner = o.owner;
    u.kind = o.addr.kind;
    u.coinbase = false;
    u.attached = false;
    u.pool = o.pool;
    CountOutput(true, o.value);
    if (o.pool != kNoPool) Attach(slot, o.pool);
    if (created != nullptr) created->push_back(slot);
  }
  return txid;
}

void World::CreateCoinbaseCoins(const Txid& txid, std::span<const PlannedOutput> outputs,
                                std::vector<uint32_t>* created) {
  created->clear();
  for (uint32_t i = 0; i < outputs.size(); ++i) {
    const PlannedOutput& o = outputs[i];
    if (o.addr.kind == OutKind::kOpReturn) {
      CountOutput(false, 0);
      created->push_back(kNoId);
      continue;
    }
    SeeAddress(o.addr, o.owner, KeyOf(o.addr));
    const uint32_t slot = NewSlot();
    Utxo& u = utxos_[slot];
    u.txid = txid;
    u.value = o.value;
    u.vout = i;
    u.addr = o.addr.id;
    u.owner = o.owner;
    u.kind = o.addr.kind;
    u.coinbase = true;
    u.attached = false;
    u.pool = o.pool;
    CountOutput(true, o.value);
    created->push_back(slot);
  }
}

}  // namespace ariadne::gen
