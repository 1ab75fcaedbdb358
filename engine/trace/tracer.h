// Flow-of-funds tracing over the in-memory transaction graph.
//
// Forward: where did the value of the seed outputs go. Taint moves from a transaction's inputs to
// its outputs under the chosen model (taint.h); transactions are processed in chain order (a heap
// by TxNum), so a transaction is taken up once all of its tainted inputs are known. Backward:
// where did the value of the seed outputs come from, the same in reverse chain order.
//
// Hops count value changing hands: the seeds are hop 0, and an output one hop further than the
// nearest tainted input of its transaction, unless it stays in a node the taint is already in (an
// address paying itself, or by cluster a wallet's own transactions such as a peel chain). Backward
// alike. Taint that would go beyond max_hops ends in the node it is in. Every tainted amount ends
// somewhere, and the result says where:
//   unspent         still in an unspent output (forward)
//   labelled        reached an entity the caller stops at (e.g. an exchange)
//   below_threshold a tainted amount under min_value is not followed
//   hop_limit       would need more than max_hops
//   time_window     moved in a transaction outside [from_height, to_height]
//   fee             paid to miners
//   coinbase        newly mined coins (backward)
//   truncated       the result reached max_edges before the taint was followed to its end
//   coinjoin        entered a transaction the caller stops at (a CoinJoin: haircut through one
//                   would spread the taint over every participant)
#ifndef ARIADNE_ENGINE_TRACE_TRACER_H_
#define ARIADNE_ENGINE_TRACE_TRACER_H_

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "engine/graph/tx_graph.h"
#include "engine/store/height_index.h"
#include "engine/trace/taint.h"
#include "engine/trace/trace_options.h"

namespace ariadne::trace {

struct TraceEdge {
  uint32_t from = kNoNode;  // node of the inputs' owner (money flows from -> to)
  uint32_t to = kNoNode;
  TxNum tx;
  int64_t value = 0;    // value of the transaction's outputs to `to`
  int64_t tainted = 0;  // of which tainted (taint from `from`)
  uint32_t hop = 0;
};

// The node of an address in a trace is the address itself, or its cluster (node_of); kNoNode
// stands for outputs without an address and for fees.
struct TraceOptions : TraceLimits {
  int64_t min_value = 0;     // default 0: follow any amount
  uint32_t from_height = 0;  // default: the whole chain
  uint32_t to_height = UINT32_MAX;
  // Default none: stop at nothing. Returns true for an address whose entity the trace ends at.
  std::function<bool(AddrId)> stop_at;
  // Default none: follow every transaction. Returns true for a transaction the taint stops at
  // (e.g. a CoinJoin); the taint entering it ends there.
  std::function<bool(TxNum)> stop_at_tx;
  // Default: the address id. Groups addresses into nodes (e.g. their cluster id).
  std::function<uint32_t(AddrId)> node_of;
  // Default none: the result keeps every edge. When set, the edges of each transaction are handed
  // to it once the transaction is taken up, and the result keeps none (edge_count still counts
  // them): an answer that sums or counts edges never holds them all.
  std::function<void(std::span<const TraceEdge>)> take_edges;
};

struct TraceEnd {
  uint32_t node = kNoNode;
  EndReason reason = EndReason::kUnspent;
  int64_t tainted = 0;
  uint32_t hop = 0;  // smallest hop at which taint ended there
};

struct TraceResult {
  int64_t seed_value = 0;                        // value of the seed outputs
  std::vector<TraceEdge> edges;                  // empty when TraceOptions::take_edges took them
  uint64_t edge_count = 0;                       // the edges found, taken or kept
  std::vector<TraceEnd> ends;                    // one per (node, reason)
  std::array<int64_t, kNumEndReasons> totals{};  // tainted value per end reason
  uint64_t txs = 0;                              // transactions the taint went through
  bool truncated = false;
  bool cancelled = false;
};

// Traces from `seeds` (outputs, each tainted in full).
TraceResult Trace(const graph::TxGraph& graph, const store::HeightIndex& heights,
                  std::span<const OutNum> seeds, const TraceOptions& options);

}  // namespace ariadne::trace

#endif  // ARIADNE_ENGINE_TRACE_TRACER_H_
