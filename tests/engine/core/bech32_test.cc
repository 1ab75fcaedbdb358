#include "engine/core/bech32.h"

#include <simdjson.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/core/hex.h"
#include "engine/core/script.h"
#include "tests/testutil.h"

namespace ariadne {
namespace {

using ::ariadne::testing::ReadFileText;
using ::ariadne::testing::TestData;
using ::testing::ElementsAreArray;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

// The BIP173/BIP350 vectors (sipa/bech32 ref/python/tests.py), parsed once per test.
class Bech32VectorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_TESTDATA();
    text_ = ReadFileText(TestData("bech32-vectors/bech32_bip173_bip350_vectors.json"));
    root_ = parser_.parse(text_).get_object();
  }
  simdjson::dom::array List(const char* name) { return root_[name].get_array(); }

  std::string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::object root_;
};

TEST_F(Bech32VectorsTest, ValidStringsDecodeWithTheirEncodingAndReencode) {
  size_t checked = 0;
  for (auto [list, encoding] : {std::pair{"VALID_BECH32", Bech32Encoding::kBech32},
                                std::pair{"VALID_BECH32M", Bech32Encoding::kBech32m}}) {
    for (simdjson::dom::element e : List(list)) {
      const std::string_view str = e.get_string();
      absl::StatusOr<Bech32Decoded> decoded = Bech32Decode(str);
      ASSERT_THAT(decoded, IsOk()) << list << " " << str;
      EXPECT_EQ(decoded->encoding, encoding) << str;
      EXPECT_EQ(Bech32Encode(decoded->hrp, decoded->data, decoded->encoding), Lower(str));
      ++checked;
    }
  }
  EXPECT_EQ(checked, 14u);
}

TEST_F(Bech32VectorsTest, InvalidStringsFail) {
  size_t checked = 0;
  for (const char* list : {"INVALID_BECH32", "INVALID_BECH32M"}) {
    for (simdjson::dom::element e : List(list)) {
      const std::string_view str = e.get_string();
      EXPECT_THAT(Bech32Decode(str), StatusIs(absl::StatusCode::kInvalidArgument))
          << list << " " << str;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 26u);
}

TEST_F(Bech32VectorsTest, ValidAddressesDecodeToTheirScriptAndReencode) {
  size_t checked = 0;
  for (simdjson::dom::element e : List("VALID_ADDRESS")) {
    simdjson::dom::array pair = e.get_array();
    const std::string_view addr = pair.at(0).get_string();
    const std::string_view script_hex = pair.at(1).get_string();
    const std::string hrp = Lower(addr.substr(0, 2));
    absl::StatusOr<SegwitProgram> program = DecodeSegwitAddress(hrp, addr);
    ASSERT_THAT(program, IsOk()) << addr;
    // scriptPubKey: OP_0 or OP_n, then a direct push of the program.
    const std::vector<uint8_t> script = HexDecode(script_hex).value();
    ASSERT_GE(script.size(), 2u);
    const uint8_t version_op = program->version == 0 ? 0 : 0x50 + program->version;
    EXPECT_EQ(script[0], version_op) << addr;
    EXPECT_EQ(script[1], program->program.size()) << addr;
    EXPECT_THAT(program->program, ElementsAreArray(script.begin() + 2, script.end())) << addr;
    EXPECT_EQ(EncodeSegwitAddress(hrp, program->version, program->program), Lower(addr));
    ++checked;
  }
  EXPECT_EQ(checked, 8u);
}

TEST_F(Bech32VectorsTest, InvalidAddressesFailUnderEveryHrp) {
  size_t checked = 0;
  for (simdjson::dom::element e : List("INVALID_ADDRESS")) {
    const std::string_view addr = e.get_string();
    for (const char* hrp : {"bc", "tb", "bcrt"}) {
      EXPECT_THAT(DecodeSegwitAddress(hrp, addr), StatusIs(absl::StatusCode::kInvalidArgument))
          << hrp << " " << addr;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 15u);
}

// The reference encoder refuses these (hrp, version, program length) triples; ours always encodes,
// so the check is that what it produces does not decode.
TEST_F(Bech32VectorsTest, UnencodableProgramsDoNotDecode) {
  size_t checked = 0;
  for (simdjson::dom::element e : List("INVALID_ADDRESS_ENC")) {
    simdjson::dom::array triple = e.get_array();
    const std::string_view hrp = triple.at(0).get_string();
    const uint64_t version = triple.at(1).get_uint64();
    const uint64_t length = triple.at(2).get_uint64();
    const std::vector<uint8_t> program(length, 0);
    const std::string addr = EncodeSegwitAddress(hrp, static_cast<uint8_t>(version), program);
    EXPECT_THAT(DecodeSegwitAddress(hrp, addr), StatusIs(absl::StatusCode::kInvalidArgument))
        << addr;
    EXPECT_THAT(DecodeSegwitAddress(Lower(hrp), addr), StatusIs(absl::StatusCode::kInvalidArgument))
        << addr;
    ++checked;
  }
  EXPECT_EQ(checked, 5u);
}

TEST(Bech32Test, EncodeDecodeRoundTrip) {
  const std::vector<uint8_t> values = {0, 1, 2, 31, 30, 16};
  for (Bech32Encoding enc : {Bech32Encoding::kBech32, Bech32Encoding::kBech32m}) {
    const std::string s = Bech32Encode("hrp", values, enc);
    absl::StatusOr<Bech32Decoded> decoded = Bech32Decode(s);
    ASSERT_THAT(decoded, IsOk()) << s;
    EXPECT_EQ(decoded->hrp, "hrp");
    EXPECT_EQ(decoded->data, values);
    EXPECT_EQ(decoded->encoding, enc);
  }
  EXPECT_NE(Bech32Encode("hrp", values, Bech32Encoding::kBech32),
            Bech32Encode("hrp", values, Bech32Encoding::kBech32m));
}

TEST(Bech32Test, UppercaseDecodesToLowercaseHrp) {
  absl::StatusOr<Bech32Decoded> decoded = Bech32Decode("A12UEL5L");
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(decoded->hrp, "a");
  EXPECT_TRUE(decoded->data.empty());
}

TEST(Bech32Test, ErrorsNameTheirCause) {
  EXPECT_THAT(Bech32Decode("A12uEL5L"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "mixes upper and lower"));
  EXPECT_THAT(Bech32Decode("pzry9x0s0muk"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "separator"));
  EXPECT_THAT(Bech32Decode("1pzry9x0s0muk"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "empty hrp"));
  EXPECT_THAT(Bech32Decode("a1qqqqq"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "checksum"));
  EXPECT_THAT(Bech32Decode("x1b4n0q5v"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "'b' at position 2"));
  EXPECT_THAT(Bech32Decode("a12uel5m"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "neither"));
  EXPECT_THAT(Bech32Decode(std::string(91, 'q')),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "exceeds 90"));
  EXPECT_THAT(Bech32Decode(" 1nwldj5"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "0x20 at position 0"));
}

TEST(Bech32Test, SegwitAddressChecksTheHrp) {
  const std::vector<uint8_t> program(20, 0xab);
  const std::string addr = EncodeSegwitAddress("tb", 0, program);
  EXPECT_THAT(DecodeSegwitAddress("tb", addr), IsOk());
  EXPECT_THAT(DecodeSegwitAddress("bc", addr),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "hrp 'tb'"));
}

