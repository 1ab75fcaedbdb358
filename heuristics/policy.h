// Clustering policies: common-input ownership plus change-address heuristics combined into rules.
//
// Change heuristics (each names the outputs it considers change; outputs without an address never
// qualify):
//   address_reuse    the output pays one of the input addresses
//   address_type     all inputs spend one script type and the output has that type
//   optimal_change   the output is smaller than the smallest input
//   round_payment    the output is not round and every other output is (round: a multiple of
//                    round_unit sat)
//   fresh_address    the output's address appears on chain for the first time
//   locktime_version decided when the output is spent: the spender has this transaction's version
//                    and its locktime class (zero / non-zero)
//   peel_chain       the transaction has 1 input and 2 outputs, the output is the larger one, and
//                    (decided when it is spent) its spender has 1 input and 2 outputs too
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
//   max-outputs=N      no change detection on transactions with more outputs (default 100)
//   guard=N            a change link never joins a cluster of more than N addresses
//                      (default 100; 0 disables)
// and the names "common-input" (= "ci") and "default" (the default policy's settings, which the
// options after it override: "default,guard=1000").
#ifndef ARIADNE_HEURISTICS_POLICY_H_
#define ARIADNE_HEURISTICS_POLICY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ariadne::heuristics {

enum class ChangeHeuristic : uint8_t {
  kAddressReuse = 0,
  kAddressType,
  kOptimalChange,
  kRoundPayment,
  kFreshAddress,
  kLocktimeVersion,
  kPeelChain,
};
inline constexpr int kNumChangeHeuristics = 7;

std::string_view ChangeHeuristicName(ChangeHeuristic h);
absl::StatusOr<ChangeHeuristic> ParseChangeHeuristic(std::string_view name);
inline constexpr uint8_t Bit(ChangeHeuristic h) { return uint8_t{1} << static_cast<int>(h); }
// Heuristics decided when the candidate output is spent.
inline constexpr uint8_t kSpendTimeMask =
    Bit(ChangeHeuristic::kLocktimeVersion) | Bit(ChangeHeuristic::kPeelChain);

// Returns: "h1+h2" for a rule's heuristics, in enum order.
std::string RuleName(uint8_t mask);

struct ClusteringPolicy {
  bool common_input = true;
  bool skip_coinjoins = true;
  std::vector<uint8_t> change_rules;  // masks of ChangeHeuristic bits, tried in order
  int64_t round_unit = 100'000;
  uint32_t max_change_outputs = 100;
  uint32_t guard_size = 100;

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
