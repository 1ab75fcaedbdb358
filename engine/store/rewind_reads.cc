#include "engine/store/rewind_reads.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "engine/store/codec.h"
#include "rocksdb/db.h"

namespace ariadne::store {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

// One MultiGet over `keys` (ascending) in `cf`; calls found(i, value) per key, missing(i) when a
// key has no row.
template <typename Found, typename Missing>
absl::Status MultiGetSorted(const Store& store, Cf cf, const std::vector<std::string>& keys,
                            Found found, Missing missing) {
  std::vector<rocksdb::Slice> slices;
  slices.reserve(keys.size());
  for (const std::string& k : keys) slices.push_back(ToSlice(k));
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  store.db()->MultiGet(rocksdb::ReadOptions(), store.handle(cf), keys.size(), slices.data(),
                       values.data(), statuses.data(), /*sorted_input=*/true);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      RETURN_IF_ERROR(missing(i));
      continue;
    }
    RETURN_IF_ERROR(FromRocks(statuses[i], absl::StrCat("reading ", AV(CfName(cf)))));
    RETURN_IF_ERROR(found(i, View(values[i])));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadTxRange(const Store& store, TxNum first, uint64_t count,
                         std::vector<TxRow>* rows) {
  rows->resize(count);
  if (count == 0) return absl::OkStatus();
  const std::string hi = TxKey(TxNum(first.value() + count));
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper = ToSlice(hi);
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.handle(Cf::kTx)));
  uint64_t i = 0;
  for (it->Seek(TxKey(first)); it->Valid() && i < count; it->Next(), ++i) {
    const TxNum want(first.value() + i);
    if (it->key() != ToSlice(TxKey(want))) break;
    RETURN_IF_ERROR(DecodeTxRow(View(it->value()), want, &(*rows)[i]));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading tx"));
  if (i != count) {
    return absl::DataLossError(absl::StrCat("tx row ", first.value() + i,
                                            " is missing (rewinding transactions ", first.value(),
                                            " to ", first.value() + count - 1, ")"));
  }
  return absl::OkStatus();
}

absl::Status MultiReadTx(const Store& store, std::span<const TxNum> nums,
                         std::vector<TxRow>* rows) {
  rows->resize(nums.size());
  std::vector<std::string> keys;
  keys.reserve(nums.size());
  for (TxNum n : nums) keys.push_back(TxKey(n));
  return MultiGetSorted(
      store, Cf::kTx, keys,
      [&](size_t i, std::string_view v) { return DecodeTxRow(v, nums[i], &(*rows)[i]); },
      [&](size_t i) {
        return absl::DataLossError(
            absl::StrCat("tx row ", nums[i].value(), " is missing (spent by a rewound block)"));
      });
}

absl::Status MultiReadStats(const Store& store, std::span<const AddrId> ids,
                            std::vector<AddrStats>* stats) {
  stats->assign(ids.size(), AddrStats());
  std::vector<std::string> keys;
  keys.reserve(ids.size());
  for (AddrId id : ids) keys.push_back(AddrKey(id));
  return MultiGetSorted(
      store, Cf::kStats, keys,
      [&](size_t i, std::string_view v) -> absl::Status {
        ASSIGN_OR_RETURN((*stats)[i], DecodeStats(v));
        return absl::OkStatus();
      },
      [](size_t) { return absl::OkStatus(); });
}

absl::Status LastHistoryBefore(const Store& store, std::span<const AddrId> ids, TxNum before,
                               std::vector<TxNum>* last) {
  last->assign(ids.size(), TxNum());
  if (ids.empty() || before.value() == 0) return absl::OkStatus();
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.handle(Cf::kHist)));
  for (size_t i = 0; i < ids.size(); ++i) {
    it->SeekForPrev(HistKey(ids[i], TxNum(before.value() - 1)));
    if (!it->Valid()) continue;
    rocksdb::Slice k = it->key();
    if (k.size() != kHistKeyBytes || GetBE(k.data(), kAddrIdBytes) != ids[i].value()) continue;
    (*last)[i] = TxNum(GetBE(k.data() + kAddrIdBytes, kTxNumBytes));
  }
  return FromRocks(it->status(), "reading hist");
}

absl::Status ReadAddressRange(const Store& store, AddrId first, AddrId end,
                              std::vector<AddrRow>* rows) {
  const uint64_t count = end.value() > first.value() ? end.value() - first.value() : 0;
  rows->resize(count);
  if (count == 0) return absl::OkStatus();
  const std::string hi = AddrKey(end);
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper = ToSlice(hi);
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.handle(Cf::kAddr)));
  uint64_t i = 0;
  for (it->Seek(AddrKey(first)); it->Valid() && i < count; it->Next(), ++i) {
    const AddrId want(static_cast<uint32_t>(first.value() + i));
    if (it->key() != ToSlice(AddrKey(want))) break;
    ASSIGN_OR_RETURN((*rows)[i], DecodeAddrRow(View(it->value())));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "reading addr"));
  if (i != count) {
    return absl::DataLossError(absl::StrCat("addr row ", first.value() + i,
                                            " is missing (rewinding addresses ", first.value(),
                                            " to ", end.value() - 1, ")"));
  }
  return absl::OkStatus();
}

}  // namespace ariadne::store
