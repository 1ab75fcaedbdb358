// The normalised EVM block: what every source (JSON-RPC dumps, RLP blocks, era1 archives) decodes
// to, and what storage, heuristics and the trace engine consume. It holds values, not views: an
// EvmBlock owns all its data and outlives the buffers it was decoded from.
//
// Flows. An EVM chain moves value in four ways, each a Transfer (kind):
//   kNative    the transaction's own value, sender -> recipient (or -> the created contract);
//   kInternal  value moved by a nested call, create or selfdestruct, known only from traces;
//   kErc20     a Transfer(address,address,uint256) log with 3 topics and a 32-byte amount;
//   kErc721    the same event with 4 topics (token id in topic 3, no data): non-fungible;
//   kErc1155   TransferSingle / TransferBatch logs (one Transfer per id);
//   kFee       the priority fee, sender -> the block's fee recipient (miner / coinbase): gas used
//              times what is paid per gas above the base fee (all of the fee before London). The
//              sender's whole fee is fee_paid; the base fee and blob fees are burned.
// Rules:
//   - A failed transaction (receipt status 0, or a top-level trace error) moves no value: it gets
//     no transfers but the fee one, and its fee is paid (fee_paid is set as for a success).
//   - Fees are known only with receipts (gas used is the difference of cumulative gas used, which
//     the receipts root covers); without receipts there is no kFee transfer.
//   - Internal transfers come from parity trace_block ("call" traces of call type "call" with
//     value > 0, "create" traces with value > 0, "suicide" traces with balance > 0) or from geth's
//     callTracer (CALL, CREATE, CREATE2, SELFDESTRUCT frames with value > 0). The top-level call
//     is the native transfer itself and is not repeated. DELEGATECALL, CALLCODE and STATICCALL
//     move no value between accounts. A frame that failed (error or revert) moves nothing, and
//     neither does anything beneath it.
//   - Transfers are ordered by transaction index, then fee, native, internal (trace order), token
//     (log order). Zero-value native and internal transfers are not emitted; zero-amount token
//     transfer logs are (they are on chain, and airdrop/poisoning analysis wants them).
//   - Pre-Byzantium receipts have no status. Without traces such a transaction has status kUnknown
//     and is treated as successful for transfers (as explorers do when they lack traces); with
//     traces its status comes from the top-level trace's error.
#ifndef ARIADNE_INDEXER_EVM_EVM_BLOCK_H_
#define ARIADNE_INDEXER_EVM_EVM_BLOCK_H_

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "engine/core/evm_types.h"
#include "engine/core/types.h"
#include "engine/core/u256.h"
#include "indexer/evm/transaction.h"

