#include "engine/files/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/file_limit.h"

namespace ariadne::files {
namespace {

absl::Status Failed(const std::filesystem::path& path, std::string_view what, int err) {
  const std::string msg =
      absl::StrCat(path.string(), ": cannot ", std::string(what), ": ", std::strerror(err));
  return err == ENOSPC ? absl::ResourceExhaustedError(msg) : absl::UnavailableError(msg);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MappedFile>> MappedFile::Open(const std::filesystem::path& path,
                                                             bool create) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
  if (fd < 0) return OpenError(path.string(), errno);
  std::unique_ptr<MappedFile> f(new MappedFile(path, fd));
  struct stat st;
  if (::fstat(fd, &st) != 0) return Failed(path, "stat", errno);
  if (absl::Status s = f->Map(static_cast<uint64_t>(st.st_size)); !s.ok()) return s;
  return f;
}

MappedFile::~MappedFile() {
  if (data_ != nullptr) ::munmap(data_, size_);
  if (fd_ >= 0) ::close(fd_);
}

absl::Status MappedFile::Map(uint64_t bytes) {
  if (data_ != nullptr) {
    ::munmap(data_, size_);
    data_ = nullptr;
  }
  size_ = bytes;
  if (bytes == 0) return absl::OkStatus();
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (p == MAP_FAILED) return Failed(path_, "map", errno);
  data_ = static_cast<uint8_t*>(p);
  return absl::OkStatus();
}

absl::Status MappedFile::Resize(uint64_t bytes) {
  if (bytes > size_) {
    // Allocating the blocks now makes a full disk an error here, not a SIGBUS when a page of the
    // mapping is first written.
    const int err =
        ::posix_fallocate(fd_, static_cast<off_t>(size_), static_cast<off_t>(bytes - size_));
    if (err != 0) return Failed(path_, "grow", err);
  } else if (::ftruncate(fd_, static_cast<off_t>(bytes)) != 0) {
    return Failed(path_, "resize", errno);
  }
  return Map(bytes);
}

absl::Status MappedFile::Sync(uint64_t offset, uint64_t bytes) {
  if (bytes == 0) return absl::OkStatus();
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t begin = offset / page * page;
  if (::msync(data_ + begin, offset + bytes - begin, MS_SYNC) != 0) {
    return Failed(path_, "write back", errno);
  }
  return absl::OkStatus();
}

}  // namespace ariadne::files
