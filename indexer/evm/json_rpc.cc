#include "indexer/evm/json_rpc.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/core/eip55.h"
#include "engine/core/hex.h"
#include "engine/core/keccak.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "indexer/evm/json_traces.h"
#include "indexer/evm/json_walk.h"
#include "indexer/evm/receipt.h"
#include "indexer/evm/rlp.h"
#include "indexer/evm/transaction.h"
#include "indexer/evm/trie.h"

namespace ariadne::evm {
namespace {

using json_detail::array;
using json_detail::element;
using json_detail::JsonFrame;
using json_detail::JsonTraces;
using json_detail::kMaxJsonDepth;
using json_detail::object;
using json_detail::Walk;

// ---- Intermediate records, decoded from JSON and joined into blocks afterwards. ----

struct JsonTx {
  std::vector<uint8_t> encoded;  // canonical encoding, re-encoded from fields or from "raw"
  EvmTxHash claimed_hash;
  std::optional<Address> claimed_from;
};

struct JsonBlock {
  std::string source;
  size_t order = 0;
  uint64_t number = 0;
  EvmBlockHash hash;
  EvmBlockHash parent_hash;
  uint64_t timestamp = 0;
  Address miner;
  std::optional<U256> base_fee;
  uint64_t gas_limit = 0;
  uint64_t gas_used = 0;
  std::optional<uint64_t> blob_gas_used;
  std::optional<uint64_t> excess_blob_gas;
  H256 transactions_root;
  H256 receipts_root;
  std::vector<uint8_t> header_rlp;  // empty when the fields cannot be re-encoded
  std::vector<JsonTx> txs;
  std::vector<Withdrawal> withdrawals;
};

struct JsonLog {
  Address address;
  uint8_t topic_count = 0;
  std::array<H256, kMaxTopics> topics{};
  std::vector<uint8_t> data;
  std::optional<uint64_t> log_index;
};

struct JsonReceipt {
  std::string source;
  EvmTxHash tx_hash;
  std::optional<uint64_t> tx_index;
  std::optional<EvmBlockHash> block_hash;
  bool has_status = false;
  bool success = false;
  H256 root;
  uint64_t cumulative_gas_used = 0;
  std::optional<uint64_t> gas_used;
  std::optional<U256> effective_gas_price;
  std::optional<U256> blob_gas_price;
  std::optional<std::vector<uint8_t>> bloom;
  std::vector<JsonLog> logs;
};

// ---- Transactions and headers re-encoded from their JSON fields. ----

void EncodeAccessList(Walk& w, element tx, RlpWriter& out) {
  const size_t list = out.BeginList();
  for (element entry : w.Array(tx, "accessList", /*required=*/false)) {
    const size_t e = out.BeginList();
    out.Addr(w.Addr(entry, "address"));
    const size_t keys = out.BeginList();
    for (element k : w.Array(entry, "storageKeys")) out.Hash(w.HashOf(k, "storageKeys"));
    out.EndList(keys);
    out.EndList(e);
  }
  out.EndList(list);
}

// Returns: the y parity of a typed transaction or authorization ("yParity", else "v").
U256 YParity(Walk& w, element obj) {
  if (w.Has(obj, "yParity")) return w.Quantity(obj, "yParity");
  return w.Quantity(obj, "v");
}

void EncodeTxFromFields(Walk& w, element tx, std::vector<uint8_t>* out) {
  const uint64_t type = w.OptQ64(tx, "type").value_or(0);
  if (type > 4) {
    w.FailField("type", absl::StrCat("unsupported transaction type ", type));
    return;
  }
  out->clear();
  if (type != 0) out->push_back(static_cast<uint8_t>(type));
  RlpWriter r(out);
  const size_t list = r.BeginList();
  if (type != 0) r.Uint256(w.Quantity(tx, "chainId"));
  r.Uint256(w.Quantity(tx, "nonce"));
  if (type <= 1) {
    r.Uint256(w.Quantity(tx, "gasPrice"));
  } else {
    r.Uint256(w.Quantity(tx, "maxPriorityFeePerGas"));
    r.Uint256(w.Quantity(tx, "maxFeePerGas"));
  }
  r.Uint256(w.Quantity(tx, "gas"));
  if (auto to = w.OptAddr(tx, "to")) {
    r.Addr(*to);
  } else {
    r.Bytes(ByteSpan());
  }
  r.Uint256(w.Quantity(tx, "value"));
  r.Bytes(w.Data(tx, "input"));
  if (type != 0) EncodeAccessList(w, tx, r);
  if (type == 3) {
    r.Uint256(w.Quantity(tx, "maxFeePerBlobGas"));
    const size_t hashes = r.BeginList();
    for (element h : w.Array(tx, "blobVersionedHashes")) r.Hash(w.HashOf(h, "blobVersionedHashes"));
    r.EndList(hashes);
  }
  if (type == 4) {
    const size_t auths = r.BeginList();
    for (element a : w.Array(tx, "authorizationList")) {
      const size_t t = r.BeginList();
      r.Uint256(w.Quantity(a, "chainId"));
      r.Addr(w.Addr(a, "address"));
      r.Uint256(w.Quantity(a, "nonce"));
      r.Uint256(YParity(w, a));
      r.Uint256(w.Quantity(a, "r"));
      r.Uint256(w.Quantity(a, "s"));
      r.EndList(t);
    }
    r.EndList(auths);
  }
  r.Uint256(type == 0 ? w.Quantity(tx, "v") : YParity(w, tx));
  r.Uint256(w.Quantity(tx, "r"));
  r.Uint256(w.Quantity(tx, "s"));
  r.EndList(list);
}

// Re-encodes the header from its JSON fields. Returns: empty when a consensus field is missing.
std::vector<uint8_t> EncodeHeader(Walk& w, element b) {
  static constexpr const char* kRequired[] = {
      "parentHash",   "sha3Uncles", "miner",      "stateRoot", "transactionsRoot",
      "receiptsRoot", "logsBloom",  "difficulty", "number",    "gasLimit",
      "gasUsed",      "timestamp",  "extraData",  "mixHash",   "nonce"};
  for (const char* k : kRequired) {
    if (!w.Has(b, k)) return {};
  }
  std::vector<uint8_t> out;
  RlpWriter r(&out);
  const size_t list = r.BeginList();
  r.Hash(w.Hash(b, "parentHash"));
  r.Hash(w.Hash(b, "sha3Uncles"));
  r.Addr(w.Addr(b, "miner"));
  r.Hash(w.Hash(b, "stateRoot"));
  r.Hash(w.Hash(b, "transactionsRoot"));
  r.Hash(w.Hash(b, "receiptsRoot"));
  r.Bytes(w.Data(b, "logsBloom"));
  r.Uint256(w.Quantity(b, "difficulty"));
  r.Uint256(w.Quantity(b, "number"));
  r.Uint256(w.Quantity(b, "gasLimit"));
  r.Uint256(w.Quantity(b, "gasUsed"));
  r.Uint256(w.Quantity(b, "timestamp"));
  r.Bytes(w.Data(b, "extraData"));
  r.Hash(w.Hash(b, "mixHash"));
  r.Bytes(w.Data(b, "nonce"));
  // Fork fields, in order, as far as present.
  if (w.Has(b, "baseFeePerGas")) {
    r.Uint256(w.Quantity(b, "baseFeePerGas"));
    if (w.Has(b, "withdrawalsRoot")) {
      r.Hash(w.Hash(b, "withdrawalsRoot"));
      if (w.Has(b, "blobGasUsed")) {
        r.Uint256(w.Quantity(b, "blobGasUsed"));
        r.Uint256(w.Quantity(b, "excessBlobGas"));
        r.Hash(w.Hash(b, "parentBeaconBlockRoot"));
        if (w.Has(b, "requestsHash")) r.Hash(w.Hash(b, "requestsHash"));
      }
    }
  }
  r.EndList(list);
  return out;
}

// ---- Document classification. ----

struct Collected {
  std::vector<JsonBlock> blocks;
  std::unordered_map<EvmTxHash, JsonReceipt> receipts;
  std::vector<JsonTraces> traces;
  size_t order = 0;
};

absl::Status ParseBlock(element b, const std::string& source, const JsonDumpOptions& options,
                        Collected* c) {
  Walk w(source);
  JsonBlock blk;
  blk.source = source;
  blk.order = c->order++;
  blk.number = w.Q64(b, "number");
  w.set_context(absl::StrCat(source, ": block ", blk.number));
  blk.hash = RetagHash<EvmBlockHash>(w.Hash(b, "hash"));
  blk.parent_hash = RetagHash<EvmBlockHash>(w.Hash(b, "parentHash"));
  blk.timestamp = w.Q64(b, "timestamp");
  blk.miner = w.Addr(b, "miner");
  blk.base_fee = w.OptQuantity(b, "baseFeePerGas");
  blk.gas_limit = w.Q64(b, "gasLimit");
  blk.gas_used = w.Q64(b, "gasUsed");
  blk.blob_gas_used = w.OptQ64(b, "blobGasUsed");
  blk.excess_blob_gas = w.OptQ64(b, "excessBlobGas");
  blk.transactions_root = w.Hash(b, "transactionsRoot");
  blk.receipts_root = w.Hash(b, "receiptsRoot");
  if (options.verify) blk.header_rlp = EncodeHeader(w, b);
  std::vector<element> txs = w.Array(b, "transactions");
  if (!w.ok()) return w.status();
  size_t i = 0;
  for (element t : txs) {
    if (t.is_string()) {
      if (options.skip_header_only_blocks) return absl::OkStatus();
      return absl::DataLossError(absl::StrCat(
          w.context(), ": transactions are hashes only (fetch blocks with full transactions)"));
    }
    w.set_context(absl::StrCat(source, ": block ", blk.number, ": transaction ", i));
    JsonTx tx;
    tx.claimed_hash = RetagHash<EvmTxHash>(w.Hash(t, "hash"));
    tx.claimed_from = w.OptAddr(t, "from");
    if (auto idx = w.OptQ64(t, "transactionIndex"); idx.has_value() && *idx != i) {
      w.FailField("transactionIndex", absl::StrCat("is ", *idx, ", position in the block is ", i));
    }
    EncodeTxFromFields(w, t, &tx.encoded);
    if (w.Has(t, "raw") && options.verify && w.ok()) {
      // Parity adds the signed encoding: the fields must encode to exactly these bytes.
      if (w.Data(t, "raw") != tx.encoded) {
        w.FailField("raw", "differs from the encoding of the transaction's fields");
      }
    }
    if (!w.ok()) return w.status();
    blk.txs.push_back(std::move(tx));
    ++i;
  }
  w.set_context(absl::StrCat(source, ": block ", blk.number));
  for (element wd : w.Array(b, "withdrawals", /*required=*/false)) {
    Withdrawal x;
    x.index = w.Q64(wd, "index");
    x.validator_index = w.Q64(wd, "validatorIndex");
    x.address = w.Addr(wd, "address");
    x.amount_gwei = w.Q64(wd, "amount");
    blk.withdrawals.push_back(x);
  }
  if (!w.ok()) return w.status();
  c->blocks.push_back(std::move(blk));
  return absl::OkStatus();
}

absl::Status ParseReceipt(element r, const std::string& source, Collected* c) {
  Walk w(source);
  JsonReceipt rc;
  rc.source = source;
  rc.tx_hash = RetagHash<EvmTxHash>(w.Hash(r, "transactionHash"));
  w.set_context(absl::StrCat(source, ": receipt of ", HashHex(rc.tx_hash)));
  rc.tx_index = w.OptQ64(r, "transactionIndex");
  if (auto h = w.OptHash(r, "blockHash")) rc.block_hash = RetagHash<EvmBlockHash>(*h);
  if (auto s = w.OptQ64(r, "status")) {
    if (*s > 1) w.FailField("status", "neither 0x0 nor 0x1");
    rc.has_status = true;
    rc.success = *s == 1;
  } else if (auto root = w.OptHash(r, "root")) {
    rc.root = *root;
  } else {
    w.Fail("receipt has neither \"status\" nor \"root\"");
  }
  rc.cumulative_gas_used = w.Q64(r, "cumulativeGasUsed");
  rc.gas_used = w.OptQ64(r, "gasUsed");
  rc.effective_gas_price = w.OptQuantity(r, "effectiveGasPrice");
  rc.blob_gas_price = w.OptQuantity(r, "blobGasPrice");
  if (w.Has(r, "logsBloom")) {
    rc.bloom = w.Data(r, "logsBloom");
    if (rc.bloom->size() != kBloomSize) w.FailField("logsBloom", "not 256 bytes");
  }
  for (element l : w.Array(r, "logs")) {
    JsonLog log;
    log.address = w.Addr(l, "address");
    for (element t : w.Array(l, "topics")) {
      if (log.topic_count == kMaxTopics) {
        w.FailField("topics", "more than 4 topics");
        break;
      }
      log.topics[log.topic_count++] = w.HashOf(t, "topics");
    }
    log.data = w.Data(l, "data");
    log.log_index = w.OptQ64(l, "logIndex");
    rc.logs.push_back(std::move(log));
    if (!w.ok()) break;
  }
  if (!w.ok()) return w.status();
  c->receipts[rc.tx_hash] = std::move(rc);
  return absl::OkStatus();
}

// Returns: the block number named in a geth trace file name ("…debug_traceBlockByNumber_0x…").
std::optional<uint64_t> BlockNumberFromName(const std::string& name) {
  static const std::regex re("traceBlockByNumber_(0x[0-9a-fA-F]+)");
  std::smatch m;
  if (!std::regex_search(name, m, re)) return std::nullopt;
  auto v = U256::FromHex(m[1].str());
  if (!v.ok() || !v->FitsU64()) return std::nullopt;
  return v->low64();
}

absl::Status ParseResult(element result, const std::string& source, const std::string& file_name,
                         const JsonDumpOptions& options, Collected* c);

absl::Status ParseDocument(element doc, const std::string& source, const std::string& file_name,
                           const JsonDumpOptions& options, Collected* c) {
  if (doc.is_array()) {
    array a = doc.get_array().value_unsafe();
    // A batch of responses, or a bare result array.
    bool batch = false;
    for (element e : a) {
      batch = e.is_object() && (e.at_key("jsonrpc").error() == simdjson::SUCCESS);
      break;
    }
    if (!batch) return ParseResult(doc, source, file_name, options, c);
    size_t i = 0;
    for (element e : a) {
      RETURN_IF_ERROR(ParseDocument(e, absl::StrCat(source, "[", i++, "]"), file_name, options, c));
    }
    return absl::OkStatus();
  }
  if (!doc.is_object()) return absl::OkStatus();
  element err;
  if (doc.at_key("error").get(err) == simdjson::SUCCESS && !err.is_null()) {
    return absl::DataLossError(
        absl::StrCat(source, ": JSON-RPC error response: ", simdjson::minify(err).substr(0, 200)));
  }
  element result;
  if (doc.at_key("result").get(result) == simdjson::SUCCESS) {
    if (result.is_null()) {
      return absl::DataLossError(absl::StrCat(source, ": JSON-RPC result is null"));
    }
    return ParseResult(result, source, file_name, options, c);
  }
  return ParseResult(doc, source, file_name, options, c);
}

absl::Status ParseResult(element result, const std::string& source, const std::string& file_name,
                         const JsonDumpOptions& options, Collected* c) {
  if (result.is_object()) {
    if (result.at_key("transactions").error() == simdjson::SUCCESS) {
      return ParseBlock(result, source, options, c);
    }
    if (result.at_key("transactionHash").error() == simdjson::SUCCESS &&
        result.at_key("logs").error() == simdjson::SUCCESS) {
      return ParseReceipt(result, source, c);
    }
    return absl::OkStatus();  // some other object: not block data
  }
  if (!result.is_array()) return absl::OkStatus();
  array a = result.get_array().value_unsafe();
  element first;
  bool any = false;
  for (element e : a) {
    first = e;
    any = true;
    break;
  }
  if (!any || !first.is_object()) return absl::OkStatus();
  Walk w(source);
  if (first.at_key("transactionHash").error() == simdjson::SUCCESS &&
      first.at_key("logs").error() == simdjson::SUCCESS) {
    for (element r : a) RETURN_IF_ERROR(ParseReceipt(r, source, c));
    return absl::OkStatus();
  }
  if (first.at_key("action").error() == simdjson::SUCCESS &&
      first.at_key("traceAddress").error() == simdjson::SUCCESS) {
    JsonTraces t;
    t.source = source;
    ParseParity(w, a, &t);
    if (!w.ok()) return w.status();
    if (!t.frames.empty()) c->traces.push_back(std::move(t));
    return absl::OkStatus();
  }
  if (first.at_key("result").error() == simdjson::SUCCESS) {
    JsonTraces t;
    t.source = source;
    t.block_number = BlockNumberFromName(file_name);
    ParseGeth(w, a, &t);
    if (!w.ok()) return w.status();
    if (t.tx_hashes.empty() && !t.block_number.has_value()) {
      return absl::DataLossError(
          absl::StrCat(source,
                       ": geth call trace without \"txHash\" entries or a block number in the file "
                       "name (debug_traceBlockByNumber_0x…)"));
    }
    c->traces.push_back(std::move(t));
  }
  return absl::OkStatus();
}

absl::Status ParseFile(const std::filesystem::path& path, simdjson::dom::parser& parser,
                       const JsonDumpOptions& options, Collected* c) {
  const std::string name = path.filename().string();
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return absl::NotFoundError(absl::StrCat(path.string(), ": ", ec.message()));
  if (size > options.max_file_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(path.string(), ": ", size, " bytes exceeds the JSON file cap"));
  }
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path.string()).get(text) != simdjson::SUCCESS) {
    return absl::NotFoundError(absl::StrCat(path.string(), ": cannot read"));
  }
  const std::string ext = path.extension().string();
  if (ext == ".jsonl" || ext == ".ndjson") {
    simdjson::dom::document_stream docs;
    const size_t batch = std::max<size_t>(text.size(), 1 << 20);
    if (parser.parse_many(text, batch).get(docs) != simdjson::SUCCESS) {
      return absl::DataLossError(absl::StrCat(name, ": not JSON lines"));
    }
    size_t line = 0;
    for (auto it = docs.begin(); it != docs.end(); ++it) {
      ++line;
      element doc;
      if (auto e = (*it).get(doc); e != simdjson::SUCCESS) {
        return absl::DataLossError(absl::StrCat(name, ": document ", line, ": malformed JSON (",
                                                simdjson::error_message(e), ")"));
      }
      RETURN_IF_ERROR(ParseDocument(doc, absl::StrCat(name, ":", line), name, options, c));
    }
    return absl::OkStatus();
  }
  element doc;
  if (auto e = parser.parse(text).get(doc); e != simdjson::SUCCESS) {
    return absl::DataLossError(
        absl::StrCat(name, ": malformed JSON (", simdjson::error_message(e), ")"));
  }
  return ParseDocument(doc, name, name, options, c);
}