TEST(Bech32Test, SegwitVersionMustMatchTheChecksumVariant) {
  const std::vector<uint8_t> program(32, 0x11);
  // Version 1 under bech32 (the pre-BIP350 encoding) and version 0 under bech32m are both invalid.
  const std::string good1 = EncodeSegwitAddress("bc", 1, program);
  absl::StatusOr<Bech32Decoded> d = Bech32Decode(good1);
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->encoding, Bech32Encoding::kBech32m);
  const std::string bad1 = Bech32Encode("bc", d->data, Bech32Encoding::kBech32);
  EXPECT_THAT(DecodeSegwitAddress("bc", bad1),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "bech32m"));
  std::vector<uint8_t> data0 = d->data;
  data0[0] = 0;
  const std::string bad0 = Bech32Encode("bc", data0, Bech32Encoding::kBech32m);
  EXPECT_THAT(DecodeSegwitAddress("bc", bad0), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeSegwitAddress("bc", Bech32Encode("bc", data0, Bech32Encoding::kBech32)),
              IsOk());
}

TEST(Bech32Test, SegwitProgramLengthLimits) {
  for (size_t len : {2u, 20u, 32u, 40u}) {
    const std::vector<uint8_t> program(len, 7);
    absl::StatusOr<SegwitProgram> p =
        DecodeSegwitAddress("bc", EncodeSegwitAddress("bc", 3, program));
    ASSERT_THAT(p, IsOk()) << len;
    EXPECT_EQ(p->version, 3);
    EXPECT_EQ(p->program, program);
  }
  for (size_t len : {1u, 41u}) {
    const std::vector<uint8_t> program(len, 7);
    EXPECT_THAT(DecodeSegwitAddress("bc", EncodeSegwitAddress("bc", 3, program)),
                StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "outside 2..40"))
        << len;
  }
  for (size_t len : {2u, 21u, 31u, 40u}) {
    const std::vector<uint8_t> program(len, 7);
    EXPECT_THAT(DecodeSegwitAddress("bc", EncodeSegwitAddress("bc", 0, program)),
                StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "must be 20 or 32"))
        << len;
  }
}

TEST(Bech32Test, SegwitRejectsNonZeroOrExcessPadding) {
  // 20 bytes = 160 bits = 32 groups exactly; one extra group is 5 bits of excess padding.
  std::vector<uint8_t> data = {0};
  data.resize(1 + 32, 0);
  EXPECT_THAT(DecodeSegwitAddress("bc", Bech32Encode("bc", data, Bech32Encoding::kBech32)), IsOk());
  data.push_back(0);
  EXPECT_THAT(DecodeSegwitAddress("bc", Bech32Encode("bc", data, Bech32Encoding::kBech32)),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "padding"));
  // 32 bytes = 256 bits = 52 groups with 4 padding bits, which must be zero.
  std::vector<uint8_t> data32(1 + 52, 0);
  EXPECT_THAT(DecodeSegwitAddress("bc", Bech32Encode("bc", data32, Bech32Encoding::kBech32)),
              IsOk());
  data32.back() = 1;
  EXPECT_THAT(DecodeSegwitAddress("bc", Bech32Encode("bc", data32, Bech32Encoding::kBech32)),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "padding"));
}

TEST(Bech32Test, SegwitRejectsVersionOver16AndMissingVersion) {
  std::vector<uint8_t> data(1 + 52, 0);
  data[0] = 17;
  EXPECT_THAT(DecodeSegwitAddress("bc", Bech32Encode("bc", data, Bech32Encoding::kBech32m)),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "over 16"));
  EXPECT_THAT(DecodeSegwitAddress("bc", Bech32Encode("bc", {}, Bech32Encoding::kBech32m)),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "no witness version"));
}

}  // namespace
}  // namespace ariadne
