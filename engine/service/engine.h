// Everything a server answers from: the store and the in-memory structures built from it at start
// (heights, transaction graph with txids, address keys, per-address outputs, clusters, labels).
#ifndef ARIADNE_ENGINE_SERVICE_ENGINE_H_
#define ARIADNE_ENGINE_SERVICE_ENGINE_H_

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/evm/account_clusters.h"
#include "engine/evm/account_graph.h"
#include "engine/evm/account_labels.h"
#include "engine/graph/address_index.h"
#include "engine/graph/address_names.h"
#include "engine/graph/cluster_index.h"
#include "engine/graph/label_index.h"
#include "engine/graph/tx_graph.h"
#include "engine/store/height_index.h"
#include "engine/store/store.h"

namespace ariadne::service {

class Engine {
 public:
  // Builds the in-memory structures over an open store. Clusters and labels are optional: their
  // absence is a warning (cluster queries then answer FAILED_PRECONDITION).
  static absl::StatusOr<std::unique_ptr<Engine>> Load(std::unique_ptr<store::Store> store);
  // Builds the engine of `store`, a newer view of the store `previous` was built from (a replica
  // that caught up with the indexer). When the store only grew since (the block at `previous`'s
  // tip is unchanged and no transaction went away) the transaction graph is copied from
  // `previous` and extended with the new transactions instead of read again; after a reorg it is
  // Load(). `previous` is not changed: requests may still be answering from it.
  // Returns: Load()'s errors.
  static absl::StatusOr<std::unique_ptr<Engine>> Refresh(const Engine& previous,
                                                         std::unique_ptr<store::Store> store);

  const store::Store& store() const { return *store_; }
  store::Store* mutable_store() { return store_.get(); }
  const store::HeightIndex& heights() const { return heights_; }
  const graph::TxGraph& graph() const { return *graph_; }
  const graph::AddressIndex& addresses() const { return *addresses_; }
  const graph::AddressNames& names() const { return *names_; }
  const graph::ClusterIndex* clusters() const { return clusters_.get(); }
  const graph::LabelIndex& labels() const { return *labels_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  double load_seconds() const { return load_seconds_; }

  // EVM stores (IsEvm(store().network())): the account-model graph, labels and clusters (null
  // for Bitcoin stores; clusters also null when the store has none). The Bitcoin structures of an
  // EVM store are empty.
  bool is_evm() const { return account_graph_ != nullptr; }
  const account::Graph* account_graph() const { return account_graph_.get(); }
  const account::LabelIndex* account_labels() const { return account_labels_.get(); }
  const account::ClusterIndex* account_clusters() const { return account_clusters_.get(); }

 private:
  Engine() = default;
  std::unique_ptr<store::Store> store_;
  store::HeightIndex heights_;
  std::unique_ptr<graph::TxGraph> graph_;
  std::unique_ptr<graph::AddressIndex> addresses_;
  std::unique_ptr<graph::AddressNames> names_;
  std::unique_ptr<graph::ClusterIndex> clusters_;
  std::unique_ptr<graph::LabelIndex> labels_;
  std::vector<std::string> warnings_;
  double load_seconds_ = 0;
  std::unique_ptr<account::Graph> account_graph_;
  std::unique_ptr<account::LabelIndex> account_labels_;
  std::unique_ptr<account::ClusterIndex> account_clusters_;
};

// Where the service takes the engine it answers from. A request holds the snapshot it got for its
// whole life, so a source may swap in a newer engine (a replica catching up with the indexer)
// while older requests finish on the old one: shared ownership is the point here.
class EngineSource {
 public:
  virtual ~EngineSource() = default;
  // Returns: the current engine, or null while none is loaded yet (requests get UNAVAILABLE).
  virtual std::shared_ptr<const Engine> Get() const = 0;
};

// A source that always answers from one engine.
class FixedEngineSource : public EngineSource {
 public:
  explicit FixedEngineSource(std::shared_ptr<const Engine> engine) : engine_(std::move(engine)) {}
  std::shared_ptr<const Engine> Get() const override { return engine_; }

 private:
  std::shared_ptr<const Engine> engine_;
};

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_ENGINE_H_
