#include "heuristics/policy.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"

namespace ariadne::heuristics {
namespace {

constexpr std::string_view kNames[] = {"address_reuse", "address_type",  "optimal_change",
                                       "round_payment", "fresh_address", "locktime_version",
                                       "peel_chain",    "own_address"};

// The values of the enumerated options, in the order of their enums: the spec's spelling, parsed
// and written from here.
constexpr std::string_view kTypeUpgradeNames[] = {"ignore", "nested", "abstain"};
constexpr std::string_view kDeferNames[] = {"off", "on", "fingerprint"};

// Returns: the enum value whose name is `value`; INVALID_ARGUMENT naming `key` and the names.
template <typename Enum, size_t N>
absl::StatusOr<Enum> ParseEnum(std::string_view key, std::string_view value,
                               const std::string_view (&names)[N]) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == value) return static_cast<Enum>(i);
  }
  std::string known;
  for (size_t i = 0; i < N; ++i) {
    absl::StrAppend(&known, i == 0 ? "" : (i + 1 == N ? " or " : ", "), AV(names[i]));
  }
  return absl::InvalidArgumentError(absl::StrCat(AV(key), " must be ", known));
}

// The default: common-input ownership. Change, first rule that names exactly one output: an output
// paying an input address, or an address already in the inputs' cluster (then nothing new is
// linked: the other outputs are payments); the only non-round output when all others are round;
// the only fresh address of the inputs' script type, unless some output is of a newer type than the
// inputs (wallets that send change to a newer type: bcoin's nested-segwit accounts, Bitcoin Core
// following a segwit payee; on bcoin's wallets' chain every wrong link was one, and without it the
// rule's links are 98.8% right on generated chains, with it 99.1%). (Peel chains are left out: 86%
// of their links are right, too few.) A change link waits for the change to be spent and is made
// after the spender's common-input links, and never grows a cluster beyond 100 addresses: a wrong
// link then cannot pull a second wallet in through the payee's later spends, and services' hot
// wallets do not absorb their customers. Measured against the generator's truth in
// docs/clustering.md.
constexpr char kDefaultSpec[] =
    "ci,change=address_reuse|own_address|round_payment|address_type+fresh_address,coinjoin=on,"
    "round=100000,type-upgrade=abstain,max-outputs=100,guard=100,defer=on";

}  // namespace

std::string_view ChangeHeuristicName(ChangeHeuristic h) { return kNames[static_cast<int>(h)]; }

absl::StatusOr<ChangeHeuristic> ParseChangeHeuristic(std::string_view name) {
  for (int i = 0; i < kNumChangeHeuristics; ++i) {
    if (kNames[i] == name) return static_cast<ChangeHeuristic>(i);
  }
  std::string known;
  for (std::string_view n : kNames) absl::StrAppend(&known, known.empty() ? "" : ", ", AV(n));
  return absl::InvalidArgumentError(
      absl::StrCat("unknown change heuristic '", AV(name), "' (", known, ")"));
}

std::string RuleName(uint8_t mask) {
  std::string out;
  for (int i = 0; i < kNumChangeHeuristics; ++i) {
    if (mask & (1 << i)) absl::StrAppend(&out, out.empty() ? "" : "+", AV(kNames[i]));
  }
  return out;
}

std::string ClusteringPolicy::ToSpec() const {
  std::vector<std::string> parts;
  if (common_input) parts.push_back("ci");
  if (!change_rules.empty()) {
    std::vector<std::string> rules;
    for (uint8_t r : change_rules) rules.push_back(RuleName(r));
    parts.push_back("change=" + absl::StrJoin(rules, "|"));
  }
  parts.push_back(absl::StrCat("coinjoin=", skip_coinjoins ? "on" : "off"));
  parts.push_back(absl::StrCat("round=", round_unit));
  if (round_digits > 0) parts.push_back(absl::StrCat("round-digits=", round_digits));
  if (type_upgrade != TypeUpgrade::kIgnore) {
    parts.push_back(
        absl::StrCat("type-upgrade=", AV(kTypeUpgradeNames[static_cast<int>(type_upgrade)])));
  }
  parts.push_back(absl::StrCat("max-outputs=", max_change_outputs));
  parts.push_back(absl::StrCat("guard=", guard_size));
  if (defer != Defer::kOff) {
    parts.push_back(absl::StrCat("defer=", AV(kDeferNames[static_cast<int>(defer)])));
  }
  return absl::StrJoin(parts, ",");
}

