#include "indexer/evm/evm_rpc_client.h"

#include <simdjson.h>

#include "absl/strings/str_cat.h"
#include "engine/core/hex.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "engine/core/u256.h"

namespace ariadne::evm {
namespace {

std::string Hex(uint64_t n) { return absl::StrCat("\"0x", absl::Hex(n), "\""); }

// The request of one block's call traces by `method`.
rpc::RpcRequest TraceRequest(TraceMethod method, uint64_t block);

constexpr char kTraceCall[] = "debug_traceBlockByNumber";
constexpr char kParityTrace[] = "trace_block";
constexpr char kBlockReceipts[] = "eth_getBlockReceipts";

rpc::RpcRequest TraceRequest(TraceMethod method, uint64_t block) {
  if (method == TraceMethod::kGethCallTracer) {
    return {kTraceCall, absl::StrCat("[", Hex(block), ",{\"tracer\":\"callTracer\"}]")};
  }
  return {kParityTrace, absl::StrCat("[", Hex(block), "]")};
}

}  // namespace

EvmRpcClient::~EvmRpcClient() = default;

absl::StatusOr<std::unique_ptr<EvmRpcClient>> EvmRpcClient::Create(EvmRpcOptions options) {
  rpc::HttpRpcOptions& o = options.http;
  o.jsonrpc_version = "2.0";
  o.name = "EVM RPC";
  ASSIGN_OR_RETURN(std::unique_ptr<rpc::JsonRpcHttp> http, rpc::JsonRpcHttp::Create(std::move(o)));
  auto client = std::unique_ptr<EvmRpcClient>(new EvmRpcClient(std::move(http)));
  client->trace_method_ = options.traces;
  client->trace_fixed_ = options.traces != TraceMethod::kUnknown;
  return client;
}

absl::Status EvmRpcClient::Lacks(std::string_view method, const absl::Status& why) const {
  return absl::FailedPreconditionError(absl::StrCat("node at ", url(), " does not answer ",
                                                    AV(method), " (", AV(SV(why.message())), ")"));
}

absl::Status EvmRpcClient::Batch(std::span<const rpc::RpcRequest> requests,
                                 std::vector<absl::StatusOr<std::string>>* results) {
  const auto start = std::chrono::steady_clock::now();
  const uint64_t bytes = http_->bytes_received();
  absl::Status s = http_->CallBatch(requests, results);
  stats_.fetch_seconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stats_.bytes += http_->bytes_received() - bytes;
  ++stats_.round_trips;
  stats_.requests += requests.size();
  return s;
}

absl::StatusOr<uint64_t> EvmRpcClient::BlockNumber() { return Quantity("eth_blockNumber"); }
absl::StatusOr<uint64_t> EvmRpcClient::ChainId() { return Quantity("eth_chainId"); }

absl::StatusOr<uint64_t> EvmRpcClient::Quantity(std::string_view method) {
  ASSIGN_OR_RETURN(std::string json, http_->Call(method, "[]"));
  ++stats_.round_trips;
  ++stats_.requests;
  if (json.size() < 4 || json.front() != '"' || json.back() != '"') {
    return http_->Error(AV(method), absl::StatusCode::kInvalidArgument,
                        absl::StrCat("not a quantity: ", json.substr(0, 80)));
  }
  auto v = U256::FromHex(std::string_view(json).substr(1, json.size() - 2));
  if (!v.ok() || !v->FitsU64()) {
    return http_->Error(AV(method), absl::StatusCode::kInvalidArgument,
                        absl::StrCat("not a quantity: ", json.substr(0, 80)));
  }
  return v->low64();
}

absl::StatusOr<EvmBlockHash> EvmRpcClient::BlockHash(uint64_t number) {
  ASSIGN_OR_RETURN(std::string json,
                   http_->Call("eth_getBlockByNumber", absl::StrCat("[", Hex(number), ",false]")));
  ++stats_.round_trips;
  ++stats_.requests;
  auto bad = [&](absl::string_view what) {
    return http_->Error("eth_getBlockByNumber", absl::StatusCode::kInvalidArgument,
                        absl::StrCat("block ", number, ": ", what));
  };
  if (json == "null") {
    return http_->Error("eth_getBlockByNumber", absl::StatusCode::kNotFound,
                        absl::StrCat("the node has no block ", number));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view hex;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS ||
      doc["hash"].get(hex) != simdjson::SUCCESS) {
    return bad("no hash");
  }
  if (hex.size() != 66 || hex.substr(0, 2) != "0x") return bad("bad hash");
  auto bytes = HexDecode(hex.substr(2));
  if (!bytes.ok() || bytes->size() != 32) return bad("bad hash");
  return EvmBlockHash::FromBytes(bytes->data());
}

absl::Status EvmRpcClient::FetchBlocks(uint64_t first, uint64_t last,
                                       const JsonDumpOptions& options,
                                       absl::FunctionRef<absl::Status(const EvmBlock&)> on_block) {
  ASSIGN_OR_RETURN(EvmRpcAnswers answers, Fetch(first, last));
  return ReadJsonRpcTexts(answers.texts, options, on_block);
}

absl::StatusOr<EvmRpcAnswers> EvmRpcClient::Fetch(uint64_t first, uint64_t last) {
  EvmRpcAnswers answers;
  answers.first = first;
  answers.last = last;
  if (last < first) return answers;
  const size_t n = last - first + 1;
  // Per block: the block, its receipts (unless the node is known to lack eth_getBlockReceipts),
  // its traces (by the method the node is known to answer; parity's first, as it costs a node
  // one execution of the block where geth's callTracer may replay the block for each transaction).
  const bool ask_receipts = block_receipts_ != false;
  const TraceMethod first_method =
      trace_method_ == TraceMethod::kUnknown ? TraceMethod::kParityTraceBlock : trace_method_;
  const TraceMethod second_method = first_method == TraceMethod::kParityTraceBlock
                                        ? TraceMethod::kGethCallTracer
                                        : TraceMethod::kParityTraceBlock;
  const char* trace = first_method == TraceMethod::kParityTraceBlock ? kParityTrace : kTraceCall;
  std::vector<rpc::RpcRequest> requests;
  requests.reserve(n * 3);
  for (uint64_t b = first; b <= last; ++b) {
    requests.push_back({"eth_getBlockByNumber", absl::StrCat("[", Hex(b), ",true]")});
    if (ask_receipts) requests.push_back({kBlockReceipts, absl::StrCat("[", Hex(b), "]")});
    requests.push_back(TraceRequest(first_method, b));
  }
  std::vector<absl::StatusOr<std::string>>& results = answers.results;
  RETURN_IF_ERROR(Batch(requests, &results));
  const size_t per = ask_receipts ? 3 : 2;
  std::vector<std::string*> blocks(n), receipts(n), traces(n);
  bool receipts_missing = !ask_receipts, traces_missing = false;
  absl::Status trace_error;
  for (size_t i = 0; i < n; ++i) {
    absl::StatusOr<std::string>& block = results[i * per];
    if (!block.ok()) return block.status();
    if (*block == "null") {
      return http_->Error("eth_getBlockByNumber", absl::StatusCode::kNotFound,
                          absl::StrCat("the node has no block ", first + i));
    }
    blocks[i] = &*block;
    if (ask_receipts) {
      absl::StatusOr<std::string>& r = results[i * per + 1];
      if (r.ok()) {
        block_receipts_ = true;
        receipts[i] = &*r;
      } else if (absl::IsUnimplemented(r.status()) && block_receipts_ != true) {
        block_receipts_ = false;
        receipts_missing = true;
      } else {
        return r.status();
      }
    }
    absl::StatusOr<std::string>& t = results[i * per + per - 1];
    if (t.ok()) {
      if (trace_method_ == TraceMethod::kUnknown) trace_method_ = first_method;
      traces[i] = &*t;
    } else if (absl::IsUnimplemented(t.status()) && trace_method_ == TraceMethod::kUnknown &&
               !trace_fixed_) {
      traces_missing = true;
      trace_error = t.status();
    } else if (absl::IsUnimplemented(t.status())) {
      return Lacks(trace, t.status());
    } else {
      return t.status();
    }
  }

  // A second round trip for what the node lacks: receipts per transaction, parity traces.
  std::vector<rpc::RpcRequest> more;
  std::vector<size_t> receipt_of;  // block index of each receipt request
  if (receipts_missing) {
    simdjson::dom::parser parser;
    for (size_t i = 0; i < n; ++i) {
      simdjson::dom::element doc;
      simdjson::dom::array txs;
      if (parser.parse(*blocks[i]).get(doc) != simdjson::SUCCESS ||
          doc["transactions"].get(txs) != simdjson::SUCCESS) {
        return http_->Error("eth_getBlockByNumber", absl::StatusCode::kInvalidArgument,
                            absl::StrCat("block ", first + i, ": no transactions"));
      }
      for (simdjson::dom::element tx : txs) {
        std::string_view hash;
        if (tx["hash"].get(hash) != simdjson::SUCCESS) {
          return http_->Error("eth_getBlockByNumber", absl::StatusCode::kInvalidArgument,
                              absl::StrCat("block ", first + i, ": a transaction without hash"));
        }
        more.push_back({"eth_getTransactionReceipt", absl::StrCat("[\"", AV(hash), "\"]")});
        receipt_of.push_back(i);
      }
    }
  }
  const size_t receipt_requests = more.size();
  if (traces_missing) {
    for (uint64_t b = first; b <= last; ++b) more.push_back(TraceRequest(second_method, b));
  }
  std::vector<absl::StatusOr<std::string>>& more_results = answers.more_results;
  if (!more.empty()) RETURN_IF_ERROR(Batch(more, &more_results));
  if (traces_missing) {
    for (size_t i = 0; i < n; ++i) {
      absl::StatusOr<std::string>& t = more_results[receipt_requests + i];
      if (absl::IsUnimplemented(t.status())) {
        return Lacks(absl::StrCat(kParityTrace, " nor ", kTraceCall,
                                  " with the callTracer: internal transfers need one of them"),
                     trace_error);
      }
      if (!t.ok()) return t.status();
      trace_method_ = second_method;
      traces[i] = &*t;
    }
  }

  std::vector<JsonRpcText>& texts = answers.texts;
  texts.reserve(n * 2 + receipt_requests);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t b = first + i;
    texts.push_back({absl::StrCat(url(), " block ", b), *blocks[i]});
    if (receipts[i] != nullptr) {
      texts.push_back({absl::StrCat(url(), " ", kBlockReceipts, " ", b), *receipts[i]});
    }
    // The name carries the number for geth traces without "txHash" entries.
    texts.push_back({absl::StrCat(url(), " ", kTraceCall, "_0x", absl::Hex(b)), *traces[i]});
  }
  for (size_t j = 0; j < receipt_requests; ++j) {
    if (!more_results[j].ok()) return more_results[j].status();
    texts.push_back(
        {absl::StrCat(url(), " eth_getTransactionReceipt of block ", first + receipt_of[j]),
         *more_results[j]});
  }
  return answers;
}

}  // namespace ariadne::evm
