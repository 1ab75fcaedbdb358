// CoinJoin rounds in the shapes of the implementations that ran on mainnet:
//
//   Wasabi 1.x (ZeroLink, 2018-2024): 30-100 participants, equal outputs of about 0.1 BTC (and
//     0.2 BTC for the second mixing level), one change output per participant, one coordinator
//     fee output (0.003% x anonymity set per participant), native segwit only.
//   Wasabi 2.0 (WabiSabi, 2022-): 20+ participants with up to 5 inputs each, outputs decomposed
//     into standard denominations (2^n, 3^n, 2x3^n, 10^n, 2x10^n, 5x10^n sat from 5000 sat),
//     a non-standard remainder, a 0.3% coordinator fee for fresh coins until mid-2024.
//   Whirlpool (Samourai, 2019-2024): a tx0 splits a user's coins into premix outputs of a pool
//     denomination (100k, 1M, 5M, 50M sat) plus a miner-fee allowance, a coordinator fee output,
//     an OP_RETURN and doxxic change; mixes take 5 inputs (2 premix, 3 remixing postmix, from
//     different wallets; up to 8 with 2023's surge cycles) and pay 5 equal outputs.
//   JoinMarket (2015-): a taker and 3-9 makers; n equal outputs, each maker's change (earning its
//     fee) and the taker's change; all outputs of one script type.
//
// Every input of a round belongs to a different entity in the truth (participants are distinct),
// and each participant's outputs belong to it. Rounds are labelled in txlabels.csv.
#ifndef ARIADNE_GEN_COINJOIN_H_
#define ARIADNE_GEN_COINJOIN_H_

#include <array>
#include <cstdint>
#include <vector>

#include "gen/economy.h"
#include "gen/world.h"

namespace ariadne::gen {

// A participant a caller brings into a round (a case scenario's perpetrator).
struct Participant {
  uint32_t entity = kNoId;
  std::vector<uint32_t> inputs;  // detached coins it registers
  uint32_t out_pool = kNoPool;   // where its outputs go
  // Out: filled by the round: its outputs' coin slots and addresses.
  std::vector<uint32_t> out_slots;
  std::vector<AddrRef> out_addrs;
  std::vector<int64_t> out_values;
};

class CoinJoins {
 public:
  // Adds the Whirlpool pools' premix and postmix pools to `world`.
  CoinJoins(World* world, Economy* economy);

  // Each runs one round (one transaction). Returns: false when not enough participants could
  // pay (nothing is committed then).
  bool Wasabi1();
  // Args: extra: a participant that must be in the round, or nullptr. Out: extra's outputs.
  // Returns: the txid in *txid when not null.
  bool Wasabi2(Participant* extra, Txid* txid = nullptr);
  bool WhirlpoolTx0();
  bool WhirlpoolMix();
  bool JoinMarket();

 private:
  struct Seat {
    uint32_t entity;
    size_t first_input;  // index in plan_.inputs
    int64_t in_value;
  };
  // Detaches coins of `who`'s wallet whose kind passes `eligible` until they reach `need`.
  // Returns: their value, or -1 (nothing detached) when they cannot.
  int64_t TakeCoins(uint32_t who, int64_t need, size_t max_inputs, uint32_t kinds_mask);
  // Seats up to `want` distinct funded individuals able to put in `min_value` of eligible coins.
  void Recruit(size_t want, int64_t min_value, size_t max_inputs, uint32_t kinds_mask,
               std::vector<Seat>* seats);
  // Shuffles plan_'s inputs and outputs, commits, labels. Returns: the txid.
  Txid CommitRound(const char* label, std::vector<uint32_t>* created, std::vector<size_t>* order);

  World* world_;
  Economy* economy_;
  std::vector<int64_t> wasabi2_denominations_;  // descending
  static constexpr std::array<int64_t, 4> kWhirlpoolDenominations = {100'000, 1'000'000, 5'000'000,
                                                                     50'000'000};
  std::array<uint32_t, 4> premix_{};
  std::array<uint32_t, 4> postmix_{};
  TxPlan plan_;
  std::vector<uint32_t> scratch_;
  std::vector<Seat> seats_;
};

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_COINJOIN_H_