absl::StatusOr<ClusteringPolicy> ParsePolicy(std::string_view spec) {
  ClusteringPolicy p;
  p.common_input = false;
  if (spec.empty()) return absl::InvalidArgumentError("empty clustering policy");
  for (absl::string_view part : absl::StrSplit(AV(spec), ',')) {
    if (part == "ci" || part == "common-input") {
      p.common_input = true;
      continue;
    }
    if (part == "default") {  // the default's settings; later options override them
      p = *ParsePolicy(kDefaultSpec);
      continue;
    }
    size_t eq = part.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("unknown policy option '", part, "'"));
    }
    absl::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "change") {
      p.change_rules.clear();
      for (absl::string_view rule : absl::StrSplit(value, '|')) {
        uint8_t mask = 0;
        for (absl::string_view h : absl::StrSplit(rule, '+')) {
          auto parsed = ParseChangeHeuristic(SV(h));
          if (!parsed.ok()) return parsed.status();
          mask |= Bit(*parsed);
        }
        p.change_rules.push_back(mask);
      }
    } else if (key == "defer") {
      ASSIGN_OR_RETURN(p.defer,
                       ParseEnum<ClusteringPolicy::Defer>(SV(key), SV(value), kDeferNames));
    } else if (key == "type-upgrade") {
      ASSIGN_OR_RETURN(p.type_upgrade, ParseEnum<ClusteringPolicy::TypeUpgrade>(SV(key), SV(value),
                                                                                kTypeUpgradeNames));
    } else if (key == "coinjoin") {
      if (value != "on" && value != "off") {
        return absl::InvalidArgumentError("coinjoin must be on or off");
      }
      p.skip_coinjoins = value == "on";
    } else if (key == "round" || key == "round-digits" || key == "max-outputs" || key == "guard") {
      int64_t n;
      if (!absl::SimpleAtoi(value, &n) || n < 0 || (key == "round" && n == 0) ||
          (key == "round-digits" && n > 18)) {
        return absl::InvalidArgumentError(absl::StrCat("bad value in '", part, "'"));
      }
      if (key == "round") p.round_unit = n;
      if (key == "round-digits") p.round_digits = static_cast<int>(n);
      if (key == "max-outputs") p.max_change_outputs = static_cast<uint32_t>(n);
      if (key == "guard") p.guard_size = static_cast<uint32_t>(n);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown policy option '", key, "'"));
    }
  }
  return p;
}

bool ClusteringPolicy::IsRound(int64_t sat) const {
  if (sat <= 0) return false;
  if (sat % round_unit == 0) return true;
  if (round_digits == 0) return false;
  // At most round_digits significant digits: strip the trailing zeros, count what is left.
  while (sat % 10 == 0) sat /= 10;
  int digits = 0;
  for (; sat > 0 && digits <= round_digits; sat /= 10) ++digits;
  return digits <= round_digits;
}

int ScriptGeneration(ScriptType type) {
  switch (type) {
    case ScriptType::kOpReturn:
      return -1;
    case ScriptType::kP2wpkh:
    case ScriptType::kP2wsh:
      return 1;
    case ScriptType::kP2tr:
      return 2;
    case ScriptType::kWitnessUnknown:
      return 3;
    case ScriptType::kNonstandard:
    case ScriptType::kP2pk:
    case ScriptType::kP2pkh:
    case ScriptType::kP2sh:
    case ScriptType::kMultisig:
      return 0;
  }
  return 0;
}

ClusteringPolicy DefaultPolicy() { return *ParsePolicy(kDefaultSpec); }

}  // namespace ariadne::heuristics
