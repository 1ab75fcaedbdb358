#include "engine/core/script.h"

#include <cstring>
#include <initializer_list>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/core/hash.h"
#include "engine/core/strings.h"

namespace ariadne {
namespace {

// Opcodes used by the patterns below (Bitcoin Core's script/script.h).
constexpr uint8_t kOp0 = 0x00;
constexpr uint8_t kOpPushData1 = 0x4c;
constexpr uint8_t kOpPushData2 = 0x4d;
constexpr uint8_t kOpPushData4 = 0x4e;
constexpr uint8_t kOp1 = 0x51;
constexpr uint8_t kOp16 = 0x60;
constexpr uint8_t kOpReturn = 0x6a;
constexpr uint8_t kOpDup = 0x76;
constexpr uint8_t kOpEqual = 0x87;
constexpr uint8_t kOpEqualVerify = 0x88;
constexpr uint8_t kOpHash160 = 0xa9;
constexpr uint8_t kOpCheckSig = 0xac;
constexpr uint8_t kOpCheckMultisig = 0xae;

// Bitcoin Core's MAX_PUBKEYS_PER_MULTISIG: Solver() accepts bare multisig up to 20 keys (counts
// above 16 written as a one-byte push).
constexpr int kMaxMultisigKeys = 20;

constexpr std::string_view kTypeNames[kNumScriptTypes] = {
    "nonstandard", "p2pk", "p2pkh",    "p2sh",      "p2wpkh",
    "p2wsh",       "p2tr", "multisig", "op_return", "witness_unknown",
};

// One script operation: the opcode and, for pushes, the pushed bytes.
struct ScriptOp {
  uint8_t opcode = 0;
  const uint8_t* data = nullptr;
  size_t size = 0;
};

// Reads the operation at *pc (Bitcoin Core's GetScriptOp). Returns: false (leaving *pc unchanged)
// when no operation starts before `end` or a push runs past it; otherwise true, with *pc advanced.
inline bool ReadOp(const uint8_t** pc, const uint8_t* end, ScriptOp* op) {
  const uint8_t* p = *pc;
  if (p >= end) return false;
  const uint8_t opcode = *p++;
  size_t size = 0;
  if (opcode <= kOpPushData4) {
    const size_t avail = static_cast<size_t>(end - p);
    if (opcode < kOpPushData1) {
      size = opcode;
    } else if (opcode == kOpPushData1) {
      if (avail < 1) return false;
      size = p[0];
      p += 1;
    } else if (opcode == kOpPushData2) {
      if (avail < 2) return false;
      size = static_cast<size_t>(p[0]) | static_cast<size_t>(p[1]) << 8;
      p += 2;
    } else {
      if (avail < 4) return false;
      size = static_cast<size_t>(p[0]) | static_cast<size_t>(p[1]) << 8 |
             static_cast<size_t>(p[2]) << 16 | static_cast<size_t>(p[3]) << 24;
      p += 4;
    }
    if (static_cast<size_t>(end - p) < size) return false;
  }
  op->opcode = opcode;
  op->data = p;
  op->size = size;
  *pc = p + size;
  return true;
}

// Bitcoin Core's CPubKey::ValidSize: 33 bytes behind 02/03, or 65 bytes behind 04/06/07.
inline bool ValidKeySize(const uint8_t* data, size_t size) {
  if (size == 33) return data[0] == 0x02 || data[0] == 0x03;
  if (size == 65) return data[0] == 0x04 || data[0] == 0x06 || data[0] == 0x07;
  return false;
}

// Returns: the key count encoded by `op` (Core's GetScriptNumber): OP_1..OP_16, or a minimal
// one-byte push of 17..20; 0 for anything else.
inline int MultisigCount(const ScriptOp& op) {
  if (op.opcode >= kOp1 && op.opcode <= kOp16) return op.opcode - kOp1 + 1;
  // A minimal push of n <= 16 must be OP_n, and every other minimal number encoding is outside
  // 17..20, so a direct one-byte push of 0x11..0x14 is the only push Core accepts here.
  if (op.opcode == 1 && op.data[0] > 16 && op.data[0] <= kMaxMultisigKeys) return op.data[0];
  return 0;
}

// Bitcoin Core's MatchMultisig. Out: *num_keys (when non-null) the key count. Returns: true for
// <m> <key>*n <n> OP_CHECKMULTISIG with 1 <= m <= n <= 20 and keys of valid size.
bool MatchMultisig(ByteSpan script, int* num_keys) {
  if (script.empty() || script.back() != kOpCheckMultisig) return false;
  const uint8_t* pc = script.data();
  const uint8_t* const end = script.data() + script.size();
  ScriptOp op;
  if (!ReadOp(&pc, end, &op)) return false;
  const int required = MultisigCount(op);
  if (required == 0) return false;
  int keys = 0;
  bool more;
  while ((more = ReadOp(&pc, end, &op)) && ValidKeySize(op.data, op.size)) ++keys;
  if (!more) return false;
  const int n = MultisigCount(op);
  if (n < required || n != keys) return false;
  if (num_keys != nullptr) *num_keys = keys;
  return pc + 1 == end;
}

// Bitcoin Core's IsPushOnly over script[from..]: only push opcodes (up to OP_16, including
// OP_1NEGATE and OP_RESERVED), none truncated.
bool IsPushOnly(ByteSpan script, size_t from) {
  const uint8_t* pc = script.data() + from;
  const uint8_t* const end = script.data() + script.size();
  ScriptOp op;
  while (pc < end) {
    if (!ReadOp(&pc, end, &op) || op.opcode > kOp16) return false;
  }
  return true;
}

// Returns: the witness version of a script that is a witness program (Core's IsWitnessProgram:
// 4..42 bytes, OP_0 or OP_1..OP_16, then one direct push of the rest), or -1.
inline int WitnessVersion(ByteSpan s) {
  if (s.size() < 4 || s.size() > 42) return -1;
  if (static_cast<size_t>(s[1]) + 2 != s.size()) return -1;
  if (s[0] == kOp0) return 0;
  if (s[0] >= kOp1 && s[0] <= kOp16) return s[0] - kOp1 + 1;
  return -1;
}

AddressKey HashedKey(AddrKind kind, ByteSpan script) {
  AddressKey key;
  key.kind = kind;
  key.size = 32;
  const Uint256 h = Sha256(script);
  std::memcpy(key.payload.data(), h.data(), 32);
  return key;
}

AddressKey CopiedKey(AddrKind kind, const uint8_t* data, size_t size) {
  AddressKey key;
  key.kind = kind;
  key.size = static_cast<uint8_t>(size);
  std::memcpy(key.payload.data(), data, size);
  return key;
}

}  // namespace

std::string_view ScriptTypeName(ScriptType type) {
  const auto i = static_cast<size_t>(type);
  return i < static_cast<size_t>(kNumScriptTypes) ? kTypeNames[i] : std::string_view("invalid");
}

absl::StatusOr<ScriptType> ParseScriptType(std::string_view name) {
  for (int i = 0; i < kNumScriptTypes; ++i) {
    if (kTypeNames[i] == name) return static_cast<ScriptType>(i);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown script type '", AV(name),
                   "' (nonstandard, p2pk, p2pkh, p2sh, p2wpkh, p2wsh, p2tr, multisig, op_return, "
                   "witness_unknown)"));
}