// ---- Joining records into EvmBlocks. ----

absl::Status BuildBlock(const JsonBlock& jb, const Collected& c,
                        const std::vector<const JsonTraces*>& traces,
                        const JsonDumpOptions& options, std::vector<Transaction>& txs,
                        EvmBlock* out) {
  const std::string ctx = absl::StrCat(jb.source, ": block ", jb.number);
  EvmBlockBuilder builder(out);
  builder.SetChain(options.chain);
  out->number = jb.number;
  out->hash = jb.hash;
  out->parent_hash = jb.parent_hash;
  out->timestamp = jb.timestamp;
  out->miner = jb.miner;
  out->base_fee = jb.base_fee;
  out->gas_limit = jb.gas_limit;
  out->gas_used = jb.gas_used;
  out->blob_gas_used = jb.blob_gas_used;
  out->excess_blob_gas = jb.excess_blob_gas;
  out->transactions_root = jb.transactions_root;
  out->receipts_root = jb.receipts_root;
  out->withdrawals = jb.withdrawals;
  if (options.verify && !jb.header_rlp.empty()) {
    EvmBlockHash h;
    Keccak256(jb.header_rlp, h.data());
    if (h != jb.hash) {
      return absl::DataLossError(absl::StrCat(ctx, ": header re-encoded from its fields hashes to ",
                                              HashHex(h), ", not to its \"hash\" ",
                                              HashHex(jb.hash)));
    }
    out->provenance.hash_verified = true;
  }
  txs.resize(jb.txs.size());
  bool senders_checked = !jb.txs.empty();
  for (size_t i = 0; i < jb.txs.size(); ++i) {
    const JsonTx& jt = jb.txs[i];
    const std::string tctx =
        absl::StrCat(ctx, ": transaction ", i, " (", HashHex(jt.claimed_hash), ")");
    RETURN_IF_ERROR(DecodeTransaction(jt.encoded, tctx, &txs[i]));
    if (RetagHash<EvmTxHash>(txs[i].hash) != jt.claimed_hash) {
      return absl::DataLossError(absl::StrCat(tctx, ": fields re-encode to hash ",
                                              HashHex(txs[i].hash), ", not the dump's"));
    }
    Address sender;
    if (options.verify || !jt.claimed_from.has_value()) {
      auto s = RecoverSender(txs[i]);
      if (!s.ok())
        return absl::DataLossError(absl::StrCat(tctx, ": ", AV(SV(s.status().message()))));
      sender = *s;
      if (jt.claimed_from.has_value() && *jt.claimed_from != sender) {
        return absl::DataLossError(
            absl::StrCat(tctx, ": recovered sender ", ToChecksumAddress(sender),
                         " differs from \"from\" ", ToChecksumAddress(*jt.claimed_from)));
      }
      senders_checked &= jt.claimed_from.has_value();
    } else {
      sender = *jt.claimed_from;
      senders_checked = false;
    }
    builder.AddTransaction(txs[i], sender);
  }
  out->provenance.senders_verified = senders_checked && options.verify;
  if (options.verify) {
    const H256 root = OrderedTrieRoot(txs.size(), [&](size_t i) { return txs[i].encoded; });
    if (root != jb.transactions_root) {
      return absl::DataLossError(absl::StrCat(ctx, ": transactions root recomputed as ",
                                              HashHex(root), ", header has ",
                                              HashHex(jb.transactions_root)));
    }
    out->provenance.tx_root_verified = true;
  }

  // Receipts, when the dump has them for every transaction.
  size_t found = 0;
  for (const JsonTx& jt : jb.txs) found += c.receipts.count(jt.claimed_hash);
  if (found != 0 && found != jb.txs.size()) {
    for (size_t i = 0; i < jb.txs.size(); ++i) {
      if (c.receipts.count(jb.txs[i].claimed_hash) == 0) {
        return absl::DataLossError(absl::StrCat(ctx, ": the dump has receipts for ", found, " of ",
                                                jb.txs.size(), " transactions; none for ",
                                                HashHex(jb.txs[i].claimed_hash)));
      }
    }
  }
  if (jb.txs.empty()) out->provenance.has_receipts = true;
  if (found == jb.txs.size() && found > 0) {
    std::vector<uint8_t> encoded;
    std::vector<size_t> ends;
    std::vector<uint8_t> logs_rlp;
    for (size_t i = 0; i < jb.txs.size(); ++i) {
      const JsonReceipt& r = c.receipts.at(jb.txs[i].claimed_hash);
      const std::string rctx = absl::StrCat(r.source, ": receipt of transaction ", i);
      if (r.tx_index.has_value() && *r.tx_index != i) {
        return absl::DataLossError(absl::StrCat(rctx, ": transactionIndex is ", *r.tx_index));
      }
      if (r.block_hash.has_value() && *r.block_hash != jb.hash) {
        return absl::DataLossError(absl::StrCat(rctx, ": blockHash ", HashHex(*r.block_hash),
                                                " is not the block's ", HashHex(jb.hash)));
      }
      ReceiptInfo info;
      info.status =
          !r.has_status ? TxStatus::kUnknown : (r.success ? TxStatus::kSuccess : TxStatus::kFailed);
      info.cumulative_gas_used = r.cumulative_gas_used;
      info.gas_used = r.gas_used;
      info.effective_gas_price = r.effective_gas_price;
      info.blob_gas_price = r.blob_gas_price;
      info.source = r.source;
      builder.SetReceipt(static_cast<uint32_t>(i), info);
      logs_rlp.clear();
      RlpWriter lw(&logs_rlp);
      const size_t logs_list = lw.BeginList();
      uint8_t bloom[kBloomSize] = {};
      for (const JsonLog& log : r.logs) {
        const size_t expect_index = out->logs.size();
        if (log.log_index.has_value() && *log.log_index != expect_index) {
          return absl::DataLossError(absl::StrCat(rctx, ": logIndex ", *log.log_index,
                                                  " is not the log's position in the block ",
                                                  expect_index));
        }
        builder.AddLog(static_cast<uint32_t>(i), log.address,
                       std::span<const H256>(log.topics.data(), log.topic_count), log.data);
        const size_t l = lw.BeginList();
        lw.Addr(log.address);
        const size_t t = lw.BeginList();
        for (size_t k = 0; k < log.topic_count; ++k) lw.Hash(log.topics[k]);
        lw.EndList(t);
        lw.Bytes(log.data);
        lw.EndList(l);
        AddToBloom(log.address.span(), bloom);
        for (size_t k = 0; k < log.topic_count; ++k) AddToBloom(log.topics[k].span(), bloom);
      }
      lw.EndList(logs_list);
      if (options.verify) {
        if (r.bloom.has_value() && std::memcmp(r.bloom->data(), bloom, kBloomSize) != 0) {
          return absl::DataLossError(
              absl::StrCat(rctx, ": logsBloom differs from the bloom of its logs"));
        }
        EncodeConsensusReceipt(txs[i].type, r.has_status, r.success, r.root, r.cumulative_gas_used,
                               bloom, logs_rlp, &encoded);
        ends.push_back(encoded.size());
      }
    }
    if (options.verify) {
      const H256 root = OrderedTrieRoot(ends.size(), [&](size_t i) {
        const size_t begin = i == 0 ? 0 : ends[i - 1];
        return ByteSpan(encoded.data() + begin, ends[i] - begin);
      });
      if (root != jb.receipts_root) {
        return absl::DataLossError(absl::StrCat(ctx, ": receipts root recomputed as ",
                                                HashHex(root), ", header has ",
                                                HashHex(jb.receipts_root)));
      }
      out->provenance.receipt_root_verified = true;
    }
  }

  // Traces.
  if (!traces.empty()) {
    if (traces.size() > 1) {
      return absl::DataLossError(absl::StrCat(ctx, ": two trace sets (", traces[0]->source, " and ",
                                              traces[1]->source, ")"));
    }
    builder.SetHasTraces();
    for (const JsonFrame& f : traces[0]->frames) {
      if (f.tx_index >= jb.txs.size()) {
        return absl::DataLossError(absl::StrCat(traces[0]->source, ": trace of transaction ",
                                                f.tx_index, " beyond block ", jb.number, "'s ",
                                                jb.txs.size()));
      }
      builder.AddCallFrame(f.tx_index, f.kind, f.from, f.to, f.value, f.error, f.trace_address);
    }
  }
  if (jb.excess_blob_gas.has_value()) {
    if (auto fee = BlobBaseFee(options.chain, jb.timestamp, *jb.excess_blob_gas)) {
      builder.SetBlobBaseFee(*fee);
    }
  }
  return builder.Finish(ctx);
}

}  // namespace

