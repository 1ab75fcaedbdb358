#include "engine/core/bech32.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/core/strings.h"

namespace ariadne {
namespace {

constexpr char kCharset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
// BIP173: a bech32 string is at most 90 characters.
constexpr size_t kMaxLength = 90;
constexpr size_t kChecksumLength = 6;
// The constant the checksum polymod must equal: 1 for bech32 (BIP173), 0x2bc830a3 for bech32m
// (BIP350).
constexpr uint32_t kBech32Const = 1;
constexpr uint32_t kBech32mConst = 0x2bc830a3;

// Maps a lowercase or uppercase character to its 5-bit value, or -1 outside the charset.
constexpr std::array<int8_t, 128> MakeCharsetRev() {
  std::array<int8_t, 128> table{};
  for (int8_t& v : table) v = -1;
  for (int i = 0; i < 32; ++i) {
    const char c = kCharset[i];
    table[static_cast<uint8_t>(c)] = static_cast<int8_t>(i);
    if (c >= 'a' && c <= 'z') table[static_cast<uint8_t>(c - 'a' + 'A')] = static_cast<int8_t>(i);
  }
  return table;
}
constexpr std::array<int8_t, 128> kCharsetRev = MakeCharsetRev();

// The BCH code's generator step over GF(32), as in BIP173.
uint32_t PolyModStep(uint32_t chk, uint8_t value) {
  const uint32_t top = chk >> 25;
  chk = (chk & 0x1ffffff) << 5 ^ value;
  if (top & 1) chk ^= 0x3b6a57b2;
  if (top & 2) chk ^= 0x26508e6d;
  if (top & 4) chk ^= 0x1ea119fa;
  if (top & 8) chk ^= 0x3d4233dd;
  if (top & 16) chk ^= 0x2a1462b3;
  return chk;
}

// Returns: the polymod state after the expanded hrp (high bits, 0, low bits); `hrp` lowercase.
uint32_t HrpPolyMod(std::string_view hrp) {
  uint32_t chk = 1;
  for (char c : hrp) chk = PolyModStep(chk, static_cast<uint8_t>(c) >> 5);
  chk = PolyModStep(chk, 0);
  for (char c : hrp) chk = PolyModStep(chk, static_cast<uint8_t>(c) & 31);
  return chk;
}

char ToLowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string DescribeChar(char c) {
  const auto u = static_cast<uint8_t>(c);
  if (u >= 0x21 && u <= 0x7e) return absl::StrCat("'", AV(std::string_view(&c, 1)), "'");
  return absl::StrFormat("0x%02x", u);
}

}  // namespace

std::string Bech32Encode(std::string_view hrp, const std::vector<uint8_t>& values,
                         Bech32Encoding encoding) {
  uint32_t chk = HrpPolyMod(hrp);
  for (uint8_t v : values) chk = PolyModStep(chk, v & 31);
  for (size_t i = 0; i < kChecksumLength; ++i) chk = PolyModStep(chk, 0);
  chk ^= encoding == Bech32Encoding::kBech32 ? kBech32Const : kBech32mConst;

  std::string out;
  out.reserve(hrp.size() + 1 + values.size() + kChecksumLength);
  out.append(hrp);
  out.push_back('1');
  for (uint8_t v : values) out.push_back(kCharset[v & 31]);
  for (size_t i = 0; i < kChecksumLength; ++i) {
    out.push_back(kCharset[(chk >> (5 * (kChecksumLength - 1 - i))) & 31]);
  }
  return out;
}

absl::StatusOr<Bech32Decoded> Bech32Decode(std::string_view str) {
  if (str.size() > kMaxLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("bech32 string of ", str.size(), " characters exceeds ", kMaxLength));
  }
  bool has_lower = false;
  bool has_upper = false;
  for (size_t i = 0; i < str.size(); ++i) {
    const char c = str[i];
    if (static_cast<uint8_t>(c) < 33 || static_cast<uint8_t>(c) > 126) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid bech32 character ", DescribeChar(c), " at position ", i));
    }
    has_lower |= c >= 'a' && c <= 'z';
    has_upper |= c >= 'A' && c <= 'Z';
  }
  if (has_lower && has_upper) {
    return absl::InvalidArgumentError("bech32 string mixes upper and lower case");
  }
  const size_t sep = str.rfind('1');
  if (sep == std::string_view::npos) {
    return absl::InvalidArgumentError("bech32 string has no '1' separator");
  }
  if (sep == 0) return absl::InvalidArgumentError("bech32 string has an empty hrp");
  if (str.size() - sep - 1 < kChecksumLength) {
    return absl::InvalidArgumentError("bech32 data part is shorter than its 6-character checksum");
  }

  Bech32Decoded result;
  result.hrp.resize(sep);
  for (size_t i = 0; i < sep; ++i) result.hrp[i] = ToLowerAscii(str[i]);
  uint32_t chk = HrpPolyMod(result.hrp);
  const size_t data_len = str.size() - sep - 1;
  result.data.resize(data_len - kChecksumLength);
  for (size_t i = 0; i < data_len; ++i) {
    const char c = str[sep + 1 + i];
    const int8_t v = kCharsetRev[static_cast<uint8_t>(c)];  // c < 127 was checked above
    if (v < 0) {
      return absl::InvalidArgumentError(absl::StrCat("character ", DescribeChar(c), " at position ",
                                                     sep + 1 + i, " is not in the bech32 charset"));
    }
    chk = PolyModStep(chk, static_cast<uint8_t>(v));
    if (i < data_len - kChecksumLength) result.data[i] = static_cast<uint8_t>(v);
  }
  if (chk == kBech32Const) {
    result.encoding = Bech32Encoding::kBech32;
  } else if (chk == kBech32mConst) {
    result.encoding = Bech32Encoding::kBech32m;
  } else {
    return absl::InvalidArgumentError("bech32 checksum is neither bech32 nor bech32m");
  }
  return result;
}

