// Clustering policies: common-input ownership plus change-address heuristics combined into rules.
//
// Change heuristics (each names the outputs it considers change; outputs without an address never
// qualify):
//   address_reuse    the output pays one of the input addresses
//   address_type     all inputs spend one script type and the output has that type; with
//                    type-upgrade=abstain, only when no output has a newer type than the inputs,
//                    with type-upgrade=nested only when the inputs are not P2SH or no output is
//                    newer (assumes the wallet sends change to its coins' type; wallets that send
//                    it to a newer one break it: bcoin's nested-segwit P2SH-P2WPKH accounts pay
//                    change to native P2WPKH, Bitcoin Core follows a segwit payee's type)
//   optimal_change   the output is smaller than the smallest input
//   round_payment    the output is not round and every other output is (round: a multiple of
//                    round_unit sat)
//   fresh_address    the output's address appears on chain for the first time
//   locktime_version decided when the output is spent: the spender has this transaction's version
//                    and its locktime class (zero / non-zero)
//   peel_chain       the transaction has 1 input and 2 outputs, the output is the larger one, and
//                    (decided when it is spent) its spender has 1 input and 2 outputs too
//   own_address      the output pays an address that is already in the inputs' cluster (a wallet
//                    sending change to an address it used before, not one of the inputs)
//
// A rule is a conjunction of heuristics; the candidates are the outputs satisfying all of them. A
// policy tries its rules in order and links the first rule's single candidate to the inputs: a
// change link is made only when exactly one output qualifies. Rules with spend-time heuristics
// (locktime_version, peel_chain) keep their single candidate pending until it is spent.
//
// Spec syntax (what `--policy` takes, and what is stored with a clustering), comma-separated:
//   ci                 common-input ownership (omit for change-only policies)
//   change=R1|R2|...   rules, each h1+h2+... of the names above
//   coinjoin=on|off    skip CoinJoins (default on)
//   round=N            round unit in sat (default 100000)
//   round-digits=N     also round: a value of at most N significant digits, e.g. 0.0035 BTC for
//                      N = 2 (default 0: only multiples of the unit)
//   type-upgrade=ignore|nested|abstain
//                      abstain: address_type names no output when some output's script type is
//                      newer than the inputs' (legacy < segwit v0 < taproot; see
//                      ScriptGeneration), since the change may be that one; nested: only when
//                      the inputs are P2SH (nested segwit's); default ignore; the default policy
//                      sets abstain (docs/clustering.md measures the three)
//   max-outputs=N      no change detection on transactions with more outputs (default 100)
//   guard=N            a change link never joins a cluster of more than N addresses
//                      (default 100; 0 disables)
//   defer=off|on|fingerprint
//                      change links wait for the change's spend and are made after its
//                      common-input links (default off; the default policy sets on)
// and the names "common-input" (= "ci") and "default" (the default policy's settings, which the
// options after it override: "default,guard=1000").
#ifndef ARIADNE_HEURISTICS_POLICY_H_
#define ARIADNE_HEURISTICS_POLICY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/script.h"

namespace ariadne::heuristics {

enum class ChangeHeuristic : uint8_t {
  kAddressReuse = 0,
  kAddressType,
  kOptimalChange,
  kRoundPayment,
  kFreshAddress,
  kLocktimeVersion,
  kPeelChain,
  kOwnAddress,
};
inline constexpr int kNumChangeHeuristics = 8;

std::string_view ChangeHeuristicName(ChangeHeuristic h);
absl::StatusOr<ChangeHeuristic> ParseChangeHeuristic(std::string_view name);
inline constexpr uint8_t Bit(ChangeHeuristic h) { return uint8_t{1} << static_cast<int>(h); }
// Heuristics decided when the candidate output is spent.
inline constexpr uint8_t kSpendTimeMask =
    Bit(ChangeHeuristic::kLocktimeVersion) | Bit(ChangeHeuristic::kPeelChain);

// Returns: the script type's generation: 0 legacy (P2PK, P2PKH, P2SH, which includes nested
//          segwit, bare multisig, non-standard), 1 segwit v0 (P2WPKH, P2WSH), 2 taproot, 3 a
//          witness version not known yet; -1 for OP_RETURN (no owner, never change).
int ScriptGeneration(ScriptType type);

// Returns: "h1+h2" for a rule's heuristics, in enum order.
std::string RuleName(uint8_t mask);

struct ClusteringPolicy {
  bool common_input = true;
  bool skip_coinjoins = true;
  std::vector<uint8_t> change_rules;  // masks of ChangeHeuristic bits, tried in order
  int64_t round_unit = 100'000;
  int round_digits = 0;  // also round: at most this many significant digits (0: only round_unit)
  // address_type abstains when an output's script type is newer than the inputs' (the wallet may
  // send its change to the newer type): never (kIgnore), for P2SH inputs (kNested), always
  // (kAbstain).
  enum class TypeUpgrade : uint8_t { kIgnore, kNested, kAbstain };
  TypeUpgrade type_upgrade = TypeUpgrade::kIgnore;
  uint32_t max_change_outputs = 100;
  uint32_t guard_size = 100;
  // Change links wait until the change output is spent and are made after the spender's
  // common-input links, so the guard sees what the spend joins. kFingerprint also requires the
  // spender to carry the paying transaction's wallet fingerprint (version, locktime class) when
  // the link would join two clusters of several addresses.
  enum class Defer : uint8_t { kOff, kOn, kFingerprint };
  Defer defer = Defer::kOff;

  // Returns: true when round_payment counts `sat` as round.
  bool IsRound(int64_t sat) const;
  // Returns: the canonical spec (every option spelled out).
  std::string ToSpec() const;
  friend bool operator==(const ClusteringPolicy&, const ClusteringPolicy&) = default;
};

// Returns: the policy of a spec; INVALID_ARGUMENT naming the part that is wrong.
absl::StatusOr<ClusteringPolicy> ParsePolicy(std::string_view spec);
// Returns: the documented default policy (docs/clustering.md).
ClusteringPolicy DefaultPolicy();

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_POLICY_H_
