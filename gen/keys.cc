#include "gen/keys.h"

#include <cstring>

#include "engine/core/address.h"
#include "engine/core/hash.h"

namespace ariadne::gen {
namespace {

constexpr uint8_t kOp0 = 0x00;
constexpr uint8_t kOpPushData1 = 0x4c;
constexpr uint8_t kOp1 = 0x51;
constexpr uint8_t kOp2 = 0x52;
constexpr uint8_t kOp3 = 0x53;
constexpr uint8_t kOpReturn = 0x6a;
constexpr uint8_t kOpDup = 0x76;
constexpr uint8_t kOpEqual = 0x87;
constexpr uint8_t kOpEqualVerify = 0x88;
constexpr uint8_t kOpHash160 = 0xa9;
constexpr uint8_t kOpCheckSig = 0xac;
constexpr uint8_t kOpCheckMultisig = 0xae;

constexpr size_t kMultisigSize = 105;  // OP_2 3x(push 33) OP_3 OP_CHECKMULTISIG

// Returns: the OP_RETURN data length encoded in an OP_RETURN id: 20..80 bytes.
inline size_t OpReturnLength(uint32_t id) { return 20 + id % 61; }

AddressKey MakeKey(AddrKind kind, const uint8_t* data, size_t size) {
  AddressKey key;
  key.kind = kind;
  key.size = static_cast<uint8_t>(size);
  std::memcpy(key.payload.data(), data, size);
  return key;
}

// Out: out[0..n) a DER-encoded signature with low S and the SIGHASH_ALL byte. Returns: n, 71 or
// 72 as in real ones (R needs a 0x00 pad when its top bit is set, which happens half the time).
size_t MakeDerSignature(Rng* rng, uint8_t out[72]) {
  uint8_t r[32], s[32];
  rng->Fill(r, 32);
  rng->Fill(s, 32);
  if (r[0] == 0) r[0] = 1;
  s[0] &= 0x7f;
  if (s[0] == 0) s[0] = 1;
  const bool pad = (r[0] & 0x80) != 0;
  const uint8_t rlen = pad ? 33 : 32;
  size_t p = 0;
  out[p++] = 0x30;
  out[p++] = static_cast<uint8_t>(4 + rlen + 32);
  out[p++] = 0x02;
  out[p++] = rlen;
  if (pad) out[p++] = 0x00;
  std::memcpy(out + p, r, 32);
  p += 32;
  out[p++] = 0x02;
  out[p++] = 32;
  std::memcpy(out + p, s, 32);
  p += 32;
  out[p++] = 0x01;  // SIGHASH_ALL
  return p;
}

// Base58Check of version || hash20, as engine/core's EncodeBase58Check writes it but several times
// faster: the 25 bytes are divided by 58^5 on 32-bit limbs (multiplications by constants), which
// matters because every new legacy address of the chain is encoded once for the truth.
std::string Base58Check21(uint8_t version, const uint8_t* hash20) {
  static constexpr char kAlphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  static constexpr uint64_t kBase5 = 58ULL * 58 * 58 * 58 * 58;
  uint8_t buf[28] = {};  // 3 bytes of zero padding, then the 25-byte payload
  buf[3] = version;
  std::memcpy(buf + 4, hash20, 20);
  const Uint256 check = Sha256d(ByteSpan(buf + 3, 21));
  std::memcpy(buf + 24, check.data(), 4);
  size_t zeros = 0;
  while (zeros < 25 && buf[3 + zeros] == 0) ++zeros;
  uint32_t limbs[7];
  for (int i = 0; i < 7; ++i) {
    limbs[i] = static_cast<uint32_t>(buf[4 * i]) << 24 |
               static_cast<uint32_t>(buf[4 * i + 1]) << 16 |
               static_cast<uint32_t>(buf[4 * i + 2]) << 8 | buf[4 * i + 3];
  }
  uint8_t digits[40];
  int nd = 0;
  int start = 0;
  while (start < 7 && limbs[start] == 0) ++start;
  while (start < 7) {
    uint64_t rem = 0;
    for (int i = start; i < 7; ++i) {
      const uint64_t cur = (rem << 32) | limbs[i];
      limbs[i] = static_cast<uint32_t>(cur / kBase5);
      rem = cur % kBase5;
    }
    while (start < 7 && limbs[start] == 0) ++start;
    for (int k = 0; k < 5; ++k) {
      digits[nd++] = static_cast<uint8_t>(rem % 58);
      rem /= 58;
    }
  }
  while (nd > 0 && digits[nd - 1] == 0) --nd;
  std::string out(zeros, '1');
  for (int i = nd - 1; i >= 0; --i) out.push_back(kAlphabet[digits[i]]);
  return out;
}

}  // namespace

ScriptType ScriptTypeOf(OutKind kind) {
  switch (kind) {
    case OutKind::kP2pkUncompressed:
    case OutKind::kP2pk:
      return ScriptType::kP2pk;
    case OutKind::kP2pkhUncompressed:
    case OutKind::kP2pkh:
      return ScriptType::kP2pkh;
    case OutKind::kP2shMultisig:
    case OutKind::kP2shP2wpkh:
      return ScriptType::kP2sh;
    case OutKind::kP2wpkh:
      return ScriptType::kP2wpkh;
    case OutKind::kP2wshMultisig:
      return ScriptType::kP2wsh;
    case OutKind::kP2tr:
      return ScriptType::kP2tr;
    case OutKind::kOpReturn:
      return ScriptType::kOpReturn;
  }
  return ScriptType::kNonstandard;
}

bool SpendHasWitness(OutKind kind) {
  return kind == OutKind::kP2shP2wpkh || kind == OutKind::kP2wpkh ||
         kind == OutKind::kP2wshMultisig || kind == OutKind::kP2tr;
}

const char* OutKindName(OutKind kind) {
  static constexpr const char* kNames[kNumOutKinds] = {
      "p2pk-uncompressed", "p2pk",   "p2pkh-uncompressed", "p2pkh", "p2sh-multisig",
      "p2sh-p2wpkh",       "p2wpkh", "p2wsh-multisig",     "p2tr",  "op_return"};
  return kNames[static_cast<int>(kind)];
}

SpendSize EstimatedSpendSize(OutKind kind) {
  switch (kind) {
    case OutKind::kP2pkUncompressed:
    case OutKind::kP2pk:
      return {36 + 1 + 73 + 4, 0};
    case OutKind::kP2pkhUncompressed:
      return {36 + 1 + 139 + 4, 0};
    case OutKind::kP2pkh:
      return {36 + 1 + 107 + 4, 0};
    case OutKind::kP2shMultisig:
      return {36 + 3 + 254 + 4, 0};
    case OutKind::kP2shP2wpkh:
      return {36 + 1 + 23 + 4, 108};
    case OutKind::kP2wpkh:
      return {41, 108};
    case OutKind::kP2wshMultisig:
      return {41, 254};
    case OutKind::kP2tr:
      return {41, 66};
    case OutKind::kOpReturn:
      break;
  }
  return {41, 0};
}

uint32_t OutputSize(OutKind kind) {
  switch (kind) {
    case OutKind::kP2pkUncompressed:
      return 8 + 1 + 67;
    case OutKind::kP2pk:
      return 8 + 1 + 35;
    case OutKind::kP2pkhUncompressed:
    case OutKind::kP2pkh:
      return 8 + 1 + 25;
    case OutKind::kP2shMultisig:
    case OutKind::kP2shP2wpkh:
      return 8 + 1 + 23;
    case OutKind::kP2wpkh:
      return 8 + 1 + 22;
    case OutKind::kP2wshMultisig:
    case OutKind::kP2tr:
      return 8 + 1 + 34;
    case OutKind::kOpReturn:
      return 8 + 1 + 83;
  }
  return 0;
}

KeyDeriver::KeyDeriver(uint64_t seed) {
  for (int i = 0; i < 4; ++i) k_[i] = Mix64(seed ^ Mix64(0x6b657973ULL + static_cast<uint64_t>(i)));
}

void KeyDeriver::Material(uint32_t id, uint32_t index, uint8_t out[32]) const {
  // Distinct (id, index) give distinct first words (Mix64 is a bijection), so keys never collide.
  const uint64_t n = (static_cast<uint64_t>(id) << 2) | index;
  for (int j = 0; j < 4; ++j) {
    const uint64_t v = Mix64(k_[j] + n);
    std::memcpy(out + 8 * j, &v, 8);
  }
}

void KeyDeriver::PublicKey(uint32_t id, uint32_t index, bool uncompressed, uint8_t* out) const {
  uint8_t x[32];
  Material(id, index, x);
  if (!uncompressed) {
    out[0] = (x[31] & 1) ? 0x03 : 0x02;
    std::memcpy(out + 1, x, 32);
    return;
  }
  out[0] = 0x04;
  std::memcpy(out + 1, x, 32);
  Material(id, index | 0x2, out + 33);  // Y: material of a sibling index (never a key index)
}

void KeyDeriver::MultisigScript(uint32_t id, uint8_t out[105]) const {
  size_t p = 0;
  out[p++] = kOp2;
  for (uint32_t i = 0; i < 3; ++i) {
    out[p++] = 33;
    // Indices 0, 1 and 3 (index 2 is reserved for uncompressed keys' Y coordinates).
    PublicKey(id, i == 2 ? 3 : i, false, out + p);
    p += 33;
  }
  out[p++] = kOp3;
  out[p++] = kOpCheckMultisig;
}

AddressKey KeyDeriver::Key(const AddrRef& ref) const {
  uint8_t buf[kMultisigSize];
  switch (ref.kind) {
    case OutKind::kP2pkUncompressed:
    case OutKind::kP2pkhUncompressed: {
      PublicKey(ref.id, 0, true, buf);
      const Hash160Bytes h = Hash160(ByteSpan(buf, 65));
      return MakeKey(AddrKind::kKeyHash, h.data(), 20);
    }
    case OutKind::kP2pk:
    case OutKind::kP2pkh: {
      PublicKey(ref.id, 0, false, buf);
      const Hash160Bytes h = Hash160(ByteSpan(buf, 33));
      return MakeKey(AddrKind::kKeyHash, h.data(), 20);
    }
    case OutKind::kP2wpkh: {
      PublicKey(ref.id, 0, false, buf);
      const Hash160Bytes h = Hash160(ByteSpan(buf, 33));
      return MakeKey(AddrKind::kWitnessV0KeyHash, h.data(), 20);
    }
    case OutKind::kP2shMultisig: {
      MultisigScript(ref.id, buf);
      const Hash160Bytes h = Hash160(ByteSpan(buf, kMultisigSize));
      return MakeKey(AddrKind::kScriptHash, h.data(), 20);
    }
    case OutKind::kP2shP2wpkh: {
      PublicKey(ref.id, 0, false, buf);
      const Hash160Bytes kh = Hash160(ByteSpan(buf, 33));
      uint8_t redeem[22] = {kOp0, 20};
      std::memcpy(redeem + 2, kh.data(), 20);
      const Hash160Bytes h = Hash160(ByteSpan(redeem, sizeof(redeem)));
      return MakeKey(AddrKind::kScriptHash, h.data(), 20);
    }
    case OutKind::kP2wshMultisig: {
      MultisigScript(ref.id, buf);
      const Uint256 h = Sha256(ByteSpan(buf, kMultisigSize));
      return MakeKey(AddrKind::kWitnessV0ScriptHash, h.data(), 32);
    }
    case OutKind::kP2tr: {
      Material(ref.id, 0, buf);  // the tweaked x-only output key
      return MakeKey(AddrKind::kTaproot, buf, 32);
    }
    case OutKind::kOpReturn:
      break;
  }
  return AddressKey{};
}

size_t KeyDeriver::OutputScript(const AddrRef& ref, uint8_t* out) const {
  if (ref.kind == OutKind::kOpReturn) return OutputScriptWithKey(ref, AddressKey{}, out);
  return OutputScriptWithKey(ref, Key(ref), out);
}

size_t KeyDeriver::OutputScriptWithKey(const AddrRef& ref, const AddressKey& key,
                                       uint8_t* out) const {
  switch (ref.kind) {
    case OutKind::kP2pkUncompressed:
      out[0] = 65;
      PublicKey(ref.id, 0, true, out + 1);
      out[66] = kOpCheckSig;
      return 67;
    case OutKind::kP2pk:
      out[0] = 33;
      PublicKey(ref.id, 0, false, out + 1);
      out[34] = kOpCheckSig;
      return 35;
    case OutKind::kOpReturn: {
      const size_t n = OpReturnLength(ref.id);
      size_t p = 0;
      out[p++] = kOpReturn;
      if (n > 75) out[p++] = kOpPushData1;
      out[p++] = static_cast<uint8_t>(n);
      uint8_t material[32];
      for (size_t off = 0; off < n; off += 32) {
        Material(ref.id ^ 0x5a5a5a5au, static_cast<uint32_t>(off / 32), material);
        std::memcpy(out + p + off, material, n - off < 32 ? n - off : 32);
      }
      return p + n;
    }
    default:
      break;
  }
  const uint8_t* h = key.payload.data();
  switch (key.kind) {
    case AddrKind::kKeyHash:
      out[0] = kOpDup;
      out[1] = kOpHash160;
      out[2] = 20;
      std::memcpy(out + 3, h, 20);
      out[23] = kOpEqualVerify;
      out[24] = kOpCheckSig;
      return 25;
    case AddrKind::kScriptHash:
      out[0] = kOpHash160;
      out[1] = 20;
      std::memcpy(out + 2, h, 20);
      out[22] = kOpEqual;
      return 23;
    case AddrKind::kWitnessV0KeyHash:
      out[0] = kOp0;
      out[1] = 20;
      std::memcpy(out + 2, h, 20);
      return 22;
    case AddrKind::kWitnessV0ScriptHash:
      out[0] = kOp0;
      out[1] = 32;
      std::memcpy(out + 2, h, 32);
      return 34;
    case AddrKind::kTaproot:
      out[0] = kOp1;
      out[1] = 32;
      std::memcpy(out + 2, h, 32);
      return 34;
    default:
      break;
  }
  return 0;
}

std::string KeyDeriver::Address(const AddrRef& ref, Network network) const {
  return AddressOfKey(Key(ref), network);
}

std::string KeyDeriver::AddressOfKey(const AddressKey& key, Network network) {
  if (key.kind == AddrKind::kKeyHash) {
    return Base58Check21(Params(network).p2pkh_prefix, key.payload.data());
  }
  if (key.kind == AddrKind::kScriptHash) {
    return Base58Check21(Params(network).p2sh_prefix, key.payload.data());
  }
  return EncodeAddress(key, network);
}

void KeyDeriver::WriteScriptSig(const AddrRef& ref, Rng* rng, ByteWriter* w) const {
  uint8_t buf[kMultisigSize];
  uint8_t sig[72], sig2[72];
  switch (ref.kind) {
    case OutKind::kP2pkUncompressed:
    case OutKind::kP2pk: {
      const size_t n = MakeDerSignature(rng, sig);
      w->U8(static_cast<uint8_t>(1 + n));
      w->U8(static_cast<uint8_t>(n));
      w->Bytes(sig, n);
      return;
    }
    case OutKind::kP2pkhUncompressed:
    case OutKind::kP2pkh: {
      const bool unc = ref.kind == OutKind::kP2pkhUncompressed;
      const size_t n = MakeDerSignature(rng, sig);
      const size_t k = unc ? 65 : 33;
      PublicKey(ref.id, 0, unc, buf);
      w->U8(static_cast<uint8_t>(1 + n + 1 + k));
      w->U8(static_cast<uint8_t>(n));
      w->Bytes(sig, n);
      w->U8(static_cast<uint8_t>(k));
      w->Bytes(buf, k);
      return;
    }
    case OutKind::kP2shMultisig: {
      // OP_0 <sig> <sig> OP_PUSHDATA1 105 <redeem script>: 252..254 bytes, so the length is a
      // 3-byte CompactSize from 253 on.
      const size_t n1 = MakeDerSignature(rng, sig);
      const size_t n2 = MakeDerSignature(rng, sig2);
      w->CompactSize(1 + (1 + n1) + (1 + n2) + 2 + kMultisigSize);
      w->U8(kOp0);
      w->U8(static_cast<uint8_t>(n1));
      w->Bytes(sig, n1);
      w->U8(static_cast<uint8_t>(n2));
      w->Bytes(sig2, n2);
      w->U8(kOpPushData1);
      w->U8(static_cast<uint8_t>(kMultisigSize));
      MultisigScript(ref.id, buf);
      w->Bytes(buf, kMultisigSize);
      return;
    }
    case OutKind::kP2shP2wpkh: {
      PublicKey(ref.id, 0, false, buf);
      const Hash160Bytes kh = Hash160(ByteSpan(buf, 33));
      w->U8(23);
      w->U8(22);
      w->U8(kOp0);
      w->U8(20);
      w->Bytes(kh.data(), 20);
      return;
    }
    case OutKind::kP2wpkh:
    case OutKind::kP2wshMultisig:
    case OutKind::kP2tr:
    case OutKind::kOpReturn:
      w->U8(0);
      return;
  }
}

void KeyDeriver::WriteWitness(const AddrRef& ref, Rng* rng, ByteWriter* w) const {
  uint8_t buf[kMultisigSize];
  uint8_t sig[72];
  switch (ref.kind) {
    case OutKind::kP2shP2wpkh:
    case OutKind::kP2wpkh: {
      const size_t n = MakeDerSignature(rng, sig);
      w->U8(2);
      w->U8(static_cast<uint8_t>(n));
      w->Bytes(sig, n);
      w->U8(33);
      PublicKey(ref.id, 0, false, buf);
      w->Bytes(buf, 33);
      return;
    }
    case OutKind::kP2wshMultisig: {
      w->U8(4);
      w->U8(0);  // the empty item OP_CHECKMULTISIG's extra pop consumes
      for (int i = 0; i < 2; ++i) {
        const size_t n = MakeDerSignature(rng, sig);
        w->U8(static_cast<uint8_t>(n));
        w->Bytes(sig, n);
      }
      w->U8(static_cast<uint8_t>(kMultisigSize));
      MultisigScript(ref.id, buf);
      w->Bytes(buf, kMultisigSize);
      return;
    }
    case OutKind::kP2tr: {
      uint8_t schnorr[64];
      rng->Fill(schnorr, sizeof(schnorr));
      w->U8(1);
      w->U8(64);
      w->Bytes(schnorr, sizeof(schnorr));
      return;
    }
    default:
      w->U8(0);
      return;
  }
}

}  // namespace ariadne::gen
