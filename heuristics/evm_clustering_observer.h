// Keeps the stored EVM clustering up to date while `ariadne index evm` commits blocks, as
// ClusteringObserver does for Bitcoin: every commit's unions and their evidence rows are written
// in the same atomic commit as the chain rows, so the clusters always cover what the store holds.
//
// Each commit extends the observer's transfer graph with the commit's rows and runs the heuristics
// (evm_candidates.h) over what the commit touched: deposit-address reuse for every account that
// sent or received, airdrops for every distributor of a token transfer and for the distributors of
// what its senders received, self-authorization for the new transfers. Candidates already made are
// no-ops in the union-find, so the clusters are exactly those a rebuild (RebuildEvmClusters) makes
// over the same store; a run that commits once also records the same links. Across commits a
// union may rest on another of the equally valid links of its cluster, since links are recorded in
// the order the commits found them.
//
// The exchanges are fixed for the run (labels and params.exchanges as the run starts): after new
// exchange labels, `ariadne index evm --db DIR` with no source rebuilds the clusters.
#ifndef ARIADNE_HEURISTICS_EVM_CLUSTERING_OBSERVER_H_
#define ARIADNE_HEURISTICS_EVM_CLUSTERING_OBSERVER_H_

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_set>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/graph/union_find.h"
#include "engine/store/evm_commit.h"
#include "engine/store/store.h"
#include "heuristics/evm_candidates.h"
#include "heuristics/evm_clustering.h"

namespace ariadne::heuristics {

class EvmClusteringObserver : public store::EvmIndexObserver {
 public:
  // Loads the stored clustering with what it was built from (graph, approvals, exchanges). A store
  // without one, or with one of other parameters or that does not cover its transactions, is
  // rebuilt first (RebuildEvmClusters).
  // Args: store: an EVM store opened read-write (must outlive the observer).
  static absl::StatusOr<std::unique_ptr<EvmClusteringObserver>> Create(
      store::Store* store, const EvmClusterParams& params);

  absl::Status OnCommit(const store::EvmCommitRows& rows, store::CommitBatch* batch) override;

  // Returns: the unions made by this observer's commits, per heuristic (or by its rebuild when it
  // had to make one).
  const std::array<uint64_t, store::kNumEvmHeuristics>& unions() const { return unions_; }
  // Returns: true when Create rebuilt the clustering.
  bool rebuilt() const { return rebuilt_; }
  const std::string& params() const { return meta_.policy; }

 private:
  EvmClusteringObserver() = default;

  EvmClusterParams params_;
  EvmClusterInputs inputs_;
  // The exchanges' addresses, also those not on chain yet: an account that appears with one of
  // them is an exchange from its first commit.
  std::unordered_set<evm::Address> exchange_addresses_;
  Approvals approvals_;
  graph::UnionFind uf_;
  store::ClusterMeta meta_;
  absl::flat_hash_map<uint64_t, uint32_t> next_index_;  // per evidence TxNum: its next row index
  std::array<uint64_t, store::kNumEvmHeuristics> unions_{};
  bool rebuilt_ = false;
};

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_EVM_CLUSTERING_OBSERVER_H_
