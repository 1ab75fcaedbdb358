// The simulated economy's state and the one way it changes: committing a transaction.
//
// Entities own coins (UTXOs) kept in pools (a wallet, an exchange's deposit addresses, a Whirlpool
// pool's postmix coins, ...). A behaviour builds a TxPlan from detached coins and planned outputs;
// Commit() serialises it into the block being assembled, hashes it, retires its inputs, creates
// its outputs as new coins in their pools, writes the truth rows of addresses that appear for the
// first time, and keeps the totals. Nothing else touches the UTXO set, so the chain and the truth
// cannot disagree.
#ifndef ARIADNE_GEN_WORLD_H_
#define ARIADNE_GEN_WORLD_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/core/network.h"
#include "engine/core/types.h"
#include "gen/entity_kind.h"
#include "gen/era.h"
#include "gen/huge_alloc.h"
#include "gen/keys.h"
#include "gen/random.h"
#include "gen/truth.h"
#include "gen/truth_writer.h"

namespace ariadne::gen {

inline constexpr uint32_t kNoPool = 0xffffffffu;
inline constexpr int64_t kCoin = 100'000'000;
// Outputs below this are never created (Bitcoin Core's dust limit for P2PKH is 546 sat).
inline constexpr int64_t kDust = 546;

struct Utxo {
  Txid txid;
  int64_t value = 0;
  uint32_t vout = 0;
  uint32_t addr = kNoId;
  uint32_t owner = kNoId;
  uint32_t pool = kNoPool;  // the pool it is in, or returns to when a plan is abandoned
  uint32_t pos = 0;         // index in the pool's slot list while attached
  OutKind kind = OutKind::kP2pkh;
  bool coinbase = false;
  bool attached = false;  // false while selected for a plan, or while an immature coinbase

  AddrRef ref() const { return AddrRef{addr, kind}; }
};

struct Pool {
  std::vector<uint32_t> slots;  // UTXO slots
  int64_t balance = 0;
  uint32_t owner = kNoId;  // the entity whose wallet this is (kNoId for shared pools)
};

// Wallet software fingerprints: nVersion, nLockTime and nSequence policies, change script type and
// output order (World::ApplyProfile, World::ChangeAddress, World::AddChange).
enum class WalletProfile : uint8_t {
  kLegacy = 0,    // early Bitcoin-Qt and web wallets: v1, locktime 0, final sequences
  kCore = 1,      // Bitcoin Core since 0.11: v2, anti-fee-sniping locktime, 0xfffffffd
  kElectrum = 2,  // v2, locktime = height, 0xfffffffd
  kService = 3,   // exchanges and services: v1 or v2, locktime 0, final sequences
  // bcoin 1.0.2's wallet (lib/wallet/wallet.js createTX, lib/wallet/account.js), as observed on
  // the chain tests/wallets makes with it: v1, locktime 0, final sequences; inputs and outputs in
  // BIP69 order; a segwit account's change goes to native P2WPKH also when its coins are the
  // nested P2SH-P2WPKH addresses it hands out, a legacy account's to P2PKH.
  kBcoin = 4,
};
inline constexpr int kNumWalletProfiles = 5;
// Returns: "legacy", "core", "electrum", "service" or "bcoin".
std::string_view WalletProfileName(WalletProfile profile);

struct Entity {
  EntityKind kind = EntityKind::kIndividual;
  OutKind pref = OutKind::kP2pkh;  // script type of the addresses it creates
  WalletProfile profile = WalletProfile::kLegacy;
  uint8_t flags = 0;
  AddrRef reuse;              // receive and change address of address-reusing wallets
  uint32_t exchange = kNoId;  // the exchange it cashes in and out at
  AddrRef deposit;            // its deposit address at that exchange (owned by the exchange)
  float wallet_year = 0;      // when its current wallet (script type, software) was set up
};
inline constexpr uint8_t kReusesAddresses = 1;
inline constexpr uint8_t kJoinMarketMaker = 2;
inline constexpr uint8_t kPerpetrator = 4;
inline constexpr uint8_t kVendor = 8;
inline constexpr uint8_t kSendsChangeLast = 16;
inline constexpr uint8_t kJoined = 32;  // an individual's wallet exists (created at first receipt)

struct PlannedOutput {
  int64_t value = 0;
  AddrRef addr;
  uint32_t owner = kNoId;
  uint32_t pool = kNoPool;  // where the new coin goes (kNoPool: nowhere, e.g. OP_RETURN)
};

struct TxPlan {
  std::vector<uint32_t> inputs;  // detached UTXO slots
  std::vector<PlannedOutput> outputs;
  int32_t version = 1;
  uint32_t locktime = 0;
  uint32_t sequence = 0xffffffff;

