// CoinJoin detection. A CoinJoin's inputs belong to several people, so common-input ownership and
// change detection must skip it.
//
//   generic     BlockSci's rule: >= 2 inputs, >= 3 outputs; p = floor((outputs + 1) / 2);
//               p <= inputs and p <= distinct input addresses; the most frequent output value
//               occurs exactly p times and is not 546 or 2730 sat (dust-sized protocol outputs).
//               On a tie for most frequent value the largest value is taken. Beyond BlockSci:
//               the equal outputs are all of one script type (see below), and some input
//               spends that type (participants mix coins of their wallet's type into it).
//   whirlpool   Samourai Whirlpool mix: 5..8 inputs and as many outputs, every output exactly one
//               pool denomination (100k, 1M, 5M or 50M sat), to distinct addresses.
//   wasabi1     Wasabi 1.x: >= 5 outputs of one value within 0.1 BTC +- 5% (the denomination
//               drifted with fees; or a mixing level 0.1 BTC * 2^k, k = 1..6), at least as many
//               distinct input addresses.
//   wasabi2     Wasabi 2.0 (WabiSabi): >= 20 inputs and >= 3 distinct output values that each
//               occur at least twice (standard denominations).
//   joinmarket  the most frequent value occurs n >= 3 times, outputs number n..2n (the equal
//               outputs plus at most one change per participant, each change value distinct),
//               inputs and distinct input addresses >= n, the value is not dust (>= 10,000 sat),
//               and the equal outputs are all of one script type.
// One script type for the equal outputs: CoinJoin software registers every participant's equal
// output in the round's one type (JoinMarket requires it, Wasabi, Whirlpool and Samourai use one
// type; a P2PKH among P2WPKH outputs would name its owner). A wallet's batched payment of equal
// amounts pays its payees' addresses, of whatever types they use: on bcoin's wallets' chain
// (docs/clustering.md) that one condition removes most of the generic and JoinMarket detections,
// none of which was a CoinJoin, and no labelled CoinJoin of the generator's is lost. For the
// generic rule, most of the rest were payments from one type of inputs to equal outputs of another
// (a P2WPKH wallet paying two P2PKH payees): CoinJoin participants receive their equal outputs in
// their own wallet's type, so some input spends it. (Not required of JoinMarket: the generator's
// makers contribute coins of any type, and its recall there must stay whole.)
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
  // Returns: true when some input spends the script type of the outputs of `value`.
  static bool SomeInputOfEqualOutputsType(const store::ResolvedTx& tx, int64_t value);

  std::vector<int64_t> scratch_;
  std::vector<ValueCount> values_;
  std::vector<uint32_t> addrs_;
};

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_COINJOIN_H_
