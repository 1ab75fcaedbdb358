#include "indexer/evm/rlp_block.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "engine/core/hex.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "indexer/evm/block_builder.h"
#include "indexer/evm/trie.h"

namespace ariadne::evm {
namespace {

// Cap on a portal YAML file (the largest real one is 3.2 MB).
constexpr uintmax_t kMaxPortalFileBytes = 256u << 20;

std::string RootMismatch(std::string_view what, const H256& computed, const H256& header) {
  return absl::StrCat(AV(what), " root mismatch: computed ", HashHex(computed), ", header has ",
                      HashHex(header));
}

}  // namespace

absl::Status RlpBlockDecoder::Decode(ByteSpan header, ByteSpan body, ByteSpan receipts,
                                     std::string_view context, EvmBlock* out) {
  EvmBlockBuilder builder(out);
  builder.SetChain(options_.chain);
  {
    RlpError err;
    DecodeHeader(header, 0, &err, &header_);
    RETURN_IF_ERROR(err.ToStatus(absl::StrCat(AV(context), ": header")));
  }
  const Header& h = header_;
  out->number = h.number;
  out->hash = h.hash;
  out->parent_hash = h.parent_hash;
  out->timestamp = h.timestamp;
  out->miner = h.coinbase;
  out->base_fee = h.base_fee;
  out->gas_limit = h.gas_limit;
  out->gas_used = h.gas_used;
  out->blob_gas_used = h.blob_gas_used;
  out->excess_blob_gas = h.excess_blob_gas;
  out->transactions_root = h.transactions_root;
  out->receipts_root = h.receipts_root;
  out->provenance.hash_verified = true;  // the hash is computed from the header bytes
  const std::string block_context = absl::StrCat(AV(context), ": block ", h.number);

  // Body: [transactions, ommers, withdrawals?].
  txs_.clear();
  RlpError err;
  RlpReader outer(body, 0, &err);
  RlpReader b = outer.List("body");
  outer.ExpectEnd("body");
  RlpReader txs = b.List("body transactions");
  RlpItem item;
  while (err.ok() && txs.Next(&item, "transaction")) {
    const ByteSpan encoded = item.is_list ? item.encoding : item.payload;
    const uint64_t off = item.is_list ? item.offset : item.payload_offset();
    txs_.emplace_back();
    DecodeTransaction(encoded, off, &err, &txs_.back());
    if (!err.ok()) {
      return err.ToStatus(absl::StrCat(block_context, ": body transaction ", txs_.size() - 1));
    }
  }
  b.List("body ommers");
  std::vector<std::pair<ByteSpan, ByteSpan>> withdrawal_items;
  bool has_withdrawals = false;
  if (err.ok() && !b.AtEnd()) {
    has_withdrawals = true;
    RlpReader ws = b.List("body withdrawals");
    while (err.ok() && !ws.AtEnd()) {
      RlpItem w_item;
      RlpReader probe = ws;
      probe.Next(&w_item);
      RlpReader w = ws.List("withdrawal");
      Withdrawal wd;
      wd.index = w.U64("withdrawal index");
      wd.validator_index = w.U64("withdrawal validatorIndex");
      wd.address = w.Addr("withdrawal address");
      wd.amount_gwei = w.U64("withdrawal amount");
      w.ExpectEnd("withdrawal");
      out->withdrawals.push_back(wd);
      withdrawal_items.emplace_back(ByteSpan(), w_item.encoding);
    }
  }
  b.ExpectEnd("body");
  RETURN_IF_ERROR(err.ToStatus(absl::StrCat(block_context, ": body")));

  // Senders and the model's transactions.
  for (size_t i = 0; i < txs_.size(); ++i) {
    Address sender;
    if (options_.recover_senders) {
      auto s = RecoverSender(txs_[i]);
      if (!s.ok()) {
        return absl::DataLossError(absl::StrCat(block_context, ": transaction ", i, " (",
                                                HashHex(txs_[i].hash),
                                                "): ", AV(SV(s.status().message()))));
      }
      sender = *s;
    }
    builder.AddTransaction(txs_[i], sender);
  }

  if (options_.verify_roots) {
    const H256 tx_root = OrderedTrieRoot(txs_.size(), [&](size_t i) { return txs_[i].encoded; });
    if (tx_root != h.transactions_root) {
      return absl::DataLossError(absl::StrCat(
          block_context, ": ", RootMismatch("transactions", tx_root, h.transactions_root)));
    }
    out->provenance.tx_root_verified = true;
    if (has_withdrawals && h.withdrawals_root.has_value()) {
      const H256 w_root = OrderedTrieRoot(withdrawal_items.size(),
                                          [&](size_t i) { return withdrawal_items[i].second; });
      if (w_root != *h.withdrawals_root) {
        return absl::DataLossError(absl::StrCat(
            block_context, ": ", RootMismatch("withdrawals", w_root, *h.withdrawals_root)));
      }
    }
  }

  // Receipts.
  if (!receipts.empty()) {
    receipts_.clear();
    RlpReader router(receipts, 0, &err);
    RlpReader list = router.List("receipts");
    router.ExpectEnd("receipts");
    while (err.ok() && list.Next(&item, "receipt")) {
      if (receipts_.size() == txs_.size()) {
        return absl::DataLossError(
            absl::StrCat(block_context, ": more receipts than the ", txs_.size(), " transactions"));
      }
      receipts_.emplace_back();
      DecodeReceipt(item, &err, &receipts_.back());
      if (!err.ok()) {
        return err.ToStatus(absl::StrCat(block_context, ": receipt ", receipts_.size() - 1));
      }
    }
    RETURN_IF_ERROR(err.ToStatus(absl::StrCat(block_context, ": receipts")));
    if (receipts_.size() != txs_.size()) {
      return absl::DataLossError(absl::StrCat(block_context, ": ", receipts_.size(),
                                              " receipts for ", txs_.size(), " transactions"));
    }
    if (txs_.empty()) out->provenance.has_receipts = true;  // an empty list: all of none
    scratch_.clear();
    scratch_ends_.clear();
    uint8_t bloom[kBloomSize];
    for (size_t i = 0; i < receipts_.size(); ++i) {
      const Receipt& r = receipts_[i];
      if (r.type != txs_[i].type) {
        return absl::DataLossError(
            absl::StrCat(block_context, ": receipt ", i, " has type ", static_cast<int>(r.type),
                         " but its transaction has type ", static_cast<int>(txs_[i].type)));
      }
      ReceiptInfo info;
      info.status =
          !r.has_status ? TxStatus::kUnknown : (r.success ? TxStatus::kSuccess : TxStatus::kFailed);
      info.cumulative_gas_used = r.cumulative_gas_used;
      builder.SetReceipt(static_cast<uint32_t>(i), info);
      bool log_ok = true;
      ForEachLog(r, [&](const LogView& log) {
        log_ok &=
            builder.AddLog(static_cast<uint32_t>(i), log.address,
                           std::span<const H256>(log.topics.data(), log.topic_count), log.data);
      });
      if (!log_ok) {
        return absl::DataLossError(
            absl::StrCat(block_context, ": receipt ", i, " has a log too large to store"));
      }
      if (options_.verify_roots) {
        if (r.bloom.size() == kBloomSize) {
          std::memcpy(bloom, r.bloom.data(), kBloomSize);
        } else {
          ComputeBloom(r, bloom, &bloom_cache_);
        }
        EncodeConsensusReceipt(r.type, r.has_status, r.success, r.post_state, r.cumulative_gas_used,
                               bloom, r.logs_encoding, &scratch_);
        scratch_ends_.push_back(scratch_.size());
      }
    }
    if (options_.verify_roots) {
      const H256 root = OrderedTrieRoot(scratch_ends_.size(), [&](size_t i) {
        const size_t begin = i == 0 ? 0 : scratch_ends_[i - 1];
        return ByteSpan(scratch_.data() + begin, scratch_ends_[i] - begin);
      });
      if (root != h.receipts_root) {
        return absl::DataLossError(
            absl::StrCat(block_context, ": ", RootMismatch("receipts", root, h.receipts_root)));
      }
      out->provenance.receipt_root_verified = true;
    }
  } else if (txs_.empty()) {
    out->provenance.has_receipts = true;  // nothing to have
  }

  if (h.excess_blob_gas.has_value()) {
    if (auto fee = BlobBaseFee(options_.chain, h.timestamp, *h.excess_blob_gas)) {
      builder.SetBlobBaseFee(*fee);
    }
  }
  return builder.Finish(block_context);
}

absl::Status ReadPortalBlockFile(const std::filesystem::path& path, const RlpBlockOptions& options,
                                 EvmBlock* out) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return absl::NotFoundError(absl::StrCat(path.string(), ": ", ec.message()));
  if (size > kMaxPortalFileBytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(path.string(), ": file of ", size, " bytes exceeds the portal file cap"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path.string(), ": cannot open"));
  std::string line;
  std::vector<uint8_t> parts[3];
  bool seen[3] = {false, false, false};
  static constexpr std::string_view kKeys[3] = {"header", "body", "receipts"};
  uint64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    for (int k = 0; k < 3; ++k) {
      const std::string_view key = kKeys[k];
      if (line.size() > key.size() + 1 && line.compare(0, key.size(), key) == 0 &&
          line[key.size()] == ':') {
        std::string_view value = std::string_view(line).substr(key.size() + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '"'))
          value.remove_prefix(1);
        while (!value.empty() &&
               (value.back() == ' ' || value.back() == '"' || value.back() == '\r')) {
          value.remove_suffix(1);
        }
        auto bytes = HexDecode(value);
        if (!bytes.ok()) {
          return absl::DataLossError(absl::StrCat(path.string(), ":", line_no, ": ", AV(key), ": ",
                                                  AV(SV(bytes.status().message()))));
        }
        parts[k] = std::move(*bytes);
        seen[k] = true;
      }
    }
  }
  if (!seen[0] || !seen[1]) {
    return absl::DataLossError(absl::StrCat(
        path.string(), ": no \"header:\" and \"body:\" lines (not a block_data file)"));
  }
  RlpBlockDecoder decoder(options);
  return decoder.Decode(parts[0], parts[1], parts[2], path.filename().string(), out);
}

}  // namespace ariadne::evm
