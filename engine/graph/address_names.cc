#include "engine/graph/address_names.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/store/codec.h"

namespace ariadne::graph {

absl::StatusOr<std::unique_ptr<AddressNames>> AddressNames::Load(const store::Store& store) {
  std::unique_ptr<AddressNames> names(new AddressNames());
  auto state = store.ReadState();
  if (!state.ok()) return state.status();
  names->slots_.reserve(state->addr_count);
  auto added = names->Extend(store);
  if (!added.ok()) return added.status();
  return names;
}

absl::StatusOr<std::unique_ptr<AddressNames>> AddressNames::Map(
    std::shared_ptr<const GraphFiles> files) {
  std::unique_ptr<AddressNames> names(new AddressNames());
  const files::FlatArrayReader& slots = files->at(GraphArray::kNames);
  names->view_ = slots.As<Slot>();
  names->size_ = static_cast<uint32_t>(slots.count());
  const files::FlatArrayReader& longs = files->at(GraphArray::kLongNames);
  const LongNameRecord* r = longs.As<LongNameRecord>();
  for (uint64_t i = 0; i < longs.count(); ++i) {
    const Slot* slot = r[i].addr < names->size_ ? &names->view_[r[i].addr] : nullptr;
    if (slot == nullptr || slot->size <= sizeof(slot->payload) || slot->size > 40) {
      return absl::DataLossError(
          absl::StrCat(longs.path().string(), ": record ", i, " is not the tail of a long key"));
    }
    AddressKey k;
    k.kind = static_cast<AddrKind>(slot->kind);
    k.witness_version = slot->witness_version;
    k.size = slot->size;
    std::memcpy(k.payload.data(), slot->payload, sizeof(slot->payload));
    std::memcpy(k.payload.data() + sizeof(slot->payload), r[i].tail,
                k.size - sizeof(slot->payload));
    names->long_[r[i].addr] = k;
  }
  names->files_ = std::move(files);
  return names;
}

AddressNames::AddressNames(const AddressNames& other)
    : view_(other.view_),
      size_(other.size_),
      slots_(other.slots_),
      files_(other.files_),
      long_(other.long_) {
  if (files_ == nullptr) view_ = slots_.data();
}

absl::StatusOr<uint64_t> AddressNames::Extend(const store::Store& store) {
  if (files_ != nullptr) {
    return absl::FailedPreconditionError("mapped names grow by mapping the grown files");
  }
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  ro.readahead_size = 4 << 20;
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(ro, store.handle(store::Cf::kAddr)));
  const uint64_t start = slots_.size();
  uint64_t n = start;
  for (it->Seek(store::AddrKey(AddrId(static_cast<uint32_t>(start)))); it->Valid();
       it->Next(), ++n) {
    const uint64_t id = store::GetBE(it->key().data(), 4);
    if (it->key().size() != 4 || id != n) {
      return absl::DataLossError(absl::StrCat("addr rows skip from ", n, " to ", id));
    }
    auto row = store::DecodeAddrRow(std::string_view(it->value().data(), it->value().size()));
    if (!row.ok()) return row.status();
    const AddressKey& k = row->key;
    Slot slot{static_cast<uint8_t>(k.kind), k.witness_version, k.size, {}};
    if (k.size <= sizeof(slot.payload)) {
      std::memcpy(slot.payload, k.payload.data(), k.size);
    } else {
      long_[static_cast<uint32_t>(n)] = k;
    }
    slots_.push_back(slot);
  }
  view_ = slots_.data();
  size_ = static_cast<uint32_t>(slots_.size());
  if (!it->status().ok()) return store::FromRocks(it->status(), "loading address names");
  return n - start;
}

bool AddressNames::Get(AddrId a, AddressKey* key) const {
  if (a.value() >= size_) return false;
  const Slot& slot = view_[a.value()];
  if (slot.size > sizeof(slot.payload)) {
    *key = long_.at(a.value());
    return true;
  }
  *key = AddressKey();
  key->kind = static_cast<AddrKind>(slot.kind);
  key->witness_version = slot.witness_version;
  key->size = slot.size;
  std::memcpy(key->payload.data(), slot.payload, slot.size);
  return true;
}

}  // namespace ariadne::graph
