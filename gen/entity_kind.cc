#include "gen/entity_kind.h"

#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"

namespace ariadne::gen {
namespace {

constexpr std::string_view kNames[kNumEntityKinds] = {
    "individual", "exchange", "merchant", "miner", "mixer", "gambling", "darknet_market",
};

}  // namespace

std::string_view EntityKindName(EntityKind kind) { return kNames[static_cast<int>(kind)]; }

absl::StatusOr<EntityKind> ParseEntityKind(std::string_view name) {
  for (int i = 0; i < kNumEntityKinds; ++i) {
    if (kNames[i] == name) return static_cast<EntityKind>(i);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown entity kind '", AV(name),
                   "' (individual, exchange, merchant, miner, mixer, gambling, darknet_market)"));
}

}  // namespace ariadne::gen
