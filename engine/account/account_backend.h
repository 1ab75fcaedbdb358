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
  const graph::ClusterIndex* clusters() const override { return clusters_.get(); }
  const graph::LabelIndex& labels() const override { return *labels_; }
  // The transfer graph has no incremental extension: a refresh opens the store again.
  absl::StatusOr<std::unique_ptr<query::ChainBackend>> Refreshed(
      const store::Store& store) const override;

  absl::StatusOr<query::ChainStatus> Status() const override;
  absl::StatusOr<query::Transaction> Tx(std::string_view txid) const override;

  const graph::AccountGraph& graph() const { return *graph_; }

 protected:
  absl::StatusOr<uint32_t> ResolveMember(std::string_view address) const override;
  std::string MemberName(uint32_t member) const override;
  absl::Status NoClustering() const override;
  absl::Status FillAddress(uint32_t member, query::AddressSummary* out) const override;
  absl::StatusOr<uint64_t> HistoryPage(uint32_t member, uint64_t from, uint32_t limit,
                                       bool newest_first,
                                       std::vector<uint64_t>* txs) const override;
  absl::StatusOr<bool> FillHistoryEntry(uint32_t member, uint64_t tx,
                                        query::HistoryEntry* out) const override;
  void FillClusterFlows(ClusterId cluster, query::ClusterSummary* out) const override;
  absl::StatusOr<query::EvidenceLink> NameLink(const graph::LinkStep& step) const override;
  // account_flows.cc
  absl::Status RunTrace(const query::TraceQuery& query, const query::CancelFn& cancelled,
                        query::TraceSink* sink) const override;
  absl::StatusOr<bool> RunPaths(std::span<const uint32_t> from, std::span<const uint32_t> to,
                                uint32_t max_hops, uint32_t max_paths,
                                const query::PathsRequest& request,
                                const query::CancelFn& cancelled,
                                query::Paths* out) const override;
  absl::StatusOr<bool> RunExposure(std::span<const uint32_t> members, uint32_t hops,
                                   query::TaintModel model, const query::CancelFn& cancelled,
                                   query::Exposure* out) const override;

 private:
  explicit AccountBackend(const store::Store& store) : store_(store) {}
  // Builds the clustering (a warning when there is none) and the labels (after the graph).
  absl::Status LoadClustersAndLabels();
  // Returns: "ETH", or the token contract in EIP-55 form.
  std::string AssetName(AssetId asset) const;
  std::string StandardName(AssetId asset) const;
  // Returns: the AssetId of "ETH" or a token contract; INVALID_ARGUMENT / NOT_FOUND otherwise.
  absl::StatusOr<AssetId> ResolveAsset(std::string_view text) const;
  // Returns: the hash of a transaction, from its row.
  std::string TxHashString(TxNum tx) const;
  // Returns: an amount of an asset as the API carries it.
  query::AssetAmount Amount(AssetId asset, const evm::U256& amount) const;
  // Returns: the transfers a trace starts with; the seed's errors.
  absl::StatusOr<std::vector<TransferNum>> Seeds(const query::TraceQuery& query,
                                                 std::optional<AssetId> asset) const;

  const store::Store& store_;
  std::unique_ptr<graph::AccountGraph> graph_;
  std::unique_ptr<graph::ClusterIndex> clusters_;
  std::vector<store::EvmEvidenceRow> evidence_;  // by link of clusters_
  std::unique_ptr<graph::LabelIndex> labels_;
};

}  // namespace ariadne::account

#endif  // ARIADNE_ENGINE_ACCOUNT_ACCOUNT_BACKEND_H_
