#include "indexer/evm/transaction.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include "absl/strings/str_cat.h"
#include "engine/core/keccak.h"
#include "engine/core/strings.h"

namespace ariadne::evm {
namespace {

// secp256k1's static context can verify and recover (no secret-key operations); the self test is
// run once before its first use, as the library asks.
const secp256k1_context* Secp() {
  static const secp256k1_context* ctx = [] {
    secp256k1_selftest();
    return secp256k1_context_static;
  }();
  return ctx;
}

// Reads a list of [address, [storageKey...]] entries; records its payload and counts.
void DecodeAccessList(RlpReader& r, Transaction* tx) {
  RlpReader list = r.List("accessList");
  if (!r.ok()) return;
  tx->access_list = ByteSpan(list.ptr(), list.remaining());
  uint32_t addresses = 0;
  uint32_t keys = 0;
  while (list.ok() && !list.AtEnd()) {
    RlpReader entry = list.List("accessList entry");
    entry.Addr("accessList address");
    RlpReader slots = entry.List("accessList storageKeys");
    while (slots.ok() && !slots.AtEnd()) {
      slots.Hash("accessList storage key");
      ++keys;
    }
    entry.ExpectEnd("accessList entry");
    ++addresses;
  }
  tx->access_list_addresses = addresses;
  tx->access_list_storage_keys = keys;
}

void DecodeBlobHashes(RlpReader& r, Transaction* tx) {
  RlpReader list = r.List("blobVersionedHashes");
  if (!r.ok()) return;
  tx->blob_versioned_hashes = ByteSpan(list.ptr(), list.remaining());
  uint32_t n = 0;
  while (list.ok() && !list.AtEnd()) {
    list.Hash("blob versioned hash");
    ++n;
  }
  tx->blob_count = n;
}

// Reads one authorization tuple [chainId, address, nonce, yParity, r, s] from `list`.
// Returns: false on failure (recorded in the shared error).
bool ReadAuthorization(RlpReader& list, Authorization* a) {
  RlpReader t = list.List("authorization");
  if (!t.ok()) return false;
  const uint8_t* begin = t.ptr();
  a->chain_id = t.Uint256("authorization chainId");
  a->address = t.Addr("authorization address");
  a->nonce = t.U64("authorization nonce");
  const uint8_t* signed_end = t.ptr();
  const uint64_t parity_offset = t.offset();
  const uint64_t parity = t.U64("authorization yParity");
  a->r = t.Uint256("authorization r");
  a->s = t.Uint256("authorization s");
  t.ExpectEnd("authorization");
  if (!t.ok()) return false;
  if (parity > 255) {
    t.FailAt("yParity above 255", "authorization yParity", parity_offset);
    return false;
  }
  a->y_parity = static_cast<uint8_t>(parity);
  a->signed_fields = ByteSpan(begin, static_cast<size_t>(signed_end - begin));
  return true;
}

void DecodeAuthorizations(RlpReader& r, Transaction* tx) {
  RlpReader list = r.List("authorizationList");
  if (!r.ok()) return;
  tx->authorization_list = ByteSpan(list.ptr(), list.remaining());
  uint32_t n = 0;
  Authorization a;
  while (list.ok() && !list.AtEnd()) {
    if (!ReadAuthorization(list, &a)) return;
    ++n;
  }
  tx->authorization_count = n;
}

void DecodeTyped(ByteSpan encoded, uint64_t offset, RlpError* err, Transaction* tx) {
  const uint8_t type = encoded[0];
  tx->type = static_cast<TxType>(type);
  RlpReader outer(encoded.subspan(1), offset + 1, err);
  RlpItem payload;
  if (!outer.Next(&payload, "transaction payload")) {
    if (err->ok()) err->Set("missing RLP payload after the type byte", nullptr, offset + 1);
    return;
  }
  if (!payload.is_list) {
    outer.FailAt("typed transaction payload is not an RLP list", nullptr, offset + 1);
    return;
  }
  if (!outer.AtEnd()) {
    outer.Fail("trailing bytes after the transaction", nullptr);
    return;
  }
  RlpReader r(payload.payload, payload.payload_offset(), err);
  const uint8_t* fields_begin = payload.payload.data();
  const U256 chain_id = r.Uint256("chainId");
  if (r.ok() && !chain_id.FitsU64()) r.Fail("chain id larger than 64 bits", "chainId");
  tx->has_chain_id = true;
  tx->chain_id = chain_id.low64();
  tx->nonce = r.U64("nonce");
  if (tx->type == TxType::kAccessList) {
    tx->gas_price = r.Uint256("gasPrice");
    tx->max_fee_per_gas = tx->gas_price;
    tx->max_priority_fee_per_gas = tx->gas_price;
  } else {
    tx->max_priority_fee_per_gas = r.Uint256("maxPriorityFeePerGas");
    tx->max_fee_per_gas = r.Uint256("maxFeePerGas");
    tx->gas_price = tx->max_fee_per_gas;
  }
  tx->gas_limit = r.U64("gasLimit");
  const uint64_t to_offset = r.offset();
  tx->to = r.OptAddr("to");
  if (r.ok() && !tx->to.has_value() &&
      (tx->type == TxType::kBlob || tx->type == TxType::kSetCode)) {
    r.FailAt("this transaction type cannot create a contract (empty `to`)", "to", to_offset);
  }
  tx->value = r.Uint256("value");
  tx->data = r.Bytes("data");
  DecodeAccessList(r, tx);
  if (tx->type == TxType::kBlob) {
    tx->max_fee_per_blob_gas = r.Uint256("maxFeePerBlobGas");
    DecodeBlobHashes(r, tx);
  } else if (tx->type == TxType::kSetCode) {
    DecodeAuthorizations(r, tx);
  }
  const uint8_t* fields_end = r.ptr();
  const uint64_t parity_offset = r.offset();
  const uint64_t parity = r.U64("yParity");
  tx->r = r.Uint256("r");
  tx->s = r.Uint256("s");
  r.ExpectEnd("transaction");
  if (!r.ok()) return;
  if (parity > 1) {
    r.FailAt("yParity is neither 0 nor 1", "yParity", parity_offset);
    return;
  }
  tx->y_parity = static_cast<uint8_t>(parity);
  tx->v = U256(parity);
  tx->signed_fields = ByteSpan(fields_begin, static_cast<size_t>(fields_end - fields_begin));
}

void DecodeLegacy(ByteSpan encoded, uint64_t offset, RlpError* err, Transaction* tx) {
  tx->type = TxType::kLegacy;
  RlpReader outer(encoded, offset, err);
  RlpItem list;
  if (!outer.Next(&list, "transaction")) return;
  if (!outer.AtEnd()) {
    outer.Fail("trailing bytes after the transaction", nullptr);
    return;
  }
  RlpReader r(list.payload, list.payload_offset(), err);
  tx->nonce = r.U64("nonce");
  tx->gas_price = r.Uint256("gasPrice");
  tx->max_fee_per_gas = tx->gas_price;
  tx->max_priority_fee_per_gas = tx->gas_price;
  tx->gas_limit = r.U64("gasLimit");
  tx->to = r.OptAddr("to");
  tx->value = r.Uint256("value");
  tx->data = r.Bytes("data");
  const size_t signed_len = static_cast<size_t>(r.ptr() - list.payload.data());
  const uint64_t v_offset = r.offset();
  tx->v = r.Uint256("v");
  tx->r = r.Uint256("r");
  tx->s = r.Uint256("s");
  r.ExpectEnd("transaction");
  if (!r.ok()) return;
  tx->signed_fields = ByteSpan(list.payload.data(), signed_len);
  const U256& v = tx->v;
  if (v == U256(27) || v == U256(28)) {
    tx->has_chain_id = false;
    tx->chain_id = 0;
    tx->y_parity = static_cast<uint8_t>(v.low64() - 27);
    return;
  }
  if (v < U256(35)) {
    r.FailAt("invalid signature v (neither 27/28 nor EIP-155 chainId*2+35/36)", "v", v_offset);
    return;
  }
  U256 t;
  (void)U256::CheckedSub(v, U256(35), &t);
  uint64_t parity = 0;
  const U256 chain = U256::DivModU64(t, 2, &parity);
  if (!chain.FitsU64()) {
    r.FailAt("EIP-155 chain id larger than 64 bits", "v", v_offset);
    return;
  }
  tx->has_chain_id = true;
  tx->chain_id = chain.low64();
  tx->y_parity = static_cast<uint8_t>(parity);
}

// Writes r and s as 64 big-endian bytes. Returns: false when either is zero.
bool CompactSignature(const U256& r, const U256& s, uint8_t out[64]) {
  if (r.IsZero() || s.IsZero()) return false;
  r.ToWord(out);
  s.ToWord(out + 32);
  return true;
}

}  // namespace

void DecodeTransaction(ByteSpan encoded, uint64_t offset, RlpError* err, Transaction* out) {
  *out = Transaction();
  out->offset = offset;
  if (encoded.empty()) {
    err->Set("empty transaction", nullptr, offset);
    return;
  }
  const uint8_t first = encoded[0];
  if (first >= 0xc0) {
    DecodeLegacy(encoded, offset, err, out);
  } else if (first >= 1 && first <= 4) {
    DecodeTyped(encoded, offset, err, out);
  } else if (first < 0x80) {
    err->Set("unsupported transaction type", nullptr, offset);
  } else {
    err->Set("transaction is neither an RLP list nor a typed envelope", nullptr, offset);
  }
  if (!err->ok()) return;
  out->encoded = encoded;
  Keccak256(encoded, out->hash.data());
}

absl::Status DecodeTransaction(ByteSpan encoded, std::string_view context, Transaction* out) {
  RlpError err;
  DecodeTransaction(encoded, 0, &err, out);
  return err.ToStatus(context);
}

H256 SigningHash(const Transaction& tx) {
  Keccak256Hasher h;
  uint8_t header[9];
  H256 out;
  if (tx.type == TxType::kLegacy) {
    uint8_t extra[9 + 2];
    size_t extra_len = 0;
    if (tx.has_chain_id) {
      extra_len = RlpEncodeU64(tx.chain_id, extra);
      extra[extra_len++] = 0x80;
      extra[extra_len++] = 0x80;
    }
    const size_t n = RlpHeader(true, tx.signed_fields.size() + extra_len, header);
    h.Write(header, n).Write(tx.signed_fields).Write(extra, extra_len);
  } else {
    const size_t n = RlpHeader(true, tx.signed_fields.size(), header);
    h.WriteByte(static_cast<uint8_t>(tx.type)).Write(header, n).Write(tx.signed_fields);
  }
  h.Finish(out.data());
  return out;
}

absl::StatusOr<Address> RecoverSigner(const H256& digest, uint8_t y_parity, const U256& r,
                                      const U256& s) {
  if (y_parity > 1) return absl::DataLossError("signature y parity is neither 0 nor 1");
  uint8_t compact[64];
  if (!CompactSignature(r, s, compact)) return absl::DataLossError("signature r or s is zero");
  secp256k1_ecdsa_recoverable_signature sig;
  if (!secp256k1_ecdsa_recoverable_signature_parse_compact(Secp(), &sig, compact, y_parity)) {
    return absl::DataLossError("signature r or s is not below the secp256k1 group order");
  }
  secp256k1_pubkey pub;
  if (!secp256k1_ecdsa_recover(Secp(), &pub, &sig, digest.data())) {
    return absl::DataLossError("signature does not recover a public key");
  }
  uint8_t ser[65];
  size_t len = sizeof(ser);
  secp256k1_ec_pubkey_serialize(Secp(), ser, &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  uint8_t hash[32];
  Keccak256(ByteSpan(ser + 1, 64), hash);
  return Address::FromBytes(hash + 12);
}

absl::StatusOr<Address> RecoverSender(const Transaction& tx) {
  return RecoverSigner(SigningHash(tx), tx.y_parity, tx.r, tx.s);
}

Address CreateAddress(const Address& sender, uint64_t nonce) {
  uint8_t buf[1 + 21 + 9];
  uint8_t nonce_rlp[9];
  const size_t nn = RlpEncodeU64(nonce, nonce_rlp);
  buf[0] = static_cast<uint8_t>(0xc0 + 21 + nn);
  buf[1] = 0x80 + 20;
  std::memcpy(buf + 2, sender.data(), 20);
  std::memcpy(buf + 22, nonce_rlp, nn);
  uint8_t hash[32];
  Keccak256(ByteSpan(buf, 22 + nn), hash);
  return Address::FromBytes(hash + 12);
}

absl::Status ForEachAuthorization(const Transaction& tx,
                                  absl::FunctionRef<void(const Authorization&)> fn) {
  if (tx.type != TxType::kSetCode) return absl::OkStatus();
  RlpError err;
  RlpReader list(tx.authorization_list, tx.offset, &err);
  Authorization a;
  while (list.ok() && !list.AtEnd()) {
    if (!ReadAuthorization(list, &a)) break;
    fn(a);
  }
  return err.ToStatus(absl::StrCat("authorization list of transaction ", HashHex(tx.hash)));
}

absl::StatusOr<Address> RecoverAuthority(const Authorization& auth) {
  uint8_t header[9];
  const size_t n = RlpHeader(true, auth.signed_fields.size(), header);
  Keccak256Hasher h;
  H256 digest;
  h.WriteByte(0x05).Write(header, n).Write(auth.signed_fields).Finish(digest.data());
  return RecoverSigner(digest, auth.y_parity, auth.r, auth.s);
}

}  // namespace ariadne::evm
