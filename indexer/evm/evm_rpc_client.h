// A client of an Ethereum node's JSON-RPC (geth, reth, erigon, nethermind, anvil): the blocks the
// indexer needs, each with its receipts and call traces, fetched in batches (several blocks per
// round trip) over the shared transport (indexer/rpc/json_rpc_http.h: retries with backoff,
// errors naming the method and the URL).
//
// Per block: eth_getBlockByNumber with full transactions, eth_getBlockReceipts (a node without it
// is asked eth_getTransactionReceipt per transaction), and the call traces: parity's trace_block
// (reth, erigon, nethermind, anvil) or, from a node without it, debug_traceBlockByNumber with the
// callTracer (geth). trace_block is asked first because it costs the node one execution of the
// block: anvil 1.7 answers the callTracer over a block of 300 transactions in 11.5 s, trace_block
// in 8 ms. The answers are parsed, joined and
// verified by the dump reader (json_rpc.h: ReadJsonRpcTexts), so RPC and dumps give the same
// blocks.
#ifndef ARIADNE_INDEXER_EVM_EVM_RPC_CLIENT_H_
#define ARIADNE_INDEXER_EVM_EVM_RPC_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "indexer/evm/evm_block.h"
#include "indexer/evm/json_rpc.h"
#include "indexer/rpc/json_rpc_http.h"

namespace ariadne::evm {

// Which call tracer the node answers.
enum class TraceMethod : uint8_t { kUnknown, kGethCallTracer, kParityTraceBlock };

struct EvmRpcOptions {
  // The node (required: http://HOST:PORT[/PATH]), retries and timeout, as the transport takes
  // them; Create sets JSON-RPC 2.0 and "EVM RPC" in errors. The largest answer of one batch
  // accepted defaults to 1 GiB here.
  rpc::HttpRpcOptions http = [] {
    rpc::HttpRpcOptions o;
    o.max_response_bytes = size_t{1} << 30;
    return o;
  }();
  // Default kUnknown: trace_block, else debug_traceBlockByNumber (whichever the node answers);
  // a fixed method is the only one asked.
  TraceMethod traces = TraceMethod::kUnknown;
};

struct EvmRpcStats {
  uint64_t round_trips = 0;
  uint64_t requests = 0;
  uint64_t bytes = 0;        // of answers
  double fetch_seconds = 0;  // waiting for the node (send to last byte)
};

// The node's answers for blocks [first, last], as fetched: the texts point into the results (moving
// the struct keeps them valid).
struct EvmRpcAnswers {
  uint64_t first = 0;
  uint64_t last = 0;
  std::vector<absl::StatusOr<std::string>> results;
  std::vector<absl::StatusOr<std::string>> more_results;
  std::vector<JsonRpcText> texts;  // for ReadJsonRpcTexts
};

// Not thread-safe: one call at a time (a call may run on another thread than the previous one).
class EvmRpcClient {
 public:
  // Returns: the client (nothing is connected yet); INVALID_ARGUMENT naming a bad URL.
  static absl::StatusOr<std::unique_ptr<EvmRpcClient>> Create(EvmRpcOptions options);
  ~EvmRpcClient();

  // Returns: the node's head block number (eth_blockNumber).
  absl::StatusOr<uint64_t> BlockNumber();
  // Returns: the node's chain id (eth_chainId).
  absl::StatusOr<uint64_t> ChainId();
  // Returns: the hash of the node's block `number`; NOT_FOUND above its head.
  absl::StatusOr<EvmBlockHash> BlockHash(uint64_t number);

  // Fetches blocks [first, last] in one batch (with their receipts and traces) and calls on_block
  // for each in number order (the block passed is reused after the call returns).
  // Returns: OK; NOT_FOUND when the node has no block in the range (above its head);
  //          FAILED_PRECONDITION "node at URL does not answer METHOD" when it lacks a method it
  //          needs (receipts or traces by any of the two ways); the transport's errors (naming
  //          the method and URL); DATA_LOSS from the reader (naming the block) for an answer that
  //          does not verify; or the first error on_block returns.
  absl::Status FetchBlocks(uint64_t first, uint64_t last, const JsonDumpOptions& options,
                           absl::FunctionRef<absl::Status(const EvmBlock&)> on_block);
  // The fetching half of FetchBlocks (the same errors but the reader's): the answers, to be read
  // with ReadJsonRpcTexts (on another thread, while the next blocks are fetched).
  absl::StatusOr<EvmRpcAnswers> Fetch(uint64_t first, uint64_t last);

  const std::string& url() const { return http_->url(); }
  const EvmRpcStats& stats() const { return stats_; }
  uint64_t retries() const { return http_->retries(); }
  TraceMethod trace_method() const { return trace_method_; }
  // Whether the node answers eth_getBlockReceipts (unknown before the first fetch).
  std::optional<bool> block_receipts() const { return block_receipts_; }

 private:
  explicit EvmRpcClient(std::unique_ptr<rpc::JsonRpcHttp> http) : http_(std::move(http)) {}
  absl::Status Batch(std::span<const rpc::RpcRequest> requests,
                     std::vector<absl::StatusOr<std::string>>* results);
  absl::StatusOr<uint64_t> Quantity(std::string_view method);
  absl::Status Lacks(std::string_view method, const absl::Status& why) const;

  std::unique_ptr<rpc::JsonRpcHttp> http_;
  EvmRpcStats stats_;
  TraceMethod trace_method_ = TraceMethod::kUnknown;
  bool trace_fixed_ = false;
  std::optional<bool> block_receipts_;
};

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_EVM_RPC_CLIENT_H_
