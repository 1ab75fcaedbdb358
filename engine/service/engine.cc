#include "engine/service/engine.h"

#include <chrono>

#include "engine/core/status_macros.h"

namespace ariadne::service {

absl::StatusOr<std::unique_ptr<Engine>> Engine::Load(std::unique_ptr<store::Store> store) {
  auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Engine> e(new Engine());
  e->store_ = std::move(store);
  RETURN_IF_ERROR(e->heights_.Load(*e->store_));
  ASSIGN_OR_RETURN(e->graph_, graph::TxGraph::Load(*e->store_));
  ASSIGN_OR_RETURN(store::ChainState state, e->store_->ReadState());
  e->addresses_ = std::make_unique<graph::AddressIndex>(*e->graph_, state.addr_count);
  auto clusters = graph::ClusterIndex::Build(*e->store_, *e->graph_, e->heights_);
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