  void Clear() {
    inputs.clear();
    outputs.clear();
    version = 1;
    locktime = 0;
    sequence = 0xffffffff;
  }
};

// Per-chain totals, kept as transactions are committed.
struct WorldTotals {
  uint64_t txs = 0;
  uint64_t inputs = 0;  // non-coinbase inputs
  uint64_t outputs = 0;
  uint64_t utxo_count = 0;  // spendable outputs (OP_RETURN excluded)
  int64_t utxo_value = 0;
  uint64_t tx_bytes = 0;
  // Shape of non-coinbase transactions: counts by inputs and by outputs (1, 2, 3, 4-9, 10+), and
  // outputs by kind.
  std::array<uint64_t, 5> by_inputs{};
  std::array<uint64_t, 5> by_outputs{};
  std::array<uint64_t, kNumOutKinds> by_kind{};
  uint64_t one_in_two_out = 0;
  uint64_t round_payments = 0;  // txs with exactly two outputs, exactly one of them round
};

// The block under construction: transactions after the coinbase, their ids and weight.
struct BlockBody {
  std::vector<uint8_t> bytes;
  std::vector<Uint256> txids;  // merkle leaves (coinbase slot 0 filled at the end)
  std::vector<Uint256> wtxids;
  uint64_t weight = 0;
  int64_t fees = 0;
  bool has_segwit = false;

  void Clear() {
    bytes.clear();
    txids.assign(1, Uint256());
    wtxids.assign(1, Uint256());
    weight = 0;
    fees = 0;
    has_segwit = false;
  }
};

class World {
 public:
  World(uint64_t seed, Network network, const EraModel* era, TruthWriter* truth);

  // --- entities -------------------------------------------------------------------------------
  // Adds a named entity (and its main pool, whose id equals the entity id): all named entities come
  // before the first AddIndividual(). Returns: its id.
  uint32_t AddEntity(EntityKind kind, std::string name, OutKind pref, WalletProfile profile,
                     uint8_t flags);
  // Adds an individual named "individual-<id>". Returns: its id.
  uint32_t AddIndividual(OutKind pref, WalletProfile profile, uint8_t flags);
  Entity& entity(uint32_t id) { return entities_[id]; }
  const Entity& entity(uint32_t id) const { return entities_[id]; }
  uint32_t entity_count() const { return static_cast<uint32_t>(entities_.size()); }
  // Appends the rows of entities.csv (header included) to *out.
  void AppendEntitiesCsv(std::string* out) const;
  // Appends the rows of profiles.csv (entity_id,profile: each entity's wallet profile at the end
  // of the chain; header included) to *out.
  void AppendProfilesCsv(std::string* out) const;
  // Returns: the number of entities of each kind.
  std::vector<uint64_t> CountByKind() const;
  // Marks [begin, end) as the individuals that random payers and payees are drawn from.
  void SetIndividualRange(uint32_t begin, uint32_t end) {
    individuals_begin_ = begin;
    individuals_end_ = end;
  }
  uint32_t individuals_begin() const { return individuals_begin_; }
  uint32_t individuals_end() const { return individuals_end_; }
  // Limits new payees to the first `share` of the individuals: the population grows over the
  // chain, and newcomers join with the wallets of their era.
  void SetActiveShare(double share) {
    const uint32_t n = individuals_end_ - individuals_begin_;
    active_ = std::max<uint32_t>(std::min<uint32_t>(n, 10), static_cast<uint32_t>(n * share));
    if (active_ > n) active_ = n;
  }
  // Returns: a uniformly drawn individual of the active population.
  uint32_t RandomIndividual() {
    const uint32_t n = active_ != 0 ? active_ : individuals_end_ - individuals_begin_;
    return individuals_begin_ + static_cast<uint32_t>(rng_.Below(n));
  }
  // Returns: a uniformly drawn individual with coins in its wallet, or kNoId if none has any.
  uint32_t RandomFundedIndividual() {
    if (funded_.empty()) return kNoId;
    return funded_[rng_.Below(funded_.size())];
  }
  size_t funded_individuals() const { return funded_.size(); }