ScriptType ClassifyScript(ByteSpan s) {
  const size_t n = s.size();
  if (n == 0) return ScriptType::kNonstandard;
  // Every pattern is told apart by its first byte, except witness programs and multisig (both may
  // start with OP_1..OP_16), which are tried in Core's order: witness program first.
  switch (s[0]) {
    case kOpDup:  // OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG
      return n == 25 && s[1] == kOpHash160 && s[2] == 20 && s[23] == kOpEqualVerify &&
                     s[24] == kOpCheckSig
                 ? ScriptType::kP2pkh
                 : ScriptType::kNonstandard;
    case kOpHash160:  // OP_HASH160 <20> OP_EQUAL
      return n == 23 && s[1] == 20 && s[22] == kOpEqual ? ScriptType::kP2sh
                                                        : ScriptType::kNonstandard;
    case 33:  // <33-byte key> OP_CHECKSIG
    case 65:  // <65-byte key> OP_CHECKSIG
      return n == static_cast<size_t>(s[0]) + 2 && s[n - 1] == kOpCheckSig &&
                     ValidKeySize(&s[1], s[0])
                 ? ScriptType::kP2pk
                 : ScriptType::kNonstandard;
    case kOpReturn:
      return IsPushOnly(s, 1) ? ScriptType::kOpReturn : ScriptType::kNonstandard;
    case kOp0: {
      if (WitnessVersion(s) != 0) return ScriptType::kNonstandard;
      if (n == 22) return ScriptType::kP2wpkh;
      if (n == 34) return ScriptType::kP2wsh;
      return ScriptType::kNonstandard;
    }
    case 1:  // a one-byte push: multisig with m of 17..20
      return MatchMultisig(s, nullptr) ? ScriptType::kMultisig : ScriptType::kNonstandard;
    default:
      break;
  }
  if (s[0] >= kOp1 && s[0] <= kOp16) {
    const int version = WitnessVersion(s);
    if (version == 1 && n == 34) return ScriptType::kP2tr;
    if (version > 0) return ScriptType::kWitnessUnknown;
    return MatchMultisig(s, nullptr) ? ScriptType::kMultisig : ScriptType::kNonstandard;
  }
  return ScriptType::kNonstandard;
}

