#include "engine/core/script.h"

#include <initializer_list>
#include <string>
#include <vector>

#include "engine/core/hash.h"
#include "engine/core/hex.h"
#include "tests/testutil.h"

namespace ariadne {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr uint8_t kOp0 = 0x00;
constexpr uint8_t kOpPushData1 = 0x4c;
constexpr uint8_t kOpPushData2 = 0x4d;
constexpr uint8_t kOp1Negate = 0x4f;
constexpr uint8_t kOpReserved = 0x50;
constexpr uint8_t kOp1 = 0x51;
constexpr uint8_t kOp16 = 0x60;
constexpr uint8_t kOpReturn = 0x6a;
constexpr uint8_t kOpDup = 0x76;
constexpr uint8_t kOpEqual = 0x87;
constexpr uint8_t kOpEqualVerify = 0x88;
constexpr uint8_t kOpHash160 = 0xa9;
constexpr uint8_t kOpCheckSig = 0xac;
constexpr uint8_t kOpCheckMultisig = 0xae;

constexpr char kGenesisKey[] =
    "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec1"
    "12de5c384df7ba0b8d578a4c702b6bf11d5f";

// A script assembled from pieces: single opcodes and byte strings appended as they are.
class Script {
 public:
  Script& Op(uint8_t op) {
    bytes_.push_back(op);
    return *this;
  }
  Script& Raw(const std::vector<uint8_t>& b) {
    bytes_.insert(bytes_.end(), b.begin(), b.end());
    return *this;
  }
  // A direct push (size < 0x4c) of `b`.
  Script& Push(const std::vector<uint8_t>& b) { return Op(static_cast<uint8_t>(b.size())).Raw(b); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  operator ByteSpan() const { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

std::vector<uint8_t> Filled(size_t n, uint8_t first, uint8_t fill) {
  std::vector<uint8_t> v(n, fill);
  if (n > 0) v[0] = first;
  return v;
}
std::vector<uint8_t> Key33(uint8_t fill, uint8_t prefix = 0x02) { return Filled(33, prefix, fill); }
std::vector<uint8_t> Key65(uint8_t fill, uint8_t prefix = 0x04) { return Filled(65, prefix, fill); }

Script P2pk(const std::vector<uint8_t>& key) { return Script().Push(key).Op(kOpCheckSig); }

// <m> <keys...> <n> OP_CHECKMULTISIG with small-integer m and n.
Script Multisig(int m, const std::vector<std::vector<uint8_t>>& keys, int n) {
  Script s;
  s.Op(static_cast<uint8_t>(kOp1 + m - 1));
  for (const auto& k : keys) s.Push(k);
  s.Op(static_cast<uint8_t>(kOp1 + n - 1)).Op(kOpCheckMultisig);
  return s;
}

Script Witness(uint8_t version, size_t len) {
  return Script()
      .Op(version == 0 ? kOp0 : static_cast<uint8_t>(kOp1 + version - 1))
      .Push(std::vector<uint8_t>(len, 0x5a));
}

TEST(ScriptTypeTest, NamesRoundTrip) {
  for (int i = 0; i < kNumScriptTypes; ++i) {
    const auto type = static_cast<ScriptType>(i);
    absl::StatusOr<ScriptType> parsed = ParseScriptType(ScriptTypeName(type));
    ASSERT_THAT(parsed, IsOk()) << i;
    EXPECT_EQ(*parsed, type);
  }
  EXPECT_EQ(ScriptTypeName(ScriptType::kP2pk), "p2pk");
  EXPECT_EQ(ScriptTypeName(ScriptType::kOpReturn), "op_return");
  EXPECT_EQ(ScriptTypeName(ScriptType::kWitnessUnknown), "witness_unknown");
}

TEST(ScriptTypeTest, UnknownNamesAreInvalidArgument) {
  EXPECT_THAT(ParseScriptType("P2PKH"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "'P2PKH'"));
  EXPECT_THAT(ParseScriptType(""), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseScriptType("pubkeyhash"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ClassifyScriptTest, EmptyAndGarbageAreNonstandard) {
  EXPECT_EQ(ClassifyScript({}), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Script().Op(kOpCheckSig)), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Script().Op(kOp1)), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Script().Op(kOp0)), ScriptType::kNonstandard);
}

TEST(ClassifyScriptTest, P2pkh) {
  const std::vector<uint8_t> hash(20, 0x11);
  Script s = Script().Op(kOpDup).Op(kOpHash160).Push(hash).Op(kOpEqualVerify).Op(kOpCheckSig);
  EXPECT_EQ(ClassifyScript(s), ScriptType::kP2pkh);
  Script wrong_end = Script().Op(kOpDup).Op(kOpHash160).Push(hash).Op(kOpEqual).Op(kOpCheckSig);
  EXPECT_EQ(ClassifyScript(wrong_end), ScriptType::kNonstandard);
  Script extra = s;
  extra.Op(kOpCheckSig);
  EXPECT_EQ(ClassifyScript(extra), ScriptType::kNonstandard);
  Script short_hash = Script().Op(kOpDup).Op(kOpHash160).Push(std::vector<uint8_t>(19, 1));
  short_hash.Op(kOpEqualVerify).Op(kOpCheckSig);
  EXPECT_EQ(ClassifyScript(short_hash), ScriptType::kNonstandard);
}

TEST(ClassifyScriptTest, P2sh) {
  Script s = Script().Op(kOpHash160).Push(std::vector<uint8_t>(20, 0x22)).Op(kOpEqual);
  EXPECT_EQ(ClassifyScript(s), ScriptType::kP2sh);
  Script verify = Script().Op(kOpHash160).Push(std::vector<uint8_t>(20, 0x22)).Op(kOpEqualVerify);
  EXPECT_EQ(ClassifyScript(verify), ScriptType::kNonstandard);
  Script long_hash = Script().Op(kOpHash160).Push(std::vector<uint8_t>(21, 0x22)).Op(kOpEqual);
  EXPECT_EQ(ClassifyScript(long_hash), ScriptType::kNonstandard);
}

TEST(ClassifyScriptTest, P2pkAcceptsEveryValidKeySize) {
  EXPECT_EQ(ClassifyScript(P2pk(Key33(1, 0x02))), ScriptType::kP2pk);
  EXPECT_EQ(ClassifyScript(P2pk(Key33(1, 0x03))), ScriptType::kP2pk);
  EXPECT_EQ(ClassifyScript(P2pk(Key65(1, 0x04))), ScriptType::kP2pk);
  // Hybrid keys (06/07) have a valid size in Bitcoin Core (CPubKey::ValidSize).
  EXPECT_EQ(ClassifyScript(P2pk(Key65(1, 0x06))), ScriptType::kP2pk);
  EXPECT_EQ(ClassifyScript(P2pk(Key65(1, 0x07))), ScriptType::kP2pk);
  EXPECT_EQ(ClassifyScript(P2pk(HexDecode(kGenesisKey).value())), ScriptType::kP2pk);
}

TEST(ClassifyScriptTest, P2pkWithBadKeySizeIsNonstandard) {
  EXPECT_EQ(ClassifyScript(P2pk(Key33(1, 0x04))), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(P2pk(Key33(1, 0x00))), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(P2pk(Key65(1, 0x02))), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(P2pk(Key65(1, 0x05))), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(P2pk(Filled(32, 0x02, 1))), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(P2pk(Filled(34, 0x02, 1))), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(P2pk(Filled(64, 0x04, 1))), ScriptType::kNonstandard);
  // The key alone, or followed by something other than OP_CHECKSIG.
  EXPECT_EQ(ClassifyScript(Script().Push(Key33(1))), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Script().Push(Key33(1)).Op(kOpCheckMultisig)), ScriptType::kNonstandard);
  // A key pushed with OP_PUSHDATA1 is not the P2PK template.
  Script pushdata = Script().Op(kOpPushData1).Op(33).Raw(Key33(1)).Op(kOpCheckSig);
  EXPECT_EQ(ClassifyScript(pushdata), ScriptType::kNonstandard);
}

TEST(ClassifyScriptTest, MultisigOneOfOneAndThreeOfThree) {
  EXPECT_EQ(ClassifyScript(Multisig(1, {Key33(1)}, 1)), ScriptType::kMultisig);
  EXPECT_EQ(ClassifyScript(Multisig(3, {Key33(1), Key65(2), Key33(3, 0x03)}, 3)),
            ScriptType::kMultisig);
  EXPECT_EQ(ClassifyScript(Multisig(1, {Key33(1), Key65(2), Key33(3, 0x03)}, 3)),
            ScriptType::kMultisig);
  std::vector<std::vector<uint8_t>> sixteen;
  for (int i = 0; i < 16; ++i) sixteen.push_back(Key33(static_cast<uint8_t>(i)));
  EXPECT_EQ(ClassifyScript(Multisig(16, sixteen, 16)), ScriptType::kMultisig);
}

TEST(ClassifyScriptTest, MultisigWithMOverNIsNonstandard) {
  EXPECT_EQ(ClassifyScript(Multisig(3, {Key33(1), Key33(2)}, 2)), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Multisig(2, {Key33(1)}, 1)), ScriptType::kNonstandard);
}

TEST(ClassifyScriptTest, MultisigCountsMustMatchTheKeys) {
  EXPECT_EQ(ClassifyScript(Multisig(1, {Key33(1), Key33(2)}, 3)), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Multisig(1, {Key33(1), Key33(2), Key33(3)}, 2)),
            ScriptType::kNonstandard);
  // No keys at all.
  EXPECT_EQ(ClassifyScript(Script().Op(kOp1).Op(kOp1).Op(kOpCheckMultisig)),
            ScriptType::kNonstandard);
}