namespace ariadne::evm {

inline constexpr uint32_t kNoIndex = std::numeric_limits<uint32_t>::max();

enum class TxStatus : uint8_t {
  kSuccess = 0,
  kFailed = 1,
  kUnknown = 2,  // pre-Byzantium receipt (state root, no status) and no trace, or no receipt
};

enum class TransferKind : uint8_t {
  kNative = 0,
  kInternal = 1,
  kErc20 = 2,
  kErc721 = 3,
  kErc1155 = 4,
  kFee = 5,  // the priority fee to the block's fee recipient
};

struct EvmTx {
  EvmTxHash hash;
  TxType type = TxType::kLegacy;
  uint32_t index = 0;         // position in the block
  Address from;               // recovered from the signature (and checked against a dump's "from")
  std::optional<Address> to;  // none: contract creation
  std::optional<Address> created_contract;  // set for creations (also when they failed, as
                                            // receipts do): keccak(rlp([from, nonce]))[12:]
  uint64_t nonce = 0;
  U256 value;
  uint64_t gas_limit = 0;
  U256 gas_price;                 // types 0-1: the gas price; types 2-4: max fee per gas
  U256 max_priority_fee_per_gas;  // types 2-4 (equal to gas_price for types 0-1)
  U256 max_fee_per_gas;           // types 2-4 (equal to gas_price for types 0-1)
  U256 max_fee_per_blob_gas;      // type 3
  uint32_t blob_count = 0;        // type 3
  U256 effective_gas_price;       // price per gas actually paid (receipt, or from the base fee)
  uint64_t gas_used = 0;
  uint64_t blob_gas_used = 0;  // type 3: blob_count * 131072
  U256 blob_gas_price;         // type 3: the block's blob base fee (0 when unknown)
  U256 fee_paid;               // gas_used * effective_gas_price + blob_gas_used * blob_gas_price
  U256 priority_fee;           // the part of fee_paid the fee recipient gets (see kFee)
  TxStatus status = TxStatus::kUnknown;
  uint64_t cumulative_gas_used = 0;  // from the receipt
  uint32_t log_count = 0;
  uint32_t first_log = 0;             // index into EvmBlock::logs of this tx's first log
  uint32_t input_size = 0;            // bytes of call data / init code
  std::array<uint8_t, 4> selector{};  // first 4 bytes of the call data (zero if shorter)
};

// One event log. Data bytes live in EvmBlock::log_data.
struct EvmLog {
  uint32_t tx_index = 0;
  uint32_t log_index = 0;  // block-wide, as JSON-RPC's logIndex
  Address address;
  uint8_t topic_count = 0;  // 0..4
  std::array<H256, 4> topics{};
  uint32_t data_offset = 0;  // into EvmBlock::log_data
  uint32_t data_size = 0;
};

struct Transfer {
  TransferKind kind = TransferKind::kNative;
  Address asset;  // token contract for kErc20/721/1155; zero for kNative, kInternal, kFee (ether)
  Address from;
  Address to;
  U256 amount;    // wei or token units; 1 for kErc721
  U256 token_id;  // kErc721 and kErc1155; zero otherwise
  uint32_t tx_index = 0;
  uint32_t log_index = kNoIndex;  // token kinds: block-wide log index
  // kInternal: the call's position in the trace tree (parity's traceAddress: child indices from
  // the top-level call), stored in EvmBlock::trace_addresses[trace_offset, +trace_depth).
  uint32_t trace_offset = 0;
  uint32_t trace_depth = 0;
  uint32_t batch_index = 0;  // kErc1155 TransferBatch: position in the batch
};

// A contract created by a CREATE or CREATE2 frame below a transaction's top-level call (traces
// only) whose frame and every frame above it succeeded.
struct CreatedContract {
  uint32_t tx_index = 0;
  Address address;
};

// A consensus-layer withdrawal (Shanghai on): ether credited to `address` outside any transaction.
struct Withdrawal {
  uint64_t index = 0;
  uint64_t validator_index = 0;
  Address address;
  uint64_t amount_gwei = 0;
};

// What a source provided and what was verified, so that consumers know how far to trust a block.
struct BlockProvenance {
  bool has_receipts = false;           // status, gas used, logs and token transfers are known
  bool has_traces = false;             // internal transfers are known
  bool hash_verified = false;          // Keccak-256 of the header (RLP, or re-encoded JSON) == hash
  bool tx_root_verified = false;       // transactions root recomputed == header
  bool receipt_root_verified = false;  // receipts root recomputed == header
  bool senders_verified = false;       // every recovered sender == the dump's "from" (JSON only)
};

struct EvmBlock {
  uint64_t number = 0;
  EvmBlockHash hash;
  EvmBlockHash parent_hash;
  uint64_t timestamp = 0;        // seconds since the epoch
  Address miner;                 // coinbase / fee recipient
  std::optional<U256> base_fee;  // London on
  uint64_t gas_limit = 0;
  uint64_t gas_used = 0;
  std::optional<uint64_t> blob_gas_used;    // Cancun on
  std::optional<uint64_t> excess_blob_gas;  // Cancun on
  H256 transactions_root;
  H256 receipts_root;
  BlockProvenance provenance;

  std::vector<EvmTx> txs;
  std::vector<Transfer> transfers;
  std::vector<EvmLog> logs;
  std::vector<uint8_t> log_data;
  std::vector<uint32_t> trace_addresses;
  std::vector<Withdrawal> withdrawals;
  std::vector<CreatedContract> created;  // by internal calls, in transaction and trace order

  // Returns: the data bytes of a log of this block.
  ByteSpan LogData(const EvmLog& log) const {
    return ByteSpan(log_data.data() + log.data_offset, log.data_size);
  }
  // Returns: the trace address of an internal transfer (empty for other kinds).
  std::span<const uint32_t> TraceAddress(const Transfer& t) const {
    return std::span<const uint32_t>(trace_addresses.data() + t.trace_offset, t.trace_depth);
  }
  // Empties the block, keeping the vectors' capacity for the next one.
  void Clear();
};

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_EVM_BLOCK_H_
