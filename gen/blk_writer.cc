#include "gen/blk_writer.h"

#include <cstring>

#include "absl/strings/str_format.h"

namespace ariadne::gen {

BlkWriter::BlkWriter(std::filesystem::path dir, std::array<uint8_t, 4> magic,
                     std::array<uint8_t, 8> xor_key, uint64_t max_file_size)
    : dir_(std::move(dir)), magic_(magic), key_(xor_key), max_file_size_(max_file_size) {
  obfuscate_ = false;
  for (uint8_t b : key_) obfuscate_ |= b != 0;
}

BlkWriter::~BlkWriter() { (void)Close(); }

absl::Status BlkWriter::OpenNext() {
  if (file_ != nullptr) {
    if (absl::Status s = Close(); !s.ok()) return s;
  }
  absl::StatusOr<std::unique_ptr<FileSink>> f =
      FileSink::Create(dir_ / absl::StrFormat("blk%05d.dat", file_number_));
  if (!f.ok()) return f.status();
  file_ = std::move(*f);
  return absl::OkStatus();
}

absl::Status BlkWriter::Close() {
  if (file_ == nullptr) return absl::OkStatus();
  absl::Status s = file_->Close();
  file_.reset();
  ++file_number_;
  return s;
}

absl::Status BlkWriter::WriteBlock(std::span<const ByteSpan> parts) {
  uint64_t size = 0;
  for (ByteSpan p : parts) size += p.size();
  const uint64_t record = size + 8;
  // Core's FindNextBlockPos: move on when this record would take the file to the limit.
  if (file_ == nullptr || (file_->size() > 0 && file_->size() + record >= max_file_size_)) {
    if (absl::Status s = OpenNext(); !s.ok()) return s;
  }
  const uint64_t offset = file_->size();
  uint8_t* out = file_->Grow(record);
  std::memcpy(out, magic_.data(), 4);
  const uint32_t size32 = static_cast<uint32_t>(size);
  std::memcpy(out + 4, &size32, 4);
  size_t at = 8;
  for (ByteSpan p : parts) {
    std::memcpy(out + at, p.data(), p.size());
    at += p.size();
  }
  if (obfuscate_) {
    for (size_t i = 0; i < record; ++i) out[i] ^= key_[(offset + i) & 7];
  }
  bytes_ += record;
  return absl::OkStatus();
}

}  // namespace ariadne::gen
