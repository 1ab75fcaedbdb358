// A file beside the store mapped into memory (MAP_SHARED): what the engine keeps in files rather
// than in the process's own memory, so that the page cache holds its hot part and the kernel may
// write back and drop the rest. The union-find of the indexer's clustering lives in one
// (heuristics/cluster_file.h).
#ifndef ARIADNE_ENGINE_FILES_MAPPED_FILE_H_
#define ARIADNE_ENGINE_FILES_MAPPED_FILE_H_

#include <cstdint>
#include <filesystem>
#include <memory>

#include "absl/status/statusor.h"

namespace ariadne::files {

class MappedFile {
 public:
  // Opens `path` read-write and maps all of it, creating it (empty) when `create` is set.
  // Returns: NOT_FOUND when it is missing and not created; RESOURCE_EXHAUSTED at the open-file
  // limit; UNAVAILABLE naming the file for other failures.
  static absl::StatusOr<std::unique_ptr<MappedFile>> Open(const std::filesystem::path& path,
                                                          bool create);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

  // Sets the file's size (new bytes read as zeros; disk blocks are allocated as they are
  // written) and maps all of it; data() may move. Returns: UNAVAILABLE naming the file.
  absl::Status Resize(uint64_t bytes);
  // Writes [offset, offset + bytes) to disk and waits. Returns: UNAVAILABLE naming the file.
  absl::Status Sync(uint64_t offset, uint64_t bytes);

 private:
  MappedFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  absl::Status Map(uint64_t bytes);

  std::filesystem::path path_;
  int fd_ = -1;
  uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
};

}  // namespace ariadne::files

#endif  // ARIADNE_ENGINE_FILES_MAPPED_FILE_H_
