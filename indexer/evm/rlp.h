// Recursive Length Prefix (RLP) decoding over untrusted bytes, and the encoding that hashing and
// trie roots need.
//
// The reader is zero-copy: strings are views into the caller's buffer and lists are sub-readers
// over their payload, iterated lazily, so nothing is allocated from a length or count read from
// the data. It enforces the canonical rules of the Yellow Paper (appendix B) as clients do:
//   - a single byte below 0x80 is its own encoding (0x81 0x05 is rejected);
//   - a long length (0xb8..0xbf, 0xf8..0xff) has no leading zero byte and is at least 56;
//   - every item lies within its enclosing list or buffer;
//   - integers have no leading zero bytes (zero is the empty string) and fit their width.
// Failure is sticky and shared by a reader and the sub-readers made from it (they report into one
// RlpError): decoders check ok() before acting on a count and at the end, as with ByteReader.
#ifndef ARIADNE_INDEXER_EVM_RLP_H_
#define ARIADNE_INDEXER_EVM_RLP_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "engine/core/evm_types.h"
#include "engine/core/types.h"
#include "engine/core/u256.h"

namespace ariadne::evm {

// The first failure of a decode: what was wrong, in which field, at which file offset.
struct RlpError {
  const char* what = nullptr;   // string literal
  const char* field = nullptr;  // string literal naming the field being read, may be null
  uint64_t offset = 0;

  bool ok() const { return what == nullptr; }
  void Set(const char* w, const char* f, uint64_t off) {
    if (what != nullptr) return;
    what = w;
    field = f;
    offset = off;
  }
  // Returns: OK, or DATA_LOSS "<context>: <field>: <what> at offset <n>".
  absl::Status ToStatus(std::string_view context) const;
};

// One decoded item header: a string's bytes or a list's payload, plus the item's whole encoding.
struct RlpItem {
  // Returns: the file offset of payload[0].
  uint64_t payload_offset() const { return offset + (encoding.size() - payload.size()); }

  bool is_list = false;
  ByteSpan payload;     // string bytes, or the encoded items of a list
  ByteSpan encoding;    // header and payload
  uint64_t offset = 0;  // file offset of the item's first byte
};

class RlpReader {
 public:
  // Args: data: the bytes (not owned; must outlive the reader and every view it returns);
  //       base_offset: file offset of data[0], for error messages;
  //       err: where failures are recorded (shared with sub-readers; must outlive them).
  RlpReader(ByteSpan data, uint64_t base_offset, RlpError* err)
      : begin_(data.data()),
        pos_(data.data()),
        end_(data.data() + data.size()),
        base_offset_(base_offset),
        err_(err) {}

  bool ok() const { return err_->ok(); }
  bool AtEnd() const { return pos_ == end_; }
  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }
  uint64_t offset() const { return base_offset_ + static_cast<uint64_t>(pos_ - begin_); }
  // Returns: the next unread byte (the end after a failure).
  const uint8_t* ptr() const { return pos_; }
  RlpError* error() const { return err_; }

  // Reads the next item's header and skips over it.
  // Returns: true with *item filled; false at the end of the data or after a failure.
  bool Next(RlpItem* item, const char* field = nullptr);

  // Returns: the bytes of the next item, which must be a string.
  ByteSpan Bytes(const char* field);
  // Returns: a reader over the payload of the next item, which must be a list.
  RlpReader List(const char* field);
  // Returns: the next item as a canonical unsigned integer of at most 8 bytes.
  uint64_t U64(const char* field);
  // Returns: the next item as a canonical unsigned integer of at most 32 bytes.
  U256 Uint256(const char* field);
  // Returns: the next item as exactly 20 bytes.
  Address Addr(const char* field);
  // Returns: none for the empty string (contract creation), else the next item as 20 bytes.
  std::optional<Address> OptAddr(const char* field);
  // Returns: the next item as exactly 32 bytes.
  H256 Hash(const char* field);
  // Records "too many fields" unless the reader is at its end.
  void ExpectEnd(const char* field);

  void Fail(const char* what, const char* field) { FailAt(what, field, offset()); }
  void FailAt(const char* what, const char* field, uint64_t off) {
    err_->Set(what, field, off);
    pos_ = end_;
  }

 private:
  const uint8_t* begin_;
  const uint8_t* pos_;
  const uint8_t* end_;
  uint64_t base_offset_;
  RlpError* err_;
};

// Decodes one whole item that must fill `data` exactly (no trailing bytes) and checks every nested
// item canonically, down to `max_depth` levels of lists.
// Returns: OK, or DATA_LOSS naming the problem and offset ("list nesting deeper than the limit").
absl::Status ValidateRlp(ByteSpan data, std::string_view context, int max_depth = 64);

// Appends RLP encodings to a byte vector. Lists are written by BeginList() ... EndList(), which
// inserts the list header once the payload length is known.
class RlpWriter {
 public:
  explicit RlpWriter(std::vector<uint8_t>* out) : out_(out) {}

  void Bytes(ByteSpan s);
  void Bytes(const uint8_t* p, size_t n) { Bytes(ByteSpan(p, n)); }
  void U64(uint64_t v);
  void Uint256(const U256& v);
  void Addr(const Address& a) { Bytes(a.span()); }
  template <typename Tag>
  void Hash(const Hash256<Tag>& h) {
    Bytes(h.span());
  }
  // Appends already-encoded RLP (an item copied from a decoded buffer) as is.
  void Raw(ByteSpan encoded) { out_->insert(out_->end(), encoded.begin(), encoded.end()); }
  // Returns: a mark to pass to EndList().
  size_t BeginList() { return out_->size(); }
  void EndList(size_t mark);

  size_t size() const { return out_->size(); }

 private:
  std::vector<uint8_t>* out_;
};

// Out: header[0..n) = the RLP header of a string (list = false) or list of `length` payload bytes.
// Returns: n (1 to 9).
size_t RlpHeader(bool list, uint64_t length, uint8_t header[9]);
// Out: the RLP encoding of v's minimal big-endian form (at most 9 bytes). Returns: its length.
size_t RlpEncodeU64(uint64_t v, uint8_t out[9]);

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_RLP_H_
