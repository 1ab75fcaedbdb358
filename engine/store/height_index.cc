#include "engine/store/height_index.h"

#include <algorithm>
#include <memory>

#include "engine/store/store.h"

namespace ariadne::store {

absl::Status HeightIndex::Load(const Store& store) {
  first_txnum_.clear();
  time_.clear();
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.handle(Cf::kHeaders)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto row = DecodeBlockRow(std::string_view(it->value().data(), it->value().size()));
    if (!row.ok()) return row.status();
    Append(row->first_txnum, row->time());
  }
  return FromRocks(it->status(), "reading headers");
}

uint32_t HeightIndex::HeightOf(TxNum n) const {
  auto it = std::upper_bound(first_txnum_.begin(), first_txnum_.end(), n.value());
  return static_cast<uint32_t>(std::max<ptrdiff_t>(0, (it - first_txnum_.begin()) - 1));
}

}  // namespace ariadne::store
