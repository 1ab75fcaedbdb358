// A clustering ready for queries, for either chain model: the cluster of every member (an AddrId,
// or an AccountId on account chains), the members of every cluster (CSR), and the evidence forest
// that explains why two members share a cluster. Built from the unions of a stored clustering, in
// the order they were made; what each union rests on (the evidence rows) stays with the caller,
// which names a link by its index.
//
// Memory: 8 bytes per member + 8 per cluster + 8 per union (plus the caller's evidence rows).
#ifndef ARIADNE_ENGINE_GRAPH_CLUSTER_INDEX_H_
#define ARIADNE_ENGINE_GRAPH_CLUSTER_INDEX_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

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

class ClusterIndex {
 public:
  // Args: members: ids [0, members); links: the unions (ids below `members`); policy: the spec of
  //       the clustering that made them.
  // Returns: DATA_LOSS when a link names an unknown member.
  static absl::StatusOr<std::unique_ptr<ClusterIndex>> Build(uint32_t members,
                                                             std::span<const ClusterLink> links,
                                                             std::string policy);

  uint32_t member_count() const { return static_cast<uint32_t>(dense_.size()); }
  uint32_t cluster_count() const { return static_cast<uint32_t>(roots_.size()); }
  const std::string& policy() const { return policy_; }

  // Returns: the cluster id (the smallest member id) of a member; `m` must be below
  //          member_count().
  ClusterId ClusterOf(uint32_t m) const { return ClusterId(roots_[dense_[m]]); }
  ClusterId ClusterOf(AddrId a) const { return ClusterOf(a.value()); }
  ClusterId ClusterOf(AccountId a) const { return ClusterOf(a.value()); }
  // Returns: true when `c` names a cluster (it is the smallest member of its cluster).
  bool IsCluster(ClusterId c) const {
    return c.value() < dense_.size() && roots_[dense_[c.value()]] == c.value();
  }
  // Returns: the members of a cluster, ascending. `c` must be a cluster id.
  std::span<const uint32_t> Members(ClusterId c) const;
  uint32_t Size(ClusterId c) const { return static_cast<uint32_t>(Members(c).size()); }
  // Returns: the position of a cluster among all clusters in order of id, [0, cluster_count()):
  //          an index for per-cluster arrays kept beside the index.
  uint32_t Ordinal(ClusterId c) const { return dense_[c.value()]; }
  uint32_t OrdinalOf(uint32_t m) const { return dense_[m]; }

  // The unions on the path between two members of one cluster, from `from` to `to`.
  // Returns: NOT_FOUND when they are in different clusters (empty for the same member).
  absl::StatusOr<std::vector<LinkStep>> Explain(uint32_t from, uint32_t to) const;

 private:
  ClusterIndex() = default;
  std::string policy_;
  std::vector<uint32_t> dense_;    // per member: the cluster's ordinal
  std::vector<uint32_t> roots_;    // per ordinal: the cluster id
  std::vector<uint32_t> offsets_;  // per ordinal + 1: into members_
  std::vector<uint32_t> members_;
  std::vector<ClusterLink> links_;
  std::vector<uint32_t> adj_offsets_;  // per member + 1
  std::vector<uint32_t> adj_;          // link index per directed edge
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
