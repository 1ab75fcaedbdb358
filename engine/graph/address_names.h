// The key of every address in memory, by AddrId: what names the nodes of traces, paths and
// exposure answers without a RocksDB read (and a block decompression) per node. Built from the
// store's addr rows.
//
// Memory: 35 bytes per address (kind, witness version, size and a 32-byte payload), plus a map
// entry for the rare key longer than 32 bytes.
#ifndef ARIADNE_ENGINE_GRAPH_ADDRESS_NAMES_H_
#define ARIADNE_ENGINE_GRAPH_ADDRESS_NAMES_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/core/script.h"
#include "engine/core/types.h"
#include "engine/store/store.h"

namespace ariadne::graph {

class AddressNames {
 public:
  // Reads every addr row of the store.
  static absl::StatusOr<std::unique_ptr<AddressNames>> Load(const store::Store& store);
  // Appends the addr rows the store gained since the last load (the store must only have grown).
  // Returns: the number of addresses added; DATA_LOSS when the rows skip an AddrId.
  absl::StatusOr<uint64_t> Extend(const store::Store& store);

  uint32_t size() const { return static_cast<uint32_t>(slots_.size()); }
  // Out: *key. Returns: false when `a` is not below size().
  bool Get(AddrId a, AddressKey* key) const;

 private:
  AddressNames() = default;
  struct Slot {
    uint8_t kind;
    uint8_t witness_version;
    uint8_t size;  // payload bytes; above 32 the key is in long_
    uint8_t payload[32];
  };
  static_assert(sizeof(Slot) == 35);
  std::vector<Slot> slots_;
  absl::flat_hash_map<uint32_t, AddressKey> long_;
};

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_ADDRESS_NAMES_H_