namespace {

// Joins the collected records into blocks and calls on_block for each, in number order.
absl::Status EmitBlocks(Collected& c, const JsonDumpOptions& options,
                        absl::FunctionRef<absl::Status(const EvmBlock&)> on_block);

}  // namespace

absl::Status ReadJsonRpcFiles(std::span<const std::filesystem::path> files,
                              const JsonDumpOptions& options,
                              absl::FunctionRef<absl::Status(const EvmBlock&)> on_block) {
  simdjson::dom::parser parser;
  if (parser.allocate(1 << 20, kMaxJsonDepth) != simdjson::SUCCESS) {
    return absl::ResourceExhaustedError("cannot allocate the JSON parser");
  }
  Collected c;
  for (const auto& f : files) RETURN_IF_ERROR(ParseFile(f, parser, options, &c));
  return EmitBlocks(c, options, on_block);
}

absl::Status ReadJsonRpcTexts(std::span<const JsonRpcText> texts, const JsonDumpOptions& options,
                              absl::FunctionRef<absl::Status(const EvmBlock&)> on_block) {
  simdjson::dom::parser parser;
  if (parser.allocate(1 << 20, kMaxJsonDepth) != simdjson::SUCCESS) {
    return absl::ResourceExhaustedError("cannot allocate the JSON parser");
  }
  Collected c;
  for (const JsonRpcText& t : texts) {
    if (t.text.size() > options.max_file_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat(t.source, ": ", t.text.size(), " bytes exceeds the JSON cap"));
    }
    const simdjson::padded_string padded(t.text.data(), t.text.size());
    element doc;
    if (auto e = parser.parse(padded).get(doc); e != simdjson::SUCCESS) {
      return absl::DataLossError(
          absl::StrCat(t.source, ": malformed JSON (", simdjson::error_message(e), ")"));
    }
    RETURN_IF_ERROR(ParseDocument(doc, t.source, t.source, options, &c));
  }
  return EmitBlocks(c, options, on_block);
}

