// A clustering ready for queries, for either chain model: the cluster of every member (an AddrId,
// or an AccountId on account chains), the members of every cluster (CSR), and the evidence forest
// that explains why two members share a cluster. Built from the unions of a stored clustering, in
// the order they were made; what each union rests on (the evidence rows) stays with the caller,
// which names a link by its index.
//
// Memory: 8 bytes per member + 8 per cluster + 8 per union (plus the caller's evidence rows), in
// memory, or in mapped cluster files (cluster_files.h) with the later unions in a small overlay.
#ifndef ARIADNE_ENGINE_GRAPH_CLUSTER_INDEX_H_
#define ARIADNE_ENGINE_GRAPH_CLUSTER_INDEX_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "engine/core/types.h"
#include "engine/store/scan.h"
#include "engine/store/store.h"

namespace ariadne::graph {

// One union: two members joined. Each union of the forest joined two clusters.
struct ClusterLink {
  uint32_t a = 0;
  uint32_t b = 0;
};

// A union on the path between two members, oriented along the path.
struct LinkStep {
  uint32_t link = 0;  // index into the links the index was built from
  uint32_t from = 0;
  uint32_t to = 0;
};

// The arrays of a clustering (what ClusterIndex::Build makes, and what the cluster files hold).
struct ClusterArrays {
  std::vector<uint32_t> dense;    // per member: the cluster's ordinal
  std::vector<uint32_t> roots;    // per ordinal: the cluster id
  std::vector<uint32_t> offsets;  // per ordinal + 1: into members
  std::vector<uint32_t> members;
  std::vector<ClusterLink> links;
  std::vector<uint32_t> adj_offsets;  // per member + 1
  std::vector<uint32_t> adj;          // link index per directed edge
};

// The same arrays read-only, wherever they live (vectors, or mapped cluster files).
struct ClusterSpans {
  std::span<const uint32_t> dense, roots, offsets, members;
  std::span<const ClusterLink> links;
  std::span<const uint32_t> adj_offsets, adj;
};

// What a union rests on (store::EvidenceRow without the members: those are in the links file).
struct LinkEvidence {
  uint64_t tx;
  uint64_t at;
  uint8_t kind;
  uint8_t rule;
  uint8_t pad[6];
};
static_assert(sizeof(LinkEvidence) == 24);

// A settled clustering F over the base C (settled_links.h): its arrays (links and adjacency
// unused), its settled links (numbered after C's) and their adjacency.
struct SettledSpans {
  ClusterSpans served;
  std::span<const ClusterLink> links;
  std::span<const uint32_t> adj_offsets, adj;
};

class ClusterIndex {
 public:
  // Args: members: ids [0, members); links: the unions (ids below `members`); policy: the spec of
  //       the clustering that made them.
  // Returns: DATA_LOSS when a link names an unknown member.
  static absl::StatusOr<std::unique_ptr<ClusterIndex>> Build(uint32_t members,
                                                             std::span<const ClusterLink> links,
                                                             std::string policy);
  // The arrays Build makes. Returns: DATA_LOSS when a link names an unknown member.
  static absl::StatusOr<ClusterArrays> BuildArrays(uint32_t members,
                                                   std::span<const ClusterLink> links);
  // Their parts, for builders that free each as soon as it is written: the partition the links
  // of `a` and then `b` make (dense, roots, offsets, members), and the links' adjacency.
  // Args: dense_out: where each member's cluster ordinal goes (e.g. a file's mapping; `dense`
  //       stays empty then), or empty: into `dense`.
  // Returns: DATA_LOSS when a link names an unknown member.
  static absl::StatusOr<ClusterArrays> Partition(uint32_t members, std::span<const ClusterLink> a,
                                                 std::span<const ClusterLink> b = {},
                                                 std::span<uint32_t> dense_out = {});
  static void Adjacency(uint32_t members, std::span<const ClusterLink> links,
                        std::vector<uint32_t>* offsets, std::vector<uint32_t>* adj);
  // An index over arrays kept elsewhere (mapped files, held by `holder`) for the first members
  // of `members`, and the unions made after them (`overlay`, links numbered from the base's
  // count on): members at and above the base's count start as singletons. The overlay is indexed
  // in memory: its cost is proportional to the overlay's unions, the members they join and the
  // members added after the base, not to the chain.
  // Returns: DATA_LOSS when an overlay link names an unknown member.
  static absl::StatusOr<std::unique_ptr<ClusterIndex>> Overlaid(
      ClusterSpans base, std::shared_ptr<const void> holder, uint32_t members,
      std::span<const ClusterLink> overlay, std::string policy);
  // The same over a settled clustering F of the base C: members are in their F cluster, but those
  // of the F clusters in `dirty` are in their C cluster (their settled links are not used), then
  // the overlay's unions (links numbered after C's and F's) join what it names.
  static absl::StatusOr<std::unique_ptr<ClusterIndex>> Overlaid(
      ClusterSpans base, const SettledSpans& settled, absl::flat_hash_set<uint32_t> dirty,
      std::shared_ptr<const void> holder, uint32_t members, std::span<const ClusterLink> overlay,
      std::string policy);

