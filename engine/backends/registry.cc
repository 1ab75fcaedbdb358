#include "engine/backends/registry.h"

#include "engine/account/account_backend.h"
#include "engine/utxo/utxo_backend.h"

namespace ariadne::backends {

query::ChainModel ModelOf(Network network) {
  return IsEvm(network) ? query::ChainModel::kAccount : query::ChainModel::kUtxo;
}

absl::StatusOr<std::unique_ptr<query::ChainBackend>> OpenBackend(
    const store::Store& store, std::shared_ptr<const query::QueryHooks> hooks) {
  switch (ModelOf(store.network())) {
    case query::ChainModel::kUtxo:
      return utxo::UtxoBackend::Open(store, std::move(hooks));
    case query::ChainModel::kAccount:
      return account::AccountBackend::Open(store);
  }
  return absl::InternalError("no backend for the store's chain model");
}

}  // namespace ariadne::backends
