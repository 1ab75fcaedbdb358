#include "engine/store/evm_totals_merge.h"

#include "engine/store/evm_schema.h"

namespace ariadne::store {
namespace {

class EvmTotalsMergeOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& key, const rocksdb::Slice* existing, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger* logger) const override {
    EvmTotals total;
    if (existing != nullptr) {
      auto e = DecodeEvmTotals(std::string_view(existing->data(), existing->size()));
      if (!e.ok()) return false;  // RocksDB reports corruption
      total = *e;
    }
    auto d = DecodeEvmTotals(std::string_view(value.data(), value.size()));
    if (!d.ok()) return false;
    MergeEvmTotals(*d, &total);
    *new_value = EncodeEvmTotals(total);
    return true;
  }
  const char* Name() const override { return "ariadne.EvmTotalsMerge.v1"; }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewEvmTotalsMergeOperator() {
  return std::make_shared<EvmTotalsMergeOperator>();
}

}  // namespace ariadne::store
