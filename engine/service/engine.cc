#include "engine/service/engine.h"

#include <chrono>

#include "engine/core/status_macros.h"
#include "heuristics/clustering.h"

namespace ariadne::service {
namespace {

// The stored clustering plus the links of its deferred change outputs that are still unspent.
absl::StatusOr<std::unique_ptr<graph::ClusterIndex>> BuildClusterIndex(
    const store::Store& store, const graph::TxGraph& graph, const store::HeightIndex& heights) {
  return graph::ClusterIndex::Build(store, graph, heights,
                                    [&store](std::span<const store::EvidenceRow> stored) {
                                      return heuristics::SettledLinks(store, stored);
                                    });
}

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Load(std::unique_ptr<store::Store> store) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Engine> e(new Engine());
  e->store_ = std::move(store);
  RETURN_IF_ERROR(e->heights_.Load(*e->store_));
  ASSIGN_OR_RETURN(e->graph_, graph::TxGraph::Load(*e->store_));
  ASSIGN_OR_RETURN(store::ChainState state, e->store_->ReadState());
  e->addresses_ = std::make_unique<graph::AddressIndex>(*e->graph_, state.addr_count);
  ASSIGN_OR_RETURN(e->names_, graph::AddressNames::Load(*e->store_));
  auto clusters = BuildClusterIndex(*e->store_, *e->graph_, e->heights_);
  if (clusters.ok()) {
    e->clusters_ = *std::move(clusters);
  } else {
    e->warnings_.push_back("no cluster queries: " + std::string(clusters.status().message()));
  }
  ASSIGN_OR_RETURN(e->labels_, graph::LabelIndex::Build(*e->store_, e->clusters_.get()));
  if (IsEvm(e->store_->network())) {
    // The account model: the Bitcoin structures above are empty for an EVM store.
    ASSIGN_OR_RETURN(e->account_graph_, account::Graph::Load(*e->store_));
    ASSIGN_OR_RETURN(e->account_labels_, account::LabelIndex::Build(*e->store_));
    auto evm_clusters = account::ClusterIndex::Build(*e->store_, *e->account_graph_);
    if (evm_clusters.ok()) {
      e->account_clusters_ = *std::move(evm_clusters);
      e->warnings_.clear();  // the Bitcoin clustering's absence is no news on an EVM store
    } else {
      e->warnings_.assign({"no cluster queries: " + std::string(evm_clusters.status().message())});
    }
  }
  e->load_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return e;
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Refresh(const Engine& previous,
                                                        std::unique_ptr<store::Store> store) {
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(store::ChainState before, previous.store().ReadState());
  ASSIGN_OR_RETURN(store::ChainState after, store->ReadState());
  // EVM stores are loaded again (their graph has no incremental extension yet).
  if (IsEvm(store->network())) return Load(std::move(store));
  bool grew = after.tx_count >= before.tx_count && after.tip_height >= before.tip_height &&
              previous.graph().tx_count() == before.tx_count;
  if (grew && before.tip_height >= 0) {
    auto block = store->ReadBlock(static_cast<uint32_t>(before.tip_height));
    grew = block.ok() && block->hash() == before.tip_hash;
  }
  if (!grew) return Load(std::move(store));
  std::unique_ptr<Engine> e(new Engine());
  e->store_ = std::move(store);
  RETURN_IF_ERROR(e->heights_.Load(*e->store_));
  e->graph_ = std::make_unique<graph::TxGraph>(*previous.graph_);
  auto added = e->graph_->Extend(*e->store_);
  if (!added.ok()) return added.status();
  e->addresses_ = std::make_unique<graph::AddressIndex>(*e->graph_, after.addr_count);
  e->names_ = std::make_unique<graph::AddressNames>(*previous.names_);
  RETURN_IF_ERROR(e->names_->Extend(*e->store_).status());
  auto clusters = BuildClusterIndex(*e->store_, *e->graph_, e->heights_);
  if (clusters.ok()) {
    e->clusters_ = *std::move(clusters);
  } else {
    e->warnings_.push_back("no cluster queries: " + std::string(clusters.status().message()));
  }
  ASSIGN_OR_RETURN(e->labels_, graph::LabelIndex::Build(*e->store_, e->clusters_.get()));
  e->load_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return e;
}

}  // namespace ariadne::service