  uint32_t member_count() const { return members_total_; }
  uint32_t cluster_count() const { return cluster_count_; }
  const std::string& policy() const { return policy_; }

  // Returns: the cluster id (the smallest member id) of a member; `m` must be below
  //          member_count().
  ClusterId ClusterOf(uint32_t m) const {
    const uint32_t base = PartOf(m);
    if (over_ == nullptr) return ClusterId(base);
    auto it = over_->final_of.find(base);
    return ClusterId(it == over_->final_of.end() ? base : it->second);
  }
  ClusterId ClusterOf(AddrId a) const { return ClusterOf(a.value()); }
  ClusterId ClusterOf(AccountId a) const { return ClusterOf(a.value()); }
  // Returns: true when `c` names a cluster (it is the smallest member of its cluster).
  bool IsCluster(ClusterId c) const {
    return c.value() < member_count() && ClusterOf(c.value()) == c;
  }
  // Returns: the members of a cluster, ascending. `c` must be a cluster id.
  std::span<const uint32_t> Members(ClusterId c) const;
  uint32_t Size(ClusterId c) const;
  // Returns: the position of a cluster among the base's clusters in order of id: an index for
  //          per-cluster arrays kept beside the index. `c` must be a cluster of the base (without
  //          an overlay: any cluster).
  uint32_t Ordinal(ClusterId c) const { return a_.dense[c.value()]; }
  uint32_t OrdinalOf(uint32_t m) const { return a_.dense[m]; }
  // Returns: whether unions were made after the base (then Ordinal holds for base clusters the
  //          overlay did not touch only: see Overlaid()).
  bool overlaid() const { return over_ != nullptr; }
  // Returns: the members of the base (ids below have a base cluster).
  uint32_t base_members() const { return static_cast<uint32_t>(a_.dense.size()); }
  // A cluster the overlay's unions made: what it joined (base clusters by id, members added after
  // the base), its size, and its members, sorted when first asked for (a union of a large base
  // cluster with a few new members costs nothing until a query lists its members).
  struct Merged {
    std::vector<uint32_t> parts;
    uint32_t size = 0;
    mutable std::once_flag sorted;
    mutable std::vector<uint32_t> members;
  };
  // Returns: the clusters the overlay's unions made, by id; empty without an overlay.
  const absl::flat_hash_map<uint32_t, std::unique_ptr<Merged>>& merged() const;
  // Returns: the members of a part of a merged cluster: a base cluster's, or the member itself.
  std::span<const uint32_t> PartMembers(uint32_t part) const;
  // Returns: the part (base cluster id, or the member itself above the base) of a member: over a
  //          settled clustering, its F cluster, or its C cluster when that F cluster is dirty.
  uint32_t PartOf(uint32_t m) const {
    if (m >= base_members()) return m;
    if (!has_s_) return a_.roots[a_.dense[m]];
    const uint32_t f = s_.served.roots[s_.served.dense[m]];
    return Dirty(f) ? a_.roots[a_.dense[m]] : f;
  }
  // Returns: whether a part below base_members() is an F cluster (its totals are F's, at
  //          PartOrdinal), else a C cluster.
  bool ServedPart(uint32_t part) const {
    return has_s_ && !Dirty(s_.served.roots[s_.served.dense[part]]);
  }
  uint32_t PartOrdinal(uint32_t part) const {
    return ServedPart(part) ? s_.served.dense[part] : a_.dense[part];
  }
  // Returns: how many F clusters are settled again (their members are in their C clusters).
  size_t dirty_count() const { return dirty_.size(); }
  // Returns: the number of unions, base, settled and overlay.
  uint64_t link_count() const {
    return a_.links.size() + s_.links.size() + (over_ ? over_->links.size() : 0);
  }

  // The unions on the path between two members of one cluster, from `from` to `to`.
  // Returns: NOT_FOUND when they are in different clusters (empty for the same member).
  absl::StatusOr<std::vector<LinkStep>> Explain(uint32_t from, uint32_t to) const;

