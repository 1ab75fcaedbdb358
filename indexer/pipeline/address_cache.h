// The indexer's map from address key to AddrId, bounded in memory.
//
// Two generations: lookups promote entries from the old generation into the new one, and when the
// new one is full the old one is dropped (an approximate LRU at two probes per lookup). The cache
// is "complete" while nothing was ever dropped from a cache that started from an empty store (or
// was preloaded with every address): a miss then means a new address and no store lookup is made.
// Rotate only when everything inserted before the previous rotation is durable in the store, so a
// dropped entry can always be found there.
#ifndef ARIADNE_INDEXER_PIPELINE_ADDRESS_CACHE_H_
#define ARIADNE_INDEXER_PIPELINE_ADDRESS_CACHE_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "engine/core/script.h"
#include "engine/core/types.h"

namespace ariadne::pipeline {

class AddressCache {
 public:
  // Args: capacity: entries kept in total (each generation holds up to half).
  explicit AddressCache(size_t capacity) : half_(capacity / 2 + 1) {}
  // Changes the capacity (takes effect at the next rotation).
  void set_capacity(size_t capacity) { half_ = capacity / 2 + 1; }
  // Returns: bytes held by the hash tables.
  size_t bytes() const;

  // Returns: the cached id of `key`, or an invalid id.
  AddrId Find(const AddressKey& key);
  void Insert(const AddressKey& key, AddrId id);
  // Drops the old generation when the new one is full. Returns: true when entries were dropped
  // (the cache is no longer complete).
  bool MaybeRotate();
  void Clear();

  // Between runs the cache is kept in a file beside the store (engine/files/checked_file.h), valid
  // only for the state it was written at (`binding`, the store's meta/state).
  // Returns: UNAVAILABLE naming the file when it cannot be written.
  absl::Status Save(const std::filesystem::path& path, std::string_view binding) const;
  // Replaces the contents with a cache saved with exactly `binding`.
  // Returns: NOT_FOUND, FAILED_PRECONDITION (stale) or DATA_LOSS as files::ReadCheckedFile.
  absl::Status Load(const std::filesystem::path& path, std::string_view binding);

  bool complete() const { return complete_; }
  void set_complete(bool complete) { complete_ = complete; }
  size_t size() const { return gen_[0].size() + gen_[1].size(); }
  size_t capacity() const { return 2 * half_; }

 private:
  template <size_t N>
  struct KeyHash {
    size_t operator()(const std::array<uint8_t, N>& k) const {
      uint64_t v;
      std::memcpy(&v, k.data() + 1, 8);  // payloads are hashes: already uniform
      return static_cast<size_t>(v ^ (uint64_t{k[0]} << 56));
    }
  };
  using Key21 = std::array<uint8_t, 21>;  // kind, 20-byte payload
  using Key33 = std::array<uint8_t, 33>;  // kind, 32-byte payload
  struct Generation {
    absl::flat_hash_map<Key21, uint32_t, KeyHash<21>> k20;
    absl::flat_hash_map<Key33, uint32_t, KeyHash<33>> k32;
    absl::flat_hash_map<std::string, uint32_t> other;
    size_t size() const { return k20.size() + k32.size() + other.size(); }
  };
  static AddrId FindIn(Generation& g, const AddressKey& key, bool erase);
  static void InsertIn(Generation& g, const AddressKey& key, AddrId id);

  size_t half_;
  Generation gen_[2];  // [0] new, [1] old
  bool complete_ = false;
};

}  // namespace ariadne::pipeline

#endif  // ARIADNE_INDEXER_PIPELINE_ADDRESS_CACHE_H_
