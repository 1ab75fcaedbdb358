#include "indexer/pipeline/blk_file_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "engine/core/file_limit.h"

namespace ariadne::pipeline {

BlkFileCache::~BlkFileCache() {
  for (auto& [id, open] : fds_) ::close(open.fd);
}

absl::Status BlkFileCache::Read(uint32_t file_id, const std::string& path, uint64_t offset,
                                size_t size, uint8_t* out) {
  int fd = -1;
  auto it = fds_.find(file_id);
  if (it != fds_.end()) {
    fd = it->second.fd;
    lru_.splice(lru_.begin(), lru_, it->second.lru);
  } else {
    while (fds_.size() >= max_open_) {
      const uint32_t victim = lru_.back();
      lru_.pop_back();
      ::close(fds_[victim].fd);
      fds_.erase(victim);
    }
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return OpenError(path, errno);
    lru_.push_front(file_id);
    fds_[file_id] = {fd, lru_.begin()};
  }
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return absl::DataLossError(
          absl::StrCat(path, ": cannot read ", size, " bytes at offset ", offset));
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace ariadne::pipeline
