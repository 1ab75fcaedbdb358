#include "engine/evm/account_labels.h"

#include "absl/strings/ascii.h"
#include "engine/store/evm_store.h"

namespace ariadne::account {

absl::StatusOr<std::unique_ptr<LabelIndex>> LabelIndex::Build(const store::Store& store) {
  std::unique_ptr<LabelIndex> li(new LabelIndex());
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.handle(store::Cf::kLabels)));
  for (it->Seek(std::string(1, store::kLabelChainEvm));
       it->Valid() && it->key()[0] == store::kLabelChainEvm; it->Next()) {
    if (it->key().size() < 1 + evm::Address::kSize) {
      return absl::DataLossError("corrupt labels key of an EVM address");
    }
    const evm::Address a =
        evm::Address::FromBytes(reinterpret_cast<const uint8_t*>(it->key().data() + 1));
    auto id = store::FindEvmAccount(store, a);
    if (absl::IsNotFound(id.status())) continue;  // not on chain (yet)
    if (!id.ok()) return id.status();
    auto row = store::DecodeLabel(std::string_view(it->value().data(), it->value().size()));
    if (!row.ok()) return row.status();
    li->Add(*id, *row);
  }
  if (!it->status().ok()) return store::FromRocks(it->status(), "reading labels");
  return li;
}

std::unique_ptr<LabelIndex> LabelIndex::FromRows(
    std::vector<std::pair<uint32_t, store::LabelRow>> rows) {
  std::unique_ptr<LabelIndex> li(new LabelIndex());
  for (const auto& [account, row] : rows) li->Add(account, row);
  return li;
}

void LabelIndex::Add(uint32_t account, const store::LabelRow& row) {
  const std::string key = store::EncodeLabel(row);
  auto [d, inserted] = dedup_.emplace(key, labels_.size());
  if (inserted) labels_.push_back(row);
  by_account_[account].push_back(d->second);
}

std::span<const uint32_t> LabelIndex::Of(uint32_t account) const {
  auto it = by_account_.find(account);
  if (it == by_account_.end()) return {};
  return it->second;
}

absl::flat_hash_set<uint32_t> LabelIndex::AccountsIn(
    const std::vector<std::string>& categories) const {
  absl::flat_hash_set<uint32_t> out;
  for (const auto& [account, ids] : by_account_) {
    for (uint32_t id : ids) {
      const std::string cat = absl::AsciiStrToLower(labels_[id].category);
      bool match = false;
      for (const std::string& c : categories) match |= absl::AsciiStrToLower(c) == cat;
      if (match) {
        out.insert(account);
        break;
      }
    }
  }
  return out;
}

}  // namespace ariadne::account
