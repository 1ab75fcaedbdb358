// 256-bit target arithmetic against Bitcoin Core's values (src/test/arith_uint256_tests.cpp,
// bignum_SetCompact) and the chain work of real blocks.
#include "indexer/btc/arith256.h"

#include "indexer/btc/chainwork.h"
#include "tests/testutil.h"

namespace ariadne::btc {
namespace {

struct CompactCase {
  uint32_t bits;
  const char* value;  // 64 hex digits
  uint32_t compact;   // GetCompact of the value
  bool negative;
  bool overflow;
};

TEST(Arith256, CompactEncodingFollowsCore) {
  const std::string zero(64, '0');
  auto hex = [](std::string_view tail) {
    return std::string(64 - tail.size(), '0') + std::string(tail);
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
    Arith256::Compact flags;
    const Arith256 v = Arith256::FromCompact(c.bits, &flags);
    EXPECT_EQ(v.ToHex(), c.value[0] == 0 ? zero : hex(c.value)) << std::hex << c.bits;
    EXPECT_EQ(v.ToCompact(), c.compact) << std::hex << c.bits;
    EXPECT_EQ(flags.negative, c.negative) << std::hex << c.bits;
    EXPECT_EQ(flags.overflow, c.overflow) << std::hex << c.bits;
  }
  Arith256::Compact flags;
  Arith256::FromCompact(0xff123456, &flags);
  EXPECT_TRUE(flags.overflow);
  // A mantissa with the sign bit set moves down a byte: 0x80 at size 1 is 0x02008000.
  EXPECT_EQ(Arith256(0x80).ToCompact(), 0x02008000u);
}

TEST(Arith256, RetargetArithmeticWrapsLikeCore) {
  // Signet's limit times four periods just fits 256 bits; one more doubling wraps.
  Arith256 a =
      Arith256::FromHex("00000377ae000000000000000000000000000000000000000000000000000000");
  a *= 4 * 1209600;
  EXPECT_EQ(a.ToHex(), "ffffba1800000000000000000000000000000000000000000000000000000000");
  a *= 2;
  EXPECT_EQ(a.ToHex(), "ffff743000000000000000000000000000000000000000000000000000000000");
  a /= 3;
  EXPECT_EQ(a.ToHex(), "555526baaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  EXPECT_EQ(Arith256(1000).DividedBy(Arith256(7)), Arith256(142));
  const Arith256 big = Arith256::FromHex(std::string(64, 'f'));
  EXPECT_EQ(big.DividedBy(Arith256::FromHex("8" + std::string(63, '0'))), Arith256(1));
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