 private:
  // The unions after the base: which base clusters (by id) and new members they joined.
  struct Overlay {
    std::vector<ClusterLink> links;
    absl::flat_hash_map<uint32_t, uint32_t> final_of;  // part -> cluster id
    absl::flat_hash_map<uint32_t, std::unique_ptr<Merged>> merged;
    absl::flat_hash_map<uint32_t, std::vector<uint32_t>> adj;  // member -> overlay links
    std::vector<uint32_t> new_ids;  // base_members() ... member_count() - 1 (singletons' spans)
  };
  ClusterIndex() = default;
  const ClusterLink& Link(uint32_t i) const {
    if (i < a_.links.size()) return a_.links[i];
    i -= a_.links.size();
    return i < s_.links.size() ? s_.links[i] : over_->links[i - s_.links.size()];
  }
  bool Dirty(uint32_t f) const { return !dirty_.empty() && dirty_.contains(f); }
  std::string policy_;
  ClusterArrays owned_;                 // the arrays when built in memory
  std::shared_ptr<const void> holder_;  // what keeps a_ alive when it is not owned_
  ClusterSpans a_;
  bool has_s_ = false;  // a_ is C under the settled clustering s_
  SettledSpans s_;
  absl::flat_hash_set<uint32_t> dirty_;  // F cluster ids whose members are in their C cluster
  std::unique_ptr<Overlay> over_;
  uint32_t members_total_ = 0;
  uint32_t cluster_count_ = 0;
};

// Returns: FAILED_PRECONDITION when a stored clustering made of `processed` transactions does not
//          cover the store's `transactions`; the message names the clustering and what rebuilds
//          it.
absl::Status CheckCoverage(std::string_view clustering, uint64_t processed, uint64_t transactions,
                           std::string_view rebuild);

// Reads one generation of a stored clustering's unions from its evidence family: rows with the
// members they join in `a` and `b`, decoded by decode(key, value) -> absl::StatusOr<Row>.
template <typename Row, typename Decode>
absl::StatusOr<std::vector<Row>> ReadUnions(const store::Store& store, store::Cf family,
                                            uint8_t generation, Decode decode) {
  std::vector<Row> rows;
  absl::Status s = store::ScanRows(store, family, std::string(1, static_cast<char>(generation)),
                                   [&](std::string_view k, std::string_view v) -> absl::Status {
                                     auto row = decode(k, v);
                                     if (!row.ok()) return row.status();
                                     rows.push_back(*std::move(row));
                                     return absl::OkStatus();
                                   });
  if (!s.ok()) return s;
  return rows;
}

// A stored clustering: its meta row and its live generation's unions.
template <typename Row>
struct StoredClustering {
  store::ClusterMeta meta;
  std::vector<Row> unions;
};

// Reads a stored clustering of either model: the ClusterMeta row at `meta_key`, checked to cover
// the store's `transactions`, and the unions of its generation in `family` (decode_row as for
// ReadUnions).
// Args: name: "the clustering", ...; rebuild: what rebuilds it; missing: the status without one.
// Returns: `missing`, the meta's DATA_LOSS, CheckCoverage's status, or the rows' errors.
template <typename Row, typename DecodeRow>
absl::StatusOr<StoredClustering<Row>> ReadClustering(
    const store::Store& store, std::string_view meta_key, store::Cf family, DecodeRow decode_row,
    uint64_t transactions, std::string_view name, std::string_view rebuild, absl::Status missing) {
  auto value = store.ReadMeta(meta_key);
  if (!value.ok()) return missing;
  StoredClustering<Row> c;
  auto meta = store::DecodeClusterMeta(*value, meta_key);
  if (!meta.ok()) return meta.status();
  c.meta = *std::move(meta);
  absl::Status covers = CheckCoverage(name, c.meta.processed_txs, transactions, rebuild);
  if (!covers.ok()) return covers;
  auto unions = ReadUnions<Row>(store, family, c.meta.gen, decode_row);
  if (!unions.ok()) return unions.status();
  c.unions = *std::move(unions);
  return c;
}

// Returns: the index of the unions in `rows` (each joins its members `a` and `b`).
template <typename Row>
absl::StatusOr<std::unique_ptr<ClusterIndex>> IndexUnions(uint32_t members,
                                                          std::span<const Row> rows,
                                                          std::string policy) {
  std::vector<ClusterLink> links;
  links.reserve(rows.size());
  for (const Row& r : rows) links.push_back({r.a, r.b});
  return ClusterIndex::Build(members, links, std::move(policy));
}

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_CLUSTER_INDEX_H_