TEST(ClassifyScriptTest, MultisigRejectsZeroAndOtherCountEncodings) {
  // m = 0 (OP_0).
  Script zero = Script().Op(kOp0).Push(Key33(1)).Op(kOp1).Op(kOpCheckMultisig);
  EXPECT_EQ(ClassifyScript(zero), ScriptType::kNonstandard);
  // m = 1 as a one-byte push is not minimal (Core's GetScriptNumber requires OP_1).
  Script pushed = Script().Push({1}).Push(Key33(1)).Op(kOp1).Op(kOpCheckMultisig);
  EXPECT_EQ(ClassifyScript(pushed), ScriptType::kNonstandard);
  // OP_1NEGATE is not a count.
  Script neg = Script().Op(kOp1Negate).Push(Key33(1)).Op(kOp1).Op(kOpCheckMultisig);
  EXPECT_EQ(ClassifyScript(neg), ScriptType::kNonstandard);
}

TEST(ClassifyScriptTest, MultisigAboveSixteenKeysFollowsCore) {
  // Bitcoin Core's Solver accepts up to 20 keys, counts above 16 as a minimal one-byte push.
  std::vector<std::vector<uint8_t>> keys;
  for (int i = 0; i < 17; ++i) keys.push_back(Key33(static_cast<uint8_t>(i)));
  auto build = [&keys](uint8_t m, uint8_t n) {
    Script s;
    if (m <= 16) {
      s.Op(static_cast<uint8_t>(kOp1 + m - 1));
    } else {
      s.Push({m});
    }
    for (const auto& k : keys) s.Push(k);
    s.Push({n}).Op(kOpCheckMultisig);
    return s;
  };
  EXPECT_EQ(ClassifyScript(build(2, 17)), ScriptType::kMultisig);
  EXPECT_EQ(ClassifyScript(build(17, 17)), ScriptType::kMultisig);
  EXPECT_EQ(ClassifyScript(build(18, 17)), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(build(2, 18)), ScriptType::kNonstandard);
  while (keys.size() < 21) keys.push_back(Key33(0x77));
  EXPECT_EQ(ClassifyScript(build(2, 21)), ScriptType::kNonstandard);  // over 20 keys
  keys.pop_back();
  EXPECT_EQ(ClassifyScript(build(20, 20)), ScriptType::kMultisig);
}

