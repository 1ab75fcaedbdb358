#include "engine/core/base58.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/core/hash.h"
#include "engine/core/strings.h"

namespace ariadne {
namespace {

constexpr char kAlphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

// Maps a character to its Base58 digit, or -1 outside the alphabet.
constexpr std::array<int8_t, 256> MakeDigitTable() {
  std::array<int8_t, 256> table{};
  for (int8_t& v : table) v = -1;
  for (int i = 0; i < 58; ++i) table[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return table;
}
constexpr std::array<int8_t, 256> kDigit = MakeDigitTable();

// Bitcoin Core's IsSpace: the C locale's whitespace characters.
constexpr bool IsSpace(char c) {
  return c == ' ' || c == '\f' || c == '\n' || c == '\r' || c == '\t' || c == '\v';
}

// Returns: a printable rendering of `c` for error messages.
std::string DescribeChar(char c) {
  const auto u = static_cast<uint8_t>(c);
  if (u >= 0x21 && u <= 0x7e) return absl::StrCat("'", AV(std::string_view(&c, 1)), "'");
  return absl::StrFormat("0x%02x", u);
}

// Decodes like DecodeBase58; `checked` only changes the wording of the over-length error (for
// Base58Check, max_len includes the 4 checksum bytes, which the message leaves out).
absl::StatusOr<std::vector<uint8_t>> DecodeBase58Impl(std::string_view str, size_t max_len,
                                                      bool checked) {
  auto too_long = [&] {
    return checked ? absl::InvalidArgumentError(
                         absl::StrCat("Base58Check payload longer than ", max_len - 4, " bytes"))
                   : absl::InvalidArgumentError(
                         absl::StrCat("Base58 string decodes to more than ", max_len, " bytes"));
  };
  size_t begin = 0;
  size_t end = str.size();
  while (begin < end && IsSpace(str[begin])) ++begin;
  while (end > begin && IsSpace(str[end - 1])) --end;

  size_t pos = begin;
  size_t zeroes = 0;
  while (pos < end && str[pos] == '1') {
    if (zeroes == max_len) return too_long();
    ++zeroes;
    ++pos;
  }
  // Each Base58 digit adds log(58) / log(256) = 0.732... bytes, so `estimate` bytes always hold the
  // number. The number may also not exceed `cap` bytes: a buffer of cap + 1 bytes lets the digit
  // that crosses the limit finish its carry before the length check rejects it. Nothing is
  // allocated beyond min(estimate, cap + 1).
  const size_t digits = end - pos;
  const size_t estimate = digits / 1000 * 733 + (digits % 1000) * 733 / 1000 + 1;
  const size_t cap = max_len - zeroes;
  std::vector<uint8_t> b256(cap < estimate ? cap + 1 : estimate);
  size_t length = 0;
  for (; pos < end; ++pos) {
    uint32_t carry = static_cast<uint32_t>(kDigit[static_cast<uint8_t>(str[pos])]);
    if (carry >= 58) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid Base58 character ", DescribeChar(str[pos]), " at position ", pos));
    }
    size_t i = 0;
    // b256 holds the number big-endian in its last `length` bytes; multiply by 58 and add.
    for (auto it = b256.rbegin(); (carry != 0 || i < length) && it != b256.rend(); ++it, ++i) {
      carry += 58u * *it;
      *it = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    length = i;
    if (carry != 0 || length > cap) return too_long();
  }
  std::vector<uint8_t> out;
  out.reserve(zeroes + length);
  out.assign(zeroes, 0);
  out.insert(out.end(), b256.end() - static_cast<std::ptrdiff_t>(length), b256.end());
  return out;
}

}  // namespace

std::string EncodeBase58(ByteSpan data) {
  size_t zeroes = 0;
  while (zeroes < data.size() && data[zeroes] == 0) ++zeroes;
  // log(256) / log(58) = 1.3658..., rounded up: an upper bound on the digits of the rest.
  const size_t size = (data.size() - zeroes) * 138 / 100 + 1;
  std::vector<uint8_t> b58(size);
  size_t length = 0;
  for (size_t k = zeroes; k < data.size(); ++k) {
    uint32_t carry = data[k];
    size_t i = 0;
    // b58 holds the number big-endian in its last `length` digits; multiply by 256 and add.
    for (auto it = b58.rbegin(); (carry != 0 || i < length) && it != b58.rend(); ++it, ++i) {
      carry += 256u * *it;
      *it = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    length = i;
  }
  std::string out;
  out.reserve(zeroes + length);
  out.assign(zeroes, '1');
  for (size_t i = size - length; i < size; ++i) out.push_back(kAlphabet[b58[i]]);
  return out;
}

absl::StatusOr<std::vector<uint8_t>> DecodeBase58(std::string_view str, size_t max_len) {
  return DecodeBase58Impl(str, max_len, /*checked=*/false);
}

std::string EncodeBase58Check(ByteSpan data) {
  std::vector<uint8_t> buf(data.begin(), data.end());
  const Uint256 check = Sha256d(data);
  buf.insert(buf.end(), check.data(), check.data() + 4);
  return EncodeBase58(buf);
}

absl::StatusOr<std::vector<uint8_t>> DecodeBase58Check(std::string_view str, size_t max_len) {
  if (max_len > SIZE_MAX - 4) max_len = SIZE_MAX - 4;
  absl::StatusOr<std::vector<uint8_t>> decoded =
      DecodeBase58Impl(str, max_len + 4, /*checked=*/true);
  if (!decoded.ok()) return decoded.status();
  std::vector<uint8_t>& bytes = *decoded;
  if (bytes.size() < 4) {
    return absl::InvalidArgumentError(
        absl::StrCat("Base58Check string of ", bytes.size(), " bytes is too short for a checksum"));
  }
  const size_t payload = bytes.size() - 4;
  const Uint256 check = Sha256d(ByteSpan(bytes.data(), payload));
  if (std::memcmp(check.data(), bytes.data() + payload, 4) != 0) {
    return absl::InvalidArgumentError("Base58Check checksum mismatch");
  }
  bytes.resize(payload);
  return std::move(*decoded);
}

}  // namespace ariadne
