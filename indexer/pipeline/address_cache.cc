#include "indexer/pipeline/address_cache.h"

#include <algorithm>

namespace ariadne::pipeline {
namespace {

std::string OtherKey(const AddressKey& key) {
  std::string k;
  k.push_back(static_cast<char>(key.kind));
  k.push_back(static_cast<char>(key.witness_version));
  k.append(reinterpret_cast<const char*>(key.payload.data()), key.size);
  return k;
}

template <size_t N>
std::array<uint8_t, N> ArrayKey(const AddressKey& key) {
  std::array<uint8_t, N> k;
  k[0] = static_cast<uint8_t>(key.kind);
  std::memcpy(k.data() + 1, key.payload.data(), N - 1);
  return k;
}

bool IsK20(const AddressKey& key) {
  return key.size == 20 && key.kind != AddrKind::kWitnessUnknown;
}
bool IsK32(const AddressKey& key) {
  return key.size == 32 && key.kind != AddrKind::kWitnessUnknown;
}

}  // namespace

AddrId AddressCache::FindIn(Generation& g, const AddressKey& key, bool erase) {
  auto take = [&](auto& map, const auto& k) -> AddrId {
    auto it = map.find(k);
    if (it == map.end()) return AddrId();
    AddrId id(it->second);
    if (erase) map.erase(it);
    return id;
  };
  if (IsK20(key)) return take(g.k20, ArrayKey<21>(key));
  if (IsK32(key)) return take(g.k32, ArrayKey<33>(key));
  return take(g.other, OtherKey(key));
}

void AddressCache::InsertIn(Generation& g, const AddressKey& key, AddrId id) {
  if (IsK20(key)) {
    g.k20.insert_or_assign(ArrayKey<21>(key), id.value());
  } else if (IsK32(key)) {
    g.k32.insert_or_assign(ArrayKey<33>(key), id.value());
  } else {
    g.other.insert_or_assign(OtherKey(key), id.value());
  }
}

AddrId AddressCache::Find(const AddressKey& key) {
  AddrId id = FindIn(gen_[0], key, false);
  if (id.valid()) return id;
  id = FindIn(gen_[1], key, true);
  if (id.valid()) InsertIn(gen_[0], key, id);
  return id;
}

void AddressCache::Insert(const AddressKey& key, AddrId id) { InsertIn(gen_[0], key, id); }

bool AddressCache::MaybeRotate() {
  if (gen_[0].size() < half_) return false;
  const bool dropped = gen_[1].size() > 0;
  gen_[1] = std::move(gen_[0]);
  gen_[0] = Generation();
  // The new generation will fill to half_ like the last one: size its tables once, in the same
  // mix of key kinds, instead of doubling them as it grows (a doubling briefly holds both tables,
  // ~0.4 GiB at 20 M entries).
  const Generation& last = gen_[1];
  const double n = static_cast<double>(std::max<size_t>(last.size(), 1));
  gen_[0].k20.reserve(static_cast<size_t>(half_ * (last.k20.size() / n) * 1.02));
  gen_[0].k32.reserve(static_cast<size_t>(half_ * (last.k32.size() / n) * 1.02));
  if (dropped) complete_ = false;
  return dropped;
}

size_t AddressCache::bytes() const {
  size_t n = 0;
  for (const Generation& g : gen_) {
    n += g.k20.capacity() * (sizeof(std::pair<Key21, uint32_t>) + 1) +
         g.k32.capacity() * (sizeof(std::pair<Key33, uint32_t>) + 1) +
         g.other.capacity() * (sizeof(std::pair<std::string, uint32_t>) + 1);
  }
  return n;
}

void AddressCache::Clear() {
  gen_[0] = Generation();
  gen_[1] = Generation();
  complete_ = false;
}

}  // namespace ariadne::pipeline
