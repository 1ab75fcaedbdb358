// The ordinary economy: who the entities are and what they do from transaction to transaction.
//
// Individuals pay each other, buy from merchants, bet, buy on darknet markets, deposit at and
// withdraw from exchanges, consolidate and move coins to new wallets; exchanges batch withdrawals
// and sweep per-customer deposit addresses into reused hot-wallet addresses; merchants settle to
// their exchange; gambling sites pay winners back to the address they bet from; markets sweep
// buyers' deposits and pay vendors in batches; pools mine and pay their members; custodial mixers
// take deposits and pay out later from other coins. Each action is one transaction; their mix
// follows the era (docs/generator.md lists the shares and their sources).
#ifndef ARIADNE_GEN_ECONOMY_H_
#define ARIADNE_GEN_ECONOMY_H_

#include <cstdint>
#include <queue>
#include <vector>

#include "gen/values.h"
#include "gen/world.h"

namespace ariadne::gen {

class CoinJoins;

// How many entities of each kind a chain has.
struct Population {
  uint32_t individuals = 1000;
  uint32_t exchanges = 3;
  uint32_t merchants = 5;
  uint32_t pools = 4;
  uint32_t solo_miners = 30;
  uint32_t gambling = 1;
  uint32_t markets = 1;
  uint32_t custodial_mixers = 1;
  uint32_t perpetrators = 1;

  // Returns: the population of a chain of about `txs` transactions with `scenarios` scenarios
  // (each needs its own perpetrator); `individuals` overrides the scaled count when non-zero.
  static Population ForChain(uint64_t txs, uint32_t scenarios, uint32_t individuals);
};

class Economy {
 public:
  // Creates the entities of `pop` in `world` (named services first, then the individuals).
  Economy(World* world, const ValueModel* values, const Population& pop);

  // Per-block upkeep: services move to newer script types as the era advances.
  void OnBlock();
  // Commits one due custodial-mixer payout, if any is due at `tx_index`. Returns: true if so.
  bool RunDue(uint64_t tx_index);
  // Performs one ordinary action (CoinJoin rounds through `coinjoins`). Returns: true when it
  // committed a transaction.
  bool Step(uint64_t tx_index, CoinJoins* coinjoins);

  // Out: the outputs of this block's coinbase paying `value` to its miner (solo miners early,
  // pools later, some pools paying members in the coinbase).
  void CoinbaseOutputs(int64_t value, std::vector<PlannedOutput>* out);
  // Out: appends outputs worth `total` that seed the economy: exchanges' reserves, services'
  // float, early individuals and JoinMarket makers.
  void PremineOutputs(int64_t total, std::vector<PlannedOutput>* out);

  const std::vector<uint32_t>& exchanges() const { return exchanges_; }
  const std::vector<uint32_t>& custodial_mixers() const { return mixers_; }
  const std::vector<uint32_t>& perpetrators() const { return perpetrators_; }
  const std::vector<uint32_t>& makers() const { return makers_; }
  uint32_t wasabi_coordinator() const { return wasabi_coordinator_; }
  uint32_t whirlpool_coordinator() const { return whirlpool_coordinator_; }
  // Returns: the pool of an exchange's (or market's) deposit addresses.
  uint32_t DepositPool(uint32_t service) const { return services_[service_of_[service]].deposits; }
  // Returns: one of a service's reused hot-wallet addresses.
  AddrRef HotAddress(uint32_t service);
  // Returns: an exchange drawn by size (a few large exchanges take most customers).
  uint32_t RandomExchange();
  // Returns: the value model.
  const ValueModel& values() const { return *values_; }
  // Pays `dest` from `payer`'s wallet with change back to it, at the current fee rate.
  // Out: txid, first_input (optional): the transaction and the address of its first input.
  // Returns: false (nothing committed) when the wallet cannot cover it.
  bool PayFromWallet(uint32_t payer, const PlannedOutput& dest, Txid* txid, AddrRef* first_input);

