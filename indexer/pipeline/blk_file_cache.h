// The blk files the indexer reads blocks from, kept open under a bound: an LRU of file descriptors,
// so that a chain of thousands of blk files (mainnet has over 4,000) never holds more than
// `max_open` of them, whatever the process's open-file limit.
#ifndef ARIADNE_INDEXER_PIPELINE_BLK_FILE_CACHE_H_
#define ARIADNE_INDEXER_PIPELINE_BLK_FILE_CACHE_H_

#include <cstdint>
#include <list>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"

namespace ariadne::pipeline {

class BlkFileCache {
 public:
  // Args: max_open: descriptors kept open at most (at least 1).
  explicit BlkFileCache(size_t max_open) : max_open_(max_open < 1 ? 1 : max_open) {}
  ~BlkFileCache();
  BlkFileCache(const BlkFileCache&) = delete;
  BlkFileCache& operator=(const BlkFileCache&) = delete;

  // Reads `size` bytes at `offset` of file `file_id` (at `path`), opening it if needed and closing
  // the least recently used file beyond the bound.
  // Returns: OK; NOT_FOUND / PERMISSION_DENIED / RESOURCE_EXHAUSTED (the open-file limit) naming
  // the file when it cannot be opened; DATA_LOSS naming file and offset when the bytes are not
  // there.
  absl::Status Read(uint32_t file_id, const std::string& path, uint64_t offset, size_t size,
                    uint8_t* out);

  // Returns: descriptors open now.
  size_t open_files() const { return fds_.size(); }

 private:
  struct Open {
    int fd;
    std::list<uint32_t>::iterator lru;
  };
  size_t max_open_;
  absl::flat_hash_map<uint32_t, Open> fds_;
  std::list<uint32_t> lru_;  // most recently used first
};

}  // namespace ariadne::pipeline

#endif  // ARIADNE_INDEXER_PIPELINE_BLK_FILE_CACHE_H_
