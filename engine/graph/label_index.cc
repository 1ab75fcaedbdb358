#include "engine/graph/label_index.h"

#include "absl/strings/ascii.h"

namespace ariadne::graph {

absl::StatusOr<std::unique_ptr<LabelIndex>> LabelIndex::Build(const store::Store& store,
                                                              const ClusterIndex* clusters) {
  std::unique_ptr<LabelIndex> li(new LabelIndex());
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.handle(store::Cf::kLabels)));
  absl::flat_hash_map<std::string, uint32_t> dedup;  // same label on many addresses: stored once
  for (it->Seek(std::string(1, store::kLabelChainBitcoin));
       it->Valid() && it->key()[0] == store::kLabelChainBitcoin; it->Next()) {
    ++li->rows_;
    std::string_view key(it->key().data(), it->key().size());
    auto address = store::LabelKeyAddress(key);
    if (!address.ok()) return address.status();
    auto id = store.FindAddress(*address);
    if (!id.ok()) continue;  // not on chain (yet)
    std::string_view value(it->value().data(), it->value().size());
    auto [d, inserted] = dedup.emplace(std::string(value), li->labels_.size());
    if (inserted) {
      auto row = store::DecodeLabel(value);
      if (!row.ok()) return row.status();
      li->labels_.push_back(*row);
    }
    li->by_address_[id->value()].push_back(d->second);
    if (clusters != nullptr && id->value() < clusters->address_count()) {
      li->by_cluster_[clusters->ClusterOf(*id).value()].push_back({d->second, id->value()});
    }
  }
  if (!it->status().ok()) return store::FromRocks(it->status(), "reading labels");
  return li;
}

std::span<const uint32_t> LabelIndex::OfAddress(AddrId a) const {
  auto it = by_address_.find(a.value());
  if (it == by_address_.end()) return {};
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

absl::flat_hash_set<uint32_t> LabelIndex::AddressesIn(
    const std::vector<std::string>& categories) const {
  absl::flat_hash_set<uint32_t> out;
  for (const auto& [addr, ids] : by_address_) {
    for (uint32_t id : ids) {
      if (Matches(labels_[id], categories)) {
        out.insert(addr);
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