 private:
  struct Service {
    uint32_t entity = kNoId;
    uint32_t deposits = kNoPool;  // exchanges and markets: pool of deposit addresses
    std::vector<AddrRef> hot;     // reused hot-wallet (or game, or coinbase) addresses
    double updated_year = 0;
  };
  struct PendingBet {
    uint32_t bettor;
    AddrRef ret;  // the address the bet came from, paid back on a win
    int64_t amount;
  };
  struct MixerPayout {
    uint64_t due;
    uint64_t seq;
    uint32_t mixer;
    uint32_t customer;
    int64_t amount;
    bool operator>(const MixerPayout& o) const { return due != o.due ? due > o.due : seq > o.seq; }
  };

  uint32_t AddService(EntityKind kind, std::string name, uint8_t flags, size_t hot_addresses);
  Service& service(uint32_t entity) { return services_[service_of_[entity]]; }
  // Where a spender's change goes.
  enum class ChangeTo : uint8_t {
    kWallet,  // an individual's wallet rules (World::ChangeAddress)
    kHot,     // a service's reused hot address of the inputs' script type
    kFresh,   // a fresh address of the spender's type (custodial mixers)
  };
  // Selects coins of `pool_id` for plan's outputs, adds change back to `payer`'s wallet and
  // commits, at `rate`. Out: txid, first_input (optional): the transaction and the address of its
  // first input. Returns: false (plan abandoned) when the coins cannot cover the outputs.
  bool FundAndCommit(uint32_t payer, uint32_t pool_id, TxPlan* plan, double rate,
                     ChangeTo change_to, bool single_first, size_t max_inputs, Txid* txid = nullptr,
                     AddrRef* first_input = nullptr);
  // Returns: a service's reused hot address of script type `kind`, else any of its hot addresses.
  AddrRef HotAddressOfKind(uint32_t service, OutKind kind);
  // Reduces an amount to what a wallet of `balance` would send (a fraction of it when short).
  int64_t Affordable(int64_t amount, int64_t balance);
  void MaybeOpReturn(TxPlan* plan);

  bool Pay();
  bool Deposit();
  bool Shop();
  bool Bet();
  bool GamblingPayout();
  bool DarknetBuy();
  bool MarketSweep();
  bool VendorPayout();
  bool UseMixer(uint64_t tx_index);
  bool Consolidate(uint32_t who);
  bool SelfTransfer();
  bool Withdraw(bool batch);
  bool SweepDeposits();
  bool MerchantSettle();
  bool PoolPayout();
  bool ServiceConsolidate();

  World* world_;
  const ValueModel* values_;
  std::vector<Service> services_;
  std::vector<uint32_t> service_of_;  // entity -> index in services_ (named entities only)
  std::vector<uint32_t> pools_;       // mining pools
  std::vector<uint32_t> solo_miners_;
  std::vector<uint32_t> exchanges_;
  std::vector<double> exchange_weights_;
  std::vector<uint32_t> merchants_;
  std::vector<uint32_t> gambling_;
  std::vector<uint32_t> markets_;
  std::vector<uint32_t> mixers_;
  std::vector<uint32_t> perpetrators_;
  std::vector<uint32_t> makers_;
  std::vector<uint32_t> vendors_;
  uint32_t wasabi_coordinator_ = kNoId;
  uint32_t whirlpool_coordinator_ = kNoId;
  uint32_t genesis_entity_ = kNoId;
  uint32_t members_per_pool_ = 10;
  std::vector<std::vector<PendingBet>> bets_;  // per gambling site: pending bets, oldest first
  std::priority_queue<MixerPayout, std::vector<MixerPayout>, std::greater<MixerPayout>> payouts_;
  uint64_t payout_seq_ = 0;
  std::vector<double> weights_;  // this block's action shares (ActionWeights)
  TxPlan plan_;
};

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_ECONOMY_H_
