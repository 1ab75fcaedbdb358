// The words every query speaks, whatever the chain: the chain model of a store, the direction of a
// trace, the taint models, and where tainted value ends. The trace algorithms (engine/trace), the
// chain backends (engine/utxo, engine/account) and the gRPC adapter (engine/service) all use these.
#ifndef ARIADNE_ENGINE_QUERY_VOCABULARY_H_
#define ARIADNE_ENGINE_QUERY_VOCABULARY_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace ariadne::query {

// How a chain holds value: unspent outputs (Bitcoin) or account balances (EVM chains).
enum class ChainModel : uint8_t { kUtxo = 0, kAccount = 1 };
// Returns: "utxo" or "account".
std::string_view ChainModelName(ChainModel m);

// Forward: where did the value go. Backward: where did it come from.
enum class Direction : uint8_t { kForward = 0, kBackward = 1 };
// Returns: "forward" or "backward".
std::string_view DirectionName(Direction d);

// What a trace's answer holds (TraceRequest.shape; docs/trace-shapes.md): every edge, only the
// summary, or the edges aggregated by (from node, to node, asset). The trace is the same in each.
enum class TraceShape : uint8_t { kEdges = 0, kSummary = 1, kAggregated = 2 };

// How tainted value passes through a transaction (engine/trace/taint.h) or an account
// (engine/trace/account_trace.h): poison, haircut (proportional) or first in, first out.
enum class TaintModel : uint8_t { kPoison = 0, kHaircut = 1, kFifo = 2 };
// Returns: "poison", "haircut" or "fifo".
std::string_view TaintModelName(TaintModel m);
// Returns: the model of a name; INVALID_ARGUMENT naming it and the choices otherwise.
absl::StatusOr<TaintModel> ParseTaintModel(std::string_view name);

// Where tainted value ends, in both models. Some reasons belong to one model only: coinbase and
// coinjoin to UTXO chains; burned, minted and unknown_source to account chains.
//   unspent          still in an unspent output, or still held by the account
//   labelled         reached an entity the caller stops at (e.g. an exchange)
//   below_threshold  a tainted amount under the minimum is not followed
//   hop_limit        would need more than the maximum hops
//   time_window      moved outside [from_height, to_height]
//   fee              paid as a transaction fee
//   coinbase         newly mined coins (UTXO, backward)
//   burned           sent to the zero address (account)
//   minted           created by a token contract, sent by the zero address (account, backward)
//   unknown_source   value the indexed transfers do not explain (account, backward)
//   truncated        the answer reached its edge or step limit first
//   coinjoin         entered a transaction the caller stops at, a CoinJoin (UTXO)
enum class EndReason : uint8_t {
  kUnspent = 0,
  kLabelled,
  kBelowThreshold,
  kHopLimit,
  kTimeWindow,
  kFee,
  kCoinbase,
  kBurned,
  kMinted,
  kUnknownSource,
  kTruncated,
  kCoinJoin,
};
inline constexpr int kNumEndReasons = 12;
// Returns: "unspent", "labelled", ... as in the comment above.
std::string_view EndReasonName(EndReason r);

// A trace node that is no address or account: outputs without an address, and fees.
inline constexpr uint32_t kNoNode = UINT32_MAX;

}  // namespace ariadne::query

#endif  // ARIADNE_ENGINE_QUERY_VOCABULARY_H_
