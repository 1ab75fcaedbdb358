// The backend of account-model chains (EVM): answers queries from the evm_* rows by key and the
// in-memory structures built from them when the store is opened: the transfer graph, the stored
// EVM clustering with its evidence, and the labels of EVM addresses. Addresses are shown in EIP-55
// form and accepted in any case (mixed case with a wrong checksum is INVALID_ARGUMENT naming the
// address); transactions are named by their hash (0x + 64 hex digits); amounts are decimal
// strings of 256-bit values in base units, per asset (ETH, or a token contract).
#ifndef ARIADNE_ENGINE_ACCOUNT_ACCOUNT_BACKEND_H_
#define ARIADNE_ENGINE_ACCOUNT_ACCOUNT_BACKEND_H_

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph/account_graph.h"
#include "engine/graph/cluster_index.h"
#include "engine/graph/label_index.h"
#include "engine/query/chain_backend.h"
#include "engine/store/evm_schema.h"
#include "engine/store/store.h"

namespace ariadne::account {

class AccountBackend : public query::ChainBackend {
 public:
  // Builds the structures of an EVM store. A missing or stale clustering is a warning.
  // Args: store: must outlive the backend.
  static absl::StatusOr<std::unique_ptr<AccountBackend>> Open(const store::Store& store);

  query::ChainModel model() const override { return query::ChainModel::kAccount; }
  // The transfer graph has no incremental extension: a refresh opens the store again.
  absl::StatusOr<std::unique_ptr<query::ChainBackend>> Refreshed(
      const store::Store& store) const override;

  absl::StatusOr<query::ChainStatus> Status() const override;
  absl::StatusOr<query::Transaction> Tx(std::string_view txid) const override;

  const graph::AccountGraph& graph() const { return *graph_; }

 protected:
  // The model-specific parts (query/chain_backend.h); trace, paths and exposure in
  // account_flows.cc.
  ARIADNE_CHAIN_BACKEND_PARTS;

 private:
  explicit AccountBackend(const store::Store& store) : store_(store) {}
  // Returns: the stored EVM clustering; why there is none. Out: evidence_.
  absl::StatusOr<std::unique_ptr<graph::ClusterIndex>> LoadClusters();
  // Returns: "ETH", or the token contract in EIP-55 form.
  std::string AssetName(AssetId asset) const;
  std::string StandardName(AssetId asset) const;
  // Returns: the AssetId of "ETH" or a token contract; INVALID_ARGUMENT / NOT_FOUND otherwise.
  absl::StatusOr<AssetId> ResolveAsset(std::string_view text) const;
  // Returns: the hash of a transaction, from its row.
  std::string TxHashString(TxNum tx) const;
  // Returns: the flows of an asset as the API carries them.
  query::AssetBalance Balance(AssetId asset, const store::EvmTotals& totals) const;
  // Returns: an amount of an asset as the API carries it.
  query::AssetAmount Amount(AssetId asset, const evm::U256& amount) const;
  // Returns: the transfers a trace starts with; the seed's errors.
  absl::StatusOr<std::vector<TransferNum>> Seeds(const query::TraceQuery& query,
                                                 std::optional<AssetId> asset) const;

  const store::Store& store_;
  std::unique_ptr<graph::AccountGraph> graph_;
  std::vector<store::EvmEvidenceRow> evidence_;  // by link of clusters()
};

}  // namespace ariadne::account

#endif  // ARIADNE_ENGINE_ACCOUNT_ACCOUNT_BACKEND_H_
