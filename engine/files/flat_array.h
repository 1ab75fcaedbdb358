// An append-only array of fixed-size records in a file beside the store, indexed by a dense id
// (TxNum, OutNum, AddrId...): what the indexer appends as it commits and servers map read-only, so
// that start-up maps what queries walk instead of reading every row into memory.
//
// Layout: a 64-byte header (magic "ARIFLAT1", format version, record size, the array's name, and
// the SHA-256 of those 32 bytes), then the records, record i at 64 + i * record_size.
//
// The file's size is not its length: the committed length is kept by the caller in a store row
// written in the same atomic commit as the rows the records mirror. Bytes past it are what a
// killed run appended but did not commit (or room reserved to grow into); the writer cuts them
// back when it opens, readers never look at them.
#ifndef ARIADNE_ENGINE_FILES_FLAT_ARRAY_H_
#define ARIADNE_ENGINE_FILES_FLAT_ARRAY_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/files/mapped_file.h"

namespace ariadne::files {

inline constexpr uint64_t kFlatHeaderBytes = 64;

// What a file must say about itself to be read as an array.
struct FlatSpec {
  std::string_view name;  // at most 16 bytes, stored in the header
  uint32_t record_size = 0;
};

// The writer's side (the indexer): appends in place through a shared writable mapping.
class FlatArrayWriter {
 public:
  // Opens (creating it with its header when missing) the array at `path` whose committed length
  // is `committed` records: count() is `committed`, and what a killed run appended past it stays
  // readable through At() until Trim() cuts it (the caller may need it to undo in-place writes).
  // Returns: DATA_LOSS naming the file when its header is not `spec`'s or its checksum is wrong,
  // or when it holds fewer than `committed` records; UNAVAILABLE when it cannot be opened.
  static absl::StatusOr<std::unique_ptr<FlatArrayWriter>> Open(const std::filesystem::path& path,
                                                               const FlatSpec& spec,
                                                               uint64_t committed, uint64_t keep);

  // Returns: the records appended (committed or not).
  uint64_t count() const { return count_; }
  // Returns: how many records the file has room for beyond count() (uncommitted tails included).
  uint64_t capacity() const { return (file_->size() - kFlatHeaderBytes) / spec_.record_size; }
  const FlatSpec& spec() const { return spec_; }
  const std::filesystem::path& path() const { return file_->path(); }

  // Appends `n` records (n * record_size bytes from `records`). Returns: UNAVAILABLE or
  // RESOURCE_EXHAUSTED (disk full) naming the file.
  absl::Status Append(const void* records, uint64_t n);
  // Appends `n` zeroed records to be written in place (a file built in any order).
  // Returns: the first of them (valid until the next Append or Grow); UNAVAILABLE or
  // RESOURCE_EXHAUSTED (disk full) naming the file.
  absl::StatusOr<uint8_t*> Grow(uint64_t n);
  // Returns: record `i` (below count(), or below capacity() to read a killed run's tail), to
  // write in place. Valid until the next Append.
  uint8_t* At(uint64_t i) { return file_->data() + kFlatHeaderBytes + i * spec_.record_size; }
  // Forgets the records from `n` on (a rewound block); the bytes stay until overwritten or cut.
  void SetCount(uint64_t n) { count_ = n; }
  // Writes what was appended or changed to disk and waits. Returns: UNAVAILABLE naming the file.
  absl::Status Sync();
  // Cuts the file to max(count(), keep) records: the uncommitted tail and the room reserved to
  // grow into go (`keep`: a length readers may still have mapped, not to be cut under them).
  absl::Status Trim(uint64_t keep);

 private:
  FlatArrayWriter(std::unique_ptr<MappedFile> file, const FlatSpec& spec)
      : file_(std::move(file)), spec_(spec) {}
  std::unique_ptr<MappedFile> file_;
  FlatSpec spec_;
  uint64_t count_ = 0;
};

// The reader's side (servers): a read-only mapping of the first `count` records.
class FlatArrayReader {
 public:
  // Maps `path`, which must hold at least `count` records of `spec`.
  // Returns: NOT_FOUND when the file is missing; DATA_LOSS naming the file when its header is not
  // `spec`'s, its header checksum is wrong, or it is shorter than `count` records; UNAVAILABLE
  // when it cannot be mapped.
  static absl::StatusOr<std::unique_ptr<FlatArrayReader>> Open(const std::filesystem::path& path,
                                                               const FlatSpec& spec,
                                                               uint64_t count);
  ~FlatArrayReader();
  FlatArrayReader(const FlatArrayReader&) = delete;
  FlatArrayReader& operator=(const FlatArrayReader&) = delete;

  uint64_t count() const { return count_; }
  const uint8_t* records() const { return base_ + kFlatHeaderBytes; }
  template <typename T>
  const T* As() const {
    return reinterpret_cast<const T*>(records());
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  FlatArrayReader(std::filesystem::path path, uint64_t count)
      : path_(std::move(path)), count_(count) {}
  std::filesystem::path path_;
  uint64_t count_;
  const uint8_t* base_ = nullptr;
  uint64_t mapped_ = 0;
};

}  // namespace ariadne::files

#endif  // ARIADNE_ENGINE_FILES_FLAT_ARRAY_H_