namespace {

absl::Status EmitBlocks(Collected& c, const JsonDumpOptions& options,
                        absl::FunctionRef<absl::Status(const EvmBlock&)> on_block) {
  // Blocks in number order (file order among equals), exact duplicates dropped.
  std::stable_sort(c.blocks.begin(), c.blocks.end(),
                   [](const JsonBlock& a, const JsonBlock& b) { return a.number < b.number; });
  // Traces to blocks: by block hash, else number, else transaction hash.
  std::unordered_map<EvmTxHash, size_t> tx_block;
  for (size_t b = 0; b < c.blocks.size(); ++b) {
    for (const JsonTx& t : c.blocks[b].txs) tx_block[t.claimed_hash] = b;
  }
  std::vector<std::vector<const JsonTraces*>> block_traces(c.blocks.size());
  for (const JsonTraces& t : c.traces) {
    std::optional<size_t> match;
    for (size_t b = 0; b < c.blocks.size() && !match.has_value(); ++b) {
      if (t.block_hash.has_value() ? c.blocks[b].hash == *t.block_hash
                                   : t.block_number == c.blocks[b].number) {
        match = b;
      }
    }
    if (!match.has_value() && !t.tx_hashes.empty()) {
      if (auto it = tx_block.find(t.tx_hashes[0]); it != tx_block.end()) match = it->second;
    }
    if (!match.has_value()) {
      return absl::DataLossError(absl::StrCat(t.source, ": trace of block ",
                                              t.block_number.value_or(0),
                                              " matches no block in the dump"));
    }
    block_traces[*match].push_back(&t);
  }
  EvmBlock block;
  std::vector<Transaction> txs;
  size_t used_receipts = 0;
  for (size_t b = 0; b < c.blocks.size(); ++b) {
    const JsonBlock& jb = c.blocks[b];
    if (b > 0 && c.blocks[b - 1].hash == jb.hash) continue;
    RETURN_IF_ERROR(BuildBlock(jb, c, block_traces[b], options, txs, &block));
    if (block.provenance.has_receipts) used_receipts += jb.txs.size();
    RETURN_IF_ERROR(on_block(block));
  }
  if (used_receipts < c.receipts.size()) {
    for (const auto& [hash, r] : c.receipts) {
      if (tx_block.count(hash) == 0) {
        return absl::DataLossError(absl::StrCat(r.source, ": receipt of ", HashHex(hash),
                                                " matches no transaction of the dump's blocks"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadJsonRpcDir(const std::filesystem::path& dir, const JsonDumpOptions& options,
                            absl::FunctionRef<absl::Status(const EvmBlock&)> on_block) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".json" || ext == ".jsonl" || ext == ".ndjson")) {
      files.push_back(e.path());
    }
  }
  if (ec) return absl::NotFoundError(absl::StrCat(dir.string(), ": ", ec.message()));
  std::sort(files.begin(), files.end());
  return ReadJsonRpcFiles(files, options, on_block);
}

}  // namespace ariadne::evm
