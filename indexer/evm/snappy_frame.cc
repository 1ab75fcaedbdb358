#include "indexer/evm/snappy_frame.h"

#include <snappy.h>

#include <array>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"

namespace ariadne::evm {
namespace {

constexpr size_t kMaxChunkData = 65536;
constexpr uint8_t kStreamId[6] = {'s', 'N', 'a', 'P', 'p', 'Y'};

// Slicing-by-8 tables for the reflected Castagnoli polynomial 0x82f63b78.
constexpr std::array<std::array<uint32_t, 256>, 8> MakeCrcTables() {
  std::array<std::array<uint32_t, 256>, 8> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
  }
  return t;
}
constexpr auto kCrcTables = MakeCrcTables();

__attribute__((target("sse4.2"))) uint32_t Crc32cHw(const uint8_t* p, size_t n, uint32_t crc) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c = __builtin_ia32_crc32di(c, v);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}

uint32_t Crc32cSw(const uint8_t* p, size_t n, uint32_t crc) {
  const auto& t = kCrcTables;
  while (n >= 8) {
    uint32_t lo;
    uint32_t hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    lo ^= crc;
    crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
          t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
  return crc;
}

absl::Status Corrupt(std::string_view context, const char* what, uint64_t offset) {
  return absl::DataLossError(
      absl::StrCat(AV(context), ": snappy frame: ", what, " at offset ", offset));
}

}  // namespace

uint32_t Crc32c(ByteSpan data, uint32_t crc) {
  static const bool hw = __builtin_cpu_supports("sse4.2");
  crc = ~crc;
  crc = hw ? Crc32cHw(data.data(), data.size(), crc) : Crc32cSw(data.data(), data.size(), crc);
  return ~crc;
}

uint32_t MaskCrc32c(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

absl::Status SnappyFrameDecompress(ByteSpan framed, uint64_t max_output, std::string_view context,
                                   uint64_t offset, std::vector<uint8_t>* out) {
  out->clear();
  size_t pos = 0;
  bool seen_id = false;
  while (pos < framed.size()) {
    const uint64_t chunk_offset = offset + pos;
    if (framed.size() - pos < 4) return Corrupt(context, "truncated chunk header", chunk_offset);
    const uint8_t type = framed[pos];
    const size_t len = framed[pos + 1] | (framed[pos + 2] << 8) | (size_t{framed[pos + 3]} << 16);
    pos += 4;
    if (len > framed.size() - pos) return Corrupt(context, "truncated chunk", chunk_offset);
    const uint8_t* data = framed.data() + pos;
    pos += len;
    if (type == 0xff) {
      if (len != sizeof(kStreamId) || std::memcmp(data, kStreamId, sizeof(kStreamId)) != 0) {
        return Corrupt(context, "bad stream identifier", chunk_offset);
      }
      seen_id = true;
      continue;
    }
    if (!seen_id) return Corrupt(context, "data before the stream identifier", chunk_offset);
    if (type == 0x00 || type == 0x01) {
      if (len < 4) return Corrupt(context, "chunk shorter than its checksum", chunk_offset);
      const uint32_t expected =
          data[0] | (data[1] << 8) | (data[2] << 16) | (static_cast<uint32_t>(data[3]) << 24);
      const uint8_t* payload = data + 4;
      const size_t payload_len = len - 4;
      size_t n = payload_len;
      if (type == 0x00 &&
          !snappy::GetUncompressedLength(reinterpret_cast<const char*>(payload), payload_len, &n)) {
        return Corrupt(context, "bad compressed chunk header", chunk_offset);
      }
      if (n > kMaxChunkData) {
        return Corrupt(context, "chunk decompresses beyond 65536 bytes", chunk_offset);
      }
      if (out->size() + n > max_output) {
        return absl::ResourceExhaustedError(
            absl::StrCat(AV(context), ": snappy frame decompresses beyond the cap of ", max_output,
                         " bytes at offset ", chunk_offset));
      }
      const size_t at = out->size();
      out->resize(at + n);
      if (type == 0x00) {
        if (!snappy::RawUncompress(reinterpret_cast<const char*>(payload), payload_len,
                                   reinterpret_cast<char*>(out->data() + at))) {
          return Corrupt(context, "corrupt compressed chunk", chunk_offset);
        }
      } else {
        if (n != 0) std::memcpy(out->data() + at, payload, n);
      }
      if (MaskCrc32c(Crc32c(ByteSpan(out->data() + at, n))) != expected) {
        return Corrupt(context, "CRC-32C mismatch", chunk_offset);
      }
      continue;
    }
    if (type == 0xfe || type >= 0x80) continue;  // padding, reserved skippable
    return Corrupt(context, "reserved unskippable chunk type", chunk_offset);
  }
  if (!seen_id) return Corrupt(context, "empty stream (no stream identifier)", offset);
  return absl::OkStatus();
}

}  // namespace ariadne::evm