AddressKey ScriptAddressKey(ByteSpan s, ScriptType type) {
  // Each case re-checks the sizes it reads, so a wrong `type` cannot read out of bounds; such a
  // script gets the nonstandard key.
  const size_t n = s.size();
  switch (type) {
    case ScriptType::kP2pk:
      if (n >= 1 && n == static_cast<size_t>(s[0]) + 2) {
        const Hash160Bytes h = Hash160(s.subspan(1, s[0]));
        return CopiedKey(AddrKind::kKeyHash, h.data(), h.size());
      }
      break;
    case ScriptType::kP2pkh:
      if (n == 25) return CopiedKey(AddrKind::kKeyHash, &s[3], 20);
      break;
    case ScriptType::kP2sh:
      if (n == 23) return CopiedKey(AddrKind::kScriptHash, &s[2], 20);
      break;
    case ScriptType::kP2wpkh:
      if (n == 22) return CopiedKey(AddrKind::kWitnessV0KeyHash, &s[2], 20);
      break;
    case ScriptType::kP2wsh:
      if (n == 34) return CopiedKey(AddrKind::kWitnessV0ScriptHash, &s[2], 32);
      break;
    case ScriptType::kP2tr:
      if (n == 34) return CopiedKey(AddrKind::kTaproot, &s[2], 32);
      break;
    case ScriptType::kWitnessUnknown: {
      const int version = WitnessVersion(s);
      if (version > 0) {
        AddressKey key = CopiedKey(AddrKind::kWitnessUnknown, &s[2], n - 2);
        key.witness_version = static_cast<uint8_t>(version);
        return key;
      }
      break;
    }
    case ScriptType::kMultisig:
      return HashedKey(AddrKind::kMultisig, s);
    case ScriptType::kOpReturn:
      return AddressKey{};
    case ScriptType::kNonstandard:
      break;
  }
  return HashedKey(AddrKind::kNonstandard, s);
}

std::vector<ByteSpan> MultisigKeys(ByteSpan script) {
  std::vector<ByteSpan> keys;
  int num_keys = 0;
  // ClassifyScript first: a witness program takes precedence over the multisig pattern.
  if (ClassifyScript(script) != ScriptType::kMultisig || !MatchMultisig(script, &num_keys)) {
    return keys;
  }
  keys.reserve(static_cast<size_t>(num_keys));
  const uint8_t* pc = script.data();
  const uint8_t* const end = script.data() + script.size();
  ScriptOp op;
  ReadOp(&pc, end, &op);  // m
  for (int i = 0; i < num_keys; ++i) {
    ReadOp(&pc, end, &op);
    keys.emplace_back(op.data, op.size);
  }
  return keys;
}

std::vector<uint8_t> ScriptForAddressKey(const AddressKey& key) {
  const ByteSpan b = key.bytes();
  auto with = [&b](std::initializer_list<uint8_t> head, std::initializer_list<uint8_t> tail) {
    std::vector<uint8_t> out;
    out.reserve(head.size() + b.size() + tail.size());
    out.insert(out.end(), head);
    out.insert(out.end(), b.begin(), b.end());
    out.insert(out.end(), tail);
    return out;
  };
  switch (key.kind) {
    case AddrKind::kKeyHash:
      if (b.size() == 20) return with({kOpDup, kOpHash160, 20}, {kOpEqualVerify, kOpCheckSig});
      break;
    case AddrKind::kScriptHash:
      if (b.size() == 20) return with({kOpHash160, 20}, {kOpEqual});
      break;
    case AddrKind::kWitnessV0KeyHash:
      if (b.size() == 20) return with({kOp0, 20}, {});
      break;
    case AddrKind::kWitnessV0ScriptHash:
      if (b.size() == 32) return with({kOp0, 32}, {});
      break;
    case AddrKind::kTaproot:
      if (b.size() == 32) return with({kOp1, 32}, {});
      break;
    case AddrKind::kWitnessUnknown:
      if (key.witness_version >= 1 && key.witness_version <= 16 && b.size() >= 2 &&
          b.size() <= 40) {
        return with(
            {static_cast<uint8_t>(kOp1 + key.witness_version - 1), static_cast<uint8_t>(b.size())},
            {});
      }
      break;
    case AddrKind::kNone:
    case AddrKind::kMultisig:
    case AddrKind::kNonstandard:
      break;
  }
  return {};
}

}  // namespace ariadne
