// Ordered scans of a column family: every row whose key starts with a prefix, in key order.
#ifndef ARIADNE_ENGINE_STORE_SCAN_H_
#define ARIADNE_ENGINE_STORE_SCAN_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/store/store.h"

namespace ariadne::store {

// Calls fn(key, value) for every row of `cf` whose key starts with `prefix` (all rows for an empty
// prefix), in key order, without filling the block cache (a scan reads each block once).
// Returns: OK, fn's first error (the scan stops there), or the read error naming the family.
template <typename Fn>
absl::Status ScanRows(const Store& store, Cf cf, std::string_view prefix, Fn fn) {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.handle(cf)));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Next()) {
    absl::Status s = fn(std::string_view(it->key().data(), it->key().size()),
                        std::string_view(it->value().data(), it->value().size()));
    if (!s.ok()) return s;
  }
  return FromRocks(it->status(), absl::StrCat("reading ", std::string(CfName(cf))));
}

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_SCAN_H_
