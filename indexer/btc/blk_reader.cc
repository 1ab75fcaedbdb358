#include "indexer/btc/blk_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <regex>

#include "absl/strings/str_cat.h"
#include "engine/core/hex.h"
#include "engine/core/strings.h"
#include "indexer/btc/block.h"

namespace ariadne::btc {
namespace {

constexpr size_t kRecordHeaderSize = 8;

absl::Status ErrnoStatus(int err, const std::filesystem::path& path, std::string_view action) {
  std::string msg = absl::StrCat(path.string(), ": cannot ", AV(action), ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    default:
      return absl::DataLossError(msg);
  }
}

absl::StatusOr<std::vector<uint8_t>> ReadRange(const std::filesystem::path& path,
                                               uint64_t start_offset) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, path, "open");
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return ErrnoStatus(err, path, "stat");
  }
  uint64_t size = static_cast<uint64_t>(st.st_size);
  std::vector<uint8_t> bytes;
  if (start_offset < size) {
    bytes.resize(size - start_offset);
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::pread(fd, bytes.data() + done, bytes.size() - done,
                          static_cast<off_t>(start_offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        int err = n < 0 ? errno : EIO;
        ::close(fd);
        return ErrnoStatus(err, path, "read");
      }
      done += static_cast<size_t>(n);
    }
  }
  ::close(fd);
  return bytes;
}

}  // namespace

void ApplyXor(const XorKey& key, uint64_t file_offset, uint8_t* data, size_t size) {
  if (IsNullXorKey(key)) return;
  // Rotate the key so that rotated[0] applies to data[0], then XOR 8 bytes at a time.
  uint8_t rotated[8];
  for (int i = 0; i < 8; ++i) rotated[i] = key[(file_offset + i) % 8];
  uint64_t k;
  std::memcpy(&k, rotated, 8);
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t v;
    std::memcpy(&v, data + i, 8);
    v ^= k;
    std::memcpy(data + i, &v, 8);
  }
  for (; i < size; ++i) data[i] ^= rotated[i % 8];
}

bool IsNullXorKey(const XorKey& key) {
  return std::all_of(key.begin(), key.end(), [](uint8_t b) { return b == 0; });
}

