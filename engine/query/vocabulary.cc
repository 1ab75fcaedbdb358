#include "engine/query/vocabulary.h"

#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"

namespace ariadne::query {

std::string_view ChainModelName(ChainModel m) {
  return m == ChainModel::kAccount ? "account" : "utxo";
}

std::string_view DirectionName(Direction d) {
  return d == Direction::kBackward ? "backward" : "forward";
}

std::string_view TaintModelName(TaintModel m) {
  switch (m) {
    case TaintModel::kPoison:
      return "poison";
    case TaintModel::kHaircut:
      return "haircut";
    case TaintModel::kFifo:
      return "fifo";
  }
  return "unknown";
}

absl::StatusOr<TaintModel> ParseTaintModel(std::string_view name) {
  if (name == "poison") return TaintModel::kPoison;
  if (name == "haircut") return TaintModel::kHaircut;
  if (name == "fifo") return TaintModel::kFifo;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown taint model '", AV(name), "' (poison, haircut, fifo)"));
}

std::string_view EndReasonName(EndReason r) {
  static constexpr std::string_view kNames[kNumEndReasons] = {
      "unspent",  "labelled", "below_threshold", "hop_limit",      "time_window", "fee",
      "coinbase", "burned",   "minted",          "unknown_source", "truncated",   "coinjoin"};
  const int i = static_cast<int>(r);
  return i < kNumEndReasons ? kNames[i] : "unknown";
}

}  // namespace ariadne::query
