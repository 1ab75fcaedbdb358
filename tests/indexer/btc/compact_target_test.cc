// The compact target encoding against Bitcoin Core's values (src/test/arith_uint256_tests.cpp,
// bignum_SetCompact), hashes read as numbers, and the chain work of real blocks.
#include "indexer/btc/compact_target.h"

#include "absl/strings/str_format.h"
#include "indexer/btc/chainwork.h"
#include "tests/testutil.h"

namespace ariadne::btc {
namespace {

struct CompactCase {
  uint32_t bits;
  const char* value;  // hex, without leading zeros ("" for zero)
  uint32_t compact;   // GetCompact of the value
  bool negative;
  bool overflow;
};

std::string Hex(const U256& v) {
  const auto& l = v.limbs();
  return absl::StrFormat("%016x%016x%016x%016x", l[3], l[2], l[1], l[0]);
}

TEST(CompactTarget, EncodingFollowsCore) {
  auto hex = [](std::string_view digits) {
    return std::string(64 - digits.size(), '0') + std::string(digits);
  };
  const std::vector<CompactCase> cases = {
      {0x00000000, "", 0, false, false},
      {0x00123456, "", 0, false, false},
      {0x01003456, "", 0, false, false},
      {0x02000056, "", 0, false, false},
      {0x03000000, "", 0, false, false},
      {0x04000000, "", 0, false, false},
      {0x00923456, "", 0, false, false},
      {0x01803456, "", 0, false, false},
      {0x02800056, "", 0, false, false},
      {0x03800000, "", 0, false, false},
      {0x04800000, "", 0, false, false},
      {0x01123456, "12", 0x01120000, false, false},
      {0x02123456, "1234", 0x02123400, false, false},
      {0x03123456, "123456", 0x03123456, false, false},
      {0x04123456, "12345600", 0x04123456, false, false},
      {0x04923456, "12345600", 0x04123456, true, false},
      {0x05009234, "92340000", 0x05009234, false, false},
      {0x20123456, "1234560000000000000000000000000000000000000000000000000000000000", 0x20123456,
       false, false},
  };
  for (const CompactCase& c : cases) {
    CompactFlags flags;
    const U256 v = TargetFromCompact(c.bits, &flags);
    EXPECT_EQ(Hex(v), hex(c.value)) << std::hex << c.bits;
    EXPECT_EQ(CompactFromTarget(v), c.compact) << std::hex << c.bits;
    EXPECT_EQ(flags.negative, c.negative) << std::hex << c.bits;
    EXPECT_EQ(flags.overflow, c.overflow) << std::hex << c.bits;
  }
  CompactFlags flags;
  TargetFromCompact(0xff123456, &flags);
  EXPECT_TRUE(flags.overflow);
  // A mantissa with the sign bit set moves down a byte: 0x80 at size 1 is 0x02008000.
  EXPECT_EQ(CompactFromTarget(U256(0x80)), 0x02008000u);
}

TEST(CompactTarget, TheGenesisHashMeetsItsTarget) {
  const BlockHash genesis =
      *BlockHash::FromHex("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
  EXPECT_EQ(Hex(HashAsNumber(genesis)),
            "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
  EXPECT_LT(HashAsNumber(genesis), TargetFromCompact(0x1d00ffff));
  EXPECT_GT(HashAsNumber(genesis), TargetFromCompact(0x1a00ffff));
}

TEST(ChainWork, RealBlocksWork) {
  // Core's chainwork of the genesis block and of block 4521 (every block of difficulty 1).
  EXPECT_EQ(ChainWork::FromBits(0x1d00ffff).ToHex(), std::string(55, '0') + "100010001");
  ChainWork total;
  for (int i = 0; i < 4522; ++i) total += ChainWork::FromBits(0x1d00ffff);
  EXPECT_EQ(total.ToHex(), std::string(52, '0') + "11aa11aa11aa");
  EXPECT_EQ(ChainWork::FromBits(0x207fffff).ToHex(), std::string(63, '0') + "2");
  EXPECT_EQ(ChainWork::FromBits(0x04923456), ChainWork());  // negative
  EXPECT_EQ(ChainWork::FromBits(0xff123456), ChainWork());  // overflow
}

}  // namespace
}  // namespace ariadne::btc
