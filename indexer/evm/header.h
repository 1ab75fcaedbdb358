// Block headers: decoding from RLP (every fork up to Prague), hash, and the chain settings that
// header-derived values (blob base fee) depend on.
#ifndef ARIADNE_INDEXER_EVM_HEADER_H_
#define ARIADNE_INDEXER_EVM_HEADER_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/evm_types.h"
#include "engine/core/types.h"
#include "engine/core/u256.h"
#include "indexer/evm/rlp.h"

namespace ariadne::evm {

struct Header {
  EvmBlockHash parent_hash;
  H256 ommers_hash;
  Address coinbase;
  H256 state_root;
  H256 transactions_root;
  H256 receipts_root;
  ByteSpan bloom;  // 256 bytes
  U256 difficulty;
  uint64_t number = 0;
  uint64_t gas_limit = 0;
  uint64_t gas_used = 0;
  uint64_t timestamp = 0;
  ByteSpan extra_data;
  H256 mix_hash;                            // prevRandao after the merge
  uint64_t nonce = 0;                       // 8 bytes, big-endian
  std::optional<U256> base_fee;             // London
  std::optional<H256> withdrawals_root;     // Shanghai
  std::optional<uint64_t> blob_gas_used;    // Cancun
  std::optional<uint64_t> excess_blob_gas;  // Cancun
  std::optional<H256> parent_beacon_root;   // Cancun
  std::optional<H256> requests_hash;        // Prague
  ByteSpan encoded;
  EvmBlockHash hash;  // Keccak-256(encoded)
};

// Decodes a header that fills `encoded` exactly and hashes it. Fields after the nonce are read as
// far as present, in fork order; more than the known 21 fields is an error.
// Out: *out, valid when err->ok() afterwards (views into `encoded`).
void DecodeHeader(ByteSpan encoded, uint64_t offset, RlpError* err, Header* out);

// One entry of the blob fee schedule: from `activation_time` on, the blob base fee is
// fake_exponential(1, excess_blob_gas, update_fraction) (EIP-4844, EIP-7691).
struct BlobSchedule {
  uint64_t activation_time = 0;
  uint64_t update_fraction = 0;
};

// What differs between EVM chains for decoding purposes.
struct ChainConfig {
  uint64_t chain_id = 1;
  std::string_view name = "ethereum";  // as the store's network is named
  // Sorted by activation time. Default: empty (blob gas price unknown, left at 0).
  std::vector<BlobSchedule> blob_schedule;

  // Ethereum mainnet: Cancun (2024-03-13, fraction 3338477) and Prague (2025-05-07, 5007716).
  // Later blob-parameter forks must be appended here when blocks past them are indexed.
  static ChainConfig Mainnet();
  // Sepolia: Cancun (2024-01-30) and Prague (2025-03-05).
  static ChainConfig Sepolia();
};

// Returns: the blob base fee (wei per blob gas) of a block with this excess blob gas and
//          timestamp, or none when the schedule does not cover the timestamp.
std::optional<U256> BlobBaseFee(const ChainConfig& config, uint64_t timestamp,
                                uint64_t excess_blob_gas);

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_HEADER_H_
