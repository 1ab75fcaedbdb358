// EVM transactions of types 0 to 4: decoding from the canonical encoding, transaction hash,
// signing hash, sender recovery (libsecp256k1's recovery module) and contract-creation addresses.
//
//   type 0  legacy            rlp([nonce, gasPrice, gas, to, value, data, v, r, s]); v = 27/28, or
//                             chainId * 2 + 35/36 (EIP-155)
//   type 1  EIP-2930          0x01 || rlp([chainId, nonce, gasPrice, gas, to, value, data,
//                                          accessList, yParity, r, s])
//   type 2  EIP-1559          0x02 || rlp([chainId, nonce, maxPriorityFee, maxFee, gas, to, value,
//                                          data, accessList, yParity, r, s])
//   type 3  EIP-4844 (blob)   0x03 || rlp([... as type 2 ..., maxFeePerBlobGas,
//                                          blobVersionedHashes, yParity, r, s]), `to` required
//   type 4  EIP-7702          0x04 || rlp([... as type 2 ..., authorizationList, yParity, r, s]),
//                             `to` required; authorization = [chainId, address, nonce, yParity, r,
//                             s]
//
// The decoded Transaction is a view: data, access list and the other variable parts point into the
// caller's buffer, which must outlive it. Decoding checks structure and canonical encoding only;
// consensus rules that depend on the fork (signature ranges, intrinsic gas, ...) are in tx_rules.h.
#ifndef ARIADNE_INDEXER_EVM_TRANSACTION_H_
#define ARIADNE_INDEXER_EVM_TRANSACTION_H_

#include <cstdint>
#include <optional>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/core/evm_types.h"
#include "engine/core/types.h"
#include "engine/core/u256.h"
#include "indexer/evm/rlp.h"

namespace ariadne::evm {

enum class TxType : uint8_t {
  kLegacy = 0,
  kAccessList = 1,  // EIP-2930
  kDynamicFee = 2,  // EIP-1559
  kBlob = 3,        // EIP-4844
  kSetCode = 4,     // EIP-7702
};

// Gas charged per blob (EIP-4844 GAS_PER_BLOB).
inline constexpr uint64_t kGasPerBlob = 131072;

struct Transaction {
  TxType type = TxType::kLegacy;
  bool has_chain_id = false;  // false only for legacy transactions signed without EIP-155
  uint64_t chain_id = 0;
  uint64_t nonce = 0;
  U256 gas_price;                 // types 0-1; for types 2-4 equal to max_fee_per_gas
  U256 max_priority_fee_per_gas;  // types 2-4; for types 0-1 equal to gas_price
  U256 max_fee_per_gas;           // types 2-4; for types 0-1 equal to gas_price
  uint64_t gas_limit = 0;
  std::optional<Address> to;  // none: contract creation
  U256 value;
  ByteSpan data;
  ByteSpan access_list;  // payload of the access-list RLP list (types 1-4)
  uint32_t access_list_addresses = 0;
  uint32_t access_list_storage_keys = 0;
  U256 max_fee_per_blob_gas;       // type 3
  ByteSpan blob_versioned_hashes;  // type 3: payload of the list of 32-byte hashes
  uint32_t blob_count = 0;         // type 3
  ByteSpan authorization_list;     // type 4: payload of the authorization list
  uint32_t authorization_count = 0;
  U256 v;  // legacy: v as encoded; typed: the y parity
  uint8_t y_parity = 0;
  U256 r;
  U256 s;
  ByteSpan encoded;        // canonical encoding: the RLP list, or type byte || RLP payload
  ByteSpan signed_fields;  // the encoded fields covered by the signature (all but v/yParity, r, s)
  EvmTxHash hash;          // Keccak-256(encoded)
  uint64_t offset = 0;     // file offset of encoded[0]

  bool IsCreation() const { return !to.has_value(); }
  // Returns: blob gas the transaction consumes (kGasPerBlob per blob; 0 unless type 3).
  uint64_t blob_gas() const { return uint64_t{blob_count} * kGasPerBlob; }
};

// Decodes a transaction from its canonical encoding (a legacy RLP list, or a type byte 0x01-0x04
// followed by the RLP payload), which must fill `encoded` exactly, and hashes it.
// Args: encoded: the bytes (must outlive *out); offset: file offset of encoded[0];
//       err: receives the first failure (field and offset).
// Out: *out, valid when err->ok() afterwards.
void DecodeTransaction(ByteSpan encoded, uint64_t offset, RlpError* err, Transaction* out);

// As above for a standalone transaction (a test vector, a raw "0x..." from JSON-RPC).
// Returns: OK, or DATA_LOSS "<context>: <field>: <what> at offset <n>".
absl::Status DecodeTransaction(ByteSpan encoded, std::string_view context, Transaction* out);

// Returns: the hash the sender signed: Keccak-256 of the unsigned fields (legacy: with chainId, 0,
//          0 appended under EIP-155; typed: behind the type byte).
H256 SigningHash(const Transaction& tx);

// Returns: the address whose key produced (y_parity, r, s) over digest: Keccak-256 of the
//          uncompressed public key, last 20 bytes. DATA_LOSS when r or s is zero or not below the
//          curve order, y_parity is not 0 or 1, or no public key recovers. High s is accepted
//          (Frontier signatures have it); tx_rules.h checks EIP-2's low-s rule by fork.
absl::StatusOr<Address> RecoverSigner(const H256& digest, uint8_t y_parity, const U256& r,
                                      const U256& s);

// Returns: the transaction's sender, recovered from its signature.
absl::StatusOr<Address> RecoverSender(const Transaction& tx);

// Returns: the address of a contract created by `sender` with `nonce`:
//          Keccak-256(rlp([sender, nonce]))[12:32].
Address CreateAddress(const Address& sender, uint64_t nonce);

// One EIP-7702 authorization tuple of a type-4 transaction.
struct Authorization {
  U256 chain_id;    // 0: valid on any chain
  Address address;  // the code the authority delegates to
  uint64_t nonce = 0;
  uint8_t y_parity = 0;
  U256 r;
  U256 s;
  ByteSpan signed_fields;  // encoded [chainId, address, nonce]
};

// Calls fn for each authorization of a type-4 transaction (none for other types).
// Returns: OK, or DATA_LOSS naming a malformed tuple (DecodeTransaction has checked the shape, so
//          this fails only on a Transaction not produced by it).
absl::Status ForEachAuthorization(const Transaction& tx,
                                  absl::FunctionRef<void(const Authorization&)> fn);

// Returns: the authority (signer) of an authorization: the key that signed
//          Keccak-256(0x05 || rlp([chainId, address, nonce])); errors as RecoverSigner.
absl::StatusOr<Address> RecoverAuthority(const Authorization& auth);

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_TRANSACTION_H_
