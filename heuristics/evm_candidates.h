// The EVM clustering heuristics (evm_clustering.h describes their rules) as generators of
// candidate links, each over a part of the transfer graph: one account as a deposit address, one
// distributor's airdrops, a range of transfers for self-authorization. A rebuild runs them over the
// whole graph; the observer that keeps the clusters while indexing (evm_clustering_observer.h)
// over what each commit touched. Applying the candidates in order (ApplyCandidates) records a
// link only when it joins two clusters.
#ifndef ARIADNE_HEURISTICS_EVM_CANDIDATES_H_
#define ARIADNE_HEURISTICS_EVM_CANDIDATES_H_

#include <array>
#include <cstdint>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "engine/graph/account_graph.h"
#include "engine/graph/union_find.h"
#include "engine/store/evm_schema.h"
#include "heuristics/evm_clustering.h"

namespace ariadne::heuristics {

// A link one heuristic proposes: its evidence transaction, the two accounts, what it goes through
// and the related transaction. Candidates are applied in order of (tx, heuristic, a, b).
struct EvmCandidate {
  uint64_t tx;
  store::EvmHeuristic heuristic;
  uint32_t a;
  uint32_t b;
  uint32_t via;
  uint64_t related;
  bool operator<(const EvmCandidate& o) const {
    return std::tie(tx, heuristic, a, b) < std::tie(o.tx, o.heuristic, o.a, o.b);
  }
};

// Deposit-address reuse with `d` as the deposit address: every sender to it joined to its first,
// when it forwards to an exchange.
// Returns: true when `d` is a deposit address. Out: the candidates, appended.
bool DepositCandidates(const graph::AccountGraph& g, uint32_t d,
                       const absl::flat_hash_set<uint32_t>& exchanges, const EvmClusterParams& p,
                       std::vector<EvmCandidate>* out);

// Airdrop multi-participation with `a` as the distributor.
// Returns: the airdrops `a` made. Out: the candidates, appended.
uint64_t AirdropCandidates(const graph::AccountGraph& g, uint32_t a,
                           const absl::flat_hash_set<uint32_t>& exchanges,
                           const EvmClusterParams& p, std::vector<EvmCandidate>* out);

// The approvals in effect for self-authorization: the first non-zero approval of each (owner,
// token, spender), in chain order.
class Approvals {
 public:
  // Args: e: the next approval in chain order.
  void Add(const ApprovalEvent& e) {
    if (e.nonzero && e.owner != e.spender)
      approved_.emplace(std::make_tuple(e.owner, e.asset, e.spender), e.tx);
  }
  bool empty() const { return approved_.empty(); }
  // Returns: the transaction of the approval, or UINT64_MAX.
  uint64_t Find(uint32_t owner, uint32_t asset, uint32_t spender) const {
    auto it = approved_.find(std::make_tuple(owner, asset, spender));
    return it == approved_.end() ? UINT64_MAX : it->second;
  }

 private:
  absl::flat_hash_map<std::tuple<uint32_t, uint32_t, uint32_t>, uint64_t> approved_;
};

// Self-authorization over the transfers [first, end) (the first qualifying transfer of each
// owner and spender). Out: the candidates, appended.
void SelfAuthorizationCandidates(const graph::AccountGraph& g, const Approvals& approvals,
                                 uint64_t first, uint64_t end, std::vector<EvmCandidate>* out);

// Sorts the candidates and applies them: a link is recorded only when it joins two clusters.
// Out: *evidence (appended), *unions (counted per heuristic).
void ApplyCandidates(std::vector<EvmCandidate> candidates, graph::UnionFind* uf,
                     std::vector<store::EvmEvidenceRow>* evidence,
                     std::array<uint64_t, store::kNumEvmHeuristics>* unions);

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_EVM_CANDIDATES_H_