  // --- pools and coins ------------------------------------------------------------------------
  // Adds a pool not tied to an entity's wallet, after all entities. Returns: its id.
  uint32_t AddPool(uint32_t owner);
  Pool& pool(uint32_t id) { return pools_[id]; }
  const Utxo& utxo(uint32_t slot) const { return utxos_[slot]; }
  // Takes a coin out of its pool (to spend it in a plan).
  void Detach(uint32_t slot);
  // Puts a detached or immature coin into `pool_id`.
  void Attach(uint32_t slot, uint32_t pool_id);
  // Returns: the coins of `plan` to the pools they came from (an abandoned plan).
  void Abandon(TxPlan* plan);

  // --- addresses ------------------------------------------------------------------------------
  AddrRef NewAddress(OutKind kind) { return AddrRef{next_addr_++, kind}; }
  // Creates an individual's wallet on its first use: its script type, wallet software and habits
  // are those of the current era (no-op for other entities and after the first call).
  void Join(uint32_t id);
  // Gives `e` a wallet of the current era: script type (never older than its last one) and
  // software fingerprint.
  void NewWallet(Entity* e, bool first);
  // Returns: the address `id` receives a payment on: its reused address, or a fresh one.
  AddrRef ReceiveAddress(uint32_t id);
  // Returns: the address individual `id` sends the change of `plan` (inputs and payments set) to:
  // its reused address, or a fresh one of the type its wallet software picks: Electrum the
  // inputs' type, Bitcoin Core a witness type when a recipient has one (0.16+; taproot from 23.0),
  // other wallets their own type. Old wallets are sometimes replaced first (see NewWallet).
  AddrRef ChangeAddress(uint32_t id, const TxPlan& plan);
  // Returns: `customer`'s deposit address at its exchange (created on first use).
  AddrRef DepositAddress(uint32_t customer);
  // Returns: an OP_RETURN output of 20..80 bytes.
  PlannedOutput OpReturnOutput() {
    return PlannedOutput{0, AddrRef{static_cast<uint32_t>(rng_.Next() >> 32), OutKind::kOpReturn},
                         kNoId, kNoPool};
  }
  uint64_t addresses_allocated() const { return next_addr_; }

  // --- fees and plans -------------------------------------------------------------------------
  // Returns: the fee rate (sat/vB) of the next transaction: the block's rate with a spread, or 0
  // for the era's zero-fee share.
  double NextFeeRate();
  // Returns: the fee at `rate` of a transaction shaped like `plan` plus `extra_outputs` outputs of
  // kind `extra_kind` (a change output not yet added), from estimated sizes.
  int64_t EstimateFee(const TxPlan& plan, double rate, int extra_outputs = 0,
                      OutKind extra_kind = OutKind::kP2wpkh) const;
  // Detaches coins of `pool_id` into plan->inputs until they cover the plan's outputs, `extra`
  // satoshi and the fee at `rate` with one change output of `change_kind`. `single_first`: prefer
  // the smallest single coin that covers everything (no unnecessary inputs), else add random
  // coins. Returns: the value of the inputs, or -1 (plan untouched) when the pool cannot cover it
  // within `max_inputs`.
  int64_t SelectCoins(uint32_t pool_id, TxPlan* plan, int64_t extra, double rate,
                      OutKind change_kind, bool single_first, size_t max_inputs);
  // Sets version, locktime and sequence from the wallet profile of `entity`.
  void ApplyProfile(uint32_t entity, TxPlan* plan);
  // Adds `change` (if above dust; otherwise it goes to the fee) to `owner` at `addr` in
  // `pool_id`, at a position that follows the owner's habit.
  void AddChange(TxPlan* plan, int64_t change, uint32_t owner, AddrRef addr, uint32_t pool_id);
  // Puts plan's inputs and outputs in BIP69 order: inputs by previous txid (as displayed) and
  // output index, outputs by value (then by address, standing for the script's bytes).
  void SortBip69(TxPlan* plan) const;

