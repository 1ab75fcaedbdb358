// The rows of an EVM (account-model) store: key layouts and row formats of the evm_* column
// families. docs/schema.md ("EVM stores") describes the same with the reasons; keep both in step.
//
//   cf               key (big-endian, fixed width)           value
//   meta evm/state   -                                       EvmChainState: tip and id counters
//   meta evm/cluster -                                       ClusterMeta: the clustering
//   evm_block        number u64                              EvmBlockRow
//   evm_tx           TxNum u40                               EvmTxRow
//   evm_txhash       hash[0..8) | TxNum u40                  (empty)
//   evm_transfer     TransferNum u40                         EvmTransferRow
//   evm_account      AccountId u32                           EvmAccountRow: address, first block
//   evm_account_key  address (20)                            AccountId u32
//   evm_hist         AccountId u32 | TxNum u40               (empty)
//   evm_totals       AccountId u32 | AssetId u32             EvmTotals (merge operator)
//   evm_asset        AssetId u32                             EvmAssetRow: contract, standard
//   evm_approval     TxNum u40 | log index u32               EvmApprovalRow
//   evm_evidence     gen u8 | TxNum u40 | index u32          EvmEvidenceRow: one union
//
// Ids: AccountId (u32) numbers every account at its first appearance, AssetId (u32) every asset
// (0 is ether, then each token contract and standard at its first transfer), TxNum (u40) every
// transaction and TransferNum (u40) every transfer in chain order. Amounts are 256-bit unsigned
// integers stored as a length byte and their minimal big-endian bytes.
#ifndef ARIADNE_ENGINE_STORE_EVM_SCHEMA_H_
#define ARIADNE_ENGINE_STORE_EVM_SCHEMA_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/core/evm_types.h"
#include "engine/core/types.h"
#include "engine/core/u256.h"
#include "engine/store/schema.h"

namespace ariadne::store {

using evm::Address;
using evm::U256;

// Meta keys of an EVM store.
inline constexpr std::string_view kMetaEvmState = "evm/state";
inline constexpr std::string_view kMetaEvmCluster = "evm/cluster";

inline constexpr int kTransferNumBytes = 5;
inline constexpr int kAccountIdBytes = 4;
inline constexpr int kAssetIdBytes = 4;
inline constexpr size_t kEvmTxHashPrefixBytes = 8;
inline constexpr size_t kEvmHistKeyBytes = kAccountIdBytes + 5;
inline constexpr size_t kEvmTotalsKeyBytes = kAccountIdBytes + kAssetIdBytes;
// AssetId 0 is ether.
inline constexpr uint32_t kEtherAsset = 0;
// The totals row of an account that is not about one asset: transactions, fees, first/last block.
inline constexpr uint32_t kAccountTotalsAsset = UINT32_MAX;

// The token standard of an asset (what its transfers are).
enum class AssetStandard : uint8_t {
  kNative = 0,   // ether
  kErc20 = 1,    // fungible: Transfer with 3 topics
  kErc721 = 2,   // non-fungible: Transfer with 4 topics (token id); amounts count tokens
  kErc1155 = 3,  // multi-token: TransferSingle/TransferBatch; amounts are per token id
};
std::string_view AssetStandardName(AssetStandard s);
inline bool IsFungible(AssetStandard s) {
  return s == AssetStandard::kNative || s == AssetStandard::kErc20;
}

// ---- meta/evm/state: the tip and the id counters, committed with the rows they cover.
struct EvmChainState {
  int64_t tip_number = -1;  // -1: no block indexed
  evm::EvmBlockHash tip_hash;
  uint64_t chain_id = 0;
  uint64_t block_count = 0;     // blocks indexed (gaps are allowed: see docs/evm.md)
  uint64_t tx_count = 0;        // the next TxNum
  uint64_t transfer_count = 0;  // the next TransferNum
  uint64_t log_count = 0;       // logs read
  uint32_t account_count = 0;   // the next AccountId
  uint32_t asset_count = 1;     // the next AssetId (0 is ether)
  uint64_t approval_count = 0;
  uint64_t gaps = 0;  // blocks whose parent is not the previous indexed block (a gap before it)
  // Blocks with transactions indexed without call traces: their internal transfers (value moved
  // by contract calls) are absent. Appended to the row later: a row written by an earlier build
  // lacks it and decodes with traces_counted false (the indexer recounts from the block rows).
  uint64_t blocks_without_traces = 0;
  bool traces_counted = true;

