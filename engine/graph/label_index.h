// Labels ready for queries, for either chain model: the attributions of every labelled member
// (an AddrId, or an AccountId on account chains) that is on chain, and of every cluster (its
// members' labels). Built at server start from the labels column family: each chain reads the rows
// of its identities (LoadLabelRows) and names their members.
#ifndef ARIADNE_ENGINE_GRAPH_LABEL_INDEX_H_
#define ARIADNE_ENGINE_GRAPH_LABEL_INDEX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "engine/graph/cluster_index.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::graph {

struct LabelRef {
  uint32_t label;   // index into labels()
  uint32_t member;  // the labelled member
};

// A label row and the member it labels.
struct MemberLabel {
  uint32_t member = 0;
  std::string value;  // the encoded LabelRow, as stored
};

// Returns: the member of a label key's identity (the key without its chain byte and hash), nullopt
//          when the identity is not on chain (yet), or an error.
using LabelMemberFn = std::function<absl::StatusOr<std::optional<uint32_t>>(std::string_view key)>;

// Reads the label rows of one chain's identities, in key order.
// Args: chain: store::kLabelChainBitcoin or kLabelChainEvm.
// Out: *rows_read (optional): every row of the chain, on chain or not.
// Returns: the rows of members on chain; the member function's errors.
absl::StatusOr<std::vector<MemberLabel>> LoadLabelRows(const store::Store& store, char chain,
                                                       const LabelMemberFn& member_of,
                                                       uint64_t* rows_read = nullptr);

// Returns: the label rows of a UTXO store's addresses (members are AddrIds), in key order.
absl::StatusOr<std::vector<MemberLabel>> LoadAddressLabels(const store::Store& store,
                                                           uint64_t* rows_read = nullptr);
// Returns: the label rows of an EVM store's accounts (members are AccountIds), in order of
//          AccountId (an account's own labels in key order); DATA_LOSS for a corrupt key.
absl::StatusOr<std::vector<MemberLabel>> LoadAccountLabels(const store::Store& store,
                                                           uint64_t* rows_read = nullptr);

class LabelIndex {
 public:
  // Args: rows: a member's labels are kept in the order given, a cluster's in the order of `rows`;
  //       clusters: optional, without it clusters have no labels; rows_read: reported by rows().
  // Returns: DATA_LOSS for a row that does not decode.
  static absl::StatusOr<std::unique_ptr<LabelIndex>> Build(std::span<const MemberLabel> rows,
                                                           const ClusterIndex* clusters,
                                                           uint64_t rows_read = 0);

  const std::vector<store::LabelRow>& labels() const { return labels_; }
  // Returns: label ids of a member (empty when unlabelled).
  std::span<const uint32_t> Of(uint32_t member) const;
  // Returns: the labels of a cluster's members.
  std::span<const LabelRef> OfCluster(ClusterId c) const;
  size_t labelled_members() const { return by_member_.size(); }
  uint64_t rows() const { return rows_; }

  // Returns: the members (clusters) carrying a label of one of `categories` (compared in
  // lowercase).
  absl::flat_hash_set<uint32_t> MembersIn(const std::vector<std::string>& categories) const;
  absl::flat_hash_set<uint32_t> ClustersIn(const std::vector<std::string>& categories) const;

 private:
  LabelIndex() = default;
  std::vector<store::LabelRow> labels_;
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> by_member_;
  absl::flat_hash_map<uint32_t, std::vector<LabelRef>> by_cluster_;
  uint64_t rows_ = 0;
};

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_LABEL_INDEX_H_
