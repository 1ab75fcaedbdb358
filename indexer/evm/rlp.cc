#include "indexer/evm/rlp.h"

#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"

namespace ariadne::evm {

absl::Status RlpError::ToStatus(std::string_view context) const {
  if (ok()) return absl::OkStatus();
  if (field != nullptr) {
    return absl::DataLossError(
        absl::StrCat(AV(context), ": ", field, ": ", what, " at offset ", offset));
  }
  return absl::DataLossError(absl::StrCat(AV(context), ": ", what, " at offset ", offset));
}

bool RlpReader::Next(RlpItem* item, const char* field) {
  if (pos_ == end_ || !ok()) return false;
  const uint8_t* start = pos_;
  const uint64_t start_offset = offset();
  const size_t avail = remaining() - 1;  // bytes after the first header byte
  const uint8_t b = *pos_;
  size_t header = 1;
  uint64_t len = 0;
  bool list = false;
  if (b < 0x80) {
    item->is_list = false;
    item->payload = ByteSpan(pos_, 1);
    item->encoding = item->payload;
    item->offset = start_offset;
    ++pos_;
    return true;
  } else if (b <= 0xb7) {
    len = b - 0x80;
  } else if (b <= 0xbf || (b >= 0xf8)) {
    list = b >= 0xf8;
    const size_t lenlen = list ? b - 0xf7 : b - 0xb7;
    if (lenlen > avail) {
      FailAt("truncated RLP length", field, start_offset);
      return false;
    }
    if (pos_[1] == 0) {
      FailAt("non-canonical RLP length (leading zero byte)", field, start_offset);
      return false;
    }
    for (size_t i = 0; i < lenlen; ++i) len = (len << 8) | pos_[1 + i];
    if (len < 56) {
      FailAt("non-canonical RLP length (long form below 56)", field, start_offset);
      return false;
    }
    header = 1 + lenlen;
  } else {
    list = true;
    len = b - 0xc0;
  }
  if (len > avail - (header - 1)) {
    FailAt("RLP item longer than its enclosing data", field, start_offset);
    return false;
  }
  if (!list && len == 1 && pos_[header] < 0x80) {
    FailAt("non-canonical RLP (single byte below 0x80 encoded as a string)", field, start_offset);
    return false;
  }
  item->is_list = list;
  item->payload = ByteSpan(pos_ + header, static_cast<size_t>(len));
  item->encoding = ByteSpan(start, header + static_cast<size_t>(len));
  item->offset = start_offset;
  pos_ += header + len;
  return true;
}

ByteSpan RlpReader::Bytes(const char* field) {
  RlpItem item;
  const uint64_t off = offset();
  if (!Next(&item, field)) {
    if (ok()) FailAt("missing field (too few items in the list)", field, off);
    return {};
  }
  if (item.is_list) {
    FailAt("expected an RLP string, found a list", field, off);
    return {};
  }
  return item.payload;
}

RlpReader RlpReader::List(const char* field) {
  RlpItem item;
  const uint64_t off = offset();
  if (!Next(&item, field)) {
    if (ok()) FailAt("missing field (too few items in the list)", field, off);
    return RlpReader(ByteSpan(), off, err_);
  }
  if (!item.is_list) {
    FailAt("expected an RLP list, found a string", field, off);
    return RlpReader(ByteSpan(), off, err_);
  }
  return RlpReader(item.payload, item.offset + (item.encoding.size() - item.payload.size()), err_);
}

uint64_t RlpReader::U64(const char* field) {
  const uint64_t off = offset();
  ByteSpan b = Bytes(field);
  if (!ok()) return 0;
  if (b.size() > 8) {
    FailAt("integer larger than 64 bits", field, off);
    return 0;
  }
  if (!b.empty() && b[0] == 0) {
    FailAt("integer with leading zero bytes", field, off);
    return 0;
  }
  uint64_t v = 0;
  for (uint8_t x : b) v = (v << 8) | x;
  return v;
}

U256 RlpReader::Uint256(const char* field) {
  const uint64_t off = offset();
  ByteSpan b = Bytes(field);
  if (!ok()) return U256();
  if (b.size() > 32) {
    FailAt("integer larger than 256 bits", field, off);
    return U256();
  }
  if (!b.empty() && b[0] == 0) {
    FailAt("integer with leading zero bytes", field, off);
    return U256();
  }
  uint8_t word[32] = {};
  std::copy(b.begin(), b.end(), word + (32 - b.size()));
  return U256::FromWord(word);
}

Address RlpReader::Addr(const char* field) {
  const uint64_t off = offset();
  ByteSpan b = Bytes(field);
  if (!ok()) return Address();
  if (b.size() != Address::kSize) {
    FailAt("address is not 20 bytes", field, off);
    return Address();
  }
  return Address::FromBytes(b.data());
}

std::optional<Address> RlpReader::OptAddr(const char* field) {
  const uint64_t off = offset();
  ByteSpan b = Bytes(field);
  if (!ok() || b.empty()) return std::nullopt;
  if (b.size() != Address::kSize) {
    FailAt("address is not 20 bytes", field, off);
    return std::nullopt;
  }
  return Address::FromBytes(b.data());
}

H256 RlpReader::Hash(const char* field) {
  const uint64_t off = offset();
  ByteSpan b = Bytes(field);
  if (!ok()) return H256();
  if (b.size() != 32) {
    FailAt("hash is not 32 bytes", field, off);
    return H256();
  }
  return H256::FromBytes(b.data());
}

void RlpReader::ExpectEnd(const char* field) {
  if (ok() && !AtEnd()) Fail("too many items in the list", field);
}

namespace {

void ValidateItems(RlpReader r, int depth, int max_depth) {
  RlpItem item;
  while (r.Next(&item)) {
    if (!item.is_list) continue;
    if (depth >= max_depth) {
      r.FailAt("list nesting deeper than the limit", nullptr, item.offset);
      return;
    }
    ValidateItems(RlpReader(item.payload,
                            item.offset + (item.encoding.size() - item.payload.size()), r.error()),
                  depth + 1, max_depth);
    if (!r.ok()) return;
  }
}

}  // namespace

absl::Status ValidateRlp(ByteSpan data, std::string_view context, int max_depth) {
  RlpError err;
  RlpReader r(data, 0, &err);
  RlpItem item;
  if (data.empty()) {
    err.Set("empty input (no RLP item)", nullptr, 0);
  } else if (r.Next(&item)) {
    if (item.is_list) {
      ValidateItems(RlpReader(item.payload, item.encoding.size() - item.payload.size(), &err), 1,
                    max_depth);
    }
    if (err.ok() && !r.AtEnd()) err.Set("trailing bytes after the RLP item", nullptr, r.offset());
  }
  return err.ToStatus(context);
}

size_t RlpHeader(bool list, uint64_t length, uint8_t header[9]) {
  const uint8_t short_base = list ? 0xc0 : 0x80;
  const uint8_t long_base = list ? 0xf7 : 0xb7;
  if (length < 56) {
    header[0] = static_cast<uint8_t>(short_base + length);
    return 1;
  }
  size_t n = 0;
  for (uint64_t v = length; v != 0; v >>= 8) ++n;
  header[0] = static_cast<uint8_t>(long_base + n);
  for (size_t i = 0; i < n; ++i) header[n - i] = static_cast<uint8_t>(length >> (8 * i));
  return 1 + n;
}

size_t RlpEncodeU64(uint64_t v, uint8_t out[9]) {
  if (v == 0) {
    out[0] = 0x80;
    return 1;
  }
  if (v < 0x80) {
    out[0] = static_cast<uint8_t>(v);
    return 1;
  }
  size_t n = 0;
  for (uint64_t x = v; x != 0; x >>= 8) ++n;
  out[0] = static_cast<uint8_t>(0x80 + n);
  for (size_t i = 0; i < n; ++i) out[n - i] = static_cast<uint8_t>(v >> (8 * i));
  return 1 + n;
}

void RlpWriter::Bytes(ByteSpan s) {
  if (s.size() == 1 && s[0] < 0x80) {
    out_->push_back(s[0]);
    return;
  }
  uint8_t h[9];
  size_t n = RlpHeader(false, s.size(), h);
  out_->insert(out_->end(), h, h + n);
  out_->insert(out_->end(), s.begin(), s.end());
}

void RlpWriter::U64(uint64_t v) {
  uint8_t b[9];
  size_t n = RlpEncodeU64(v, b);
  out_->insert(out_->end(), b, b + n);
}

void RlpWriter::Uint256(const U256& v) {
  uint8_t word[32];
  v.ToWord(word);
  const size_t n = v.ByteLength();
  Bytes(ByteSpan(word + 32 - n, n));
}

void RlpWriter::EndList(size_t mark) {
  uint8_t h[9];
  size_t n = RlpHeader(true, out_->size() - mark, h);
  out_->insert(out_->begin() + static_cast<std::ptrdiff_t>(mark), h, h + n);
}

}  // namespace ariadne::evm
