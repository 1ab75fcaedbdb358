// A reader over untrusted bytes in the style of Bitcoin Core's deserialisers: it never reads past
// its end, CompactSize must be canonical and is capped, and nothing is allocated from a count.
//
// Failure is sticky: the first failed read records what was expected and where, moves the reader to
// its end and makes every later read return zero. Callers check ok() before acting on a count
// (looping or allocating) and at the end, instead of after every field: this keeps the decoding hot
// path free of branches on each field while never trusting a value read after a failure.
#ifndef ARIADNE_ENGINE_CORE_BYTE_READER_H_
#define ARIADNE_ENGINE_CORE_BYTE_READER_H_

#include <cstdint>
#include <cstring>
#include <string_view>

#include "absl/status/status.h"
#include "engine/core/types.h"

namespace ariadne {

class ByteReader {
 public:
  // Bitcoin Core's MAX_SIZE: no serialised count or length may exceed 32 MiB.
  static constexpr uint64_t kMaxCompactSize = 0x02000000;

  // Args: data: the bytes (not owned, must outlive the reader); base_offset: the offset of data[0]
  //       in its file, so that errors name file offsets.
  explicit ByteReader(ByteSpan data, uint64_t base_offset = 0)
      : begin_(data.data()),
        pos_(data.data()),
        end_(data.data() + data.size()),
        base_offset_(base_offset) {}

  bool ok() const { return what_ == nullptr; }
  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }
  // Returns: bytes consumed so far.
  size_t position() const { return static_cast<size_t>(pos_ - begin_); }
  // Returns: file offset of the next byte (base_offset + position).
  uint64_t offset() const { return base_offset_ + position(); }
  const uint8_t* ptr() const { return pos_; }
  const uint8_t* begin() const { return begin_; }

  uint8_t U8() { return Fixed<uint8_t>("1-byte integer"); }
  uint16_t U16LE() { return Fixed<uint16_t>("2-byte integer"); }
  uint32_t U32LE() { return Fixed<uint32_t>("4-byte integer"); }
  int32_t I32LE() { return static_cast<int32_t>(Fixed<uint32_t>("4-byte integer")); }
  uint64_t U64LE() { return Fixed<uint64_t>("8-byte integer"); }
  int64_t I64LE() { return static_cast<int64_t>(Fixed<uint64_t>("8-byte integer")); }

  // Returns: a canonical CompactSize no larger than `max`; fails on a non-canonical encoding
  // ("non-canonical CompactSize") or a value above max ("CompactSize above limit").
  uint64_t CompactSize(uint64_t max = kMaxCompactSize);

  // Returns: a view of the next n bytes (empty on failure).
  ByteSpan Bytes(size_t n) {
    if (n > remaining()) {
      Fail("byte string longer than the remaining data");
      return {};
    }
    ByteSpan s(pos_, n);
    pos_ += n;
    return s;
  }
  // Returns: a view of a CompactSize-prefixed byte string.
  ByteSpan VarBytes() {
    uint64_t n = CompactSize();
    return Bytes(static_cast<size_t>(n));
  }
  void Skip(size_t n) { Bytes(n); }

  // Records a failure unless one is recorded already. `what` must be a string literal.
  void Fail(const char* what) {
    if (what_ != nullptr) return;
    what_ = what;
    fail_offset_ = offset();
    pos_ = end_;
  }
  // Marks a failure at an explicit file offset (e.g. the start of the field that was wrong).
  void FailAt(const char* what, uint64_t file_offset) {
    if (what_ != nullptr) return;
    what_ = what;
    fail_offset_ = file_offset;
    pos_ = end_;
  }
  const char* what() const { return what_; }
  uint64_t fail_offset() const { return fail_offset_; }

  // Returns: OK, or DATA_LOSS "<context>: <what> at offset <n>".
  absl::Status status(std::string_view context) const;

 private:
  template <typename T>
  T Fixed(const char* what) {
    if (remaining() < sizeof(T)) {
      Fail(what);
      return 0;
    }
    T v;
    std::memcpy(&v, pos_, sizeof(T));  // little-endian host (x86-64, aarch64)
    pos_ += sizeof(T);
    return v;
  }

  const uint8_t* begin_;
  const uint8_t* pos_;
  const uint8_t* end_;
  uint64_t base_offset_;
  const char* what_ = nullptr;
  uint64_t fail_offset_ = 0;
};

inline uint64_t ByteReader::CompactSize(uint64_t max) {
  const uint64_t start = offset();
  uint8_t first = U8();
  uint64_t v;
  if (first < 0xfd) {
    v = first;
  } else if (first == 0xfd) {
    v = U16LE();
    if (v < 0xfd) FailAt("non-canonical CompactSize", start);
  } else if (first == 0xfe) {
    v = U32LE();
    if (v < 0x10000) FailAt("non-canonical CompactSize", start);
  } else {
    v = U64LE();
    if (v < 0x100000000ULL) FailAt("non-canonical CompactSize", start);
  }
  if (v > max) FailAt("CompactSize above limit", start);
  return ok() ? v : 0;
}

}  // namespace ariadne

#endif  // ARIADNE_ENGINE_CORE_BYTE_READER_H_
