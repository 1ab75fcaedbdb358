#include "engine/store/evm_store.h"

#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"
#include "engine/store/codec.h"

namespace ariadne::store {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Out: *value. Returns: NOT_FOUND (bare) when absent.
absl::Status Get(const Store& store, Cf cf, std::string_view key, std::string* value) {
  rocksdb::Status s =
      store.db()->Get(rocksdb::ReadOptions(), store.handle(cf), ToSlice(key), value);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat(AV(CfName(cf)), " row not found"));
  return FromRocks(s, absl::StrCat("reading ", AV(CfName(cf))));
}

}  // namespace

absl::StatusOr<EvmChainState> ReadEvmState(const Store& store) {
  if (!IsEvm(store.network())) {
    return absl::FailedPreconditionError(absl::StrCat("store at ", store.dir().string(), " holds ",
                                                      AV(Params(store.network()).name),
                                                      ", not an EVM chain"));
  }
  std::string v;
  absl::Status s = Get(store, Cf::kMeta, kMetaEvmState, &v);
  if (absl::IsNotFound(s)) {
    EvmChainState fresh;
    fresh.chain_id = EvmChainId(store.network());
    return fresh;
  }
  if (!s.ok()) return s;
  return DecodeEvmState(v);
}

absl::StatusOr<uint32_t> FindEvmAccount(const Store& store, const Address& address) {
  std::string v;
  absl::Status s = Get(store, Cf::kEvmAccountKey, EvmAccountKeyIndexKey(address), &v);
  if (absl::IsNotFound(s)) return absl::NotFoundError("account never appeared on chain");
  if (!s.ok()) return s;
  if (v.size() != kAccountIdBytes) return absl::DataLossError("corrupt evm_account_key row");
  return static_cast<uint32_t>(GetBE(v.data(), kAccountIdBytes));
}

absl::StatusOr<EvmAccountRow> ReadEvmAccount(const Store& store, uint32_t id) {
  std::string v;
  absl::Status s = Get(store, Cf::kEvmAccount, EvmAccountKey(id), &v);
  if (absl::IsNotFound(s)) return absl::NotFoundError(absl::StrCat("no account id ", id));
  if (!s.ok()) return s;
  return DecodeEvmAccountRow(v);
}

absl::StatusOr<EvmTxRow> ReadEvmTx(const Store& store, uint64_t n) {
  std::string v;
  absl::Status s = Get(store, Cf::kEvmTx, EvmTxKey(n), &v);
  if (absl::IsNotFound(s)) return absl::NotFoundError(absl::StrCat("no transaction number ", n));
  if (!s.ok()) return s;
  return DecodeEvmTxRow(v);
}

absl::StatusOr<uint64_t> FindEvmTx(const Store& store, const evm::EvmTxHash& hash) {
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.handle(Cf::kEvmTxHash)));
  const std::string prefix = EvmTxHashPrefix(hash);
  uint64_t found = UINT64_MAX;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != kEvmTxHashPrefixBytes + 5 ||
        std::memcmp(k.data(), prefix.data(), kEvmTxHashPrefixBytes) != 0) {
      break;
    }
    const uint64_t n = GetBE(k.data() + kEvmTxHashPrefixBytes, 5);
    auto row = ReadEvmTx(store, n);
    if (!row.ok()) return row.status();
    if (row->hash == hash) found = n;  // keys ascend: the last match is the newest
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the transaction hash index");
  if (found == UINT64_MAX) {
    return absl::NotFoundError(absl::StrCat("transaction ", evm::HashHex(hash), " not found"));
  }
  return found;
}

absl::StatusOr<EvmBlockRow> ReadEvmBlock(const Store& store, uint64_t number) {
  std::string v;
  absl::Status s = Get(store, Cf::kEvmBlock, EvmBlockKey(number), &v);
  if (absl::IsNotFound(s))
    return absl::NotFoundError(absl::StrCat("block ", number, " not indexed"));
  if (!s.ok()) return s;
  return DecodeEvmBlockRow(v);
}

absl::Status CountEvmBlocksWithoutTraces(const Store& store, uint64_t* count) {
  constexpr uint8_t kHasTraces = 2;  // EvmBlockRow::provenance
  *count = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.handle(Cf::kEvmBlock)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto row = DecodeEvmBlockRow(std::string_view(it->value().data(), it->value().size()));
    if (!row.ok()) return row.status();
    if (row->tx_count > 0 && (row->provenance & kHasTraces) == 0) ++*count;
  }
  return FromRocks(it->status(), "reading evm_block");
}

absl::Status ReadEvmTransfers(const Store& store, uint64_t first, uint64_t count,
                              std::vector<EvmTransferRow>* out) {
  out->clear();
  if (count == 0) return absl::OkStatus();
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.handle(Cf::kEvmTransfer)));
  uint64_t expect = first;
  for (it->Seek(EvmTransferKey(first)); it->Valid() && expect < first + count; it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != kTransferNumBytes || GetBE(k.data(), kTransferNumBytes) != expect) {
      return absl::DataLossError(absl::StrCat("transfer ", expect, " is missing from the store"));
    }
    auto row = DecodeEvmTransferRow(std::string_view(it->value().data(), it->value().size()));
    if (!row.ok()) return row.status();
    out->push_back(*row);
    ++expect;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading transfers");
  if (expect != first + count) {
    return absl::DataLossError(absl::StrCat("transfer ", expect, " is missing from the store"));
  }
  return absl::OkStatus();
}

absl::Status ReadEvmTotals(const Store& store, uint32_t account,
                           std::vector<std::pair<uint32_t, EvmTotals>>* out) {
  out->clear();
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.handle(Cf::kEvmTotals)));
  for (it->Seek(EvmTotalsKey(account, 0)); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != kEvmTotalsKeyBytes || GetBE(k.data(), kAccountIdBytes) != account) break;
    auto t = DecodeEvmTotals(std::string_view(it->value().data(), it->value().size()));
    if (!t.ok()) return t.status();
    out->emplace_back(static_cast<uint32_t>(GetBE(k.data() + kAccountIdBytes, kAssetIdBytes)), *t);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading totals");
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> ReadEvmHistory(const Store& store, uint32_t account, uint64_t from,
                                        size_t limit, bool reverse, std::vector<uint64_t>* out) {
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.handle(Cf::kEvmHist)));
  size_t n = 0;
  const std::string start = EvmHistKey(account, std::min(from, kMaxEvmTxNum));
  if (reverse) {
    it->SeekForPrev(start);
  } else {
    it->Seek(start);
  }
  for (; it->Valid(); reverse ? it->Prev() : it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != kEvmHistKeyBytes || GetBE(k.data(), kAccountIdBytes) != account) break;
    const uint64_t t = GetBE(k.data() + kAccountIdBytes, 5);
    if (n == limit) return t;
    out->push_back(t);
    ++n;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading history");
  return UINT64_MAX;
}

absl::Status ReadEvmAssets(const Store& store, std::vector<EvmAssetRow>* out) {
  out->clear();
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(rocksdb::ReadOptions(), store.handle(Cf::kEvmAsset)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != kAssetIdBytes || GetBE(k.data(), kAssetIdBytes) != out->size()) {
      return absl::DataLossError(absl::StrCat("asset ", out->size(), " is missing from the store"));
    }
    auto row = DecodeEvmAssetRow(std::string_view(it->value().data(), it->value().size()));
    if (!row.ok()) return row.status();
    out->push_back(*row);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading assets");
  return absl::OkStatus();
}

}  // namespace ariadne::store
