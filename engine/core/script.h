// Output script classification and the address an output is attributed to.
//
// Attribution rules (docs/schema.md, DESIGN.md "Address convention"):
//   p2pk          -> the P2PKH address of its key (kind kKeyHash, hash160 of the pubkey as
//   written);
//                    the output keeps its type p2pk
//   p2pkh         -> kKeyHash, the 20-byte hash
//   p2sh          -> kScriptHash, the 20-byte hash
//   p2wpkh/p2wsh  -> kWitnessV0KeyHash (20) / kWitnessV0ScriptHash (32), the witness program
//   p2tr          -> kTaproot, the 32-byte output key
//   witness_unknown -> kWitnessUnknown, witness version + program (2..40 bytes)
//   multisig      -> kMultisig, SHA-256 of the script (one pseudo-address per distinct script); the
//                    keys are available through MultisigKeys()
//   op_return     -> kNone (no address)
//   nonstandard   -> kNonstandard, SHA-256 of the script
#ifndef ARIADNE_ENGINE_CORE_SCRIPT_H_
#define ARIADNE_ENGINE_CORE_SCRIPT_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/types.h"

namespace ariadne {

enum class ScriptType : uint8_t {
  kNonstandard = 0,
  kP2pk = 1,
  kP2pkh = 2,
  kP2sh = 3,
  kP2wpkh = 4,
  kP2wsh = 5,
  kP2tr = 6,
  kMultisig = 7,
  kOpReturn = 8,
  kWitnessUnknown = 9,
};
inline constexpr int kNumScriptTypes = 10;

// Returns: "nonstandard", "p2pk", "p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr", "multisig",
// "op_return" or "witness_unknown".
std::string_view ScriptTypeName(ScriptType type);
// Returns: the type named `name` (as ScriptTypeName spells it); INVALID_ARGUMENT otherwise.
absl::StatusOr<ScriptType> ParseScriptType(std::string_view name);

// Returns: the type of an output script, following Bitcoin Core's Solver() and its order (p2sh,
// witness program, op_return, p2pk, p2pkh, multisig): p2pk needs a 33-byte (02/03 prefix) or
// 65-byte (04/06/07 prefix) push then OP_CHECKSIG; bare multisig is m <keys> n OP_CHECKMULTISIG
// with 1 <= m <= n <= 20 (counts above 16 as a one-byte push, keys by direct push or
// OP_PUSHDATA1, each of valid size); op_return is OP_RETURN followed by push-only data; witness
// programs are OP_0..OP_16 and one 2..40-byte push (version 0 of a length other than 20/32 is
// nonstandard; pay-to-anchor and other unknown programs are witness_unknown).
ScriptType ClassifyScript(ByteSpan script);

enum class AddrKind : uint8_t {
  kNone = 0,
  kKeyHash = 1,
  kScriptHash = 2,
  kWitnessV0KeyHash = 3,
  kWitnessV0ScriptHash = 4,
  kTaproot = 5,
  kWitnessUnknown = 6,
  kMultisig = 7,
  kNonstandard = 8,
};

// The identity an output is attributed to: equal keys get the same AddrId.
struct AddressKey {
  AddrKind kind = AddrKind::kNone;
  uint8_t witness_version = 0;  // kWitnessUnknown only
  uint8_t size = 0;             // bytes used in payload
  std::array<uint8_t, 40> payload{};

  ByteSpan bytes() const { return ByteSpan(payload.data(), size); }
  friend bool operator==(const AddressKey& a, const AddressKey& b) {
    return a.kind == b.kind && a.witness_version == b.witness_version && a.size == b.size &&
           std::equal(a.payload.begin(), a.payload.begin() + a.size, b.payload.begin());
  }
};

// Returns: the address key of an output script of (already classified) `type`.
AddressKey ScriptAddressKey(ByteSpan script, ScriptType type);
// Returns: the key of a script of unknown type (classifies it first).
inline AddressKey ScriptAddressKey(ByteSpan script) {
  return ScriptAddressKey(script, ClassifyScript(script));
}
// Returns: the public keys of a bare multisig script (empty unless its type is multisig).
std::vector<ByteSpan> MultisigKeys(ByteSpan script);
// Returns: the standard output script paying `key` (P2PKH, P2SH, or a witness program);
// empty for kNone, kMultisig and kNonstandard, whose scripts cannot be rebuilt from a hash.
std::vector<uint8_t> ScriptForAddressKey(const AddressKey& key);

}  // namespace ariadne

#endif  // ARIADNE_ENGINE_CORE_SCRIPT_H_
