// The HTTP transport of JSON-RPC shared by the node clients (Bitcoin Core's RPC in
// indexer/btc/rpc_client.h, Ethereum's in indexer/evm/evm_rpc_client.h): HTTP/1.1 POSTs over one
// kept-alive connection with Boost.Beast, single calls and batches (a JSON array of requests
// answered by an array of responses, matched by id), basic authentication.
//
// A call that fails on the way (the connection refused or dropped, a timeout, an HTTP 5xx without
// a JSON-RPC answer, the node still warming up) is retried on a new connection after a backoff
// that doubles; an answer of the node (a JSON-RPC error such as "block not found") is not. Every
// error names the method and the URL (never the credentials).
#ifndef ARIADNE_INDEXER_RPC_JSON_RPC_HTTP_H_
#define ARIADNE_INDEXER_RPC_JSON_RPC_HTTP_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ariadne::rpc {

struct HttpRpcOptions {
  // Required: http://HOST:PORT[/PATH] (https is not spoken: put the node behind a tunnel).
  std::string url;
  // Default empty (no Authorization header): HTTP basic credentials.
  std::string user;
  std::string password;
  // Default 6: attempts of a call that fails on the way (1 = no retry); backoff 100 ms, doubled
  // after each attempt up to 5 s (about 8 s of waiting in all with the defaults).
  int attempts = 6;
  std::chrono::milliseconds first_backoff{100};
  // Default 120 s: the longest a call may take (connect, send, answer).
  std::chrono::seconds timeout{120};
  // Default 10 MiB: the largest answer accepted (a batch's answer counts whole).
  size_t max_response_bytes = size_t{10} << 20;
  // Default "1.0" (Bitcoin Core's); "2.0" for Ethereum nodes.
  std::string jsonrpc_version = "1.0";
  // Default "JSON-RPC": names the protocol at the start of every error ("bitcoin RPC", "EVM RPC").
  std::string name = "JSON-RPC";
};

// One request of a batch: the method and its parameters (a JSON array).
struct RpcRequest {
  std::string method;
  std::string params_json;
};

class JsonRpcHttp {
 public:
  // Checks the URL (nothing is connected before the first call).
  // Returns: the client; INVALID_ARGUMENT naming the URL when it is not http://HOST:PORT[/PATH]
  //          or carries credentials.
  static absl::StatusOr<std::unique_ptr<JsonRpcHttp>> Create(HttpRpcOptions options);
  ~JsonRpcHttp();
  JsonRpcHttp(const JsonRpcHttp&) = delete;
  JsonRpcHttp& operator=(const JsonRpcHttp&) = delete;

  // Calls `method` with `params_json` (a JSON array).
  // Returns: the JSON text of the result (minified); the node's JSON-RPC error as a status whose
  //          code follows the error (-5 or a "not found" message NOT_FOUND, -8 OUT_OF_RANGE,
  //          -32601 UNIMPLEMENTED: the node lacks the method, others INVALID_ARGUMENT);
  //          UNAUTHENTICATED on HTTP 401/403; UNAVAILABLE once every attempt failed on the way.
  //          Each names the method and the URL.
  absl::StatusOr<std::string> Call(std::string_view method, std::string_view params_json);

  // Sends `requests` as one JSON-RPC batch (one round trip, retried whole like a call).
  // Out: *results: one per request, in order: its result's JSON text or its error (as Call's).
  // Returns: OK when the node answered the batch (each answer may still be an error); otherwise
  //          the transport's error (as Call's), naming the first method and the batch's size.
  absl::Status CallBatch(std::span<const RpcRequest> requests,
                         std::vector<absl::StatusOr<std::string>>* results);

  // Returns: `what` as an error of `method` at this node: "NAME METHOD at URL: WHAT".
  absl::Status Error(absl::string_view method, absl::StatusCode code, absl::string_view what) const;

  // Returns: the URL as given (the node, for messages).
  const std::string& url() const { return options_.url; }
  // Returns: attempts that failed on the way and were retried, since the client was created.
  uint64_t retries() const { return retries_; }
  // Returns: bytes of answers received (HTTP bodies), since the client was created.
  uint64_t bytes_received() const { return bytes_received_; }

 private:
  struct Connection;
  explicit JsonRpcHttp(HttpRpcOptions options);
  // Runs `once` (one attempt of a call or batch) until it succeeds, fails without setting
  // *transient, or options_.attempts attempts failed; each retry waits first (first_backoff,
  // doubling up to 5 s) and opens a new connection.
  // Returns: `once`'s last status; UNAVAILABLE "... (after N attempts)" when every attempt failed.
  absl::Status WithRetries(absl::FunctionRef<absl::Status(bool* transient)> once);
  // One attempt. Out: *transient: whether a failure may be retried.
  absl::StatusOr<std::string> Attempt(absl::string_view method, const std::string& body,
                                      bool* transient);
  std::string Request(std::string_view method, std::string_view params_json, uint64_t id) const;

  HttpRpcOptions options_;
  std::string host_, port_, target_, authorization_;
  std::unique_ptr<Connection> conn_;
  uint64_t next_id_ = 1;
  uint64_t retries_ = 0;
  uint64_t bytes_received_ = 0;
  unsigned last_status_ = 0;  // HTTP status of the last answer (0: none)
};

}  // namespace ariadne::rpc

#endif  // ARIADNE_INDEXER_RPC_JSON_RPC_HTTP_H_