absl::StatusOr<XorKey> ParseXorKey(std::string_view hex) {
  auto bytes = HexDecode(hex);
  if (!bytes.ok() || bytes->size() != 8) {
    return absl::InvalidArgumentError(
        absl::StrCat("XOR key must be 16 hex digits (8 bytes), got '", AV(hex), "'"));
  }
  XorKey key;
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

absl::StatusOr<std::unique_ptr<BlkFile>> BlkFile::Load(const std::filesystem::path& path,
                                                       const XorKey& xor_key,
                                                       std::optional<Network> network,
                                                       uint64_t start_offset) {
  auto bytes = ReadRange(path, start_offset);
  if (!bytes.ok()) return bytes.status();
  ApplyXor(xor_key, start_offset, bytes->data(), bytes->size());
  std::unique_ptr<BlkFile> file(new BlkFile());
  file->name_ = path.string();
  file->bytes_ = *std::move(bytes);
  file->start_offset_ = start_offset;
  file->network_ = network;
  return file;
}

std::unique_ptr<BlkFile> BlkFile::FromBytes(std::string name, std::vector<uint8_t> bytes,
                                            std::optional<Network> network) {
  std::unique_ptr<BlkFile> file(new BlkFile());
  file->name_ = std::move(name);
  file->bytes_ = std::move(bytes);
  file->network_ = network;
  return file;
}

absl::Status BlkFile::Error(uint64_t pos, std::string_view what) const {
  return absl::DataLossError(
      absl::StrCat(name_, ": ", AV(what), " at offset ", start_offset_ + pos));
}

absl::StatusOr<bool> BlkFile::Next(BlkRecord* record) {
  if (done_) return false;
  size_t remaining = bytes_.size() - pos_;
  const uint8_t* p = bytes_.data() + pos_;
  if (remaining == 0) {
    done_ = true;
    return false;
  }
  if (p[0] == 0) {
    // Zeros: padding to the end of the file, or a hole before the next record.
    const uint8_t* nonzero = std::find_if(p, p + remaining, [](uint8_t b) { return b != 0; });
    const size_t zeros = static_cast<size_t>(nonzero - p);
    const ByteSpan next(nonzero, std::min<size_t>(4, remaining - zeros));
    auto after = AfterZeroRun(name_, start_offset_ + pos_, start_offset_ + pos_ + zeros,
                              end_offset(), next, network_, &warnings_);
    if (!after.ok() || !after->has_value()) {
      done_ = true;
      if (!after.ok()) return after.status();
      return false;
    }
    pos_ += zeros;
    remaining -= zeros;
    p = nonzero;
  }
  if (remaining < 4) {
    warnings_.push_back(absl::StrCat(name_, ": truncated record header at offset ",
                                     start_offset_ + pos_, " (", remaining, " bytes); ignored"));
    done_ = true;
    return false;
  }
  std::optional<Network> magic_network = NetworkFromMagic(p);
  if (!network_.has_value()) network_ = magic_network;
  if (!magic_network.has_value() || *magic_network != *network_) {
    done_ = true;
    std::string expected = network_.has_value()
                               ? absl::StrCat(" (expected ", HexEncode(Params(*network_).magic),
                                              " for ", AV(Params(*network_).name), ")")
                               : std::string();
    return Error(pos_, absl::StrCat("bad magic ", HexEncode(ByteSpan(p, 4)), expected));
  }
  if (remaining < kRecordHeaderSize) {
    warnings_.push_back(absl::StrCat(name_, ": truncated record header at offset ",
                                     start_offset_ + pos_, "; ignored"));
    done_ = true;
    return false;
  }
  uint32_t size;
  std::memcpy(&size, p + 4, 4);
  if (size < kBlockHeaderSize || size > kMaxBlockSerializedSize) {
    done_ = true;
    return Error(pos_ + 4, absl::StrCat("impossible block record size ", size));
  }
  if (size > remaining - kRecordHeaderSize) {
    warnings_.push_back(absl::StrCat(name_, ": truncated last record at offset ",
                                     start_offset_ + pos_, " (needs ", size, " bytes, ",
                                     remaining - kRecordHeaderSize, " present); ignored"));
    done_ = true;
    return false;
  }
  record->offset = start_offset_ + pos_ + kRecordHeaderSize;
  record->block = ByteSpan(p + kRecordHeaderSize, size);
  pos_ += kRecordHeaderSize + size;
  return true;
}

absl::StatusOr<std::optional<uint64_t>> AfterZeroRun(std::string_view file, uint64_t pos,
                                                     uint64_t zeros_end, uint64_t file_end,
                                                     ByteSpan next, std::optional<Network> network,
                                                     std::vector<std::string>* warnings) {
  if (zeros_end >= file_end) return std::optional<uint64_t>();  // padding
  const std::optional<Network> found =
      next.size() >= 4 ? NetworkFromMagic(next.data()) : std::nullopt;
  if (!found.has_value() || (network.has_value() && *found != *network)) {
    return absl::DataLossError(absl::StrCat(AV(file), ": ", zeros_end - pos,
                                            " zero bytes at offset ", pos,
                                            " are followed by non-zero data that is not a record "
                                            "at offset ",
                                            zeros_end));
  }
  warnings->push_back(
      absl::StrCat(AV(file), ": skipped ", zeros_end - pos, " zero bytes at offset ", pos,
                   " (not at the end of the file); the next record is at offset ", zeros_end));
  return std::optional<uint64_t>(zeros_end);
}

absl::StatusOr<uint64_t> FindNonZero(int fd, const std::string& path, const XorKey& key,
                                     uint64_t pos, uint64_t end) {
  std::vector<uint8_t> buf(64 << 10);
  while (pos < end) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), end - pos));
    size_t done = 0;
    while (done < want) {
      ssize_t n = ::pread(fd, buf.data() + done, want - done, static_cast<off_t>(pos + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return ErrnoStatus(n < 0 ? errno : EIO, path, "read");
      done += static_cast<size_t>(n);
    }
    ApplyXor(key, pos, buf.data(), want);
    const uint8_t* nonzero =
        std::find_if(buf.data(), buf.data() + want, [](uint8_t b) { return b != 0; });
    if (nonzero != buf.data() + want) return pos + static_cast<uint64_t>(nonzero - buf.data());
    pos += want;
  }
  return end;
}

absl::StatusOr<std::vector<std::filesystem::path>> ListBlkFiles(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  static const std::regex kName("blk[0-9]{5}\\.dat");
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && std::regex_match(entry.path().filename().string(), kName)) {
      files.push_back(entry.path());
    }
  }
  if (ec) return absl::NotFoundError(absl::StrCat(dir.string(), ": ", ec.message()));
  if (files.empty()) {
    return absl::NotFoundError(absl::StrCat(dir.string(), ": no blk?????.dat files"));
  }
  std::sort(files.begin(), files.end());
  return files;
}

absl::StatusOr<XorKey> ReadXorKey(const std::filesystem::path& dir) {
  XorKey key{};
  std::filesystem::path path = dir / "xor.dat";
  if (!std::filesystem::exists(path)) return key;
  auto bytes = ReadRange(path, 0);
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() != key.size()) {
    return absl::DataLossError(
        absl::StrCat(path.string(), ": expected an 8-byte key, found ", bytes->size(), " bytes"));
  }
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

}  // namespace ariadne::btc