  // --- commit -------------------------------------------------------------------------------
  // Serialises `plan` into the block body and applies it (see the file comment). The plan must
  // balance: inputs >= outputs. Out: created (optional): the new coin slot of each output
  // (kNoId for OP_RETURN). Returns: the txid.
  Txid Commit(const TxPlan& plan, std::vector<uint32_t>* created = nullptr);
  // Creates the outputs of the block's coinbase as immature coins. Returns: their slots.
  void CreateCoinbaseCoins(const Txid& txid, std::span<const PlannedOutput> outputs,
                           std::vector<uint32_t>* created);
  // Marks an address as seen (writing its truth row on first sight).
  void SeeAddress(const AddrRef& ref, uint32_t owner, const AddressKey& key);
  // Returns: keys_.Key(ref), from a small cache that catches reused addresses.
  const AddressKey& KeyOf(const AddrRef& ref);
  // Counts an output in the totals (the genesis output is not counted in the UTXO set).
  void CountOutput(bool spendable, int64_t value) {
    ++totals_.outputs;
    if (spendable) {
      ++totals_.utxo_count;
      totals_.utxo_value += value;
    }
  }

  // --- context ------------------------------------------------------------------------------
  Rng& rng() { return rng_; }
  const KeyDeriver& keys() const { return keys_; }
  const EraModel& era() const { return *era_; }
  Network network() const { return network_; }
  void SetHeight(uint32_t height, double block_fee_rate);
  uint32_t height() const { return height_; }
  // Returns: the height of the chain tip below the block being built (what nLockTime refers to).
  uint32_t LastHeight() const { return height_ > 0 ? height_ - 1 : 0; }
  double year() const { return year_; }
  // Returns: the era's share of transactions with an OP_RETURN output at the current height.
  double op_return_share() const { return op_return_share_; }
  BlockBody& body() { return body_; }
  WorldTotals& totals() { return totals_; }
  const WorldTotals& totals() const { return totals_; }
  // Returns: the CoinJoin labels collected so far.
  std::vector<TxLabel>& labels() { return labels_; }

 private:
  // Aborts (a programming error) unless every pool so far is an entity's wallet.
  void CheckPoolsFollowEntities() const;
  uint32_t NewSlot();
  void FreeSlot(uint32_t slot);
  void NoteFunded(uint32_t pool_id, bool was_empty);

  Rng rng_;
  KeyDeriver keys_;
  const EraModel* era_;
  TruthWriter* truth_;
  Network network_;

  HugeVector<Entity> entities_;
  std::vector<std::string> names_;  // of the named entities (ids below names_.size())
  HugeVector<Pool> pools_;
  HugeVector<Utxo> utxos_;
  std::vector<uint32_t> free_slots_;
  uint32_t individuals_begin_ = 0;
  uint32_t individuals_end_ = 0;
  uint32_t active_ = 0;              // 0: all
  std::vector<uint32_t> funded_;     // individuals whose main pool is not empty
  HugeVector<uint32_t> funded_pos_;  // per entity: index in funded_, or kNoId

  uint32_t next_addr_ = 0;
  std::vector<uint64_t> seen_;  // bitset over address ids: truth row written

  uint32_t height_ = 0;
  double year_ = 0;
  double block_fee_rate_ = 1;
  double zero_fee_share_ = 0;
  double op_return_share_ = 0;
  BlockBody body_;
  WorldTotals totals_;
  std::vector<TxLabel> labels_;
  std::vector<uint8_t> script_buf_;
  struct CachedKey {
    uint32_t id = kNoId;
    OutKind kind = OutKind::kOpReturn;
    AddressKey key;
  };
  std::vector<CachedKey> key_cache_;  // direct-mapped by address id
};

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_WORLD_H_
