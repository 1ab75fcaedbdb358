// Synthetic keys and scripts: every address the generator uses is a dense id plus an output kind,
// and everything on chain about it (public keys, output script, redeem or witness script, the
// address string) is derived from (seed, id) on demand, so no per-address state is kept.
//
// The derivations are self-consistent like real wallets: a P2PKH or P2WPKH program is HASH160 of
// the public key its spends reveal, a P2SH hash commits to the redeem script its spends push, a
// P2WSH program is SHA-256 of the witness script. Signatures are random bytes of the real shapes
// (DER with low S: 71 or 72 bytes with the sighash byte; 64-byte Schnorr), not valid signatures.
#ifndef ARIADNE_GEN_KEYS_H_
#define ARIADNE_GEN_KEYS_H_

#include <cstdint>
#include <string>

#include "engine/core/byte_writer.h"
#include "engine/core/network.h"
#include "engine/core/script.h"
#include "gen/random.h"

namespace ariadne::gen {

// How an output pays and is later spent: the script type plus the detail that fixes the shape of
// its spends (key compression, P2SH flavour).
enum class OutKind : uint8_t {
  kP2pkUncompressed = 0,   // <65-byte key> OP_CHECKSIG (2009-2012 coinbases)
  kP2pk = 1,               // <33-byte key> OP_CHECKSIG
  kP2pkhUncompressed = 2,  // P2PKH of a 65-byte key (pre-2013 wallets)
  kP2pkh = 3,              // P2PKH of a 33-byte key
  kP2shMultisig = 4,       // P2SH of a 2-of-3 multisig redeem script
  kP2shP2wpkh = 5,         // P2SH-wrapped P2WPKH (nested segwit)
  kP2wpkh = 6,
  kP2wshMultisig = 7,  // P2WSH of a 2-of-3 multisig witness script
  kP2tr = 8,           // taproot, key-path spends
  kOpReturn = 9,       // OP_RETURN <20..80 bytes>; the id seeds the data
};
inline constexpr int kNumOutKinds = 10;
inline constexpr uint32_t kNoId = 0xffffffffu;
// The longest output script (P2PK of an uncompressed key, or OP_RETURN with 80 bytes of data).
inline constexpr size_t kMaxOutputScript = 83;

// An address (or OP_RETURN payload) by id and kind.
struct AddrRef {
  uint32_t id = kNoId;
  OutKind kind = OutKind::kP2pkh;
  bool valid() const { return id != kNoId; }
};

// Returns: the script type of outputs of `kind` (as engine/core/script.h classifies them).
ScriptType ScriptTypeOf(OutKind kind);
// Returns: true when spending an output of `kind` needs a witness.
bool SpendHasWitness(OutKind kind);
// Returns: a short name ("p2pkh", "p2sh-p2wpkh", ...) for statistics and docs.
const char* OutKindName(OutKind kind);

// Serialised sizes used for fee estimation. Like wallet estimators they assume 72-byte signatures,
// so the fee paid is never below the target rate.
struct SpendSize {
  uint32_t base;     // outpoint, scriptSig with its length, sequence
  uint32_t witness;  // the input's witness field (item count + items); 0 without witness
};
SpendSize EstimatedSpendSize(OutKind kind);
// Returns: 8-byte value + script length byte + script, for outputs of `kind` (OP_RETURN: the
// largest, 80 bytes of data).
uint32_t OutputSize(OutKind kind);

class KeyDeriver {
 public:
  // Args: seed: the chain seed; keys of different seeds are unrelated.
  explicit KeyDeriver(uint64_t seed);

  // Out: out[0..33) the compressed public key number `index` (0..2) of address `id`; with
  //      `uncompressed`, out[0..65) the same point's 65-byte encoding (04 || X || Y).
  void PublicKey(uint32_t id, uint32_t index, bool uncompressed, uint8_t* out) const;
  // Out: out[0..size) the output script paying `ref`. Returns: its size (<= kMaxOutputScript).
  size_t OutputScript(const AddrRef& ref, uint8_t* out) const;
  // Returns: the engine's address key of `ref` (kNone for OP_RETURN).
  AddressKey Key(const AddrRef& ref) const;
  // As OutputScript, given `key` == Key(ref) (saves rehashing when the caller has it).
  size_t OutputScriptWithKey(const AddrRef& ref, const AddressKey& key, uint8_t* out) const;
  // Returns: the address string of `key` on `network` (== EncodeAddress(key, network)).
  static std::string AddressOfKey(const AddressKey& key, Network network);
  // Returns: the address string of `ref` on `network`, as engine/core/address.h encodes it
  // (P2PK outputs under their key's P2PKH address).
  std::string Address(const AddrRef& ref, Network network) const;
  // Appends the scriptSig (CompactSize length, then the script) that spends an output of `ref`.
  void WriteScriptSig(const AddrRef& ref, Rng* rng, ByteWriter* w) const;
  // Appends the witness field (item count, then the items) of spending `ref`: a single 0x00 for
  // kinds without a witness (only valid inside a segwit-serialised transaction).
  void WriteWitness(const AddrRef& ref, Rng* rng, ByteWriter* w) const;

 private:
  // Out: 32 bytes of key material for (id, index).
  void Material(uint32_t id, uint32_t index, uint8_t out[32]) const;
  // Out: the 105-byte 2-of-3 multisig script of `id`.
  void MultisigScript(uint32_t id, uint8_t out[105]) const;

  uint64_t k_[4];
};

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_KEYS_H_
