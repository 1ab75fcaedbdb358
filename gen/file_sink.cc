#include "gen/file_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace ariadne::gen {
namespace {

constexpr size_t kBlock = 4096;
constexpr size_t kWriteSize = 4 << 20;  // write when this much is buffered

absl::Status FileError(std::string_view what, const std::filesystem::path& path, int err) {
  const std::string msg = absl::StrCat("cannot ", absl::string_view(what.data(), what.size()), " ",
                                       path.string(), ": ", std::strerror(err));
  return err == EACCES || err == EPERM ? absl::PermissionDeniedError(msg)
                                       : absl::InternalError(msg);
}

// Writes all of [data, data + n). Returns: 0 or errno.
int WriteAll(int fd, const uint8_t* data, size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += w;
    n -= static_cast<size_t>(w);
  }
  return 0;
}

}  // namespace

absl::StatusOr<std::unique_ptr<FileSink>> FileSink::Create(const std::filesystem::path& path) {
  bool direct = false;
  int fd = -1;
#ifdef O_DIRECT
  fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT | O_CLOEXEC, 0644);
  direct = fd >= 0;
#endif
  if (fd < 0) fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return FileError("create", path, errno);
  return std::unique_ptr<FileSink>(new FileSink(path, fd, direct));
}

FileSink::FileSink(std::filesystem::path path, int fd, bool direct)
    : path_(std::move(path)), fd_(fd), direct_(direct) {
  capacity_ = 2 * kWriteSize + (8 << 20);
  buffer_ = static_cast<uint8_t*>(std::aligned_alloc(kBlock, capacity_));
  spare_ = static_cast<uint8_t*>(std::aligned_alloc(kBlock, capacity_));
  writer_ = std::thread([this] { WriterLoop(); });
}

FileSink::~FileSink() {
  (void)Close();
  std::free(buffer_);
  std::free(spare_);
}

void FileSink::WriterLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return job_ != nullptr || stop_; });
    if (job_ == nullptr) return;
    const uint8_t* data = job_;
    const size_t n = job_size_;
    lock.unlock();
    const int err = WriteAll(fd_, data, n);
    lock.lock();
    if (err != 0 && job_error_ == 0) job_error_ = err;
    job_ = nullptr;
    cv_.notify_all();
  }
}

void FileSink::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return job_ == nullptr; });
  if (job_error_ != 0) {
    Fail("write", job_error_);
    job_error_ = 0;
  }
}

void FileSink::Fail(const char* what, int err) {
  if (status_.ok()) status_ = FileError(what, path_, err);
}

void FileSink::FlushBlocks() {
  const size_t n = direct_ ? pending_ / kBlock * kBlock : pending_;
  if (n == 0 || fd_ < 0) return;
  WaitIdle();  // the spare buffer is free once the previous write is done
  std::memcpy(spare_, buffer_ + n, pending_ - n);
  std::swap(buffer_, spare_);
  pending_ -= n;
  written_ += n;
  if (!status_.ok()) return;
  std::lock_guard<std::mutex> lock(mu_);
  job_ = spare_;
  job_size_ = n;
  cv_.notify_all();
}

uint8_t* FileSink::Grow(size_t n) {
  if (pending_ + n > capacity_ || pending_ >= kWriteSize) FlushBlocks();
  if (pending_ + n > capacity_) {
    // A record larger than the buffer: grow it (aligned).
    const size_t want = (pending_ + n + kBlock - 1) / kBlock * kBlock;
    auto* bigger = static_cast<uint8_t*>(std::aligned_alloc(kBlock, want));
    std::memcpy(bigger, buffer_, pending_);
    std::free(buffer_);
    buffer_ = bigger;
    capacity_ = want;
  }
  uint8_t* p = buffer_ + pending_;
  pending_ += n;
  return p;
}

void FileSink::Append(const void* data, size_t n) { std::memcpy(Grow(n), data, n); }

absl::Status FileSink::Close() {
  if (fd_ < 0) return status_;
  FlushBlocks();
  WaitIdle();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  writer_.join();
  if (pending_ > 0 && status_.ok()) {
    // O_DIRECT writes whole blocks: pad the tail, then cut the file back to its size.
    const uint64_t size = written_ + pending_;
    const size_t padded = (pending_ + kBlock - 1) / kBlock * kBlock;
    std::memset(buffer_ + pending_, 0, padded - pending_);
    if (const int err = WriteAll(fd_, buffer_, padded); err != 0) {
      Fail("write", err);
    } else if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      Fail("truncate", errno);
    }
    written_ = size;
    pending_ = 0;
  }
  if (::close(fd_) != 0) Fail("close", errno);
  fd_ = -1;
  return status_;
}

}  // namespace ariadne::gen
