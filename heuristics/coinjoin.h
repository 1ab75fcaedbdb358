// CoinJoin detection. A CoinJoin's inputs belong to several people, so common-input ownership and
// change detection must skip it.
//
//   generic     BlockSci's rule: >= 2 inputs, >= 3 outputs; p = floor((outputs + 1) / 2);
//               p <= inputs and p <= distinct input addresses; the most frequent output value
//               occurs exactly p times and is not 546 or 2730 sat (dust-sized protocol outputs).
//               On a tie for most frequent value the largest value is taken. Beyond BlockSci:
//               p >= 3 (at least 5 outputs), every output has an address (no OP_RETURN), the
//               equal outputs are all of one script type, some input spends that type, and the
//               inputs can fund p equal outputs (below).
//   whirlpool   Samourai Whirlpool mix: 5..8 inputs and as many outputs, every output exactly one
//               pool denomination (100k, 1M, 5M or 50M sat), to distinct addresses, and every
//               input worth at least the denomination (a premix or postmix coin of the pool).
//   wasabi1     Wasabi 1.x: >= 5 outputs of one value within 0.1 BTC +- 5% (the denomination
//               drifted with fees; or a mixing level 0.1 BTC * 2^k, k = 1..6), at least as many
//               distinct input addresses, and the inputs can fund that many equal outputs.
//   wasabi2     Wasabi 2.0 (WabiSabi): >= 20 inputs and >= 3 distinct output values that each
//               occur at least twice (standard denominations).
//   joinmarket  the most frequent value occurs n >= 3 times, outputs number n..2n with at least
//               n - 1 besides the equal ones (every maker's change), each of them a distinct
//               value, every output has an address (no OP_RETURN), inputs and distinct input
//               addresses >= n, the value is not dust (>= 10,000 sat), the equal outputs are all
//               of one script type, and the inputs can fund n equal outputs.
//
// What each condition assumes, and the ordinary transactions it keeps out (docs/clustering.md
// measures them on bcoin's wallets' chain and on generated traffic):
// * One script type for the equal outputs: CoinJoin software registers every participant's equal
//   output in the round's one type (JoinMarket requires it, Wasabi, Whirlpool and Samourai use one
//   type; a P2PKH among P2WPKH outputs would name its owner). A wallet's batched payment of equal
//   amounts pays its payees' addresses, of whatever types they use.
// * Generic, some input of that type: participants receive their equal outputs in their own
//   wallet's type (a P2WPKH wallet paying two P2PKH payees is not a CoinJoin). Not required of
//   JoinMarket: the generator's makers contribute coins of any type.
// * Generic, p >= 3: two equal outputs and a change is the commonest batched payment (a wallet
//   paying two people one amount: every generic detection on bcoin's chain and on generated
//   traffic was one); deployed CoinJoin software runs rounds of 3 or more (JoinMarket's taker
//   takes >= 2 makers, Whirlpool 5, Wasabi dozens), and those have their own detectors.
// * JoinMarket, n - 1 changes: a maker's coins are not exactly the amount and it earns a fee, so
//   every maker has change (only a taker's sweep has none). A wallet's sendmany of equal amounts
//   has one change (bcoin's heavy users' payments to three people).
// * Generic and JoinMarket, no OP_RETURN: CoinJoin transactions hold the equal outputs and the
//   changes (and a coordinator's fee) only. A Whirlpool tx0 (one user's premix outputs of one
//   value, the coordinator's fee, an OP_RETURN and change) had its shape otherwise.
// * Inputs can fund the equal outputs: each participant's coins pay for its own equal output, so
//   the inputs split into n disjoint groups each worth at least the value. Bound used (never
//   rejects a real round): (inputs >= value) + (sum of the smaller inputs) / value >= n. One
//   wallet paying n equal amounts from fewer, larger coins fails it.
#ifndef ARIADNE_HEURISTICS_COINJOIN_H_
#define ARIADNE_HEURISTICS_COINJOIN_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/store/resolved_tx.h"

namespace ariadne::heuristics {

enum class CoinJoinKind : uint8_t {
  kNone = 0,
  kGeneric,
  kWasabi1,
  kWasabi2,
  kWhirlpool,
  kJoinMarket,
};
inline constexpr int kNumCoinJoinKinds = 6;

std::string_view CoinJoinKindName(CoinJoinKind kind);

// Detects CoinJoins. Holds scratch space, so keep one per thread.
class CoinJoinDetector {
 public:
  // Returns: the most specific shape that matches (whirlpool, wasabi2, wasabi1, joinmarket, then
  // generic), or kNone.
  CoinJoinKind Detect(const store::ResolvedTx& tx);
  // Returns: false for a shape Detect always answers kNone for (fewer than 2 inputs or 3
  //          outputs; a coinbase has no inputs).
  static bool MayBeCoinJoin(size_t inputs, size_t outputs) { return inputs >= 2 && outputs >= 3; }

  bool IsGeneric(const store::ResolvedTx& tx);
  bool IsWhirlpool(const store::ResolvedTx& tx);
  bool IsWasabi1(const store::ResolvedTx& tx);
  bool IsWasabi2(const store::ResolvedTx& tx);
  bool IsJoinMarket(const store::ResolvedTx& tx);

 private:
  struct ValueCount {
    int64_t value;
    uint32_t count;
  };
  // Fills values_ with (value, count) of the outputs, most frequent first (largest value first
  // among equally frequent ones).
  void CountValues(const store::ResolvedTx& tx);
  uint32_t DistinctInputAddresses(const store::ResolvedTx& tx);
  // Returns: true when every output of `value` has one script type.
  static bool EqualOutputsShareType(const store::ResolvedTx& tx, int64_t value);
  // Returns: true when the inputs can be split into n groups each worth at least `value` (every
  //          participant pays for its own equal output). A necessary condition, computed as a
  //          bound: (inputs of at least `value`) + (the smaller inputs' sum) / value >= n.
  static bool InputsCanFund(const store::ResolvedTx& tx, size_t n, int64_t value);
  // Returns: false when an output has no address (OP_RETURN).
  static bool EveryOutputHasAddress(const store::ResolvedTx& tx);
  // Returns: true when some input spends the script type of the outputs of `value`.
  static bool SomeInputOfEqualOutputsType(const store::ResolvedTx& tx, int64_t value);

  std::vector<int64_t> scratch_;
  std::vector<ValueCount> values_;
  std::vector<uint32_t> addrs_;
};

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_COINJOIN_H_