TEST(ClassifyScriptTest, MultisigRejectsBadKeysAndTrailingBytes) {
  EXPECT_EQ(ClassifyScript(Multisig(1, {Key33(1), Filled(32, 0x02, 1)}, 2)),
            ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Multisig(1, {Key33(1, 0x04)}, 1)), ScriptType::kNonstandard);
  Script trailing = Multisig(1, {Key33(1)}, 1);
  trailing.Op(kOpCheckMultisig);
  EXPECT_EQ(ClassifyScript(trailing), ScriptType::kNonstandard);
  // CHECKMULTISIG inside the last key's push: the script ends in 0xae but is not the template.
  Script inside = Script().Op(kOp1).Push(Key33(1)).Push(Filled(33, 0x02, 0xae));
  EXPECT_EQ(ClassifyScript(inside), ScriptType::kNonstandard);
}

TEST(ClassifyScriptTest, MultisigAcceptsNonMinimalKeyPushesLikeCore) {
  Script s = Script().Op(kOp1).Op(kOpPushData1).Op(33).Raw(Key33(1)).Op(kOp1).Op(kOpCheckMultisig);
  EXPECT_EQ(ClassifyScript(s), ScriptType::kMultisig);
  EXPECT_THAT(MultisigKeys(s), ElementsAre(::testing::SizeIs(33)));
}

