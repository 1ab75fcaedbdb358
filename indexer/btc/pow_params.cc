#include "indexer/btc/pow_params.h"

#include <array>

#include "indexer/btc/compact_target.h"

namespace ariadne::btc {
namespace {

constexpr std::string_view kMainLimit =
    "00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
constexpr std::string_view kSignetLimit =
    "00000377ae000000000000000000000000000000000000000000000000000000";
constexpr std::string_view kRegtestLimit =
    "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

PowParams Make(Network network, std::string_view limit, bool min_difficulty, bool no_retarget,
               bool bip94) {
  PowParams p;
  p.network = network;
  p.pow_limit = *evm::U256::FromHex(limit);
  p.pow_limit_bits = CompactFromTarget(p.pow_limit);
  p.allow_min_difficulty = min_difficulty;
  p.no_retargeting = no_retarget;
  p.enforce_bip94 = bip94;
  p.genesis = *BlockHash::FromHex(Params(network).genesis_hash);
  return p;
}

}  // namespace

const PowParams& PowParamsOf(Network network) {
  static const std::array<PowParams, 5> kParams = {
      Make(Network::kMainnet, kMainLimit, false, false, false),
      Make(Network::kTestnet, kMainLimit, true, false, false),
      Make(Network::kTestnet4, kMainLimit, true, false, true),
      Make(Network::kSignet, kSignetLimit, false, false, false),
      Make(Network::kRegtest, kRegtestLimit, true, true, false),
  };
  const size_t i = static_cast<size_t>(network);
  return kParams[i < kParams.size() ? i : 0];
}

}  // namespace ariadne::btc