std::string EncodeSegwitAddress(std::string_view hrp, uint8_t version, ByteSpan program) {
  std::vector<uint8_t> values;
  values.reserve(1 + (program.size() * 8 + 4) / 5);
  values.push_back(version);
  // 8-to-5-bit regrouping, zero padding the last group.
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : program) {
    acc = (acc << 8 | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      values.push_back(static_cast<uint8_t>((acc >> bits) & 31));
    }
  }
  if (bits > 0) values.push_back(static_cast<uint8_t>((acc << (5 - bits)) & 31));
  return Bech32Encode(hrp, values,
                      version == 0 ? Bech32Encoding::kBech32 : Bech32Encoding::kBech32m);
}

absl::StatusOr<SegwitProgram> DecodeSegwitAddress(std::string_view hrp, std::string_view addr) {
  absl::StatusOr<Bech32Decoded> decoded = Bech32Decode(addr);
  if (!decoded.ok()) return decoded.status();
  if (decoded->hrp != hrp) {
    return absl::InvalidArgumentError(
        absl::StrCat("segwit address has hrp '", decoded->hrp, "', expected '", AV(hrp), "'"));
  }
  if (decoded->data.empty()) {
    return absl::InvalidArgumentError("segwit address has no witness version");
  }
  const uint8_t version = decoded->data[0];
  if (version > 16) {
    return absl::InvalidArgumentError(
        absl::StrCat("segwit address has witness version ", int{version}, " (over 16)"));
  }
  const Bech32Encoding want = version == 0 ? Bech32Encoding::kBech32 : Bech32Encoding::kBech32m;
  if (decoded->encoding != want) {
    return absl::InvalidArgumentError(absl::StrCat(
        "witness version ", int{version}, " address must use ", version == 0 ? "bech32" : "bech32m",
        " (BIP350), not ", version == 0 ? "bech32m" : "bech32"));
  }
  // 5-to-8-bit regrouping; at most 4 bits of zero padding may remain.
  const size_t groups = decoded->data.size() - 1;
  if (groups * 5 / 8 < 2 || groups * 5 / 8 > 40) {
    return absl::InvalidArgumentError(
        absl::StrCat("witness program of ", groups * 5 / 8, " bytes is outside 2..40"));
  }
  SegwitProgram result;
  result.version = version;
  result.program.reserve(groups * 5 / 8);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 1; i < decoded->data.size(); ++i) {
    acc = (acc << 5 | decoded->data[i]) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      result.program.push_back(static_cast<uint8_t>((acc >> bits) & 0xff));
    }
  }
  if (bits >= 5 || ((acc << (8 - bits)) & 0xff) != 0) {
    return absl::InvalidArgumentError("segwit address has invalid 8-to-5-bit padding");
  }
  if (version == 0 && result.program.size() != 20 && result.program.size() != 32) {
    return absl::InvalidArgumentError(absl::StrCat(
        "witness version 0 program of ", result.program.size(), " bytes (must be 20 or 32)"));
  }
  return result;
}

}  // namespace ariadne
