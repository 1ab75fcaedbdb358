// Labels ready for queries: the labels of every labelled address that is on chain, and of every
// cluster (its members' labels). Built at server start from the labels column family.
#ifndef ARIADNE_ENGINE_GRAPH_LABEL_INDEX_H_
#define ARIADNE_ENGINE_GRAPH_LABEL_INDEX_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "engine/graph/cluster_index.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::graph {

struct LabelRef {
  uint32_t label;  // index into labels()
  uint32_t addr;   // the labelled address
};

class LabelIndex {
 public:
  // Args: clusters: optional; without it clusters have no labels.
  static absl::StatusOr<std::unique_ptr<LabelIndex>> Build(const store::Store& store,
                                                           const ClusterIndex* clusters);

  const std::vector<store::LabelRow>& labels() const { return labels_; }
  // Returns: label ids of an address (empty when unlabelled).
  std::span<const uint32_t> OfAddress(AddrId a) const;
  // Returns: the labels of a cluster's members.
  std::span<const LabelRef> OfCluster(ClusterId c) const;
  size_t labelled_addresses() const { return by_address_.size(); }
  uint64_t rows() const { return rows_; }

  // Returns: the addresses (and clusters, with a cluster index) carrying a label of one of
  // `categories` (compared in lowercase).
  absl::flat_hash_set<uint32_t> AddressesIn(const std::vector<std::string>& categories) const;
  absl::flat_hash_set<uint32_t> ClustersIn(const std::vector<std::string>& categories) const;

 private:
  LabelIndex() = default;
  std::vector<store::LabelRow> labels_;
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> by_address_;
  absl::flat_hash_map<uint32_t, std::vector<LabelRef>> by_cluster_;
  uint64_t rows_ = 0;
};

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_LABEL_INDEX_H_
