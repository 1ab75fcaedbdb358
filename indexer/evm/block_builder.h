// Assembles an EvmBlock from decoded parts: every source (JSON-RPC dump, RLP block, era1 archive)
// feeds transactions, receipts, logs and trace frames in, and Finish() applies the model's rules
// once (gas used, effective price, fees, status, and the transfers: see evm_block.h).
#ifndef ARIADNE_INDEXER_EVM_BLOCK_BUILDER_H_
#define ARIADNE_INDEXER_EVM_BLOCK_BUILDER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "indexer/evm/evm_block.h"
#include "indexer/evm/header.h"
#include "indexer/evm/transaction.h"

namespace ariadne::evm {

// The kind of a trace frame (parity's callType/type, geth callTracer's type).
enum class CallKind : uint8_t {
  kCall,
  kCallCode,
  kDelegateCall,
  kStaticCall,
  kCreate,
  kCreate2,
  kSelfDestruct,
  kOther,  // rewards and anything else that is not part of a transaction's execution
};

// What a receipt says about a transaction. Only the status and the cumulative gas used are covered
// by the receipts root; the other fields are what a JSON-RPC node adds, and they are checked
// against the values derived from covered data (a mismatch is refused, never stored).
struct ReceiptInfo {
  TxStatus status = TxStatus::kUnknown;
  uint64_t cumulative_gas_used = 0;
  std::optional<uint64_t> gas_used;         // JSON receipts: must equal the cumulative difference
  std::optional<U256> effective_gas_price;  // JSON receipts (London on): must equal the derived
  std::optional<U256> blob_gas_price;       // JSON receipts (Cancun on): checked when derivable
  std::string_view source;                  // names the receipt's file in errors (default: the
                                            // block's context); must outlive Finish()
};

class EvmBlockBuilder {
 public:
  // Starts a block in *block (cleared; its vectors keep their capacity). The header fields of
  // *block are the caller's to fill, before or after.
  explicit EvmBlockBuilder(EvmBlock* block);

  EvmBlock& block() { return *block_; }

  // Adds the next transaction (index = number added before) with its sender.
  void AddTransaction(const Transaction& tx, const Address& sender);
  // Records the receipt of transaction `tx_index`. Logs are added with AddLog, in order.
  void SetReceipt(uint32_t tx_index, const ReceiptInfo& info);
  // Appends a log of transaction `tx_index` (logs must come in block order).
  // Returns: false when the log has more than 4 topics or data beyond 4 GiB (not stored).
  bool AddLog(uint32_t tx_index, const Address& address, std::span<const H256> topics,
              ByteSpan data);
  // Marks the block as having traces (so transactions without frames are an error), and adds one
  // frame in depth-first pre-order. trace_address: child indices from the top-level call (empty
  // for the top-level call itself). error: the frame itself failed or reverted.
  void SetHasTraces() { block_->provenance.has_traces = true; }
  void AddCallFrame(uint32_t tx_index, CallKind kind, const Address& from, const Address& to,
                    const U256& value, bool error, std::span<const uint32_t> trace_address);
  // The blob base fee of the block, when the source does not give it per receipt.
  void SetBlobBaseFee(const U256& fee) { blob_base_fee_ = fee; }
  // The chain the block must belong to: a transaction signed for another chain id (EIP-155 or a
  // typed transaction) makes Finish() fail. Default: not checked (hand-built blocks).
  void SetChain(const ChainConfig& chain) {
    chain_id_ = chain.chain_id;
    chain_name_ = chain.name;
  }

  // Applies the model's rules; see evm_block.h.
  // Returns: OK; FAILED_PRECONDITION "<context>: transaction i (hash) is signed for chain id X..."
  //          when SetChain was given and a transaction belongs to another chain; or DATA_LOSS
  //          "<context>: ..." for inconsistent inputs (cumulative gas going down, a receipt's
  //          gasUsed or effectiveGasPrice differing from the derived value, gas used above the
  //          transaction's or the block's gas limit, the last cumulative gas used differing from
  //          the header's gasUsed, a price below the base fee, a receipt contradicting its trace,
  //          a dynamic-fee transaction without a base fee, a fee above 2^256, a transaction
  //          without a top-level trace frame).
  absl::Status Finish(std::string_view context);

 private:
  struct Frame {
    uint32_t tx_index;
    CallKind kind;
    bool error;
    Address from;
    Address to;
    U256 value;
    uint32_t path_offset;  // into path_pool_
    uint32_t depth;
  };

  absl::Status FinishTx(EvmTx& tx, uint64_t prev_cumulative, std::string_view context);
  absl::Status CheckBlockGas(std::string_view context) const;
  void EmitFeeTransfer(const EvmTx& tx);
  void EmitTokenTransfers(const EvmTx& tx);
  void EmitInternalTransfers(const EvmTx& tx, size_t frame_begin, size_t frame_end);

  EvmBlock* block_;
  std::vector<bool> has_receipt_;
  std::vector<Frame> frames_;
  std::vector<uint32_t> path_pool_;
  std::optional<U256> blob_base_fee_;
  std::vector<std::optional<U256>> receipt_blob_price_;
  std::vector<std::optional<uint64_t>> receipt_gas_used_;
  std::vector<std::optional<U256>> receipt_effective_price_;
  std::vector<std::string_view> receipt_source_;
  std::optional<uint64_t> chain_id_;
  std::string_view chain_name_;
  std::optional<uint32_t> foreign_tx_;  // the first transaction signed for another chain
  uint64_t foreign_chain_id_ = 0;       // its chain id
  std::vector<uint8_t> failed_stack_;
};

// Topic 0 of the events the model recognises.
// Returns: Keccak-256("Transfer(address,address,uint256)") (ERC-20 and ERC-721).
const H256& TransferTopic();
// Returns: Keccak-256("TransferSingle(address,address,address,uint256,uint256)") (ERC-1155).
const H256& TransferSingleTopic();
// Returns: Keccak-256("TransferBatch(address,address,address,uint256[],uint256[])") (ERC-1155).
const H256& TransferBatchTopic();
// Returns: Keccak-256("Approval(address,address,uint256)") (ERC-20; ERC-721 with a token id).
const H256& ApprovalTopic();

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_BLOCK_BUILDER_H_
