// EVM blocks from JSON-RPC dumps: the responses of eth_getBlockByNumber (full transactions),
// eth_getTransactionReceipt / eth_getBlockReceipts, parity trace_block and geth
// debug_traceBlockByNumber with the callTracer, saved one response per file (as ethereum-etl's test
// resources are), as arrays of responses (batch calls), or one response per line (.jsonl/.ndjson).
//
// Documents are recognised by content, not by file name: a result object with "transactions" is a
// block, one with "transactionHash" and "logs" a receipt, an array of {"action", "traceAddress"} a
// parity trace, an array of {"result": {"type", "from", ...}} a geth call trace. Other results
// (eth_chainId, eth_call, booleans, ...) are skipped. Geth call traces carry no block number unless
// each entry has "txHash": then the file name must say it ("debug_traceBlockByNumber_0x<hex>").
//
// Verification (JsonDumpOptions::verify, default on): each transaction is re-encoded from its JSON
// fields (or decoded from "raw"), its hash compared with "hash", its sender recovered and compared
// with "from"; when the block has all its receipts, the transactions and receipts roots are
// recomputed and compared with the header's; the header is re-encoded and its hash compared with
// "hash" (provenance.hash_verified; a header with fields we cannot re-encode is left unverified).
// Any mismatch is DATA_LOSS naming the file and block/transaction.
//
// Memory: the reader decodes all the given files into compact per-block records, joins receipts
// and traces to blocks, and then emits blocks in number order. Pass large dumps in slices (files of
// a block range at a time).
#ifndef ARIADNE_INDEXER_EVM_JSON_RPC_H_
#define ARIADNE_INDEXER_EVM_JSON_RPC_H_

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "indexer/evm/block_builder.h"
#include "indexer/evm/evm_block.h"
#include "indexer/evm/header.h"

namespace ariadne::evm {

struct JsonDumpOptions {
  ChainConfig chain = ChainConfig::Mainnet();  // default: mainnet (blob fee schedule)
  bool verify = true;                          // default: on (see above)
  // Blocks fetched without full transactions (eth_getBlockByNumber(n, false)) cannot be decoded.
  // Default false: they are an error; true: they are skipped.
  bool skip_header_only_blocks = false;
  uint64_t max_file_bytes = 1ull << 30;  // default: 1 GiB per file
};

// Reads the given files (in this order for equal block numbers) and calls on_block for each block
// in number order. The block passed is reused after the call returns.
// Returns: OK; NOT_FOUND for a missing file; DATA_LOSS naming file and block/transaction for
//          malformed JSON, a JSON-RPC error response, a missing field, a verification mismatch,
//          a receipt or trace that matches no block; or the first error on_block returns.
absl::Status ReadJsonRpcFiles(std::span<const std::filesystem::path> files,
                              const JsonDumpOptions& options,
                              absl::FunctionRef<absl::Status(const EvmBlock&)> on_block);

// One JSON-RPC document held in memory (a response, a batch of responses, or a bare result), as
// a node answered it; `source` names it in errors and plays the file name's part (a geth trace
// without "txHash" entries needs "debug_traceBlockByNumber_0x<hex>" in it).
struct JsonRpcText {
  std::string source;
  std::string_view text;
};

// As ReadJsonRpcFiles over documents held in memory (what `index evm --rpc` fetched): the same
// parsing, joining and verification.
absl::Status ReadJsonRpcTexts(std::span<const JsonRpcText> texts, const JsonDumpOptions& options,
                              absl::FunctionRef<absl::Status(const EvmBlock&)> on_block);

// As ReadJsonRpcFiles over every *.json, *.jsonl and *.ndjson file of `dir`, sorted by name.
absl::Status ReadJsonRpcDir(const std::filesystem::path& dir, const JsonDumpOptions& options,
                            absl::FunctionRef<absl::Status(const EvmBlock&)> on_block);

// Adds the frames of one transaction's geth callTracer result (the JSON text of the top frame,
// {"type", "from", "to", "value", "error", "calls": [...]}) to a block being built.
// Returns: OK, or DATA_LOSS naming the problem (not an object, bad value, nesting beyond 1100).
absl::Status AddGethCallTrace(std::string_view json, uint32_t tx_index, EvmBlockBuilder* builder);

// Adds parity trace_block frames (the JSON text of the result array) to a block being built;
// transactionPosition gives each frame's transaction, reward traces are skipped.
absl::Status AddParityTraces(std::string_view json, EvmBlockBuilder* builder);

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_JSON_RPC_H_
