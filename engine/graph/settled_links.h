// The links a deferring clustering policy settles for serving (docs/clustering.md, "Deferred
// links"): every pending change candidate whose output is still unspent links its two members, in
// order of candidate key, over the stored clustering, unless either side is above the guard size.
// One implementation for the three places that make them: the passes over everything
// (heuristics::SettledLinksOver), the cluster files (`recluster` writes the settled clustering,
// docs/schema.md "The cluster files"), and a server that maps those files after the indexer moved
// on (ResettleSince: only the candidates connected to what changed are settled again).
#ifndef ARIADNE_ENGINE_GRAPH_SETTLED_LINKS_H_
#define ARIADNE_ENGINE_GRAPH_SETTLED_LINKS_H_

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "engine/graph/cluster_index.h"
#include "engine/graph/tx_graph.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::graph {

// A pending change candidate (a cluster_pending row) as settling needs it.
struct PendingEdge {
  uint64_t key = 0;  // paying TxNum << 24 | vout of the change output
  uint32_t anchor = 0;
  uint32_t change = 0;
  uint8_t rule = 0;
  uint8_t pad[7] = {};
  TxNum tx() const { return TxNum(key >> 24); }
  uint32_t vout() const { return static_cast<uint32_t>(key & 0xffffff); }
};
static_assert(sizeof(PendingEdge) == 24);

// How the policy of a clustering settles (written in meta/cluster_files with the files).
struct SettleParams {
  bool settles = false;    // default false: the policy does not defer (nothing is settled)
  uint32_t guard = 0;      // default 0: no guard; else a link joining a side above it is refused
  uint8_t skip_rules = 0;  // default 0: candidates with one of these rule bits are never settled
  uint8_t kind = 0;        // the evidence kind of a settled link (heuristics' kChangeUnspent)
  friend bool operator==(const SettleParams&, const SettleParams&) = default;
};

// The guarded unions in the order of `edges` (by key) over the clusters `cluster_of` names, of
// sizes `size`. Returns: the indices into `edges` of the candidates that linked.
std::vector<uint32_t> SettleEdges(std::span<const PendingEdge> edges,
                                  const std::function<uint32_t(uint32_t)>& cluster_of,
                                  const std::function<uint32_t(uint32_t)>& size, uint32_t guard);

// The pending candidates of clustering generation `gen` paid by transactions at or past
// `from_tx`, in key order, without those with a rule bit of `skip_rules`.
// Returns: DATA_LOSS for a corrupt row; the store's read errors.
absl::StatusOr<std::vector<PendingEdge>> ReadPendingEdges(const store::Store& store, uint8_t gen,
                                                          uint64_t from_tx, uint8_t skip_rules);

// What a server maps: the stored clustering C, the settled one F (C with the links of the pending
// candidates P then), and P's candidates by C cluster (only those that could ever link: the two
// sides in different clusters, each at most the guard).
struct SettledLayer : SettledSpans {
  std::span<const LinkEvidence> evidence;     // per settled link
  std::span<const PendingEdge> pending;       // P's candidates that could link, by key
  std::span<const uint32_t> pending_offsets;  // per C ordinal + 1: into pending_adj
  std::span<const uint32_t> pending_adj;      // index into pending per end
};

// The settled clustering after the indexer moved on from the files' point: C grew by `unions`
// (evidence since), candidates were added (`added`: ReadPendingEdges from the files' transaction
// count) and consumed (their change output spent by a transaction past the files'). Only the C
// clusters connected by candidates to what changed are settled again; their F groups are "dirty"
// (their members are in their C clusters, joined by the links returned) unless they were settled
// again into the same links (then they stay whole, and their links are not returned). The others
// keep F's grouping. Exact: equals settling every candidate over C and the unions.
struct ResettledLink {
  uint32_t anchor;
  uint32_t change;
  uint64_t key;
  uint8_t rule;
};
// Args: base: C (the files' arrays); members: the store's; base_txs: the files' transactions;
//       graph: the store's (the spends since the files).
// Returns: the links settled again, in key order. Out: *dirty (F group ids), *nodes (how many C
//          clusters and new members were settled again). DATA_LOSS for a member out of range.
absl::StatusOr<std::vector<ResettledLink>> ResettleSince(
    const ClusterSpans& base, const SettledLayer& layer, uint32_t members,
    std::span<const ClusterLink> unions, std::span<const PendingEdge> added, uint64_t base_txs,
    const TxGraph& graph, uint32_t guard, absl::flat_hash_set<uint32_t>* dirty, uint64_t* nodes);

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_SETTLED_LINKS_H_
