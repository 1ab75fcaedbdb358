#include "engine/graph/label_index.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "engine/store/codec.h"
#include "engine/store/evm_store.h"

namespace ariadne::graph {

absl::StatusOr<std::vector<MemberLabel>> LoadLabelRows(const store::Store& store, char chain,
                                                       const LabelMemberFn& member_of,
                                                       uint64_t* rows_read) {
  std::vector<MemberLabel> rows;
  uint64_t read = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.handle(store::Cf::kLabels)));
  for (it->Seek(std::string(1, chain)); it->Valid() && it->key()[0] == chain; it->Next()) {
    ++read;
    auto member = member_of(std::string_view(it->key().data(), it->key().size()));
    if (!member.ok()) return member.status();
    if (!member->has_value()) continue;  // not on chain (yet)
    rows.push_back({**member, std::string(it->value().data(), it->value().size())});
  }
  if (!it->status().ok()) return store::FromRocks(it->status(), "reading labels");
  if (rows_read != nullptr) *rows_read = read;
  return rows;
}

absl::StatusOr<std::vector<MemberLabel>> LoadAddressLabels(const store::Store& store,
                                                           uint64_t* rows_read) {
  return LoadLabelRows(
      store, store::kLabelChainBitcoin,
      [&store](std::string_view key) -> absl::StatusOr<std::optional<uint32_t>> {
        auto address = store::LabelKeyAddress(key);
        if (!address.ok()) return address.status();
        auto id = store.FindAddress(*address);
        if (!id.ok()) return std::nullopt;  // not on chain (yet)
        return id->value();
      },
      rows_read);
}

absl::StatusOr<std::vector<MemberLabel>> LoadAccountLabels(const store::Store& store,
                                                           uint64_t* rows_read) {
  auto rows = LoadLabelRows(
      store, store::kLabelChainEvm,
      [&store](std::string_view key) -> absl::StatusOr<std::optional<uint32_t>> {
        if (key.size() < 1 + evm::Address::kSize) {
          return absl::DataLossError("corrupt labels key of an EVM address");
        }
        const evm::Address a =
            evm::Address::FromBytes(reinterpret_cast<const uint8_t*>(key.data() + 1));
        auto id = store::FindEvmAccount(store, a);
        if (absl::IsNotFound(id.status())) return std::nullopt;  // not on chain (yet)
        if (!id.ok()) return id.status();
        return *id;
      },
      rows_read);
  if (!rows.ok()) return rows.status();
  std::stable_sort(rows->begin(), rows->end(),
                   [](const MemberLabel& a, const MemberLabel& b) { return a.member < b.member; });
  return rows;
}

absl::StatusOr<std::unique_ptr<LabelIndex>> LabelIndex::Build(std::span<const MemberLabel> rows,
                                                              const ClusterIndex* clusters,
                                                              uint64_t rows_read) {
  std::unique_ptr<LabelIndex> li(new LabelIndex());
  li->rows_ = rows_read;
  absl::flat_hash_map<std::string, uint32_t> dedup;  // same label on many members: stored once
  for (const MemberLabel& r : rows) {
    auto [d, inserted] = dedup.emplace(r.value, li->labels_.size());
    if (inserted) {
      auto row = store::DecodeLabel(r.value);
      if (!row.ok()) return row.status();
      li->labels_.push_back(*row);
    }
    li->by_member_[r.member].push_back(d->second);
    if (clusters != nullptr && r.member < clusters->member_count()) {
      li->by_cluster_[clusters->ClusterOf(r.member).value()].push_back({d->second, r.member});
    }
  }
  return li;
}

std::span<const uint32_t> LabelIndex::Of(uint32_t member) const {
  auto it = by_member_.find(member);
  if (it == by_member_.end()) return {};
  return it->second;
}

std::span<const LabelRef> LabelIndex::OfCluster(ClusterId c) const {
  auto it = by_cluster_.find(c.value());
  if (it == by_cluster_.end()) return {};
  return it->second;
}

namespace {
bool Matches(const store::LabelRow& row, const std::vector<std::string>& categories) {
  const std::string cat = absl::AsciiStrToLower(row.category);
  for (const std::string& c : categories) {
    if (absl::AsciiStrToLower(c) == cat) return true;
  }
  return false;
}
}  // namespace

absl::flat_hash_set<uint32_t> LabelIndex::MembersIn(
    const std::vector<std::string>& categories) const {
  absl::flat_hash_set<uint32_t> out;
  for (const auto& [member, ids] : by_member_) {
    for (uint32_t id : ids) {
      if (Matches(labels_[id], categories)) {
        out.insert(member);
        break;
      }
    }
  }
  return out;
}

absl::flat_hash_set<uint32_t> LabelIndex::ClustersIn(
    const std::vector<std::string>& categories) const {
  absl::flat_hash_set<uint32_t> out;
  for (const auto& [cluster, refs] : by_cluster_) {
    for (const LabelRef& r : refs) {
      if (Matches(labels_[r.label], categories)) {
        out.insert(cluster);
        break;
      }
    }
  }
  return out;
}

}  // namespace ariadne::graph
