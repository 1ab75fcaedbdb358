// The registry of chain backends: which backend answers a store, decided once from its network
// when the store is opened. Adding a chain is adding its backend folder under engine/ and one case
// here (docs/architecture.md).
#ifndef ARIADNE_ENGINE_BACKENDS_REGISTRY_H_
#define ARIADNE_ENGINE_BACKENDS_REGISTRY_H_

#include <memory>

#include "absl/status/statusor.h"
#include "engine/core/network.h"
#include "engine/query/chain_backend.h"
#include "engine/query/hooks.h"
#include "engine/store/store.h"

namespace ariadne::backends {

// Returns: the chain model of a network's stores.
query::ChainModel ModelOf(Network network);

// Builds the backend of a store's chain.
// Args: store: must outlive the backend; hooks: the heuristics queries use (required).
// Returns: the backend's load errors.
absl::StatusOr<std::unique_ptr<query::ChainBackend>> OpenBackend(
    const store::Store& store, std::shared_ptr<const query::QueryHooks> hooks);

}  // namespace ariadne::backends

#endif  // ARIADNE_ENGINE_BACKENDS_REGISTRY_H_
