#include "engine/core/eip55.h"

#include "absl/strings/str_cat.h"
#include "engine/core/keccak.h"
#include "engine/core/strings.h"

namespace ariadne::evm {
namespace {

constexpr char kLower[] = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Out: hex[0..40) = lowercase hex digits of a.
void LowerHex(const Address& a, char hex[40]) {
  for (size_t i = 0; i < Address::kSize; ++i) {
    hex[2 * i] = kLower[a.data()[i] >> 4];
    hex[2 * i + 1] = kLower[a.data()[i] & 15];
  }
}

// Out: hash = Keccak-256 of the 40 lowercase hex digits (the EIP-55 checksum source).
void ChecksumHash(const char hex[40], uint8_t hash[32]) {
  Keccak256(ByteSpan(reinterpret_cast<const uint8_t*>(hex), 40), hash);
}

bool UpperAt(const uint8_t hash[32], size_t i) {
  const uint8_t nibble = (i % 2 == 0) ? (hash[i / 2] >> 4) : (hash[i / 2] & 15);
  return nibble >= 8;
}

}  // namespace

std::string ToLowerHexAddress(const Address& address) {
  std::string out(42, '0');
  out[1] = 'x';
  LowerHex(address, out.data() + 2);
  return out;
}

std::string ToChecksumAddress(const Address& address) {
  char hex[40];
  LowerHex(address, hex);
  uint8_t hash[32];
  ChecksumHash(hex, hash);
  std::string out = "0x";
  out.reserve(42);
  for (size_t i = 0; i < 40; ++i) {
    char c = hex[i];
    if (c >= 'a' && UpperAt(hash, i)) c = static_cast<char>(c - 'a' + 'A');
    out.push_back(c);
  }
  return out;
}

absl::StatusOr<Address> ParseAddress(std::string_view text) {
  std::string_view digits = text;
  if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    digits.remove_prefix(2);
  }
  if (digits.size() != 40) {
    return absl::InvalidArgumentError(absl::StrCat(
        "address \"", AV(text.substr(0, 64)), "\": expected 40 hex digits, got ", digits.size()));
  }
  Address a;
  bool has_lower = false;
  bool has_upper = false;
  for (size_t i = 0; i < 40; ++i) {
    const char c = digits[i];
    const int v = HexValue(c);
    if (v < 0) {
      return absl::InvalidArgumentError(absl::StrCat("address \"", AV(text),
                                                     "\": non-hex character at position ",
                                                     i + (text.size() - digits.size())));
    }
    has_lower |= (c >= 'a' && c <= 'f');
    has_upper |= (c >= 'A' && c <= 'F');
    uint8_t& b = a.data()[i / 2];
    b = static_cast<uint8_t>((i % 2 == 0) ? (v << 4) : (b | v));
  }
  if (has_lower && has_upper) {
    char hex[40];
    LowerHex(a, hex);
    uint8_t hash[32];
    ChecksumHash(hex, hash);
    for (size_t i = 0; i < 40; ++i) {
      const char c = digits[i];
      if (c < 'A') continue;  // a decimal digit carries no case
      const bool upper = c <= 'F';
      if (upper != UpperAt(hash, i)) {
        return absl::InvalidArgumentError(absl::StrCat("address \"", AV(text),
                                                       "\": EIP-55 checksum mismatch (expected ",
                                                       ToChecksumAddress(a), ")"));
      }
    }
  }
  return a;
}

}  // namespace ariadne::evm