TEST(ClassifyScriptTest, OpReturnAlone) {
  EXPECT_EQ(ClassifyScript(Script().Op(kOpReturn)), ScriptType::kOpReturn);
}

TEST(ClassifyScriptTest, OpReturnWithPushes) {
  EXPECT_EQ(ClassifyScript(Script().Op(kOpReturn).Push(std::vector<uint8_t>(20, 0x33))),
            ScriptType::kOpReturn);
  EXPECT_EQ(ClassifyScript(
                Script().Op(kOpReturn).Op(kOpPushData1).Op(80).Raw(std::vector<uint8_t>(80, 1))),
            ScriptType::kOpReturn);
  EXPECT_EQ(ClassifyScript(Script().Op(kOpReturn).Op(kOpPushData2).Op(1).Op(0).Raw({9})),
            ScriptType::kOpReturn);
  // Every opcode up to OP_16 counts as a push, including OP_1NEGATE and OP_RESERVED.
  EXPECT_EQ(ClassifyScript(
                Script().Op(kOpReturn).Op(kOp0).Op(kOp1Negate).Op(kOpReserved).Op(kOp1).Op(kOp16)),
            ScriptType::kOpReturn);
}

TEST(ClassifyScriptTest, OpReturnWithNonPushDataIsNonstandard) {
  EXPECT_EQ(ClassifyScript(Script().Op(kOpReturn).Op(kOpDup)), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Script().Op(kOpReturn).Push({1, 2}).Op(0x61)),  // OP_NOP
            ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Script().Op(kOpReturn).Op(kOpReturn)), ScriptType::kNonstandard);
}

TEST(ClassifyScriptTest, OpReturnWithTruncatedPushIsNonstandard) {
  EXPECT_EQ(ClassifyScript(Script().Op(kOpReturn).Op(5).Raw({1, 2})), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Script().Op(kOpReturn).Op(kOpPushData1)), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Script().Op(kOpReturn).Op(kOpPushData2).Op(1)),
            ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Script().Op(kOpReturn).Op(0x4e).Op(0xff).Op(0xff).Op(0xff).Op(0xff)),
            ScriptType::kNonstandard);
}

TEST(ClassifyScriptTest, WitnessProgramsByVersionAndLength) {
  EXPECT_EQ(ClassifyScript(Witness(0, 20)), ScriptType::kP2wpkh);
  EXPECT_EQ(ClassifyScript(Witness(0, 32)), ScriptType::kP2wsh);
  EXPECT_EQ(ClassifyScript(Witness(1, 32)), ScriptType::kP2tr);
  EXPECT_EQ(ClassifyScript(Witness(1, 20)), ScriptType::kWitnessUnknown);
  EXPECT_EQ(ClassifyScript(Witness(2, 32)), ScriptType::kWitnessUnknown);
  EXPECT_EQ(ClassifyScript(Witness(16, 40)), ScriptType::kWitnessUnknown);
  EXPECT_EQ(ClassifyScript(Witness(3, 2)), ScriptType::kWitnessUnknown);
  // Pay-to-anchor (OP_1 <4e73>) is a version 1 program of 2 bytes: Core's ANCHOR, ours unknown.
  EXPECT_EQ(ClassifyScript(HexDecode("51024e73").value()), ScriptType::kWitnessUnknown);
}

TEST(ClassifyScriptTest, VersionZeroOfOtherLengthIsNonstandard) {
  EXPECT_EQ(ClassifyScript(Witness(0, 25)), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Witness(0, 2)), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Witness(0, 40)), ScriptType::kNonstandard);
}

