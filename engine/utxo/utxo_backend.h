// The backend of UTXO chains (Bitcoin): answers queries from the store's rows by key and the
// in-memory structures built from them when the store is opened: the transaction graph with its
// txids, the outputs of every address, the address names, heights, the clustering (with its totals
// and evidence) and the labels.
#ifndef ARIADNE_ENGINE_UTXO_UTXO_BACKEND_H_
#define ARIADNE_ENGINE_UTXO_UTXO_BACKEND_H_

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph/address_index.h"
#include "engine/graph/address_names.h"
#include "engine/graph/cluster_files.h"
#include "engine/graph/cluster_index.h"
#include "engine/graph/cluster_totals.h"
#include "engine/graph/label_index.h"
#include "engine/graph/tx_graph.h"
#include "engine/query/chain_backend.h"
#include "engine/query/hooks.h"
#include "engine/store/height_index.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::utxo {

class UtxoBackend : public query::ChainBackend {
 public:
  // Builds the structures of a UTXO store. A missing or stale clustering is a warning (cluster
  // queries then answer FAILED_PRECONDITION).
  // Args: store: must outlive the backend; hooks: the heuristics queries use (required).
  // Returns: the store's read errors; DATA_LOSS for inconsistent rows.
  static absl::StatusOr<std::unique_ptr<UtxoBackend>> Open(
      const store::Store& store, std::shared_ptr<const query::QueryHooks> hooks);

  query::ChainModel model() const override { return query::ChainModel::kUtxo; }
  // When the store only grew since this backend was built (the block at its tip is unchanged and
  // no transaction went away), the graph files are mapped at their new lengths (without them,
  // the in-memory graph and names are copied and extended with what is new); after a reorg the
  // store is opened again.
  absl::StatusOr<std::unique_ptr<query::ChainBackend>> Refreshed(
      const store::Store& store) const override;

  absl::StatusOr<query::ChainStatus> Status() const override;
  absl::StatusOr<query::Transaction> Tx(std::string_view txid) const override;

  // The structures (tests compare a refreshed backend with a freshly opened one).
  const graph::TxGraph& graph() const { return *graph_; }
  const graph::AddressNames& names() const { return *names_; }
  const graph::AddressIndex& addresses() const { return *addresses_; }
  const store::HeightIndex& heights() const { return heights_; }
  // Returns: how many clusters (and members added since) were settled again over the cluster
  //          files' settled clustering (0: none, or no files).
  uint64_t resettled_nodes() const { return resettled_nodes_; }
  // Returns: the merged clusters whose totals a refresh started from the previous engine's sum of
  //          the merged cluster they grew from (0: none, or no files).
  uint64_t grown_totals() const {
    return overlaid_totals_ != nullptr ? overlaid_totals_->grown() : 0;
  }

 protected:
  // The model-specific parts (query/chain_backend.h); trace, paths and exposure in utxo_trace.cc.
  ARIADNE_CHAIN_BACKEND_PARTS;

 private:
  UtxoBackend(const store::Store& store, std::shared_ptr<const query::QueryHooks> hooks)
      : store_(store), hooks_(std::move(hooks)) {}
  // Maps the graph and the names from the graph files; reads them from the rows (with a warning)
  // when the store has none. Returns: DATA_LOSS naming a bad graph file.
  absl::Status MapOrLoadGraph();
  // Returns: whether the store's cluster files are those `previous` mapped, still live.
  bool ReusesFilesOf(const UtxoBackend& previous) const;
  // Builds the address index, the clustering, its totals and the labels (after the graph): from
  // the cluster files and overlays when the store has them, else by passes over everything.
  absl::Status LoadIndexes(uint32_t address_count);
  // Builds the clustering, its totals and the labels (after the graph and the address index).
  absl::Status LoadClustersAndLabels();
  // Returns: the clustering of the cluster files with the unions made after them; why there is
  //          none. Out: evidence_ (the overlay's rows).
  absl::StatusOr<std::unique_ptr<graph::ClusterIndex>> MapClusters();
  // Returns: the evidence of link `i` of clusters().
  store::EvidenceRow EvidenceOf(uint32_t i) const;
  // Returns: the stored clustering with the links of its deferred change outputs still unspent;
  //          why there is none. Out: evidence_.
  absl::StatusOr<std::unique_ptr<graph::ClusterIndex>> LoadClusters();
  // Returns: the txid of a transaction (from the graph, or its row).
  std::string TxidString(TxNum t) const;
  // Returns: the outputs a trace from `seed` starts with; the seed's errors.
  absl::StatusOr<std::vector<OutNum>> Seeds(const query::TraceQuery& query) const;

  const store::Store& store_;
  std::shared_ptr<const query::QueryHooks> hooks_;
  store::HeightIndex heights_;
  std::unique_ptr<graph::TxGraph> graph_;
  std::unique_ptr<graph::AddressIndex> addresses_;
  std::unique_ptr<graph::AddressNames> names_;
  // The cluster files (null: none, or not usable) and whether their clustering is served.
  std::shared_ptr<const graph::ClusterFiles> cluster_files_;
  bool clusters_from_files_ = false;
  std::vector<store::EvidenceRow> evidence_;  // by link of clusters() (from files: past theirs)
  std::vector<graph::ClusterTotals> totals_;  // by cluster ordinal (without the files)
  std::unique_ptr<graph::OverlaidTotals> overlaid_totals_;  // with the files
  uint64_t resettled_nodes_ = 0;  // clusters settled again over the files (ResettleSince)
  // While a refresh builds this backend: the one it refreshes (what it may reuse), else null.
  const UtxoBackend* previous_ = nullptr;
};

}  // namespace ariadne::utxo

#endif  // ARIADNE_ENGINE_UTXO_UTXO_BACKEND_H_
