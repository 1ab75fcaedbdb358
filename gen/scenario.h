// Case scenarios with ground truth, for scoring tracing and clustering.
//
// "trafficking_proceeds": many victims (ordinary individuals, paying from their own wallets) pay
// into a few collector addresses of a perpetrator; the perpetrator consolidates them, walks a peel
// chain whose small peels go to exchange deposit addresses (its own account and money mules'),
// optionally passes the remainder through a mixer (a custodial mixer that pays out later from
// other coins, or a Wasabi 2.0 CoinJoin), and cashes out to exchange deposit addresses. Every
// transaction and address of the flow, the proceeds and the value that reached the cash-out
// addresses are written to scenarios.csv (roles in docs/generator.md).
//
// Scenarios are spread over the chain: scenario i starts at about (8 + 72 i / n)% of the expected
// transactions and its steps are spaced so that it ends within 15% of the chain; in the last blocks
// unfinished scenarios run their remaining steps at once, so each one completes.
#ifndef ARIADNE_GEN_SCENARIO_H_
#define ARIADNE_GEN_SCENARIO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "gen/coinjoin.h"
#include "gen/economy.h"
#include "gen/truth.h"
#include "gen/world.h"

namespace ariadne::gen {

class Scenarios {
 public:
  // Args: count: scenarios (the economy has one perpetrator each); expected_txs: the chain's
  //       planned size, which spaces the scenarios out.
  Scenarios(World* world, Economy* economy, CoinJoins* coinjoins, uint32_t count,
            uint64_t expected_txs);

  // Commits the next due step of some scenario at `tx_index` (all steps are due when `hurry`).
  // Returns: true when a transaction was committed.
  bool RunDue(uint64_t tx_index, bool hurry);
  // Returns: true when every scenario has completed.
  bool AllDone() const;
  uint32_t completed() const;
  // Returns: the rows of scenarios.csv, grouped by scenario.
  std::vector<ScenarioRow> Rows() const;

 private:
  enum class Phase : uint8_t { kVictims, kConsolidate, kPeel, kMixIn, kMixOut, kCashout, kDone };
  enum class Mixer : uint8_t { kNone, kCustodial, kCoinJoin };
  struct Scenario {
    uint32_t id = 0;
    uint32_t perp = kNoId;
    uint32_t pool = kNoPool;  // holds the scenario's coins, out of reach of ordinary behaviour
    Phase phase = Phase::kVictims;
    Mixer mixer = Mixer::kNone;
    uint64_t next_due = 0;
    uint64_t gap = 1;
    uint32_t victims = 0;
    uint32_t victims_done = 0;
    uint32_t peels = 0;
    uint32_t peels_done = 0;
    uint32_t mixer_entity = kNoId;
    int64_t mixer_amount = 0;
    uint32_t attempts = 0;
    std::vector<AddrRef> collectors;
    std::vector<uint32_t> cashout_owners;  // perpetrator and mules: whose deposit addresses
    int64_t proceeds = 0;
    int64_t cashed_out = 0;
    std::vector<ScenarioRow> rows;
  };

  void Add(Scenario* s, const char* role, std::string ref, int64_t value);
  // One step of `s`. Returns: true when it committed a transaction.
  bool Step(Scenario* s);
  bool Victim(Scenario* s);
  bool Consolidate(Scenario* s);
  bool Peel(Scenario* s);
  bool MixIn(Scenario* s);
  bool MixOut(Scenario* s);
  bool Cashout(Scenario* s);
  // Returns: a cash-out deposit address (perpetrator's or a mule's) with its exchange.
  PlannedOutput CashoutDestination(Scenario* s);
  void Advance(Scenario* s);
  std::string Address(const AddrRef& a) const;

  World* world_;
  Economy* economy_;
  CoinJoins* coinjoins_;
  std::vector<Scenario> scenarios_;
  TxPlan plan_;
};

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_SCENARIO_H_
