#include "indexer/pipeline/store_lookup.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/store/codec.h"

namespace ariadne::pipeline {
namespace {

rocksdb::Slice ToSlice(const std::string& s) { return rocksdb::Slice(s.data(), s.size()); }

}  // namespace

rocksdb::Iterator* StoreLookup::Iter(std::unique_ptr<rocksdb::Iterator>* it, store::Cf cf) {
  if (*it == nullptr) {
    rocksdb::ReadOptions ro;
    ro.prefix_same_as_start = true;
    it->reset(store_->db()->NewIterator(ro, store_->handle(cf)));
  }
  return it->get();
}

absl::Status StoreLookup::Refresh() {
  for (auto* it : {&addr_it_, &txid_it_}) {
    if (*it == nullptr) continue;
    if (!(*it)->Refresh().ok()) it->reset();  // made again at the next lookup
  }
  return absl::OkStatus();
}

absl::StatusOr<AddrId> StoreLookup::FindAddress(const AddressKey& key) {
  rocksdb::Iterator* it = Iter(&addr_it_, store::Cf::kAddrKey);
  const std::string prefix = store::AddrKeyIndexPrefix(key);
  for (it->Seek(ToSlice(prefix)); it->Valid(); it->Next()) {
    const rocksdb::Slice k = it->key();
    if (k.size() != store::kAddrKeyPrefixBytes + store::kAddrIdBytes ||
        std::memcmp(k.data(), prefix.data(), store::kAddrKeyPrefixBytes) != 0) {
      break;
    }
    const AddrId id(static_cast<uint32_t>(
        store::GetBE(k.data() + store::kAddrKeyPrefixBytes, store::kAddrIdBytes)));
    rocksdb::Status s = store_->db()->Get(rocksdb::ReadOptions(), store_->handle(store::Cf::kAddr),
                                          ToSlice(store::AddrKey(id)), &value_);
    if (!s.ok()) return store::FromRocks(s, absl::StrCat("reading address id ", id.value()));
    ASSIGN_OR_RETURN(addr_row_, store::DecodeAddrRow(value_));
    if (addr_row_.key == key) return id;
  }
  RETURN_IF_ERROR(store::FromRocks(it->status(), "reading the address index"));
  return absl::NotFoundError("address never appeared on chain");
}

absl::StatusOr<TxNum> StoreLookup::FindTx(const Txid& txid, store::TxRow* row) {
  rocksdb::Iterator* it = Iter(&txid_it_, store::Cf::kTxid);
  const std::string prefix = store::TxidPrefix(txid);
  TxNum found;
  for (it->Seek(ToSlice(prefix)); it->Valid(); it->Next()) {
    const rocksdb::Slice k = it->key();
    if (k.size() != store::kTxidPrefixBytes + store::kTxNumBytes ||
        std::memcmp(k.data(), prefix.data(), store::kTxidPrefixBytes) != 0) {
      break;
    }
    const TxNum n(store::GetBE(k.data() + store::kTxidPrefixBytes, store::kTxNumBytes));
    rocksdb::Status s = store_->db()->Get(rocksdb::ReadOptions(), store_->handle(store::Cf::kTx),
                                          ToSlice(store::TxKey(n)), &value_);
    if (!s.ok()) return store::FromRocks(s, absl::StrCat("reading transaction ", n.value()));
    ASSIGN_OR_RETURN(Txid full, store::DecodeTxRowTxid(value_));
    if (full != txid) continue;
    // Keys ascend: a later match (BIP30's duplicates) replaces an earlier one.
    RETURN_IF_ERROR(store::DecodeTxRow(value_, n, row));
    found = n;
  }
  RETURN_IF_ERROR(store::FromRocks(it->status(), "reading the txid index"));
  if (!found.valid()) {
    return absl::NotFoundError(absl::StrCat("transaction ", txid.ToHex(), " not found"));
  }
  return found;
}

}  // namespace ariadne::pipeline
