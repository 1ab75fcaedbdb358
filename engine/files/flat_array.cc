#include "engine/files/flat_array.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/file_limit.h"
#include "engine/core/hash.h"

namespace ariadne::files {
namespace {

constexpr char kMagic[8] = {'A', 'R', 'I', 'F', 'L', 'A', 'T', '1'};
constexpr uint32_t kFormatVersion = 1;
// The header's fields, the 32 bytes its checksum covers.
constexpr size_t kCoveredBytes = 32;
// Growth step of the writer's file: a quarter of what it holds, at least 64 KiB, so that appending
// remaps O(log n) times (small at first: six files grow at once, even on a nearly full disk).
constexpr uint64_t kMinGrowBytes = 64 << 10;

void FillHeader(const FlatSpec& spec, uint8_t out[kFlatHeaderBytes]) {
  std::memset(out, 0, kFlatHeaderBytes);
  std::memcpy(out, kMagic, 8);
  std::memcpy(out + 8, &kFormatVersion, 4);
  std::memcpy(out + 12, &spec.record_size, 4);
  std::memcpy(out + 16, spec.name.data(), std::min<size_t>(spec.name.size(), 16));
  Sha256Hasher h;
  h.Write(out, kCoveredBytes);
  h.Finish(out + kCoveredBytes);
}

// Returns: DATA_LOSS naming the file unless `header` is the header `spec` writes.
absl::Status CheckHeader(const std::filesystem::path& path, const FlatSpec& spec,
                         const uint8_t* header) {
  uint8_t want[kFlatHeaderBytes];
  FillHeader(spec, want);
  Sha256Hasher h;
  uint8_t sum[32];
  h.Write(header, kCoveredBytes);
  h.Finish(sum);
  if (std::memcmp(sum, header + kCoveredBytes, 32) != 0) {
    return absl::DataLossError(absl::StrCat(path.string(), ": bad header checksum"));
  }
  if (std::memcmp(header, want, kCoveredBytes) != 0) {
    return absl::DataLossError(absl::StrCat(path.string(), ": not the flat array '",
                                            std::string(spec.name), "' of ", spec.record_size,
                                            "-byte records (another file or format)"));
  }
  return absl::OkStatus();
}

absl::Status ShorterThanCommitted(const std::filesystem::path& path, uint64_t have,
                                  uint64_t committed) {
  return absl::DataLossError(absl::StrCat(path.string(), ": holds ", have,
                                          " records, fewer than the ", committed,
                                          " the store committed"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<FlatArrayWriter>> FlatArrayWriter::Open(
    const std::filesystem::path& path, const FlatSpec& spec, uint64_t committed, uint64_t keep) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  auto file = MappedFile::Open(path, /*create=*/true);
  if (!file.ok()) return file.status();
  std::unique_ptr<FlatArrayWriter> w(new FlatArrayWriter(*std::move(file), spec));
  MappedFile& f = *w->file_;
  if (f.size() < kFlatHeaderBytes) {
    // New (or created by a run killed before its header reached the disk: nothing committed).
    if (committed > 0) return ShorterThanCommitted(path, 0, committed);
    if (absl::Status s = f.Resize(kFlatHeaderBytes); !s.ok()) return s;
    FillHeader(spec, f.data());
    if (absl::Status s = f.Sync(0, kFlatHeaderBytes); !s.ok()) return s;
  }
  if (absl::Status s = CheckHeader(path, spec, f.data()); !s.ok()) return s;
  if (w->capacity() < committed) return ShorterThanCommitted(path, w->capacity(), committed);
  w->count_ = committed;
  return w;
}

absl::Status FlatArrayWriter::Append(const void* records, uint64_t n) {
  const uint64_t bytes = n * spec_.record_size;
  const uint64_t end = kFlatHeaderBytes + count_ * spec_.record_size + bytes;
  if (end > file_->size()) {
    const uint64_t grown =
        std::max({end, file_->size() + file_->size() / 4, file_->size() + kMinGrowBytes});
    if (absl::Status s = file_->Resize(grown); !s.ok()) return s;
  }
  std::memcpy(At(count_), records, bytes);
  count_ += n;
  return absl::OkStatus();
}

absl::StatusOr<uint8_t*> FlatArrayWriter::Grow(uint64_t n) {
  const uint64_t begin = kFlatHeaderBytes + count_ * spec_.record_size;
  const uint64_t end = begin + n * spec_.record_size;
  const uint64_t had = file_->size();
  if (end > had) {
    if (absl::Status s = file_->Resize(end); !s.ok()) return s;
  }
  // A killed run's tail may be there; the blocks the file grew by read as zeros already.
  if (had > begin) std::memset(file_->data() + begin, 0, std::min(had, end) - begin);
  count_ += n;
  return file_->data() + begin;
}

absl::Status FlatArrayWriter::Sync() { return file_->Sync(0, file_->size()); }

absl::Status FlatArrayWriter::Trim(uint64_t keep) {
  const uint64_t bytes = kFlatHeaderBytes + std::max(count_, keep) * spec_.record_size;
  if (bytes >= file_->size()) return absl::OkStatus();
  return file_->Resize(bytes);
}

absl::StatusOr<std::unique_ptr<FlatArrayReader>> FlatArrayReader::Open(
    const std::filesystem::path& path, const FlatSpec& spec, uint64_t count) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(absl::StrCat(path.string(), ": missing"));
    }
    return OpenError(path.string(), errno);
  }
  std::unique_ptr<FlatArrayReader> r(new FlatArrayReader(path, count));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return absl::UnavailableError(
        absl::StrCat(path.string(), ": cannot stat: ", std::strerror(err)));
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size < kFlatHeaderBytes) {
    ::close(fd);
    return absl::DataLossError(absl::StrCat(path.string(), ": shorter than its header"));
  }
  // Only what the store committed is mapped: bytes past it may be cut by the indexer.
  const uint64_t want = kFlatHeaderBytes + count * spec.record_size;
  void* p = ::mmap(nullptr, std::min(size, want), PROT_READ, MAP_SHARED, fd, 0);
  const int err = errno;
  ::close(fd);  // the mapping keeps the file
  if (p == MAP_FAILED) {
    return absl::UnavailableError(
        absl::StrCat(path.string(), ": cannot map: ", std::strerror(err)));
  }
  r->base_ = static_cast<const uint8_t*>(p);
  r->mapped_ = std::min(size, want);
  if (absl::Status s = CheckHeader(path, spec, r->base_); !s.ok()) return s;
  if (size < want) {
    return ShorterThanCommitted(path, (size - kFlatHeaderBytes) / spec.record_size, count);
  }
  return r;
}

FlatArrayReader::~FlatArrayReader() {
  if (base_ != nullptr) ::munmap(const_cast<uint8_t*>(base_), mapped_);
}

}  // namespace ariadne::files