  friend bool operator==(const EvmChainState&, const EvmChainState&) = default;
};
std::string EncodeEvmState(const EvmChainState& s);
absl::StatusOr<EvmChainState> DecodeEvmState(std::string_view v);

// ---- evm_block
struct EvmBlockRow {
  evm::EvmBlockHash hash;
  evm::EvmBlockHash parent_hash;
  uint64_t timestamp = 0;
  Address miner;
  uint64_t first_tx = 0;
  uint32_t tx_count = 0;
  uint64_t first_transfer = 0;
  uint32_t transfer_count = 0;
  uint32_t log_count = 0;
  uint64_t gas_used = 0;
  uint8_t provenance = 0;  // bits: receipts, traces, hash, tx root, receipt root, senders verified
};
std::string EncodeEvmBlockRow(const EvmBlockRow& r);
absl::StatusOr<EvmBlockRow> DecodeEvmBlockRow(std::string_view v);
std::string EvmBlockKey(uint64_t number);

// ---- evm_tx
struct EvmTxRow {
  evm::EvmTxHash hash;
  uint64_t block = 0;
  uint32_t index = 0;  // position in the block
  uint8_t type = 0;    // 0..4
  uint8_t status = 0;  // evm::TxStatus: 0 success, 1 failed, 2 unknown
  uint32_t from = 0;   // AccountId
  uint32_t to = 0;     // AccountId; valid when has_to
  bool has_to = false;
  uint32_t created = 0;  // AccountId of the created contract; valid when has_created
  bool has_created = false;
  uint64_t nonce = 0;
  U256 value;
  U256 fee;  // paid by `from`, also when the transaction failed
  uint64_t gas_used = 0;
  U256 effective_gas_price;
  uint64_t first_transfer = 0;
  uint32_t transfer_count = 0;
  uint32_t log_count = 0;
  std::array<uint8_t, 4> selector{};
};
void EncodeEvmTxRow(const EvmTxRow& r, std::string* out);
absl::StatusOr<EvmTxRow> DecodeEvmTxRow(std::string_view v);
std::string EvmTxKey(uint64_t n);
std::string EvmTxHashKey(const evm::EvmTxHash& hash, TxNum n);
std::string EvmTxHashPrefix(const evm::EvmTxHash& hash);

// ---- evm_transfer
// The kind of a fee transfer: the priority fee from a transaction's sender to the block's fee
// recipient. The sender's side is part of its fee (EvmTxRow::fee, EvmTotals::fees), not of what it
// sent; the graph (engine/evm) keeps it among the recipient's inputs only.
inline constexpr uint8_t kEvmFeeTransfer = 5;

struct EvmTransferRow {
  uint8_t kind = 0;  // evm::TransferKind: native, internal, erc20, erc721, erc1155, fee
  uint32_t from = 0;
  uint32_t to = 0;
  uint32_t asset = 0;
  U256 amount;
  U256 token_id;  // erc721 / erc1155
  uint64_t tx = 0;
  uint32_t log_index = UINT32_MAX;  // token kinds: block-wide log index
};
void EncodeEvmTransferRow(const EvmTransferRow& r, std::string* out);
absl::StatusOr<EvmTransferRow> DecodeEvmTransferRow(std::string_view v);
std::string EvmTransferKey(uint64_t n);

// ---- evm_account, evm_account_key
struct EvmAccountRow {
  Address address;
  uint64_t first_block = 0;
  bool contract = false;  // created by an indexed transaction (or seen as a token contract)
};
std::string EncodeEvmAccountRow(const EvmAccountRow& r);
absl::StatusOr<EvmAccountRow> DecodeEvmAccountRow(std::string_view v);
std::string EvmAccountKey(uint32_t id);
std::string EvmAccountKeyIndexKey(const Address& a);

// ---- evm_hist
std::string EvmHistKey(uint32_t account, uint64_t tx);

// ---- evm_totals: per (account, asset) flows, maintained by merge operands (evm_totals_merge.h).
// Sums saturate at 2^256 - 1 and set `overflow` (a token contract may log absurd amounts).
struct EvmTotals {
  U256 received;
  U256 sent;
  U256 fees;  // ether paid as transaction fees (the account row and the ether row)
  uint64_t received_count = 0;
  uint64_t sent_count = 0;
  uint64_t tx_count = 0;  // the account row: transactions in its history
  uint64_t first_block = UINT64_MAX;
  uint64_t last_block = 0;
  bool overflow = false;
  friend bool operator==(const EvmTotals&, const EvmTotals&) = default;
};
std::string EncodeEvmTotals(const EvmTotals& t);
absl::StatusOr<EvmTotals> DecodeEvmTotals(std::string_view v);
// Adds `delta` into `*into` (sums saturate, min first block, max last block).
void MergeEvmTotals(const EvmTotals& delta, EvmTotals* into);
std::string EvmTotalsKey(uint32_t account, uint32_t asset);

// ---- evm_asset
struct EvmAssetRow {
  AssetStandard standard = AssetStandard::kNative;
  Address contract;  // zero for ether
  uint64_t first_block = 0;
};
std::string EncodeEvmAssetRow(const EvmAssetRow& r);
absl::StatusOr<EvmAssetRow> DecodeEvmAssetRow(std::string_view v);
std::string EvmAssetKey(uint32_t id);

// ---- evm_approval: Approval(owner, spender, value) logs of successful transactions (ERC-20; and
// ERC-721 approvals of one token, value = the token id).
struct EvmApprovalRow {
  uint32_t owner = 0;
  uint32_t spender = 0;
  uint32_t asset = 0;
  U256 value;
};
std::string EncodeEvmApprovalRow(const EvmApprovalRow& r);
absl::StatusOr<EvmApprovalRow> DecodeEvmApprovalRow(std::string_view v);
std::string EvmApprovalKey(uint64_t tx, uint32_t log_index);

// ---- evm clustering (heuristics/evm_clustering.h)
enum class EvmHeuristic : uint8_t {
  kDepositAddressReuse = 0,
  kAirdropMultiParticipation = 1,
  kSelfAuthorization = 2,
};
inline constexpr int kNumEvmHeuristics = 3;
std::string_view EvmHeuristicName(EvmHeuristic h);

// The clustering's meta row at kMetaEvmCluster is schema.h's ClusterMeta (policy: the
// parameters' canonical spec): DecodeClusterMeta(v, kMetaEvmCluster).

struct EvmEvidenceRow {
  uint32_t a = 0;  // AccountIds joined
  uint32_t b = 0;
  EvmHeuristic heuristic = EvmHeuristic::kDepositAddressReuse;
  uint64_t tx = 0;  // the transaction the link rests on (TxNum)
  // What the link goes through: the deposit address (AccountId), the airdropped asset (AssetId) or
  // the approved token (AssetId).
  uint32_t via = 0;
  uint64_t related_tx = UINT64_MAX;  // the forwarding / airdrop / approval transaction, if any
  friend bool operator==(const EvmEvidenceRow&, const EvmEvidenceRow&) = default;
};
std::string EvmEvidenceKey(uint8_t gen, uint64_t tx, uint32_t index);
std::string EncodeEvmEvidence(const EvmEvidenceRow& e);
// Args: key: the row's key (holds the TxNum).
absl::StatusOr<EvmEvidenceRow> DecodeEvmEvidence(std::string_view key, std::string_view value);

// ---- 256-bit values in rows: a length byte (0..32) and the minimal big-endian bytes.
void PutU256(std::string* out, const U256& v);

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_EVM_SCHEMA_H_
