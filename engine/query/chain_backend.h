// The one interface every chain is queried through. A backend holds what its chain model needs to
// answer (engine/utxo: the transaction graph; engine/account: the transfer graph) behind the
// accessors of its structures, and is chosen once, when a store is opened
// (engine/backends/registry.h). The queries themselves are written once, here: each public method
// checks its request (validate.h), resolves addresses, clusters and seeds, and calls the backend's
// model-specific parts (the protected virtual methods) for what only the chain knows. The gRPC
// service (engine/service) is an adapter from proto to these methods.
#ifndef ARIADNE_ENGINE_QUERY_CHAIN_BACKEND_H_
#define ARIADNE_ENGINE_QUERY_CHAIN_BACKEND_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/graph/cluster_index.h"
#include "engine/graph/label_index.h"
#include "engine/query/cancel_poll.h"
#include "engine/query/requests.h"
#include "engine/query/results.h"
#include "engine/query/sinks.h"
#include "engine/query/trace_flows.h"
#include "engine/query/validate.h"
#include "engine/store/store.h"

namespace ariadne::query {

// The names of a trace's nodes: addresses, "cluster:<id>", or "fee" for kNoNode.
class NodeNames {
 public:
  NodeNames() = default;
  NodeNames(std::vector<uint32_t> nodes, std::vector<std::string> names)
      : nodes_(std::move(nodes)), names_(std::move(names)) {}
  size_t size() const { return nodes_.size(); }
  // Returns: the name of a node the table holds.
  const std::string& Of(uint32_t node) const {
    return names_[std::lower_bound(nodes_.begin(), nodes_.end(), node) - nodes_.begin()];
  }

 private:
  std::vector<uint32_t> nodes_;  // ascending
  std::vector<std::string> names_;
};

// Messages of the DEADLINE_EXCEEDED a query answers when cancelled.
inline constexpr char kTraceCancelled[] =
    "the trace was cancelled (deadline or client) before it ended";
inline constexpr char kClientGone[] = "client went away";

class ChainBackend {
 public:
  virtual ~ChainBackend() = default;

  virtual ChainModel model() const = 0;
  // Returns: what was missing when the backend was built (e.g. "no cluster queries: ...").
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Returns: the clustering, or null when the store has none.
  const graph::ClusterIndex* clusters() const { return clusters_.get(); }
  const graph::LabelIndex& labels() const { return *labels_; }
  // Returns: the backend of `store`, a newer view of the store this one was built from (a replica
  // that caught up); it may reuse what did not change. This backend is not changed.
  virtual absl::StatusOr<std::unique_ptr<ChainBackend>> Refreshed(
      const store::Store& store) const = 0;

  // The queries. Errors: INVALID_ARGUMENT for malformed input, NOT_FOUND for what never appeared
  // on chain, FAILED_PRECONDITION for cluster queries on a store without clustering, UNAVAILABLE
  // for what is newer than the loaded structures, RESOURCE_EXHAUSTED beyond a limit,
  // DEADLINE_EXCEEDED or CANCELLED when `cancelled` said so during the query.
  virtual absl::StatusOr<ChainStatus> Status() const = 0;
  absl::StatusOr<AddressSummary> Address(std::string_view address) const;
  absl::Status History(const HistoryRequest& request, const RequestLimits& limits,
                       const CancelFn& cancelled, HistorySink* sink) const;
  virtual absl::StatusOr<Transaction> Tx(std::string_view txid) const = 0;
  absl::StatusOr<ClusterSummary> Cluster(const ClusterSelector& selector) const;
  absl::Status Members(const MembersRequest& request, const RequestLimits& limits,
                       const CancelFn& cancelled, MemberSink* sink) const;
  absl::StatusOr<Explanation> Explain(std::string_view from, std::string_view to) const;
  absl::Status Trace(const TraceRequest& request, const RequestLimits& limits,
                     const CancelFn& cancelled, TraceSink* sink) const;
  absl::StatusOr<Paths> FindPaths(const PathsRequest& request, const RequestLimits& limits,
                                  const CancelFn& cancelled) const;
  absl::StatusOr<Exposure> GetExposure(const ExposureRequest& request, const RequestLimits& limits,
                                       const CancelFn& cancelled) const;

