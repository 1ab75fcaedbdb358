// A trace's edges aggregated by (from node, to node, asset): what an analyst or the web workspace
// draws (one arrow per pair of nodes with its total and how many transactions carried it), without
// the raw stream of one edge per (from, to, transaction). Written once for both chain models: the
// amounts are satoshi (int64_t) in UTXO chains, base units (evm::U256) in account chains.
#ifndef ARIADNE_ENGINE_QUERY_TRACE_FLOWS_H_
#define ARIADNE_ENGINE_QUERY_TRACE_FLOWS_H_

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "engine/core/u256.h"

namespace ariadne::query {

// One edge of a trace as the aggregation needs it. UTXO: asset 0, tx the transaction; account:
// the transfer's asset and transaction.
template <typename Amount>
struct FlowEdge {
  uint32_t from = 0;
  uint32_t to = 0;
  uint32_t asset = 0;
  uint64_t tx = 0;
  uint32_t height = 0;  // block height (or number) of the transaction
  Amount value{};       // UTXO: value of the outputs to `to`; account: the transfer's amount
  Amount tainted{};
  uint32_t hop = 0;
};

// The sums of one (from, to, asset).
template <typename Amount>
struct FlowSums {
  uint32_t from = 0;
  uint32_t to = 0;
  uint32_t asset = 0;
  Amount value{};
  Amount tainted{};
  uint64_t transactions = 0;  // distinct transactions
  uint64_t edges = 0;         // the edges summed (account: transfers)
  uint32_t hop = UINT32_MAX;  // the smallest hop
  uint32_t first_height = UINT32_MAX;
  uint32_t last_height = 0;
  uint64_t last_tx = UINT64_MAX;  // bookkeeping: the transaction of the last edge added
};

// Returns: a + b; U256 sums saturate at 2^256 - 1 (as the account tracer's do), satoshi sums
//          cannot overflow (all the coins there are fit 51 bits).
inline int64_t SumOf(int64_t a, int64_t b) { return a + b; }
inline evm::U256 SumOf(const evm::U256& a, const evm::U256& b) {
  evm::U256 r;
  return evm::U256::CheckedAdd(a, b, &r) ? r : evm::U256::Max();
}

// Aggregates edges in the order a trace answers them. The edges of one transaction arrive
// together (both tracers answer them grouped: UTXO per transaction taken up, account sorted by
// transfer, which is chain order), so a flow counts a transaction once by comparing it with the
// transaction of its previous edge, without a set per flow.
template <typename Amount>
class FlowTable {
 public:
  void Add(const FlowEdge<Amount>& e) {
    auto [it, inserted] = index_.emplace(std::make_tuple(e.from, e.to, e.asset),
                                         static_cast<uint32_t>(flows_.size()));
    if (inserted) {
      FlowSums<Amount>& f = flows_.emplace_back();
      f.from = e.from;
      f.to = e.to;
      f.asset = e.asset;
    }
    FlowSums<Amount>& f = flows_[it->second];
    f.value = SumOf(f.value, e.value);
    f.tainted = SumOf(f.tainted, e.tainted);
    f.transactions += f.last_tx != e.tx;
    f.last_tx = e.tx;
    ++f.edges;
    f.hop = std::min(f.hop, e.hop);
    f.first_height = std::min(f.first_height, e.height);
    f.last_height = std::max(f.last_height, e.height);
  }

  // Returns: the flows in the order of their first edge.
  const std::vector<FlowSums<Amount>>& flows() const { return flows_; }

 private:
  absl::flat_hash_map<std::tuple<uint32_t, uint32_t, uint32_t>, uint32_t> index_;
  std::vector<FlowSums<Amount>> flows_;
};

// What the summary-only and aggregated answers need of a trace's edges, taken one at a time (as
// the trace finds them, or from its list): for a summary the distinct nodes, for an aggregated
// answer the flows (whose nodes are the edges' nodes).
template <typename Amount>
class EdgeDigest {
 public:
  // Args: aggregate: true sums flows, false only collects the nodes.
  explicit EdgeDigest(bool aggregate) : aggregate_(aggregate) {}
  void Add(const FlowEdge<Amount>& e) {
    if (aggregate_) {
      flows_.Add(e);
      return;
    }
    // A transaction's edges mostly share their `from` (one owner of the inputs): one insert.
    if (!has_last_from_ || e.from != last_from_) {
      nodes_.insert(e.from);
      last_from_ = e.from;
      has_last_from_ = true;
    }
    nodes_.insert(e.to);
  }
  // Returns: the distinct nodes of the edges and of `ends` (the `nodes` of a trace's summary),
  //          without naming any. Requires: !aggregate.
  template <typename Ends>
  uint64_t CountNodes(const Ends& ends) const {
    uint64_t extra = 0;
    absl::flat_hash_set<uint32_t> seen;
    for (const auto& e : ends) {
      if (!nodes_.contains(e.node) && seen.insert(e.node).second) ++extra;
    }
    return nodes_.size() + extra;
  }
  const FlowTable<Amount>& flows() const { return flows_; }

 private:
  bool aggregate_;
  absl::flat_hash_set<uint32_t> nodes_;
  uint32_t last_from_ = 0;
  bool has_last_from_ = false;
  FlowTable<Amount> flows_;
};

}  // namespace ariadne::query

#endif  // ARIADNE_ENGINE_QUERY_TRACE_FLOWS_H_
