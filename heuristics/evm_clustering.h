// EVM address clustering (after Victor, "Address Clustering Heuristics for Ethereum", FC 2020),
// each union recorded with its evidence (heuristic, transaction, what it goes through):
//
//   deposit_address_reuse  An exchange deposit address D forwards what it receives to the
//       exchange: a transfer D -> E, E an exchange (labelled category "exchange", or listed), of
//       an asset D received from some S within `deposit_window_blocks` before, the forwarded
//       amount at most the received one and short of it by at most `deposit_tolerance_bps` of it
//       (plus, for ether, the forwarding transaction's fee). Every sender to such a D (other than
//       exchanges, the zero address and D) belongs to one entity: they are joined in order of
//       their first deposit. Evidence: the sender's deposit transaction, via D, related: the
//       forwarding transaction.
//   airdrop_multi_participation  An airdrop is a distributor (the zero address for a mint)
//       sending one token in one amount to at least `airdrop_min_recipients` accounts.
//       Participants that later send that token to the same collector (not the distributor, the
//       zero address or an exchange) belong to the collector's entity: each is joined to the
//       collector. Evidence: the participant's transfer to the collector, via the token, related:
//       the airdrop transfer it received.
//   self_authorization  An owner approves a spender for a token (ERC-20 Approval with a non-zero
//       value, or ERC-721 Approval), and later a transaction sent by the spender itself (so the
//       spender is an externally owned account, not a contract such as a DEX) moves the owner's
//       tokens of that contract: owner and spender are one entity. Evidence: the moving
//       transaction, via the token, related: the approval transaction.
//
// A link is recorded only when it merges two clusters, so the evidence of a cluster is a tree and
// any two of its accounts are explained by one chain of links. Candidate links are applied in
// chain order of their evidence transaction (then heuristic), so the result is deterministic.
#ifndef ARIADNE_HEURISTICS_EVM_CLUSTERING_H_
#define ARIADNE_HEURISTICS_EVM_CLUSTERING_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "engine/graph/account_graph.h"
#include "engine/store/evm_schema.h"
#include "engine/store/store.h"

namespace ariadne::heuristics {

struct EvmClusterParams {
  uint64_t deposit_window_blocks = 7200;  // default about a day of 12-second blocks
  uint32_t deposit_tolerance_bps = 100;   // default 1% of the received amount
  uint32_t airdrop_min_recipients = 10;   // default 10 accounts
  std::vector<evm::Address> exchanges;    // default none: only the store's exchange labels
  // Returns: "deposit_window=7200,deposit_tolerance_bps=100,airdrop_min_recipients=10,
  //          exchanges_listed=0".
  std::string ToSpec() const;
};

// An Approval log as stored (evm_approval).
struct ApprovalEvent {
  uint64_t tx = 0;
  uint32_t owner = 0;
  uint32_t spender = 0;
  uint32_t asset = 0;
  bool nonzero = false;
};

struct EvmClusterResult {
  std::vector<store::EvmEvidenceRow> evidence;  // the unions, in order
  std::array<uint64_t, store::kNumEvmHeuristics> unions{};
  uint64_t deposit_addresses = 0;
  uint64_t airdrops = 0;
  std::string params;
};

// Computes the unions over a graph.
// Args: approvals: in chain order; exchanges: AccountIds of exchange accounts.
EvmClusterResult BuildEvmClusters(const graph::AccountGraph& graph,
                                  const std::vector<ApprovalEvent>& approvals,
                                  const absl::flat_hash_set<uint32_t>& exchanges,
                                  const EvmClusterParams& params);

// What the heuristics read of an EVM store: its transfer graph, its approvals in chain order, and
// its exchanges (the accounts labelled "exchange" and those of params.exchanges).
struct EvmClusterInputs {
  std::unique_ptr<graph::AccountGraph> graph;
  std::vector<ApprovalEvent> approvals;
  absl::flat_hash_set<uint32_t> exchanges;
};
// Returns: the inputs; the store's read errors, DATA_LOSS for corrupt rows.
absl::StatusOr<EvmClusterInputs> LoadEvmClusterInputs(const store::Store& store,
                                                      const EvmClusterParams& params);

// Rebuilds the stored EVM clustering of an EVM store: loads the graph, the approvals and the
// exchange labels, computes the unions and writes them (a new generation of evidence rows and the
// meta row in one atomic commit; the old generation is deleted after).
// Returns: the result; FAILED_PRECONDITION for a Bitcoin store, store errors otherwise.
absl::StatusOr<EvmClusterResult> RebuildEvmClusters(store::Store* store,
                                                    const EvmClusterParams& params);

// Reads a list of addresses, one per line (blank lines and '#' comments ignored; any case,
// mixed case must be a valid EIP-55 checksum).
// Returns: the addresses; NOT_FOUND for a missing file; INVALID_ARGUMENT naming file and line.
absl::StatusOr<std::vector<evm::Address>> ReadAddressList(const std::filesystem::path& path);

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_EVM_CLUSTERING_H_
