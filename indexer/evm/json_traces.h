// Call traces in JSON (parity trace_block entries, geth callTracer trees) parsed into frames, for
// the dump reader (json_rpc.cc) and the RPC source (AddGethCallTrace, AddParityTraces). Internal
// to indexer/evm.
#ifndef ARIADNE_INDEXER_EVM_JSON_TRACES_H_
#define ARIADNE_INDEXER_EVM_JSON_TRACES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "indexer/evm/block_builder.h"
#include "indexer/evm/evm_block.h"
#include "indexer/evm/json_walk.h"

namespace ariadne::evm::json_detail {

struct JsonFrame {
  uint32_t tx_index = 0;
  CallKind kind = CallKind::kOther;
  bool error = false;
  Address from;
  Address to;
  U256 value;
  std::vector<uint32_t> trace_address;
};

struct JsonTraces {
  std::string source;
  std::optional<uint64_t> block_number;
  std::optional<EvmBlockHash> block_hash;
  std::vector<EvmTxHash> tx_hashes;  // geth entries with "txHash", parity transactionHash
  std::vector<JsonFrame> frames;
};

// Parses parity trace_block entries. Reward traces (no transactionPosition) are skipped.
void ParseParity(Walk& w, array traces, JsonTraces* out);

// Parses geth debug_traceBlockByNumber entries ({"txHash", "result": call tree}), in order.
void ParseGeth(Walk& w, array entries, JsonTraces* out);

// Adds the frames to the block being built and marks it as traced.
absl::Status AddFrames(const std::vector<JsonFrame>& frames, EvmBlockBuilder* builder);

}  // namespace ariadne::evm::json_detail

#endif  // ARIADNE_INDEXER_EVM_JSON_TRACES_H_
