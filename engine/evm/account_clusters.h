// The stored EVM clustering, ready for queries: the cluster of every account, the members of every
// cluster (CSR) and the evidence forest that explains why two accounts share a cluster. Built at
// server start from the evm_evidence rows (heuristics/evm_clustering.h writes them).
// Memory: 8 bytes per account + 8 per cluster + 40 per union.
#ifndef ARIADNE_ENGINE_EVM_ACCOUNT_CLUSTERS_H_
#define ARIADNE_ENGINE_EVM_ACCOUNT_CLUSTERS_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/evm/account_graph.h"
#include "engine/store/evm_schema.h"
#include "engine/store/store.h"

namespace ariadne::account {

class ClusterIndex {
 public:
  // Returns: NOT_FOUND when the store has no EVM clustering; FAILED_PRECONDITION when it does not
  //          cover the graph's transactions (run `ariadne index evm --db DIR` to rebuild it).
  static absl::StatusOr<std::unique_ptr<ClusterIndex>> Build(const store::Store& store,
                                                             const Graph& graph);
  // Args: evidence: unions over accounts [0, accounts).
  static std::unique_ptr<ClusterIndex> FromEvidence(uint32_t accounts,
                                                    std::vector<store::EvmEvidenceRow> evidence,
                                                    std::string params);

  uint32_t account_count() const { return static_cast<uint32_t>(dense_.size()); }
  uint32_t cluster_count() const { return static_cast<uint32_t>(roots_.size()); }
  const std::string& params() const { return params_; }
  const std::vector<store::EvmEvidenceRow>& evidence() const { return evidence_; }

  // Returns: the cluster id (smallest member AccountId) of an account.
  uint32_t ClusterOf(uint32_t a) const { return roots_[dense_[a]]; }
  // Returns: the members of a cluster, ascending. `c` must be a cluster id.
  std::span<const uint32_t> Members(uint32_t c) const;
  bool IsCluster(uint32_t c) const { return c < dense_.size() && roots_[dense_[c]] == c; }
  uint32_t Size(uint32_t c) const { return static_cast<uint32_t>(Members(c).size()); }

  // The unions on the path between two accounts of one cluster, oriented from `from` to `to`.
  // Returns: NOT_FOUND when they are in different clusters (empty for the same account).
  absl::StatusOr<std::vector<store::EvmEvidenceRow>> Explain(uint32_t from, uint32_t to) const;

 private:
  ClusterIndex() = default;
  std::string params_;
  std::vector<uint32_t> dense_;    // per account: dense cluster index
  std::vector<uint32_t> roots_;    // per cluster: cluster id
  std::vector<uint32_t> offsets_;  // per cluster + 1: into members_
  std::vector<uint32_t> members_;
  std::vector<store::EvmEvidenceRow> evidence_;
  std::vector<uint32_t> adj_offsets_;  // per account + 1
  std::vector<uint32_t> adj_;          // evidence index per directed edge
};

}  // namespace ariadne::account

#endif  // ARIADNE_ENGINE_EVM_ACCOUNT_CLUSTERS_H_
