#include "indexer/pipeline/address_cache.h"

#include <algorithm>

#include "engine/files/checked_file.h"

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

absl::Status AddressCache::Save(const std::filesystem::path& path, std::string_view binding) const {
  return files::WriteCheckedFile(path, "ARDNAC01", binding, [&](files::CheckedWriter& w) {
    w.Put<uint8_t>(complete_ ? 1 : 0);
    for (int g = 1; g >= 0; --g) {  // the old generation first: it is loaded as the old one
      w.Put<uint64_t>(gen_[g].k20.size());
      for (const auto& [k, id] : gen_[g].k20) {
        w.Bytes(k.data(), k.size());
        w.Put(id);
      }
      w.Put<uint64_t>(gen_[g].k32.size());
      for (const auto& [k, id] : gen_[g].k32) {
        w.Bytes(k.data(), k.size());
        w.Put(id);
      }
      w.Put<uint64_t>(gen_[g].other.size());
      for (const auto& [k, id] : gen_[g].other) {
        w.Put<uint8_t>(static_cast<uint8_t>(k.size()));
        w.Bytes(k.data(), k.size());
        w.Put(id);
      }
    }
  });
}

absl::Status AddressCache::Load(const std::filesystem::path& path, std::string_view binding) {
  Clear();
  absl::Status s = files::ReadCheckedFile(path, "ARDNAC01", binding, [&](files::CheckedReader& r) {
    const bool complete = r.Get<uint8_t>() != 0;
    for (int g = 1; g >= 0; --g) {
      Generation& gen = gen_[g];
      const uint64_t n20 = r.Get<uint64_t>();
      if (!r.Fits(n20, 25)) return false;
      gen.k20.reserve(n20);
      for (uint64_t i = 0; i < n20 && r.ok(); ++i) {
        Key21 k;
        r.Bytes(k.data(), k.size());
        gen.k20.emplace(k, r.Get<uint32_t>());
      }
      const uint64_t n32 = r.Get<uint64_t>();
      if (!r.Fits(n32, 37)) return false;
      gen.k32.reserve(n32);
      for (uint64_t i = 0; i < n32 && r.ok(); ++i) {
        Key33 k;
        r.Bytes(k.data(), k.size());
        gen.k32.emplace(k, r.Get<uint32_t>());
      }
      const uint64_t other = r.Get<uint64_t>();
      if (!r.Fits(other, 6)) return false;
      for (uint64_t i = 0; i < other && r.ok(); ++i) {
        std::string k(r.Get<uint8_t>(), '\0');
        r.Bytes(k.data(), k.size());
        gen.other.emplace(std::move(k), r.Get<uint32_t>());
      }
    }
    complete_ = complete;
    return r.ok();
  });
  if (!s.ok()) Clear();
  return s;
}

void AddressCache::Clear() {
  gen_[0] = Generation();
  gen_[1] = Generation();
  complete_ = false;
}

}  // namespace ariadne::pipeline
