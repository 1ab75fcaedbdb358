// Labels of an EVM store's accounts, ready for queries: the attributions imported with `ariadne
// tags import` (label rows of EVM identities) of the accounts that are on chain. Built at server
// start.
#ifndef ARIADNE_ENGINE_EVM_ACCOUNT_LABELS_H_
#define ARIADNE_ENGINE_EVM_ACCOUNT_LABELS_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::account {

class LabelIndex {
 public:
  static absl::StatusOr<std::unique_ptr<LabelIndex>> Build(const store::Store& store);
  // For tests and heuristics on hand-made graphs.
  static std::unique_ptr<LabelIndex> FromRows(
      std::vector<std::pair<uint32_t, store::LabelRow>> rows);

  const std::vector<store::LabelRow>& labels() const { return labels_; }
  // Returns: label ids of an account (empty when unlabelled).
  std::span<const uint32_t> Of(uint32_t account) const;
  size_t labelled_accounts() const { return by_account_.size(); }
  // Returns: the accounts carrying a label of one of `categories` (compared in lowercase).
  absl::flat_hash_set<uint32_t> AccountsIn(const std::vector<std::string>& categories) const;

 private:
  LabelIndex() = default;
  void Add(uint32_t account, const store::LabelRow& row);
  std::vector<store::LabelRow> labels_;
  absl::flat_hash_map<std::string, uint32_t> dedup_;
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> by_account_;
};

}  // namespace ariadne::account

#endif  // ARIADNE_ENGINE_EVM_ACCOUNT_LABELS_H_
