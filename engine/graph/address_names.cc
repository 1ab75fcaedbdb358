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

absl::StatusOr<uint64_t> AddressNames::Extend(const store::Store& store) {
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
  if (!it->status().ok()) return store::FromRocks(it->status(), "loading address names");
  return n - start;
}

bool AddressNames::Get(AddrId a, AddressKey* key) const {
  if (a.value() >= slots_.size()) return false;
  const Slot& slot = slots_[a.value()];
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
