#include "engine/query/chain_backend.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "engine/query/cancel_poll.h"

namespace ariadne::query {
namespace {

// The largest transaction number a history cursor can name (40-bit keys).
constexpr uint64_t kMaxHistoryTx = (uint64_t{1} << 40) - 1;

absl::Status Cancelled(std::string_view why) { return absl::CancelledError(AV(why)); }

}  // namespace

absl::StatusOr<AddressSummary> ChainBackend::Address(std::string_view address) const {
  ASSIGN_OR_RETURN(const uint32_t member, ResolveMember(address));
  AddressSummary s;
  s.model = model();
  RETURN_IF_ERROR(FillAddress(member, &s));
  s.cluster_id = ClusterIdOf(member);
  AddMemberLabels(member, &s.labels);
  return s;
}

absl::Status ChainBackend::History(const HistoryRequest& r, const RequestLimits& limits,
                                   const CancelFn& cancelled, HistorySink* sink) const {
  ASSIGN_OR_RETURN(const uint32_t member, ResolveMember(r.address));
  ASSIGN_OR_RETURN(const uint32_t limit, PageLimit(r.limit, limits));
  uint64_t from = r.newest_first ? kMaxHistoryTx : 0;
  if (!r.cursor.empty()) {
    ASSIGN_OR_RETURN(from, ParseCursor(r.cursor, kMaxHistoryTx));
  }
  std::vector<uint64_t> txs;
  ASSIGN_OR_RETURN(const uint64_t next, HistoryPage(member, from, limit, r.newest_first, &txs));
  HistoryEntry e;
  CancelPoll poll(cancelled);
  for (size_t i = 0; i < txs.size(); ++i) {
    if (poll()) return Cancelled("cancelled");
    e = HistoryEntry();
    e.model = model();
    ASSIGN_OR_RETURN(const bool loaded, FillHistoryEntry(member, txs[i], &e));
    if (!loaded) break;  // indexed after the structures were loaded
    // The cursor continues after this entry.
    const uint64_t after = i + 1 < txs.size() ? txs[i + 1] : next;
    e.cursor = after != UINT64_MAX ? absl::StrCat(after) : "";
    if (!sink->Entry(e)) return Cancelled(kClientGone);
  }
  return absl::OkStatus();
}

absl::StatusOr<ClusterId> ChainBackend::ResolveCluster(const ClusterSelector& selector) const {
  RETURN_IF_ERROR(RequireClusters());
  const graph::ClusterIndex& clusters = *this->clusters();
  if (selector.cluster_id.has_value()) {
    const ClusterId c(*selector.cluster_id);
    if (!clusters.IsCluster(c)) {
      return absl::NotFoundError(absl::StrCat("no cluster with id ", *selector.cluster_id));
    }
    return c;
  }
  if (!selector.address.has_value()) {
    return absl::InvalidArgumentError("give an address or a cluster id");
  }
  ASSIGN_OR_RETURN(const uint32_t member, ResolveMember(*selector.address));
  if (member >= clusters.member_count()) {
    return absl::UnavailableError("the address is newer than the loaded clustering");
  }
  return clusters.ClusterOf(member);
}

absl::StatusOr<ClusterSummary> ChainBackend::Cluster(const ClusterSelector& selector) const {
  ASSIGN_OR_RETURN(const ClusterId c, ResolveCluster(selector));
  ClusterSummary s;
  s.model = model();
  s.cluster_id = c.value();
  s.size = clusters()->Size(c);
  s.policy = clusters()->policy();
  FillClusterFlows(c, &s);
  AddClusterLabels(c, &s.labels);
  return s;
}

absl::Status ChainBackend::Members(const MembersRequest& r, const RequestLimits& limits,
                                   const CancelFn& cancelled, MemberSink* sink) const {
  ASSIGN_OR_RETURN(const ClusterId c, ResolveCluster(r.cluster));
  ASSIGN_OR_RETURN(const uint32_t limit, PageLimit(r.limit, limits));
  uint64_t start = 0;
  if (!r.cursor.empty()) {
    ASSIGN_OR_RETURN(start, ParseCursor(r.cursor));
  }
  std::span<const uint32_t> members = clusters()->Members(c);
  ClusterMember m;
  CancelPoll poll(cancelled);
  for (uint64_t i = start; i < members.size() && i < start + limit; ++i) {
    if (poll()) return Cancelled("cancelled");
    m.address = MemberName(members[i]);
    m.cursor = i + 1 < members.size() ? absl::StrCat(i + 1) : "";
    if (!sink->Member(m)) return Cancelled(kClientGone);
  }
  return absl::OkStatus();
}

absl::StatusOr<Explanation> ChainBackend::Explain(std::string_view from,
                                                  std::string_view to) const {
  RETURN_IF_ERROR(RequireClusters());
  const graph::ClusterIndex& clusters = *this->clusters();
  ASSIGN_OR_RETURN(const uint32_t a, ResolveMember(from));
  ASSIGN_OR_RETURN(const uint32_t b, ResolveMember(to));
  if (std::max(a, b) >= clusters.member_count()) {
    return absl::UnavailableError("an address is newer than the loaded clustering");
  }
  auto path = clusters.Explain(a, b);
  if (absl::IsNotFound(path.status())) {
    return absl::NotFoundError(absl::StrCat(
        MemberName(a), " (cluster ", clusters.ClusterOf(a).value(), ") and ", MemberName(b),
        " (cluster ", clusters.ClusterOf(b).value(), ") are in different clusters"));
  }
  if (!path.ok()) return path.status();
  Explanation x;
  x.model = model();
  x.cluster_id = clusters.ClusterOf(a).value();
  x.policy = clusters.policy();
  for (const graph::LinkStep& step : *path) {
    ASSIGN_OR_RETURN(EvidenceLink link, NameLink(step));
    link.from = MemberName(step.from);
    link.to = MemberName(step.to);
    x.links.push_back(std::move(link));
  }
  return x;
}

absl::Status ChainBackend::Trace(const TraceRequest& request, const RequestLimits& limits,
                                 const CancelFn& cancelled, TraceSink* sink) const {
  ASSIGN_OR_RETURN(const TraceQuery query, CheckTrace(request, limits));
  return RunTrace(query, cancelled, sink);
}

absl::StatusOr<Paths> ChainBackend::FindPaths(const PathsRequest& r, const RequestLimits& limits,
                                              const CancelFn& cancelled) const {
  ASSIGN_OR_RETURN(const auto hops_and_paths, CheckPaths(r, limits));
  ASSIGN_OR_RETURN(const std::vector<uint32_t> from, ResolveSubject(r.from, r.by_cluster));
  ASSIGN_OR_RETURN(const std::vector<uint32_t> to, ResolveSubject(r.to, r.by_cluster));
  Paths p;
  p.model = model();
  ASSIGN_OR_RETURN(const bool done, RunPaths(from, to, hops_and_paths.first, hops_and_paths.second,
                                             r, cancelled, &p));
  if (!done) return absl::DeadlineExceededError("the search was cancelled");
  return p;
}

absl::StatusOr<Exposure> ChainBackend::GetExposure(const ExposureRequest& r,
                                                   const RequestLimits& limits,
                                                   const CancelFn& cancelled) const {
  std::string subject;
  if (r.cluster_id.has_value()) {
    subject = absl::StrCat("cluster:", *r.cluster_id);
  } else if (r.address.has_value()) {
    subject = *r.address;
  } else {
    return absl::InvalidArgumentError("give an address or a cluster id");
  }
  ASSIGN_OR_RETURN(const std::vector<uint32_t> members, ResolveSubject(subject, r.by_cluster));
  ASSIGN_OR_RETURN(const uint32_t hops, CheckExposureHops(r.hops, limits));
  ASSIGN_OR_RETURN(const TaintModel taint, TaintModelOr(r.taint));
  Exposure x;
  x.model = model();
  // An address stands for itself in its display form; a cluster as it was asked for.
  x.subject =
      subject.rfind("cluster:", 0) == 0 || members.size() != 1 ? subject : MemberName(members[0]);
  x.addresses = members.size();
  x.hops = hops;
  ASSIGN_OR_RETURN(const bool done, RunExposure(members, hops, taint, cancelled, &x));
  if (!done) return absl::DeadlineExceededError("the exposure was cancelled");
  return x;
}

// ---- Helpers

absl::Status ChainBackend::AdoptClustersAndLabels(
    absl::StatusOr<std::unique_ptr<graph::ClusterIndex>> clusters,
    absl::StatusOr<std::vector<graph::MemberLabel>> rows, uint64_t rows_read) {
  if (clusters.ok()) {
    clusters_ = *std::move(clusters);
  } else {
    warnings_.push_back(absl::StrCat("no cluster queries: ", clusters.status().message()));
  }
  if (!rows.ok()) return rows.status();
  ASSIGN_OR_RETURN(labels_, graph::LabelIndex::Build(*rows, clusters_.get(), rows_read));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint32_t>> ChainBackend::ResolveSubject(std::string_view subject,
                                                                   bool by_cluster) const {
  uint32_t cluster_id;
  const bool is_cluster_id =
      subject.rfind("cluster:", 0) == 0 && absl::SimpleAtoi(AV(subject.substr(8)), &cluster_id);
  if (!is_cluster_id && !by_cluster) {
    ASSIGN_OR_RETURN(const uint32_t member, ResolveMember(subject));
    return std::vector<uint32_t>{member};
  }
  RETURN_IF_ERROR(RequireClusters());
  ClusterSelector selector;
  if (is_cluster_id) {
    selector.cluster_id = cluster_id;
  } else {
    selector.address = std::string(subject);
  }
  ASSIGN_OR_RETURN(const ClusterId c, ResolveCluster(selector));
  auto members = clusters()->Members(c);
  return std::vector<uint32_t>(members.begin(), members.end());
}

int64_t ChainBackend::ClusterIdOf(uint32_t member) const {
  const graph::ClusterIndex* c = clusters();
  return c != nullptr && member < c->member_count() ? c->ClusterOf(member).value() : -1;
}

void ChainBackend::AddMemberLabels(uint32_t member, std::vector<Label>* out) const {
  const graph::LabelIndex& index = labels();
  for (uint32_t id : index.Of(member)) {
    const store::LabelRow& row = index.labels()[id];
    out->push_back({row.label, row.category, row.source, MemberName(member)});
  }
}

void ChainBackend::AddClusterLabels(ClusterId cluster, std::vector<Label>* out) const {
  const graph::LabelIndex& index = labels();
  for (const graph::LabelRef& r : index.OfCluster(cluster)) {
    const store::LabelRow& row = index.labels()[r.label];
    out->push_back({row.label, row.category, row.source, MemberName(r.member)});
  }
}

absl::Status ChainBackend::RequireClusters() const {
  return clusters() == nullptr ? NoClustering() : absl::OkStatus();
}

std::function<bool(uint32_t)> ChainBackend::StopAt(const std::vector<std::string>& categories,
                                                   bool by_cluster) const {
  if (categories.empty()) return {};
  const graph::ClusterIndex* c = clusters();
  if (by_cluster) {
    return [c, stop = labels().ClustersIn(categories)](uint32_t m) {
      return m < c->member_count() && stop.contains(c->ClusterOf(m).value());
    };
  }
  return [stop = labels().MembersIn(categories)](uint32_t m) { return stop.contains(m); };
}

std::function<uint32_t(uint32_t)> ChainBackend::NodeOf(bool by_cluster) const {
  if (!by_cluster) return {};
  return
      [c = clusters()](uint32_t m) { return m < c->member_count() ? c->ClusterOf(m).value() : m; };
}

absl::StatusOr<NodeNames> ChainBackend::StreamNodes(std::vector<uint32_t> nodes, bool by_cluster,
                                                    TraceSink* sink) const {
  std::sort(nodes.begin(), nodes.end());
  nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
  // Each node named once (encoding an address costs about a microsecond; a trace names each node
  // many times).
  std::vector<std::string> names(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const uint32_t node = nodes[i];
    names[i] = node == kNoNode ? "fee"
               : by_cluster    ? absl::StrCat("cluster:", node)
                               : MemberName(node);
  }
  const graph::ClusterIndex* clusters = this->clusters();
  TraceNode n;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const uint32_t node = nodes[i];
    n = TraceNode();
    n.id = names[i];
    if (node == kNoNode) {
      n.kind = "fee";
    } else if (by_cluster) {
      n.kind = "cluster";
      n.cluster_id = node;
      n.size = clusters->Size(ClusterId(node));
      AddClusterLabels(ClusterId(node), &n.labels);
    } else {
      n.kind = "address";
      if (clusters != nullptr && node < clusters->member_count()) {
        n.cluster_id = clusters->ClusterOf(node).value();
      }
      AddMemberLabels(node, &n.labels);
    }
    if (!sink->Node(n)) return Cancelled(kClientGone);
  }
  return NodeNames(std::move(nodes), std::move(names));
}

TraceSummary ChainBackend::SummaryOf(const TraceQuery& q, ChainModel model, uint64_t transactions,
                                     uint64_t nodes, uint64_t edges, bool truncated) {
  TraceSummary s;
  s.model = model;
  s.seed = q.seed;
  s.transactions = transactions;
  s.nodes = nodes;
  s.edges = edges;
  s.truncated = truncated;
  s.taint = std::string(TaintModelName(q.model));
  s.direction = std::string(DirectionName(q.direction));
  return s;
}

}  // namespace ariadne::query