 protected:
  // ---- The chain's words.
  // Returns: the member (AddrId or AccountId) of an address typed by a user: INVALID_ARGUMENT for
  //          a malformed one, NOT_FOUND for one never seen, UNAVAILABLE for one newer than the
  //          loaded structures.
  virtual absl::StatusOr<uint32_t> ResolveMember(std::string_view address) const = 0;
  // Returns: the display form of a member's address.
  virtual std::string MemberName(uint32_t member) const = 0;
  // Returns: the FAILED_PRECONDITION a cluster query gets on a store without clustering.
  virtual absl::Status NoClustering() const = 0;

  // ---- The model-specific parts of the queries.
  // Fills the chain's fields of an address's summary (cluster and labels are filled after).
  virtual absl::Status FillAddress(uint32_t member, AddressSummary* out) const = 0;
  // Appends up to `limit` transactions of a member's history from `from` to *txs.
  // Returns: where the next page starts, or UINT64_MAX at the end.
  virtual absl::StatusOr<uint64_t> HistoryPage(uint32_t member, uint64_t from, uint32_t limit,
                                               bool newest_first,
                                               std::vector<uint64_t>* txs) const = 0;
  // Fills one history entry (all but its cursor). Returns: false for a transaction newer than the
  // loaded structures (the page ends before it).
  virtual absl::StatusOr<bool> FillHistoryEntry(uint32_t member, uint64_t tx,
                                                HistoryEntry* out) const = 0;
  // Fills the flows of a cluster (sizes, labels and policy are filled after).
  virtual void FillClusterFlows(ClusterId cluster, ClusterSummary* out) const = 0;
  // Returns: one union of an explanation, named (its `from` and `to` are filled after).
  virtual absl::StatusOr<EvidenceLink> NameLink(const graph::LinkStep& step) const = 0;
  // Runs a checked trace and streams its answer (StreamNodes and the other helpers below answer
  // the parts every model answers alike).
  virtual absl::Status RunTrace(const TraceQuery& query, const CancelFn& cancelled,
                                TraceSink* sink) const = 0;
  // Finds the paths between two sets of members (sorted) into *out.
  // Returns: false when cancelled.
  virtual absl::StatusOr<bool> RunPaths(std::span<const uint32_t> from,
                                        std::span<const uint32_t> to, uint32_t max_hops,
                                        uint32_t max_paths, const PathsRequest& request,
                                        const CancelFn& cancelled, Paths* out) const = 0;
  // Computes the exposure of a set of members (sorted): the amounts and entries of *out.
  // Returns: false when cancelled.
  virtual absl::StatusOr<bool> RunExposure(std::span<const uint32_t> members, uint32_t hops,
                                           TaintModel model, const CancelFn& cancelled,
                                           Exposure* out) const = 0;
  // Adds a warning the server prints when it starts (e.g. a slower path taken).
  void AddWarning(std::string warning) { warnings_.push_back(std::move(warning)); }