TEST(ClassifyScriptTest, ProgramsOutsideTwoToFortyBytesAreNotWitnessPrograms) {
  EXPECT_EQ(ClassifyScript(Witness(1, 1)), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Witness(1, 41)), ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Witness(0, 41)), ScriptType::kNonstandard);
  // The program must be one direct push covering the rest of the script.
  Script pushdata = Script().Op(kOp0).Op(kOpPushData1).Op(20).Raw(std::vector<uint8_t>(20, 1));
  EXPECT_EQ(ClassifyScript(pushdata), ScriptType::kNonstandard);
  Script trailing = Witness(1, 32);
  trailing.Op(kOp1);
  EXPECT_EQ(ClassifyScript(trailing), ScriptType::kNonstandard);
  // OP_1NEGATE and OP_RESERVED are not witness versions.
  EXPECT_EQ(ClassifyScript(Script().Op(kOp1Negate).Push(std::vector<uint8_t>(32, 1))),
            ScriptType::kNonstandard);
  EXPECT_EQ(ClassifyScript(Script().Op(kOpReserved).Push(std::vector<uint8_t>(32, 1))),
            ScriptType::kNonstandard);
}

TEST(ScriptAddressKeyTest, GenesisP2pkIsAttributedToItsKeyHash) {
  const std::vector<uint8_t> key = HexDecode(kGenesisKey).value();
  Script genesis = P2pk(key);
  ASSERT_EQ(genesis.bytes().size(), 67u);
  EXPECT_EQ(ClassifyScript(genesis), ScriptType::kP2pk);
  const AddressKey a = ScriptAddressKey(genesis);
  EXPECT_EQ(a.kind, AddrKind::kKeyHash);
  EXPECT_EQ(HexEncode(a.bytes()), "62e907b15cbf27d5425399ebf6f0fb50ebb88f18");
  // The same key as the P2PKH output of that hash.
  Script p2pkh = Script()
                     .Op(kOpDup)
                     .Op(kOpHash160)
                     .Push(std::vector<uint8_t>(a.bytes().begin(), a.bytes().end()));
  p2pkh.Op(kOpEqualVerify).Op(kOpCheckSig);
  EXPECT_EQ(ScriptAddressKey(p2pkh), a);
}

TEST(ScriptAddressKeyTest, CompressedP2pkHashesTheKeyAsWritten) {
  const std::vector<uint8_t> key = Key33(0x42, 0x03);
  const AddressKey a = ScriptAddressKey(P2pk(key));
  const Hash160Bytes h = Hash160(key);
  EXPECT_EQ(a.kind, AddrKind::kKeyHash);
  EXPECT_EQ(HexEncode(a.bytes()), HexEncode(h));
}

TEST(ScriptAddressKeyTest, HashAndWitnessKinds) {
  Script p2sh = Script().Op(kOpHash160).Push(std::vector<uint8_t>(20, 0x22)).Op(kOpEqual);
  const AddressKey sh = ScriptAddressKey(p2sh);
  EXPECT_EQ(sh.kind, AddrKind::kScriptHash);
  EXPECT_EQ(HexEncode(sh.bytes()), std::string(40, '2'));

  EXPECT_EQ(ScriptAddressKey(Witness(0, 20)).kind, AddrKind::kWitnessV0KeyHash);
  EXPECT_EQ(ScriptAddressKey(Witness(0, 32)).kind, AddrKind::kWitnessV0ScriptHash);
  const AddressKey tr = ScriptAddressKey(Witness(1, 32));
  EXPECT_EQ(tr.kind, AddrKind::kTaproot);
  EXPECT_EQ(tr.size, 32);
  EXPECT_EQ(tr.witness_version, 0);
  const AddressKey unknown = ScriptAddressKey(Witness(5, 7));
  EXPECT_EQ(unknown.kind, AddrKind::kWitnessUnknown);
  EXPECT_EQ(unknown.witness_version, 5);
  EXPECT_EQ(HexEncode(unknown.bytes()), "5a5a5a5a5a5a5a");
}

TEST(ScriptAddressKeyTest, MultisigNonstandardAndOpReturn) {
  Script ms = Multisig(1, {Key33(1), Key33(2)}, 2);
  const AddressKey m = ScriptAddressKey(ms);
  EXPECT_EQ(m.kind, AddrKind::kMultisig);
  EXPECT_EQ(HexEncode(m.bytes()), HexEncode(Sha256(ms).span()));

  Script odd = Script().Op(kOpDup).Op(kOpDup);
  const AddressKey n = ScriptAddressKey(odd);
  EXPECT_EQ(n.kind, AddrKind::kNonstandard);
  EXPECT_EQ(HexEncode(n.bytes()), HexEncode(Sha256(odd).span()));
  // The same bytes as a multisig and as a nonstandard script are different identities.
  EXPECT_FALSE(ScriptAddressKey(ms, ScriptType::kNonstandard) == m);

  const AddressKey none = ScriptAddressKey(Script().Op(kOpReturn).Push({1, 2, 3}));
  EXPECT_EQ(none.kind, AddrKind::kNone);
  EXPECT_EQ(none.size, 0);
}

