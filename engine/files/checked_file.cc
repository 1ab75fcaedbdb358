#include "engine/files/checked_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace ariadne::files {

void CheckedWriter::Bytes(const void* p, size_t n) {
  hasher_.Write(static_cast<const uint8_t*>(p), n);
  out_.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
}

CheckedReader::CheckedReader(const std::filesystem::path& path) : in_(path, std::ios::binary) {
  std::error_code ec;
  left_ = std::filesystem::file_size(path, ec);
  if (ec || !in_) ok_ = false;
}

void CheckedReader::Bytes(void* p, size_t n) {
  if (!ok_ || n > left_ || !in_.read(static_cast<char*>(p), static_cast<std::streamsize>(n))) {
    ok_ = false;
    return;
  }
  left_ -= n;
  hasher_.Write(static_cast<const uint8_t*>(p), n);
}

bool CheckedReader::Fits(uint64_t count, uint64_t bytes) {
  ok_ = ok_ && bytes > 0 && count <= left_ / bytes;
  return ok_;
}

absl::Status WriteCheckedFile(const std::filesystem::path& path, std::string_view magic,
                              std::string_view binding,
                              const std::function<void(CheckedWriter&)>& fill) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const std::filesystem::path tmp = path.string() + ".tmp";
  bool ok;
  {
    CheckedWriter w(tmp);
    w.Bytes(magic.data(), magic.size());
    w.Put<uint64_t>(binding.size());
    w.Bytes(binding.data(), binding.size());
    fill(w);
    uint8_t digest[32];
    w.hasher_.Finish(digest);
    w.out_.write(reinterpret_cast<const char*>(digest), 32);
    w.out_.flush();
    ok = static_cast<bool>(w.out_);
  }
  if (ok) {
    const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
    ok = fd >= 0 && ::fsync(fd) == 0;
    if (fd >= 0) ::close(fd);
  }
  if (ok) std::filesystem::rename(tmp, path, ec);
  if (!ok || ec) {
    std::filesystem::remove(tmp, ec);
    return absl::UnavailableError(absl::StrCat("cannot write ", path.string()));
  }
  return absl::OkStatus();
}

absl::Status ReadCheckedFile(const std::filesystem::path& path, std::string_view magic,
                             std::string_view binding,
                             const std::function<bool(CheckedReader&)>& parse) {
  if (!std::filesystem::exists(path)) {
    return absl::NotFoundError(absl::StrCat(path.string(), ": no such file"));
  }
  CheckedReader r(path);
  auto corrupt = [&](const char* what) {
    return absl::DataLossError(absl::StrCat(path.string(), ": ", what));
  };
  std::string head(magic.size(), '\0');
  r.Bytes(head.data(), head.size());
  if (!r.ok() || head != magic) return corrupt("bad magic");
  const uint64_t len = r.Get<uint64_t>();
  if (!r.Fits(len, 1)) return corrupt("truncated");
  std::string bound(len, '\0');
  r.Bytes(bound.data(), len);
  if (!r.ok()) return corrupt("truncated");
  if (bound != binding) {
    return absl::FailedPreconditionError(
        absl::StrCat(path.string(), ": written for another state of the store (stale)"));
  }
  if (!parse(r) || !r.ok()) return corrupt("bad content");
  uint8_t want[32], got[32];
  r.hasher_.Finish(want);
  if (r.left_ != 32 || !r.in_.read(reinterpret_cast<char*>(got), 32) ||
      std::memcmp(want, got, 32) != 0) {
    return corrupt("checksum mismatch");
  }
  return absl::OkStatus();
}

}  // namespace ariadne::files