  // ---- Helpers for the model-specific parts.
  // Keeps the clustering a backend loaded, or warns why there is none ("no cluster queries: ..."),
  // then builds the labels of `rows` (LoadAddressLabels, LoadAccountLabels) over it.
  // Returns: the labels' errors.
  absl::Status AdoptClustersAndLabels(absl::StatusOr<std::unique_ptr<graph::ClusterIndex>> clusters,
                                      absl::StatusOr<std::vector<graph::MemberLabel>> rows,
                                      uint64_t rows_read);
  // Returns: the members an address or "cluster:<id>" stands for (sorted): one address, or its
  //          cluster's members when `by_cluster`, or the cluster's.
  absl::StatusOr<std::vector<uint32_t>> ResolveSubject(std::string_view subject,
                                                       bool by_cluster) const;
  // Returns: the cluster id of a member (-1 without clustering, or for a newer member).
  int64_t ClusterIdOf(uint32_t member) const;
  // Appends the labels of a member, or of a cluster's members.
  void AddMemberLabels(uint32_t member, std::vector<Label>* out) const;
  void AddClusterLabels(ClusterId cluster, std::vector<Label>* out) const;
  // Returns: FAILED_PRECONDITION (NoClustering) when the store has no clustering.
  absl::Status RequireClusters() const;
  // Returns: the members where a trace stops: those labelled with one of `categories`, or by
  //          cluster those in a cluster with such a label; empty for no categories.
  std::function<bool(uint32_t)> StopAt(const std::vector<std::string>& categories,
                                       bool by_cluster) const;
  // Returns: the trace node of a member: its cluster's id by cluster (a member newer than the
  //          clustering is its own node), empty (the member itself) otherwise.
  std::function<uint32_t(uint32_t)> NodeOf(bool by_cluster) const;
  // Names every node of a trace once and streams their events, in ascending order.
  // Args: nodes: every node the edges and endpoints name (repeats allowed).
  // Returns: the names; CANCELLED when the sink went away.
  absl::StatusOr<NodeNames> StreamNodes(std::vector<uint32_t> nodes, bool by_cluster,
                                        TraceSink* sink) const;
  // Returns: the summary fields every model fills alike.
  static TraceSummary SummaryOf(const TraceQuery& query, ChainModel model, uint64_t transactions,
                                uint64_t nodes, uint64_t edges, bool truncated);
  // Streams a trace's answer in the shape the query asks (TraceShape): its nodes (StreamNodes),
  // edges or flows, endpoints and summary, with the fields every model fills alike;
  // fill_edge(edge, &out), fill_end(end, &out) and fill_summary(&out) add the model's. Aggregated,
  // flow_of(edge) gives the FlowEdge of a result's edge (asset, transaction, height, amounts) and
  // fill_flow(sums, &out) adds the model's fields of a flow. Result: a trace result of
  // engine/trace (edges with from, to and hop, grouped by transaction; edge_count; ends with node,
  // reason and hop; txs, truncated, cancelled).
  // Returns: DEADLINE_EXCEEDED for a cancelled trace, CANCELLED when the sink went away.
  // digest: null, or the digest of the edges the trace took while it ran (TraceOptions::take_edges)
  // for a summary-only or aggregated answer; the result's edges are then empty.
  template <typename Result, typename FillEdge, typename FillEnd, typename FillSummary,
            typename FlowOf, typename FillFlow, typename Amount>
  absl::Status AnswerTrace(const TraceQuery& query, const Result& result, const CancelFn& cancelled,
                           TraceSink* sink, FillEdge fill_edge, FillEnd fill_end,
                           FillSummary fill_summary, FlowOf flow_of, FillFlow fill_flow,
                           const EdgeDigest<Amount>* digest) const;
  // Appends an exposure's entries per category and per entity: fill(amounts, asset, &entry) adds
  // the amounts. Result: an exposure result of engine/trace (exposure_result.h).
  template <typename Result, typename Fill>
  static void AddExposureEntries(const Result& result, Fill fill, Exposure* out);

 private:
  absl::StatusOr<ClusterId> ResolveCluster(const ClusterSelector& selector) const;

