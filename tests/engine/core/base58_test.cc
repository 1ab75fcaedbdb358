#include "engine/core/base58.h"

#include <simdjson.h>

#include <string>
#include <vector>

#include "engine/core/hex.h"
#include "engine/core/types.h"
#include "tests/testutil.h"

namespace ariadne {
namespace {

using ::ariadne::testing::ReadFileText;
using ::ariadne::testing::TestData;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;

std::vector<uint8_t> FromHex(std::string_view hex) { return HexDecode(hex).value(); }
std::vector<uint8_t> Text(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

TEST(Base58Test, CoreVectorsEncodeAndDecode) {
  REQUIRE_TESTDATA();
  const std::string text =
      ReadFileText(TestData("bitcoin-core-testdata/src/test/data/base58_encode_decode.json"));
  simdjson::dom::parser parser;
  simdjson::dom::array vectors = parser.parse(text).get_array();
  size_t checked = 0;
  for (simdjson::dom::element v : vectors) {
    simdjson::dom::array pair = v.get_array();
    ASSERT_EQ(pair.size(), 2u);
    const std::string_view hex = pair.at(0).get_string();
    const std::string_view b58 = pair.at(1).get_string();
    const std::vector<uint8_t> bytes = FromHex(hex);
    EXPECT_EQ(EncodeBase58(bytes), b58) << "hex " << hex;
    absl::StatusOr<std::vector<uint8_t>> decoded = DecodeBase58(b58, 256);
    ASSERT_THAT(decoded, IsOk()) << b58;
    EXPECT_THAT(*decoded, ElementsAreArray(bytes)) << b58;  // the file has hex in either case
    ++checked;
  }
  EXPECT_EQ(checked, vectors.size());
  EXPECT_EQ(checked, 21u);  // the vectors of Bitcoin Core's base58_tests.cpp
}

TEST(Base58Test, EmptyInputIsEmptyString) {
  EXPECT_EQ(EncodeBase58({}), "");
  EXPECT_THAT(DecodeBase58("", 10).value(), IsEmpty());
}

TEST(Base58Test, LeadingZeroBytesBecomeOnes) {
  EXPECT_EQ(EncodeBase58(FromHex("000000")), "111");
  EXPECT_EQ(EncodeBase58(FromHex("000001")), "112");
  EXPECT_THAT(DecodeBase58("112", 10).value(), ElementsAreArray(FromHex("000001")));
}

TEST(Base58Test, SurroundingWhitespaceIsIgnored) {
  absl::StatusOr<std::vector<uint8_t>> decoded = DecodeBase58(" \t\n\v\f\r 2g \r\n\t ", 10);
  ASSERT_THAT(decoded, IsOk());
  EXPECT_THAT(*decoded, ElementsAreArray(FromHex("61")));
  EXPECT_THAT(DecodeBase58(" \t\n ", 10).value(), IsEmpty());
}

TEST(Base58Test, InnerWhitespaceIsRejected) {
  EXPECT_THAT(DecodeBase58("2g 2g", 10),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "position 2"));
}

TEST(Base58Test, CharactersOutsideTheAlphabetAreNamedWithTheirPosition) {
  EXPECT_THAT(DecodeBase58("a0b", 10),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "'0' at position 1"));
  for (std::string_view bad : {"O", "I", "l", "+", "/"}) {
    EXPECT_THAT(DecodeBase58(bad, 10), StatusIs(absl::StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_THAT(DecodeBase58(std::string_view("2g\0a", 4), 10),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "0x00 at position 2"));
  EXPECT_THAT(DecodeBase58("2g\xff", 10),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "0xff"));
}

TEST(Base58Test, ResultLongerThanMaxLenIsRejected) {
  // "1111" is four zero bytes.
  EXPECT_THAT(DecodeBase58("1111", 4), IsOk());
  EXPECT_THAT(DecodeBase58("1111", 3), StatusIs(absl::StatusCode::kInvalidArgument));
  // "a3gV" is 626262.
  EXPECT_THAT(DecodeBase58("a3gV", 3), IsOk());
  EXPECT_THAT(DecodeBase58("a3gV", 2), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeBase58("1a3gV", 3), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeBase58("1a3gV", 0), StatusIs(absl::StatusCode::kInvalidArgument));
  // A long string against a small limit fails without working through all of it.
  EXPECT_THAT(DecodeBase58(std::string(1 << 20, 'z'), 32),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Base58Test, MaxLenOfSizeMaxIsNotAnOverflow) {
  EXPECT_THAT(DecodeBase58("a3gV", SIZE_MAX).value(), ElementsAreArray(FromHex("626262")));
  EXPECT_THAT(DecodeBase58Check("3vQB7B6MrGQZaxCuFg4oh", SIZE_MAX), IsOk());
}

TEST(Base58Test, CheckRoundTripsAndMatchesKnownStrings) {
  EXPECT_EQ(EncodeBase58Check(Text("hello world")), "3vQB7B6MrGQZaxCuFg4oh");
  absl::StatusOr<std::vector<uint8_t>> decoded = DecodeBase58Check("3vQB7B6MrGQZaxCuFg4oh", 100);
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(std::string(decoded->begin(), decoded->end()), "hello world");
  // The genesis coinbase's P2PKH address: version 0 || HASH160 of its key.
  const std::vector<uint8_t> genesis = FromHex("0062e907b15cbf27d5425399ebf6f0fb50ebb88f18");
  EXPECT_EQ(EncodeBase58Check(genesis), "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
  EXPECT_THAT(DecodeBase58Check("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", 21).value(),
              ElementsAreArray(genesis));
  EXPECT_EQ(EncodeBase58Check({}), "3QJmnh");
  EXPECT_THAT(DecodeBase58Check("3QJmnh", 0).value(), IsEmpty());
}

TEST(Base58Test, CheckRejectsABadChecksum) {
  EXPECT_THAT(DecodeBase58Check("3vQB7B6MrGQZaxCuFg4oi", 100),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "checksum"));
  EXPECT_THAT(DecodeBase58Check("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", 21),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "checksum"));
}

TEST(Base58Test, CheckRejectsStringsTooShortForAChecksum) {
  EXPECT_THAT(DecodeBase58Check("", 10),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "too short"));
  EXPECT_THAT(DecodeBase58Check("111", 10),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "too short"));
}

TEST(Base58Test, CheckRejectsAPayloadOverMaxLen) {
  EXPECT_THAT(DecodeBase58Check("3vQB7B6MrGQZaxCuFg4oh", 11), IsOk());
  EXPECT_THAT(DecodeBase58Check("3vQB7B6MrGQZaxCuFg4oh", 10),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "longer than 10 bytes"));
}

TEST(Base58Test, CheckPassesOnAlphabetErrors) {
  EXPECT_THAT(DecodeBase58Check("3vQB7B6MrGQZaxCuFg4oh0IOl", 100),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "position 21"));
}

// Found by address_fuzz: "0x" and 62 digits are 64 characters, which HexDecode made 31 bytes
// that the hash then read 32 of.
TEST(HexTest, AHashOfA0xPrefixAndSixtyTwoDigitsIsInvalidNotReadPastItsBytes) {
  const std::string prefixed = "0x" + std::string(62, 'a');
  EXPECT_EQ(Txid::FromHex(prefixed).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Txid::FromHex(std::string(64, 'a')).ok());
}

}  // namespace
}  // namespace ariadne
