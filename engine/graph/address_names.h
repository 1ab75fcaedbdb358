// The key of every address, by AddrId: what names the nodes of traces, paths and exposure answers
// without a RocksDB read (and a block decompression) per node. Either the names file beside the
// store, mapped (graph_files.h), or built in memory from the store's addr rows.
//
// Size: 35 bytes per address (kind, witness version, size and a 32-byte payload), plus a map
// entry in memory for the rare key longer than 32 bytes.
#ifndef ARIADNE_ENGINE_GRAPH_ADDRESS_NAMES_H_
#define ARIADNE_ENGINE_GRAPH_ADDRESS_NAMES_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/core/script.h"
#include "engine/core/types.h"
#include "engine/graph/graph_files.h"
#include "engine/store/store.h"

namespace ariadne::graph {

class AddressNames {
 public:
  // Reads every addr row of the store.
  static absl::StatusOr<std::unique_ptr<AddressNames>> Load(const store::Store& store);
  // The names in the mapped graph files (reads only the long names' records).
  // Returns: DATA_LOSS naming the long names' file when a record names an address past the end.
  static absl::StatusOr<std::unique_ptr<AddressNames>> Map(std::shared_ptr<const GraphFiles> files);
  // Appends the addr rows the store gained since the last load (the store must only have grown).
  // Returns: the number of addresses added; DATA_LOSS when the rows skip an AddrId;
  // FAILED_PRECONDITION on mapped names.
  absl::StatusOr<uint64_t> Extend(const store::Store& store);

  AddressNames(const AddressNames& other);
  AddressNames& operator=(const AddressNames&) = delete;

  uint32_t size() const { return size_; }
  // Out: *key. Returns: false when `a` is not below size().
  bool Get(AddrId a, AddressKey* key) const;

 private:
  AddressNames() = default;
  using Slot = NameSlot;        // payload bytes above 32: the key is in long_
  const Slot* view_ = nullptr;  // slots_, or the mapped names
  uint32_t size_ = 0;
  std::vector<Slot> slots_;
  std::shared_ptr<const GraphFiles> files_;
  absl::flat_hash_map<uint32_t, AddressKey> long_;
};

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_ADDRESS_NAMES_H_
