// Byte-level codecs of the store: fixed-width big-endian integers for keys (so that byte order is
// numeric order) and LEB128 varints for values.
#ifndef ARIADNE_ENGINE_STORE_CODEC_H_
#define ARIADNE_ENGINE_STORE_CODEC_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace ariadne::store {

// Appends the low `bytes` bytes of v, most significant first.
inline void PutBE(std::string* out, uint64_t v, int bytes) {
  char buf[8];
  for (int i = bytes - 1; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out->append(buf, bytes);
}
inline void PutBE32(std::string* out, uint32_t v) { PutBE(out, v, 4); }
inline void PutBE40(std::string* out, uint64_t v) { PutBE(out, v, 5); }
inline void PutBE64(std::string* out, uint64_t v) { PutBE(out, v, 8); }

// Returns: the big-endian integer in p[0..bytes).
inline uint64_t GetBE(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

inline void PutVarint(std::string* out, uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}
// Zig-zag encoding keeps small negative numbers short.
inline void PutSignedVarint(std::string* out, int64_t v) {
  PutVarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

// Reads values from a stored row. Rows are written by us, but a corrupt store must give an error,
// not a crash: every read checks bounds and records failure.
class RowReader {
 public:
  explicit RowReader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}
  bool ok() const { return ok_; }
  bool done() const { return p_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return Fail();
      uint8_t b = static_cast<uint8_t>(*p_++);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Fail();
  }
  int64_t SignedVarint() {
    uint64_t u = Varint();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  uint8_t U8() {
    if (p_ == end_) return static_cast<uint8_t>(Fail());
    return static_cast<uint8_t>(*p_++);
  }
  uint64_t BE(int bytes) {
    if (remaining() < static_cast<size_t>(bytes)) return Fail();
    uint64_t v = GetBE(p_, bytes);
    p_ += bytes;
    return v;
  }
  std::string_view Bytes(size_t n) {
    if (remaining() < n) {
      Fail();
      return {};
    }
    std::string_view s(p_, n);
    p_ += n;
    return s;
  }
  std::string_view Rest() { return Bytes(remaining()); }

 private:
  uint64_t Fail() {
    ok_ = false;
    p_ = end_;
    return 0;
  }
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_CODEC_H_
