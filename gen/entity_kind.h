// The kinds of entities the generator simulates, as the ground truth names them.
#ifndef ARIADNE_GEN_ENTITY_KIND_H_
#define ARIADNE_GEN_ENTITY_KIND_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace ariadne::gen {

enum class EntityKind : uint8_t {
  kIndividual = 0,
  kExchange = 1,
  kMerchant = 2,
  kMiner = 3,
  kMixer = 4,  // custodial mixers and CoinJoin coordinators
  kGambling = 5,
  kDarknetMarket = 6,
};
inline constexpr int kNumEntityKinds = 7;

// Returns: "individual", "exchange", "merchant", "miner", "mixer", "gambling" or
// "darknet_market".
std::string_view EntityKindName(EntityKind kind);
// Returns: the kind named `name` (as EntityKindName spells it); INVALID_ARGUMENT otherwise.
absl::StatusOr<EntityKind> ParseEntityKind(std::string_view name);

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_ENTITY_KIND_H_
