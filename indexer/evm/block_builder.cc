#include "indexer/evm/block_builder.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "engine/core/keccak.h"
#include "engine/core/strings.h"
#include "indexer/evm/tx_rules.h"

namespace ariadne::evm {
namespace {

// The EVM's call depth limit is 1024; a deeper trace address is malformed.
constexpr uint32_t kMaxTraceDepth = 1100;
// ERC-1155 TransferBatch: cap on ids per log (a 32-byte word each, bounded by the data anyway).
constexpr size_t kMaxBatchItems = 1u << 16;

H256 TopicOf(std::string_view signature) {
  return Keccak256(ByteSpan(reinterpret_cast<const uint8_t*>(signature.data()), signature.size()));
}

// Returns: true and *out = the address in the low 20 bytes of a 32-byte ABI word whose upper 12
//          bytes are zero (a well-formed indexed address).
bool WordAddress(const uint8_t* word, Address* out) {
  for (int i = 0; i < 12; ++i)
    if (word[i] != 0) return false;
  *out = Address::FromBytes(word + 12);
  return true;
}

// Returns: the ABI uint256 at data[off..off+32) as a size, or false when out of range.
bool AbiSize(ByteSpan data, size_t off, size_t* out) {
  if (off > data.size() || data.size() - off < 32) return false;
  const U256 v = U256::FromWord(data.data() + off);
  if (!v.FitsU64() || v.low64() > data.size()) return false;
  *out = static_cast<size_t>(v.low64());
  return true;
}

}  // namespace

const H256& TransferTopic() {
  static const H256 topic = TopicOf("Transfer(address,address,uint256)");
  return topic;
}
const H256& ApprovalTopic() {
  static const H256 topic = TopicOf("Approval(address,address,uint256)");
  return topic;
}
const H256& TransferSingleTopic() {
  static const H256 topic = TopicOf("TransferSingle(address,address,address,uint256,uint256)");
  return topic;
}
const H256& TransferBatchTopic() {
  static const H256 topic = TopicOf("TransferBatch(address,address,address,uint256[],uint256[])");
  return topic;
}

EvmBlockBuilder::EvmBlockBuilder(EvmBlock* block) : block_(block) { block_->Clear(); }

void EvmBlockBuilder::AddTransaction(const Transaction& tx, const Address& sender) {
  EvmTx t;
  t.hash = RetagHash<EvmTxHash>(tx.hash);
  t.type = tx.type;
  t.index = static_cast<uint32_t>(block_->txs.size());
  t.from = sender;
  t.to = tx.to;
  if (tx.IsCreation()) t.created_contract = CreateAddress(sender, tx.nonce);
  t.nonce = tx.nonce;
  t.value = tx.value;
  t.gas_limit = tx.gas_limit;
  t.gas_price = tx.gas_price;
  t.max_priority_fee_per_gas = tx.max_priority_fee_per_gas;
  t.max_fee_per_gas = tx.max_fee_per_gas;
  t.max_fee_per_blob_gas = tx.max_fee_per_blob_gas;
  t.blob_count = tx.blob_count;
  t.blob_gas_used = tx.blob_gas();
  t.input_size = static_cast<uint32_t>(std::min<size_t>(tx.data.size(), UINT32_MAX));
  if (!tx.data.empty()) {
    std::memcpy(t.selector.data(), tx.data.data(), std::min<size_t>(tx.data.size(), 4));
  }
  t.first_log = static_cast<uint32_t>(block_->logs.size());
  if (chain_id_.has_value() && !foreign_tx_.has_value() && !CheckChainId(tx, *chain_id_).ok()) {
    foreign_tx_ = t.index;
    foreign_chain_id_ = tx.chain_id;
  }
  block_->txs.push_back(t);
  has_receipt_.push_back(false);
  receipt_source_.emplace_back();
  receipt_blob_price_.emplace_back();
  receipt_gas_used_.emplace_back();
  receipt_effective_price_.emplace_back();
}

void EvmBlockBuilder::SetReceipt(uint32_t tx_index, const ReceiptInfo& info) {
  if (tx_index >= block_->txs.size()) return;
  EvmTx& t = block_->txs[tx_index];
  t.status = info.status;
  t.cumulative_gas_used = info.cumulative_gas_used;
  has_receipt_[tx_index] = true;
  receipt_gas_used_[tx_index] = info.gas_used;
  receipt_effective_price_[tx_index] = info.effective_gas_price;
  receipt_blob_price_[tx_index] = info.blob_gas_price;
  receipt_source_[tx_index] = info.source;
}

bool EvmBlockBuilder::AddLog(uint32_t tx_index, const Address& address,
                             std::span<const H256> topics, ByteSpan data) {
  if (topics.size() > 4 || data.size() > UINT32_MAX ||
      block_->log_data.size() > UINT32_MAX - data.size()) {
    return false;
  }
  EvmLog log;
  log.tx_index = tx_index;
  log.log_index = static_cast<uint32_t>(block_->logs.size());
  log.address = address;
  log.topic_count = static_cast<uint8_t>(topics.size());
  for (size_t i = 0; i < topics.size(); ++i) log.topics[i] = topics[i];
  log.data_offset = static_cast<uint32_t>(block_->log_data.size());
  log.data_size = static_cast<uint32_t>(data.size());
  block_->log_data.insert(block_->log_data.end(), data.begin(), data.end());
  block_->logs.push_back(log);
  return true;
}

void EvmBlockBuilder::AddCallFrame(uint32_t tx_index, CallKind kind, const Address& from,
                                   const Address& to, const U256& value, bool error,
                                   std::span<const uint32_t> trace_address) {
  Frame f;
  f.tx_index = tx_index;
  f.kind = kind;
  f.error = error;
  f.from = from;
  f.to = to;
  f.value = value;
  f.path_offset = static_cast<uint32_t>(path_pool_.size());
  f.depth = static_cast<uint32_t>(trace_address.size());
  path_pool_.insert(path_pool_.end(), trace_address.begin(), trace_address.end());
  frames_.push_back(f);
}

absl::Status EvmBlockBuilder::FinishTx(EvmTx& tx, uint64_t prev_cumulative,
                                       std::string_view context) {
  const uint32_t i = tx.index;
  // Errors about receipt fields name the receipt's file when the source gave it.
  auto fail = [&](std::string_view what) {
    const std::string where = receipt_source_[i].empty() ? std::string(context)
                                                         : absl::StrCat(AV(receipt_source_[i]),
                                                                        ": block ", block_->number);
    return absl::DataLossError(
        absl::StrCat(where, ": transaction ", i, " (", HashHex(tx.hash), "): ", AV(what)));
  };
  // Effective gas price, derived from signed and header data: the gas price, or for dynamic-fee
  // transactions min(maxFee, baseFee + maxPriorityFee). A receipt's value must agree.
  std::optional<U256> derived_price;
  if (tx.type < TxType::kDynamicFee) {
    derived_price = tx.gas_price;
  } else if (block_->base_fee.has_value()) {
    U256 tip_cap;
    if (!U256::CheckedAdd(*block_->base_fee, tx.max_priority_fee_per_gas, &tip_cap)) {
      tip_cap = U256::Max();
    }
    derived_price = std::min(tx.max_fee_per_gas, tip_cap);
  }
  const std::optional<U256>& claimed_price = receipt_effective_price_[i];
  if (derived_price.has_value() && claimed_price.has_value() && *derived_price != *claimed_price) {
    return fail(absl::StrCat("receipt effectiveGasPrice ", claimed_price->ToDecimal(),
                             " differs from ", derived_price->ToDecimal(),
                             " derived from the transaction and the block's base fee"));
  }
  if (derived_price.has_value()) {
    tx.effective_gas_price = *derived_price;
  } else if (claimed_price.has_value()) {
    tx.effective_gas_price = *claimed_price;
  } else {
    return absl::DataLossError(absl::StrCat(AV(context), ": transaction ", i,
                                            " has dynamic fees but the block has no base fee"));
  }
  if (!has_receipt_[i]) return absl::OkStatus();
  // Gas used: the difference of cumulative gas used, which the receipts root covers.
  if (tx.cumulative_gas_used < prev_cumulative) {
    return absl::DataLossError(absl::StrCat(AV(context), ": receipt ", i,
                                            " has a cumulative gas used below the previous one"));
  }
  tx.gas_used = tx.cumulative_gas_used - prev_cumulative;
  if (receipt_gas_used_[i].has_value() && *receipt_gas_used_[i] != tx.gas_used) {
    return fail(absl::StrCat("receipt gasUsed ", *receipt_gas_used_[i], " differs from ",
                             tx.gas_used, ", its cumulativeGasUsed ", tx.cumulative_gas_used,
                             " less the previous receipt's ", prev_cumulative,
                             " (the receipts root covers cumulativeGasUsed, not gasUsed)"));
  }
  if (tx.gas_used > tx.gas_limit) {
    return fail(absl::StrCat("uses ", tx.gas_used, " gas, above its gas limit ", tx.gas_limit));
  }
  if (tx.type == TxType::kBlob) {
    const std::optional<U256>& claimed = receipt_blob_price_[i];
    if (blob_base_fee_.has_value() && claimed.has_value() && *blob_base_fee_ != *claimed) {
      return fail(absl::StrCat("receipt blobGasPrice ", claimed->ToDecimal(), " differs from ",
                               blob_base_fee_->ToDecimal(),
                               " derived from the block's excess blob gas"));
    }
    if (blob_base_fee_.has_value()) {
      tx.blob_gas_price = *blob_base_fee_;
    } else if (claimed.has_value()) {
      tx.blob_gas_price = *claimed;
    }
  }
  U256 exec_fee;
  U256 blob_fee;
  if (!U256::CheckedMul(U256(tx.gas_used), tx.effective_gas_price, &exec_fee) ||
      !U256::CheckedMul(U256(tx.blob_gas_used), tx.blob_gas_price, &blob_fee) ||
      !U256::CheckedAdd(exec_fee, blob_fee, &tx.fee_paid)) {
    return absl::DataLossError(
        absl::StrCat(AV(context), ": fee of transaction ", i, " overflows 256 bits"));
  }
  // The fee recipient gets what is paid per gas above the base fee (all of it before London);
  // the base fee and blob fees are burned.
  U256 tip_per_gas = tx.effective_gas_price;
  if (block_->base_fee.has_value() &&
      !U256::CheckedSub(tx.effective_gas_price, *block_->base_fee, &tip_per_gas)) {
    return fail(absl::StrCat("pays ", tx.effective_gas_price.ToDecimal(),
                             " wei per gas, below the block's base fee ",
                             block_->base_fee->ToDecimal()));
  }
  // Cannot overflow: tip_per_gas <= effective_gas_price and their product with gas_used fits.
  (void)U256::CheckedMul(U256(tx.gas_used), tip_per_gas, &tx.priority_fee);
  return absl::OkStatus();
}

absl::Status EvmBlockBuilder::CheckBlockGas(std::string_view context) const {
  const EvmBlock& b = *block_;
  if (b.gas_used > b.gas_limit) {
    return absl::DataLossError(absl::StrCat(AV(context), ": header gasUsed ", b.gas_used,
                                            " is above its gasLimit ", b.gas_limit));
  }
  if (b.provenance.has_receipts && !b.txs.empty() &&
      b.txs.back().cumulative_gas_used != b.gas_used) {
    return absl::DataLossError(absl::StrCat(AV(context), ": the last receipt's cumulativeGasUsed ",
                                            b.txs.back().cumulative_gas_used,
                                            " differs from the header's gasUsed ", b.gas_used));
  }
  return absl::OkStatus();
}

void EvmBlockBuilder::EmitFeeTransfer(const EvmTx& tx) {
  if (tx.priority_fee.IsZero()) return;
  Transfer t;
  t.kind = TransferKind::kFee;
  t.from = tx.from;
  t.to = block_->miner;
  t.amount = tx.priority_fee;
  t.tx_index = tx.index;
  block_->transfers.push_back(t);
}

void EvmBlockBuilder::EmitInternalTransfers(const EvmTx& tx, size_t frame_begin, size_t frame_end) {
  for (size_t k = frame_begin; k < frame_end; ++k) {
    const Frame& f = frames_[k];
    if (f.depth == 0 || failed_stack_[f.depth]) continue;
    if (f.value.IsZero()) continue;
    if (f.kind != CallKind::kCall && f.kind != CallKind::kCreate && f.kind != CallKind::kCreate2 &&
        f.kind != CallKind::kSelfDestruct) {
      continue;
    }
    Transfer t;
    t.kind = TransferKind::kInternal;
    t.from = f.from;
    t.to = f.to;
    t.amount = f.value;
    t.tx_index = tx.index;
    t.trace_offset = static_cast<uint32_t>(block_->trace_addresses.size());
    t.trace_depth = f.depth;
    block_->trace_addresses.insert(block_->trace_addresses.end(),
                                   path_pool_.begin() + f.path_offset,
                                   path_pool_.begin() + f.path_offset + f.depth);
    block_->transfers.push_back(t);
  }
}

void EvmBlockBuilder::EmitTokenTransfers(const EvmTx& tx) {
  for (uint32_t k = tx.first_log; k < tx.first_log + tx.log_count; ++k) {
    const EvmLog& log = block_->logs[k];
    if (log.topic_count == 0) continue;
    const ByteSpan data = block_->LogData(log);
    Transfer t;
    t.tx_index = tx.index;
    t.log_index = log.log_index;
    t.asset = log.address;
    const H256& t0 = log.topics[0];
    if (t0 == TransferTopic()) {
      if (!WordAddress(log.topics[1].data(), &t.from) || log.topic_count < 3 ||
          !WordAddress(log.topics[2].data(), &t.to)) {
        continue;
      }
      if (log.topic_count == 3 && data.size() == 32) {
        t.kind = TransferKind::kErc20;
        t.amount = U256::FromWord(data.data());
      } else if (log.topic_count == 4 && data.empty()) {
        t.kind = TransferKind::kErc721;
        t.amount = U256(1);
        t.token_id = U256::FromWord(log.topics[3].data());
      } else {
        continue;
      }
      block_->transfers.push_back(t);
    } else if (log.topic_count == 4 &&
               (t0 == TransferSingleTopic() || t0 == TransferBatchTopic())) {
      if (!WordAddress(log.topics[2].data(), &t.from) ||
          !WordAddress(log.topics[3].data(), &t.to)) {
        continue;
      }
      t.kind = TransferKind::kErc1155;
      if (t0 == TransferSingleTopic()) {
        if (data.size() != 64) continue;
        t.token_id = U256::FromWord(data.data());
        t.amount = U256::FromWord(data.data() + 32);
        block_->transfers.push_back(t);
        continue;
      }
      // TransferBatch data: offset(ids), offset(values), then each array: length, items.
      size_t ids_off, values_off, n_ids, n_values;
      if (!AbiSize(data, 0, &ids_off) || !AbiSize(data, 32, &values_off) ||
          !AbiSize(data, ids_off, &n_ids) || !AbiSize(data, values_off, &n_values) ||
          n_ids != n_values || n_ids > kMaxBatchItems) {
        continue;
      }
      const size_t ids_begin = ids_off + 32;
      const size_t values_begin = values_off + 32;
      if (n_ids > (data.size() - std::min(data.size(), ids_begin)) / 32 ||
          n_values > (data.size() - std::min(data.size(), values_begin)) / 32) {
        continue;
      }
      for (size_t j = 0; j < n_ids; ++j) {
        t.token_id = U256::FromWord(data.data() + ids_begin + 32 * j);
        t.amount = U256::FromWord(data.data() + values_begin + 32 * j);
        t.batch_index = static_cast<uint32_t>(j);
        block_->transfers.push_back(t);
      }
    }
  }
}

absl::Status EvmBlockBuilder::Finish(std::string_view context) {
  EvmBlock& b = *block_;
  const size_t n = b.txs.size();
  if (foreign_tx_.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        AV(context), ": transaction ", *foreign_tx_, " (", HashHex(b.txs[*foreign_tx_].hash),
        ") is signed for chain id ", foreign_chain_id_, ", but the store's chain is ",
        AV(chain_name_), " (chain id ", *chain_id_,
        "): the input belongs to another chain; index it into a store of its own chain"));
  }
  // Receipts: all or none.
  size_t with_receipt = 0;
  for (bool r : has_receipt_) with_receipt += r ? 1 : 0;
  if (with_receipt != 0 && with_receipt != n) {
    for (size_t i = 0; i < n; ++i) {
      if (!has_receipt_[i]) {
        return absl::DataLossError(
            absl::StrCat(AV(context), ": no receipt for transaction ", i, " of ", n));
      }
    }
  }
  if (n > 0) b.provenance.has_receipts = with_receipt == n;
  // Logs per transaction: added in block order, so each transaction's logs are a contiguous run.
  for (EvmTx& t : b.txs) t.log_count = 0;
  uint32_t prev_tx = 0;
  for (const EvmLog& log : b.logs) {
    if (log.tx_index >= n || log.tx_index < prev_tx) {
      return absl::DataLossError(absl::StrCat(AV(context), ": log ", log.log_index,
                                              " is out of transaction order (transaction ",
                                              log.tx_index, " of ", n, ")"));
    }
    prev_tx = log.tx_index;
    ++b.txs[log.tx_index].log_count;
  }
  uint32_t next_log = 0;
  for (EvmTx& t : b.txs) {
    t.first_log = next_log;
    next_log += t.log_count;
  }
  // Frames, grouped by transaction in their original (depth-first) order.
  std::stable_sort(frames_.begin(), frames_.end(),
                   [](const Frame& a, const Frame& c) { return a.tx_index < c.tx_index; });
  size_t fk = 0;
  uint64_t prev_cumulative = 0;
  for (size_t i = 0; i < n; ++i) {
    EvmTx& tx = b.txs[i];
    if (absl::Status s = FinishTx(tx, prev_cumulative, context); !s.ok()) return s;
    if (has_receipt_[i]) prev_cumulative = tx.cumulative_gas_used;
    if (has_receipt_[i]) EmitFeeTransfer(tx);

    const size_t frame_begin = fk;
    while (fk < frames_.size() && frames_[fk].tx_index == i) ++fk;
    const size_t frame_end = fk;
    if (b.provenance.has_traces) {
      // The first frame is the top-level call; trace addresses must be a pre-order walk.
      if (frame_begin == frame_end || frames_[frame_begin].depth != 0) {
        return absl::DataLossError(absl::StrCat(
            AV(context), ": no top-level trace for transaction ", i, " (", HashHex(tx.hash), ")"));
      }
      failed_stack_.assign(1, frames_[frame_begin].error ? 1 : 0);
      for (size_t k = frame_begin + 1; k < frame_end; ++k) {
        const Frame& f = frames_[k];
        if (f.depth == 0 || f.depth > failed_stack_.size() || f.depth > kMaxTraceDepth) {
          return absl::DataLossError(
              absl::StrCat(AV(context), ": trace of transaction ", i,
                           " is not a depth-first walk (trace address depth ", f.depth, ")"));
        }
        failed_stack_.resize(f.depth + 1);
        failed_stack_[f.depth] = (failed_stack_[f.depth - 1] != 0 || f.error) ? 1 : 0;
      }
      const bool trace_failed = frames_[frame_begin].error;
      if (tx.status == TxStatus::kUnknown) {
        tx.status = trace_failed ? TxStatus::kFailed : TxStatus::kSuccess;
      } else if ((tx.status == TxStatus::kFailed) != trace_failed) {
        return absl::DataLossError(absl::StrCat(AV(context), ": receipt status of transaction ", i,
                                                " contradicts its trace"));
      }
    }
    if (tx.status == TxStatus::kFailed) continue;
    if (!tx.value.IsZero()) {
      Transfer t;
      t.kind = TransferKind::kNative;
      t.from = tx.from;
      t.to = tx.to.has_value() ? *tx.to : *tx.created_contract;
      t.amount = tx.value;
      t.tx_index = tx.index;
      b.transfers.push_back(t);
    }
    if (b.provenance.has_traces) {
      // Walk again, now emitting, with the failure flags recomputed in order.
      failed_stack_.assign(1, frames_[frame_begin].error ? 1 : 0);
      for (size_t k = frame_begin + 1; k < frame_end; ++k) {
        const Frame& f = frames_[k];
        failed_stack_.resize(f.depth + 1);
        failed_stack_[f.depth] = (failed_stack_[f.depth - 1] != 0 || f.error) ? 1 : 0;
        EmitInternalTransfers(tx, k, k + 1);
        if ((f.kind == CallKind::kCreate || f.kind == CallKind::kCreate2) &&
            failed_stack_[f.depth] == 0 && !f.to.IsZero()) {
          b.created.push_back({tx.index, f.to});
        }
      }
    }
    EmitTokenTransfers(tx);
  }
  if (fk != frames_.size()) {
    return absl::DataLossError(absl::StrCat(AV(context), ": trace for transaction ",
                                            frames_[fk].tx_index, " beyond the block's ", n));
  }
  return CheckBlockGas(context);
}

void EvmBlock::Clear() {
  // Keep the vectors' buffers: move them out, reset every field, move them back emptied.
  std::vector<EvmTx> t = std::move(txs);
  std::vector<Transfer> x = std::move(transfers);
  std::vector<EvmLog> l = std::move(logs);
  std::vector<uint8_t> d = std::move(log_data);
  std::vector<uint32_t> a = std::move(trace_addresses);
  std::vector<Withdrawal> w = std::move(withdrawals);
  *this = EvmBlock();
  t.clear();
  x.clear();
  l.clear();
  d.clear();
  a.clear();
  w.clear();
  txs = std::move(t);
  transfers = std::move(x);
  logs = std::move(l);
  log_data = std::move(d);
  trace_addresses = std::move(a);
  withdrawals = std::move(w);
}

}  // namespace ariadne::evm