TEST(ScriptAddressKeyTest, AMismatchedTypeFallsBackToTheScriptHash) {
  Script tiny = Script().Op(kOp1);
  for (int i = 0; i < kNumScriptTypes; ++i) {
    const auto type = static_cast<ScriptType>(i);
    if (type == ScriptType::kOpReturn || type == ScriptType::kMultisig) continue;
    const AddressKey k = ScriptAddressKey(tiny, type);
    EXPECT_EQ(k.kind, AddrKind::kNonstandard) << ScriptTypeName(type);
    EXPECT_EQ(k.size, 32) << ScriptTypeName(type);
  }
  EXPECT_EQ(ScriptAddressKey(ByteSpan(), ScriptType::kP2pk).kind, AddrKind::kNonstandard);
}

TEST(MultisigKeysTest, ReturnsTheKeysInOrder) {
  const std::vector<uint8_t> k1 = Key33(1), k2 = Key65(2), k3 = Key33(3, 0x03);
  Script ms = Multisig(2, {k1, k2, k3}, 3);
  const std::vector<ByteSpan> keys = MultisigKeys(ms);
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(HexEncode(keys[0]), HexEncode(k1));
  EXPECT_EQ(HexEncode(keys[1]), HexEncode(k2));
  EXPECT_EQ(HexEncode(keys[2]), HexEncode(k3));
  // The spans point into the script.
  EXPECT_EQ(keys[0].data(), ms.bytes().data() + 2);
}

TEST(MultisigKeysTest, EmptyForOtherTypes) {
  EXPECT_THAT(MultisigKeys(P2pk(Key33(1))), IsEmpty());
  EXPECT_THAT(MultisigKeys(Multisig(3, {Key33(1), Key33(2)}, 2)), IsEmpty());
  EXPECT_THAT(MultisigKeys(Witness(1, 32)), IsEmpty());
  EXPECT_THAT(MultisigKeys({}), IsEmpty());
}

TEST(ScriptForAddressKeyTest, RebuildsStandardScripts) {
  for (const Script& s :
       {Script()
            .Op(kOpDup)
            .Op(kOpHash160)
            .Push(std::vector<uint8_t>(20, 9))
            .Op(kOpEqualVerify)
            .Op(kOpCheckSig),
        Script().Op(kOpHash160).Push(std::vector<uint8_t>(20, 8)).Op(kOpEqual), Witness(0, 20),
        Witness(0, 32), Witness(1, 32), Witness(2, 2), Witness(16, 40)}) {
    EXPECT_EQ(HexEncode(ScriptForAddressKey(ScriptAddressKey(s))), HexEncode(s.bytes()));
  }
}

TEST(ScriptForAddressKeyTest, EmptyForKindsWithoutAScript) {
  EXPECT_THAT(ScriptForAddressKey(AddressKey{}), IsEmpty());
  EXPECT_THAT(ScriptForAddressKey(ScriptAddressKey(Multisig(1, {Key33(1)}, 1))), IsEmpty());
  EXPECT_THAT(ScriptForAddressKey(ScriptAddressKey(Script().Op(kOpDup))), IsEmpty());
  // A key whose size does not fit its kind has no script either.
  AddressKey bad;
  bad.kind = AddrKind::kKeyHash;
  bad.size = 19;
  EXPECT_THAT(ScriptForAddressKey(bad), IsEmpty());
  bad.kind = AddrKind::kWitnessUnknown;
  bad.witness_version = 0;
  bad.size = 20;
  EXPECT_THAT(ScriptForAddressKey(bad), IsEmpty());
}

TEST(ScriptForAddressKeyTest, P2pkKeyRebuildsAsP2pkh) {
  const AddressKey a = ScriptAddressKey(P2pk(Key65(3)));
  const std::vector<uint8_t> script = ScriptForAddressKey(a);
  EXPECT_EQ(ClassifyScript(script), ScriptType::kP2pkh);
  EXPECT_EQ(ScriptAddressKey(script), a);
}

}  // namespace
}  // namespace ariadne
