// Flow-of-funds tracing in the account model: taint per asset over the transfer graph.
//
// An account holds a balance of each asset; taint is a part of that balance. Every account that the
// taint reaches is followed through its own transfers of the asset, in chain order (fees, for
// ether, come before the transaction's transfers). Its "flow balance" is the sum of what it
// received minus what it sent and paid in fees, over the indexed transfers only; when it sends more
// than that (ether from mining, genesis or withdrawals, which are not transfers), the shortfall is
// untainted value of unknown origin.
//
// Forward (where did it go), per model:
//   poison   once an account holds taint of an asset, everything it sends of that asset later is
//            tainted in full (an upper bound: totals may exceed the seed)
//   haircut  an account's tainted share of its balance goes with every amount it sends:
//            sent * tainted / balance (floor), and the tainted part of the balance shrinks alike
//   fifo     each account keeps a queue of the amounts it received (tainted or not, in order); a
//            transfer out takes from the front of the queue (unknown-origin shortfall at the very
//            front: it is older than anything seen). Exact, like Clayton's rule.
// Backward (where did it come from): an amount an account sent is attributed to what it had
// received before: poison every earlier receipt in full; haircut in proportion to what is left of
// each earlier receipt after the outflows in between (each outflow takes its share of every
// receipt); fifo to the receipts the FIFO queue gives up for it. The part attributable to no
// receipt (unknown-origin value) ends as "unknown_source".
//
// Hops count value changing hands (between nodes: addresses, or clusters). Seeds are hop 0: the
// transfers an address received (forward: the taint starts in its balance; backward: their
// senders are hop 1). Where the taint ends:
//   unspent          still held at the end of the indexed chain
//   labelled         reached an account the caller stops at (e.g. an exchange)
//   below_threshold  a tainted amount under min_amount is not followed
//   hop_limit        would need more than max_hops
//   time_window      would move in a block outside [from_block, to_block]
//   fee              paid as a transaction fee (ether)
//   burned           sent to the zero address
//   minted           (backward) created by the token contract: sent by the zero address
//   unknown_source   (backward) sent from value the indexed transfers do not explain
//   truncated        the trace reached max_edges or max_steps before the taint was followed
// Taint of one asset never becomes another: a swap ends the taint in the pool or router that
// received it (it stays there as "unspent", or moves on in the same asset).
#ifndef ARIADNE_ENGINE_TRACE_ACCOUNT_TRACE_H_
#define ARIADNE_ENGINE_TRACE_ACCOUNT_TRACE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <vector>

#include "engine/graph/account_graph.h"
#include "engine/trace/trace_options.h"

namespace ariadne::trace {

using evm::U256;

// The node of an account in a trace is the account itself, or its cluster (node_of).
struct AccountTraceOptions : TraceLimits {
  U256 min_amount;          // default 0: follow any amount
  uint64_t from_block = 0;  // default: the whole chain
  uint64_t to_block = UINT64_MAX;
  // Default none. Returns true for an account whose entity the trace ends at.
  std::function<bool(AccountId)> stop_at;
  // Default: the AccountId. Groups accounts into nodes (e.g. their cluster id).
  std::function<uint32_t(AccountId)> node_of;
  // Default 50 M: account events walked (or simulated, backward) before it stops (truncated).
  uint64_t max_steps = 50'000'000;
};

struct AccountTraceEdge {
  uint32_t from = kNoNode;  // node of the sender (value flows from -> to)
  uint32_t to = kNoNode;
  TransferNum transfer;  // its asset, amount and transaction are in the graph
  U256 tainted;
  uint32_t hop = 0;
};

struct AccountTraceEnd {
  uint32_t node = kNoNode;
  EndReason reason = EndReason::kUnspent;
  AssetId asset;
  U256 tainted;
  uint32_t hop = 0;  // smallest hop at which taint ended there
};

struct AccountTraceResult {
  std::map<AssetId, U256> seed_amounts;                  // per asset
  std::vector<AccountTraceEdge> edges;                   // in chain order of their transfers
  uint64_t edge_count = 0;                               // edges.size()
  std::vector<AccountTraceEnd> ends;                     // one per (node, reason, asset)
  std::map<std::pair<EndReason, AssetId>, U256> totals;  // per (reason, asset)
  uint64_t txs = 0;
  bool truncated = false;
  bool cancelled = false;
};

// Traces from `seeds`: transfers, each tainted in full (forward: in its recipient's balance;
// backward: as sent by its sender).
AccountTraceResult TraceAccounts(const graph::AccountGraph& graph,
                                 std::span<const TransferNum> seeds,
                                 const AccountTraceOptions& options);

}  // namespace ariadne::trace

#endif  // ARIADNE_ENGINE_TRACE_ACCOUNT_TRACE_H_
