// Appends the chain's serialisation primitives to a byte vector.
#ifndef ARIADNE_ENGINE_CORE_BYTE_WRITER_H_
#define ARIADNE_ENGINE_CORE_BYTE_WRITER_H_

#include <cstdint>
#include <cstring>
#include <vector>

#include "engine/core/types.h"

namespace ariadne {

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<uint8_t>* out) : out_(out) {}

  void U8(uint8_t v) { out_->push_back(v); }
  void U16LE(uint16_t v) { Fixed(v); }
  void U32LE(uint32_t v) { Fixed(v); }
  void I32LE(int32_t v) { Fixed(static_cast<uint32_t>(v)); }
  void U64LE(uint64_t v) { Fixed(v); }
  void I64LE(int64_t v) { Fixed(static_cast<uint64_t>(v)); }
  // Writes the canonical (shortest) CompactSize encoding of v.
  void CompactSize(uint64_t v) {
    if (v < 0xfd) {
      U8(static_cast<uint8_t>(v));
    } else if (v <= 0xffff) {
      U8(0xfd);
      U16LE(static_cast<uint16_t>(v));
    } else if (v <= 0xffffffffULL) {
      U8(0xfe);
      U32LE(static_cast<uint32_t>(v));
    } else {
      U8(0xff);
      U64LE(v);
    }
  }
  void Bytes(ByteSpan s) { out_->insert(out_->end(), s.begin(), s.end()); }
  void Bytes(const uint8_t* p, size_t n) { out_->insert(out_->end(), p, p + n); }
  void VarBytes(ByteSpan s) {
    CompactSize(s.size());
    Bytes(s);
  }
  size_t size() const { return out_->size(); }

 private:
  template <typename T>
  void Fixed(T v) {
    size_t n = out_->size();
    out_->resize(n + sizeof(T));
    std::memcpy(out_->data() + n, &v, sizeof(T));
  }
  std::vector<uint8_t>* out_;
};

}  // namespace ariadne

#endif  // ARIADNE_ENGINE_CORE_BYTE_WRITER_H_
