// The rows of one atomic commit, and writing them: per column family the rows are sorted, written
// into an SST file and all files are ingested with one IngestExternalFiles call, which RocksDB
// records atomically in its MANIFEST. The state record (tip and id counters) travels in the same
// call, so a kill at any moment leaves either the whole commit or none of it.
#ifndef ARIADNE_ENGINE_STORE_COMMIT_BATCH_H_
#define ARIADNE_ENGINE_STORE_COMMIT_BATCH_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::store {

class CommitBatch {
 public:
  enum class Op : uint8_t { kPut, kMerge, kDelete, kDeleteRange };

  // Adds a row. Keys must be unique per column family within a batch (a duplicate fails Commit).
  void Put(Cf cf, std::string_view key, std::string_view value) { Add(cf, Op::kPut, key, value); }
  void Merge(Cf cf, std::string_view key, std::string_view value) {
    Add(cf, Op::kMerge, key, value);
  }
  void Delete(Cf cf, std::string_view key) { Add(cf, Op::kDelete, key, {}); }
  // Deletes the rows with keys in [begin, end) that were committed before this batch (the range
  // must not hold keys of this batch).
  void DeleteRange(Cf cf, std::string_view begin, std::string_view end) {
    Add(cf, Op::kDeleteRange, begin, end);
  }
  // A position in the batch, to undo what was added after it (e.g. a block that failed halfway).
  struct Mark {
    std::array<std::pair<size_t, size_t>, kNumCfs> sizes;  // arena bytes, entries
  };
  Mark GetMark() const;
  void Rollback(const Mark& mark);

  // Returns: rows in the batch.
  size_t rows() const;
  // Returns: bytes of keys and values in the batch.
  size_t bytes() const;
  void Clear();

 private:
  friend class Committer;
  struct Entry {
    uint64_t prefix;  // the key's first 8 bytes as a big-endian number: most comparisons end here
    uint64_t offset;  // key at offset, value after it
    uint32_t key_size;
    uint32_t value_size;
    Op op;
  };
  struct Family {
    std::string arena;
    std::vector<Entry> entries;
  };
  void Add(Cf cf, Op op, std::string_view key, std::string_view value);

  std::array<Family, kNumCfs> families_;
};

// Writes batches into a store. One committer per store; not thread-safe (one commit at a time).
class Committer {
 public:
  // Args: staging: a directory for the SST files before ingestion (emptied first).
  static absl::StatusOr<std::unique_ptr<Committer>> Create(Store* store,
                                                           std::filesystem::path staging);
  // Sorts and ingests the batch atomically, then clears it.
  // Returns: INTERNAL / UNAVAILABLE on RocksDB or file-system errors (nothing of the batch is then
  // visible), FAILED_PRECONDITION on a duplicate key.
  absl::Status Commit(CommitBatch* batch);

 private:
  Committer(Store* store, std::filesystem::path staging)
      : store_(store), staging_(std::move(staging)) {}
  Store* store_;
  std::filesystem::path staging_;
  uint64_t sequence_ = 0;
};

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_COMMIT_BATCH_H_
