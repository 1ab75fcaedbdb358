// Keccak-256 known answers, EIP-55 checksums and 256-bit amounts: the EVM value types of
// engine/core.
#include "engine/core/evm_types.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "engine/core/eip55.h"
#include "engine/core/hex.h"
#include "engine/core/keccak.h"
#include "engine/core/u256.h"
#include "tests/testutil.h"

namespace ariadne::evm {
namespace {

using ::ariadne::testing::TestData;

ByteSpan Str(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
std::vector<uint8_t> Hex(std::string_view h) { return HexDecode(h).value(); }
// ---- 32-byte hashes ----

// Found by address_fuzz: "0x0x" and 62 digits passed the 64-digit check, and HexDecode dropped the
// second prefix, so 31 bytes were read as 32.
TEST(ParseH256, ASecondPrefixIsInvalidNotReadPastItsBytes) {
  const std::string digits(64, 'a');
  auto ok = ParseH256("0x" + digits);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->bytes()[0], 0xaa);
  auto bad = ParseH256("0x0x" + digits.substr(2));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

// ---- Keccak-256 ----

TEST(Keccak, ShortMessageKnownAnswers) {
  REQUIRE_TESTDATA();
  simdjson::dom::parser parser;
  auto doc = parser.load(TestData("keccak-vectors/keccak256_shortmsg_kat.json").string()).value();
  int n = 0;
  for (auto v : doc["vectors"].get_array()) {
    const auto msg = Hex(v["msg"].get_string().value());
    EXPECT_EQ(HexEncode(Keccak256(msg).span()), v["keccak256"].get_string().value())
        << "len_bits " << v["len_bits"].get_int64().value();
    ++n;
  }
  std::printf("keccak256_shortmsg_kat.json: %d vectors\n", n);
  EXPECT_EQ(n, 255);
}

TEST(Keccak, IncrementalEqualsOneShot) {
  const std::string msg(1000, 'a');
  Keccak256Hasher h;
  for (size_t i = 0; i < msg.size(); i += 7) h.Write(Str(msg.substr(i, 7)));
  H256 out;
  h.Finish(out.data());
  EXPECT_EQ(out, Keccak256(Str(msg)));
}

// ---- EIP-55 ----

// The examples of EIP-55 itself.
constexpr const char* kEip55Examples[] = {
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    "0x52908400098527886E0F7030069857D2E4169EE7", "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77", "0x27b1fdb04752bbc536007a920d24acb045561c26",
};

TEST(Eip55, SpecExamplesEncodeAndParse) {
  for (const char* s : kEip55Examples) {
    auto a = ParseAddress(s);
    ASSERT_THAT(a, IsOk()) << s;
    EXPECT_EQ(ToChecksumAddress(*a), s);
  }
}

TEST(Eip55, AnyCaseAcceptedWithoutChecksum) {
  const std::string good = kEip55Examples[0];
  std::string lower = good, upper = good;
  for (auto& c : lower) c = static_cast<char>(std::tolower(c));
  for (size_t i = 2; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_THAT(ParseAddress(lower), IsOk());
  EXPECT_THAT(ParseAddress(upper), IsOk());
  EXPECT_THAT(ParseAddress(good.substr(2)), IsOk());  // no 0x
  EXPECT_EQ(*ParseAddress(lower), *ParseAddress(good));
}

TEST(Eip55, WrongChecksumLengthOrDigitIsInvalidArgument) {
  std::string bad = kEip55Examples[0];
  bad[4] = 'E';  // 'e' -> 'E' flips one letter's case
  EXPECT_THAT(ParseAddress(bad),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "EIP-55 checksum mismatch"));
  EXPECT_THAT(ParseAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "expected 40 hex digits"));
  EXPECT_THAT(ParseAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseAddress("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "non-hex character"));
  EXPECT_THAT(ParseAddress(""), StatusIs(absl::StatusCode::kInvalidArgument));
}

// ---- U256 ----

TEST(U256, DecimalAndHexRoundTrip) {
  const char* kMax =
      "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  EXPECT_EQ(U256::Max().ToDecimal(), kMax);
  EXPECT_EQ(*U256::FromDecimal(kMax), U256::Max());
  EXPECT_EQ(U256().ToDecimal(), "0");
  EXPECT_EQ(U256(10000000000000000000ULL).ToDecimal(), "10000000000000000000");
  EXPECT_EQ(U256::FromHex("0x3814695e26625c000")->ToDecimal(), "64655529900000002048");
  EXPECT_EQ(U256::FromHex("0x0")->ToHex(), "0x0");
  EXPECT_EQ(U256::FromHex("0x00ff")->ToHex(), "0xff");
  EXPECT_EQ(U256::FromDecimal("1530219620000000000")->ToHex(), "0x153c6ea30e6ee800");
  uint8_t w[32];
  U256::Max().ToWord(w);
  EXPECT_EQ(*U256::FromBigEndian(ByteSpan(w, 32)), U256::Max());
  EXPECT_EQ(U256::FromLimbs(0, 1, 0, 0).ByteLength(), 9u);
}

TEST(U256, BadTextIsRejected) {
  EXPECT_THAT(U256::FromDecimal(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(U256::FromDecimal("12a"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(U256::FromDecimal(
                  "115792089237316195423570985008687907853269984665640564039457584007913129639936"),
              StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(U256::FromHex("0x1" + std::string(64, '0')), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(U256::FromHex("0x"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(U256::FromBigEndian(ByteSpan(std::vector<uint8_t>(33).data(), 33)),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(U256, ArithmeticReportsOverflow) {
  U256 r;
  EXPECT_FALSE(U256::CheckedAdd(U256::Max(), U256(1), &r));
  EXPECT_TRUE(U256::CheckedAdd(U256::FromLimbs(~0ULL, 0, 0, 0), U256(1), &r));
  EXPECT_EQ(r, U256::FromLimbs(0, 1, 0, 0));
  EXPECT_FALSE(U256::CheckedSub(U256(1), U256(2), &r));
  EXPECT_TRUE(U256::CheckedSub(U256::FromLimbs(0, 1, 0, 0), U256(1), &r));
  EXPECT_EQ(r, U256::FromLimbs(~0ULL, 0, 0, 0));
  EXPECT_TRUE(U256::CheckedMul(U256(21000), U256(50000000000ULL), &r));
  EXPECT_EQ(r.ToDecimal(), "1050000000000000");
  EXPECT_FALSE(U256::CheckedMul(U256::FromLimbs(0, 0, 1, 0), U256::FromLimbs(0, 0, 1, 0), &r));
  EXPECT_THAT(U256::Add(U256::Max(), U256::Max()), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_THAT(U256::Sub(U256(0), U256(1)), StatusIs(absl::StatusCode::kOutOfRange));
  EXPECT_LT(U256(5), U256::FromLimbs(0, 0, 0, 1));
  EXPECT_GT(U256::FromLimbs(0, 2, 0, 0), U256::FromLimbs(~0ULL, 1, 0, 0));
}

}  // namespace
}  // namespace ariadne::evm
