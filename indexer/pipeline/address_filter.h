// A filter over every address key of the store, held in memory by the indexer so that a new
// address (most output addresses) is known to be new without a store lookup once the address cache
// no longer holds every address (docs/performance.md, "No cache cliff").
//
// A split-block Bloom filter: each key sets 8 bits in one 256-bit block (one bit in each 32-bit
// word), so a query reads one cache line. At 10 bits per key 1-2% of new addresses are false
// positives and cost a store lookup; an existing address is never reported new. Keys are the
// first 9 bytes of the address key (kind and payload[0..8), what the addr_key index stores), so
// the filter can be rebuilt from the index alone.
//
// The filter grows as addresses are added: when a segment is full a new one, twice the size of
// all before it, is started (a query checks every segment; there are few).
//
// Between runs the filter is kept in a file beside the store, valid only for the exact chain state
// it was written at (a run killed after it loaded the file leaves a newer state, and the next run
// rebuilds the filter from the addr_key index instead).
#ifndef ARIADNE_INDEXER_PIPELINE_ADDRESS_FILTER_H_
#define ARIADNE_INDEXER_PIPELINE_ADDRESS_FILTER_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "engine/core/script.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::pipeline {

class AddressFilter {
 public:
  // Bits of filter per key: 1-2% false positives.
  static constexpr int kBitsPerKey = 10;

  // Args: expected_keys: keys the first segment is sized for (later segments are added as needed).
  explicit AddressFilter(uint64_t expected_keys);

  void Insert(const AddressKey& key) { InsertPrefix(Prefix(key)); }
  // Returns: false when `key` was never inserted; true when it probably was.
  bool MayContain(const AddressKey& key) const { return MayContainPrefix(Prefix(key)); }

  // The same on the 9-byte addr_key index prefix (kind, payload[0..8)) as a 64-bit hash input.
  struct KeyPrefix {
    uint8_t kind;
    uint64_t payload;  // payload[0..8) little-endian, zero padded
  };
  static KeyPrefix Prefix(const AddressKey& key);
  void InsertPrefix(KeyPrefix p);
  bool MayContainPrefix(KeyPrefix p) const;

  // Returns: keys inserted, and bytes of memory held.
  uint64_t keys() const { return keys_; }
  uint64_t bytes() const;

  // Builds the filter of every address of the store from its addr_key index.
  // Args: expected_keys: at least the store's address count plus what the run may add.
  static absl::StatusOr<std::unique_ptr<AddressFilter>> FromStore(const store::Store& store,
                                                                  uint64_t expected_keys);
  // Writes the filter to `path` (a temporary file, fsync, rename), bound to `state`.
  // Returns: UNAVAILABLE naming the file when it cannot be written.
  absl::Status Save(const std::filesystem::path& path, const store::ChainState& state) const;
  // Loads a filter saved at exactly `state`.
  // Returns: NOT_FOUND when there is no file, FAILED_PRECONDITION when it was written at another
  // state (stale), DATA_LOSS when it is corrupt (bad magic, size or checksum).
  static absl::StatusOr<std::unique_ptr<AddressFilter>> Load(const std::filesystem::path& path,
                                                             const store::ChainState& state);

 private:
  struct Segment {
    uint64_t blocks = 0;                // 256-bit blocks
    uint64_t capacity = 0;              // keys it is sized for
    uint64_t keys = 0;                  // keys inserted
    std::unique_ptr<uint32_t[]> words;  // blocks * 8
  };
  static Segment NewSegment(uint64_t capacity);

  std::vector<Segment> segments_;
  uint64_t keys_ = 0;
};

}  // namespace ariadne::pipeline

#endif  // ARIADNE_INDEXER_PIPELINE_ADDRESS_FILTER_H_
