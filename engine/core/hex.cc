#include "engine/core/hex.h"

#include "absl/strings/str_cat.h"

namespace ariadne {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

}  // namespace

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string HexEncode(ByteSpan bytes) {
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return out;
}

std::string HexEncodeReversed(ByteSpan bytes) {
  std::string out(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    uint8_t b = bytes[bytes.size() - 1 - i];
    out[2 * i] = kDigits[b >> 4];
    out[2 * i + 1] = kDigits[b & 15];
  }
  return out;
}

absl::StatusOr<std::vector<uint8_t>> HexDecode(std::string_view hex) {
  if (hex.size() >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) hex.remove_prefix(2);
  if (hex.size() % 2 != 0) {
    return absl::InvalidArgumentError(absl::StrCat("hex string has odd length ", hex.size()));
  }
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]);
    int lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("non-hex digit at position ", 2 * i + (hi < 0 ? 0 : 1)));
    }
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

template <typename Tag>
std::string Hash256<Tag>::ToHex() const {
  return HexEncodeReversed(span());
}

template <typename Tag>
absl::StatusOr<Hash256<Tag>> Hash256<Tag>::FromHex(std::string_view hex) {
  if (hex.size() != 2 * kSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected 64 hex digits, got ", hex.size(), " characters"));
  }
  auto bytes = HexDecode(hex);
  if (!bytes.ok()) return bytes.status();
  // HexDecode drops a "0x" prefix: "0x" and 62 digits are 64 characters but 31 bytes.
  if (bytes->size() != kSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected 64 hex digits, got ", hex.size() - 2, " after the 0x prefix"));
  }
  Hash256<Tag> h;
  for (size_t i = 0; i < kSize; ++i) h.bytes_[i] = (*bytes)[kSize - 1 - i];
  return h;
}

template class Hash256<TxidTag>;
template class Hash256<WtxidTag>;
template class Hash256<BlockHashTag>;
template class Hash256<Uint256Tag>;

}  // namespace ariadne
