// The stored clustering, ready for queries: the cluster of every address, the members of every
// cluster (CSR), per-cluster totals, and the evidence forest to explain why two addresses share a
// cluster. Built at server start from the evidence rows and the transaction graph.
//
// Totals count flows across the cluster's boundary: "received" is what reached the cluster from
// transactions with no input of the cluster, "sent" what left it (inputs of the cluster minus
// outputs returning to it, i.e. change). So received - sent is the cluster's unspent balance.
//
// Memory: 8 bytes per address + 36 per cluster + 28 per union.
#ifndef ARIADNE_ENGINE_GRAPH_CLUSTER_INDEX_H_
#define ARIADNE_ENGINE_GRAPH_CLUSTER_INDEX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph/tx_graph.h"
#include "engine/store/height_index.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::graph {

struct ClusterTotals {
  int64_t received = 0;
  int64_t sent = 0;
  uint64_t tx_count = 0;
  uint32_t first_height = UINT32_MAX;
  uint32_t last_height = 0;
};

class ClusterIndex {
 public:
  // Builds from the store's active clustering. Returns: NOT_FOUND when the store has none;
  // FAILED_PRECONDITION when it does not cover the graph's transactions.
  // Args: settle (optional): given the stored evidence rows, the links the view adds to them
  // (heuristics::SettledLinks).
  using SettleFn = std::function<absl::StatusOr<std::vector<store::EvidenceRow>>(
      std::span<const store::EvidenceRow>)>;
  static absl::StatusOr<std::unique_ptr<ClusterIndex>> Build(const store::Store& store,
                                                             const TxGraph& graph,
                                                             const store::HeightIndex& heights,
                                                             const SettleFn& settle = {});

  uint32_t address_count() const { return static_cast<uint32_t>(dense_.size()); }
  uint32_t cluster_count() const { return static_cast<uint32_t>(roots_.size()); }
  const std::string& policy() const { return policy_; }

  // Returns: the cluster id (smallest member AddrId) of an address.
  ClusterId ClusterOf(AddrId a) const { return ClusterId(roots_[dense_[a.value()]]); }
  // Returns: the cluster's members, ascending. `c` must be a cluster id.
  std::span<const uint32_t> Members(ClusterId c) const;
  const ClusterTotals& Totals(ClusterId c) const { return totals_[dense_[c.value()]]; }
  // Returns: true when `c` names a cluster (it is the smallest member of its cluster).
  bool IsCluster(ClusterId c) const {
    return c.value() < dense_.size() && roots_[dense_[c.value()]] == c.value();
  }
  uint32_t Size(ClusterId c) const { return static_cast<uint32_t>(Members(c).size()); }

  // The unions on the path between two addresses of one cluster, from `from` to `to`.
  // Returns: NOT_FOUND when they are in different clusters (empty for the same address).
  absl::StatusOr<std::vector<store::EvidenceRow>> Explain(AddrId from, AddrId to) const;

 private:
  ClusterIndex() = default;
  std::string policy_;
  std::vector<uint32_t> dense_;    // per address: dense cluster index
  std::vector<uint32_t> roots_;    // per cluster: cluster id
  std::vector<uint32_t> offsets_;  // per cluster + 1: into members_
  std::vector<uint32_t> members_;  // per address
  std::vector<ClusterTotals> totals_;
  std::vector<store::EvidenceRow> evidence_;
  std::vector<uint32_t> adj_offsets_;  // per address + 1
  std::vector<uint32_t> adj_;          // evidence index per directed edge
};

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_CLUSTER_INDEX_H_