  std::vector<std::string> warnings_;
  std::unique_ptr<graph::ClusterIndex> clusters_;
  std::unique_ptr<graph::LabelIndex> labels_;
};

template <typename Result, typename FillEdge, typename FillEnd, typename FillSummary,
          typename FlowOf, typename FillFlow, typename Amount>
absl::Status ChainBackend::AnswerTrace(const TraceQuery& q, const Result& r,
                                       const CancelFn& cancelled, TraceSink* sink,
                                       FillEdge fill_edge, FillEnd fill_end,
                                       FillSummary fill_summary, FlowOf flow_of, FillFlow fill_flow,
                                       const EdgeDigest<Amount>* digest) const {
  if (r.cancelled) return absl::DeadlineExceededError(kTraceCancelled);
  auto send_summary = [&](uint64_t nodes) {
    TraceSummary summary = SummaryOf(q, model(), r.txs, nodes, r.edge_count, r.truncated);
    fill_summary(&summary);
    return sink->Summary(summary) ? absl::OkStatus() : absl::CancelledError(kClientGone);
  };
  // The digest of the edges: the one taken while tracing, or one made from the result's edges.
  std::optional<EdgeDigest<Amount>> made;
  if (q.shape != TraceShape::kEdges && digest == nullptr) {
    made.emplace(q.shape == TraceShape::kAggregated);
    for (const auto& e : r.edges) made->Add(flow_of(e));
    digest = &*made;
  }
  // Only the summary: the nodes are counted, not named (naming is most of an answer's cost).
  if (q.shape == TraceShape::kSummary) return send_summary(digest->CountNodes(r.ends));
  std::vector<uint32_t> nodes;
  if (q.shape == TraceShape::kAggregated) {
    // The flows name the same nodes as the edges they sum.
    for (const auto& f : digest->flows().flows()) {
      nodes.push_back(f.from);
      nodes.push_back(f.to);
    }
  } else {
    for (const auto& e : r.edges) {
      nodes.push_back(e.from);
      nodes.push_back(e.to);
    }
  }
  for (const auto& e : r.ends) nodes.push_back(e.node);
  auto names = StreamNodes(std::move(nodes), q.by_cluster, sink);
  if (!names.ok()) return names.status();
  CancelPoll poll(cancelled);
  if (q.shape == TraceShape::kAggregated) {
    TraceFlow flow;
    for (const auto& f : digest->flows().flows()) {
      if (poll()) return absl::CancelledError("cancelled");
      flow = TraceFlow();
      flow.from = names->Of(f.from);
      flow.to = names->Of(f.to);
      flow.transactions = f.transactions;
      flow.edges = f.edges;
      flow.hop = f.hop;
      flow.first_block_height = static_cast<int32_t>(f.first_height);
      flow.last_block_height = static_cast<int32_t>(f.last_height);
      fill_flow(f, &flow);
      if (!sink->Flow(flow)) return absl::CancelledError(kClientGone);
    }
  } else {
    TraceEdge edge;
    for (const auto& e : r.edges) {
      if (poll()) return absl::CancelledError("cancelled");
      edge.from = names->Of(e.from);
      edge.to = names->Of(e.to);
      edge.hop = e.hop;
      fill_edge(e, &edge);
      if (!sink->Edge(edge)) return absl::CancelledError(kClientGone);
    }
  }
  TraceEndpoint end;
  for (const auto& e : r.ends) {
    end.node = names->Of(e.node);
    end.reason = std::string(EndReasonName(e.reason));
    end.hop = e.hop;
    fill_end(e, &end);
    if (!sink->Endpoint(end)) return absl::CancelledError(kClientGone);
  }
  return send_summary(names->size());
}

template <typename Result, typename Fill>
void ChainBackend::AddExposureEntries(const Result& r, Fill fill, Exposure* out) {
  for (const auto& [key, amounts] : r.by_category) {
    ExposureEntry& e = out->categories.emplace_back();
    e.category = key.first;
    fill(amounts, key.second, &e);
  }
  for (const auto& [key, amounts] : r.by_entity) {
    ExposureEntry& e = out->entities.emplace_back();
    e.entity = std::get<0>(key);
    e.category = std::get<1>(key);
    fill(amounts, std::get<2>(key), &e);
  }
}

// Returns: `f` over the strong id of a member (AddrId, AccountId): what the trace algorithms
//          take; empty for an empty `f`.
template <typename Id, typename R>
std::function<R(Id)> ByMember(std::function<R(uint32_t)> f) {
  if (!f) return {};
  return [f = std::move(f)](Id id) { return f(id.value()); };
}

}  // namespace ariadne::query

// Declares, in a backend's class, the model-specific parts of ChainBackend it implements (listed
// and documented there), so that each backend does not list them again.
#define ARIADNE_CHAIN_BACKEND_PARTS                                                                \
  absl::StatusOr<uint32_t> ResolveMember(std::string_view address) const override;                 \
  std::string MemberName(uint32_t member) const override;                                          \
  absl::Status NoClustering() const override;                                                      \
  absl::Status FillAddress(uint32_t member, ::ariadne::query::AddressSummary* out) const override; \
  absl::StatusOr<uint64_t> HistoryPage(uint32_t member, uint64_t from, uint32_t limit,             \
                                       bool newest_first, std::vector<uint64_t>* txs)              \
      const override;                                                                              \
  absl::StatusOr<bool> FillHistoryEntry(uint32_t member, uint64_t tx,                              \
                                        ::ariadne::query::HistoryEntry* out) const override;       \
  void FillClusterFlows(ClusterId cluster, ::ariadne::query::ClusterSummary* out) const override;  \
  absl::StatusOr<::ariadne::query::EvidenceLink> NameLink(const ::ariadne::graph::LinkStep& step)  \
      const override;                                                                              \
  absl::Status RunTrace(const ::ariadne::query::TraceQuery& query,                                 \
                        const ::ariadne::query::CancelFn& cancelled,                               \
                        ::ariadne::query::TraceSink* sink) const override;                         \
  absl::StatusOr<bool> RunPaths(                                                                   \
      std::span<const uint32_t> from, std::span<const uint32_t> to, uint32_t max_hops,             \
      uint32_t max_paths, const ::ariadne::query::PathsRequest& request,                           \
      const ::ariadne::query::CancelFn& cancelled, ::ariadne::query::Paths* out) const override;   \
  absl::StatusOr<bool> RunExposure(                                                                \
      std::span<const uint32_t> members, uint32_t hops, ::ariadne::query::TaintModel model,        \
      const ::ariadne::query::CancelFn& cancelled, ::ariadne::query::Exposure* out) const override

#endif  // ARIADNE_ENGINE_QUERY_CHAIN_BACKEND_H_
