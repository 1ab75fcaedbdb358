// A file written whole, with a SHA-256 of its content at its end, and read back only when intact:
// how the indexer keeps what it holds in memory between runs (the address filter, its caches, the
// clustering's maps) beside the store. A file starts with an 8-byte magic and a binding (the
// state it is valid for, e.g. meta/state): a reader asking for another binding finds it stale.
// Writing goes to a temporary file that is synced and renamed, so a kill leaves the old file or
// the new one.
#ifndef ARIADNE_ENGINE_FILES_CHECKED_FILE_H_
#define ARIADNE_ENGINE_FILES_CHECKED_FILE_H_

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "engine/core/hash.h"

namespace ariadne::files {

class CheckedWriter {
 public:
  template <typename T>
  void Put(const T& v) {
    Bytes(&v, sizeof(T));
  }
  void Bytes(const void* p, size_t n);

 private:
  friend absl::Status WriteCheckedFile(const std::filesystem::path&, std::string_view,
                                       std::string_view,
                                       const std::function<void(CheckedWriter&)>&);
  explicit CheckedWriter(const std::filesystem::path& path)
      : out_(path, std::ios::binary | std::ios::trunc) {}
  std::ofstream out_;
  Sha256Hasher hasher_;
};

class CheckedReader {
 public:
  template <typename T>
  T Get() {
    T v{};
    Bytes(&v, sizeof(T));
    return v;
  }
  void Bytes(void* p, size_t n);
  // Returns: whether `count` records of `bytes` each fit in what is left (check it before
  // allocating from a count read from the file).
  bool Fits(uint64_t count, uint64_t bytes);
  bool ok() const { return ok_; }

 private:
  friend absl::Status ReadCheckedFile(const std::filesystem::path&, std::string_view,
                                      std::string_view, const std::function<bool(CheckedReader&)>&);
  explicit CheckedReader(const std::filesystem::path& path);
  std::ifstream in_;
  Sha256Hasher hasher_;
  uint64_t left_ = 0;
  bool ok_ = true;
};

// Writes `path`: `magic` (8 bytes), `binding`, what `fill` writes, the SHA-256 of all of it.
// Returns: UNAVAILABLE naming the file when it cannot be written.
absl::Status WriteCheckedFile(const std::filesystem::path& path, std::string_view magic,
                              std::string_view binding,
                              const std::function<void(CheckedWriter&)>& fill);

// Reads `path` through `parse` (which returns false on content it cannot accept).
// Returns: NOT_FOUND when there is no file; FAILED_PRECONDITION when it is bound to another
// binding (stale); DATA_LOSS naming the file when its magic, size or checksum is wrong.
absl::Status ReadCheckedFile(const std::filesystem::path& path, std::string_view magic,
                             std::string_view binding,
                             const std::function<bool(CheckedReader&)>& parse);

}  // namespace ariadne::files

#endif  // ARIADNE_ENGINE_FILES_CHECKED_FILE_H_
