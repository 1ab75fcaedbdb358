#include "engine/store/stats_merge.h"

#include "engine/store/schema.h"

namespace ariadne::store {
namespace {

class StatsMergeOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& key, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger* logger) const override {
    AddrStats total;
    if (existing != nullptr) {
      auto e = DecodeStats(std::string_view(existing->data(), existing->size()));
      if (!e.ok()) return false;  // RocksDB reports corruption
      total = *e;
    }
    auto d = DecodeStats(std::string_view(value.data(), value.size()));
    if (!d.ok()) return false;
    MergeStats(*d, &total);
    *new_value = EncodeStats(total);
    return true;
  }
  const char* Name() const override { return "ariadne.StatsMerge.v1"; }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewStatsMergeOperator() {
  return std::make_shared<StatsMergeOperator>();
}

}  // namespace ariadne::store
