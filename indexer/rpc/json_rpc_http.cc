#include "indexer/rpc/json_rpc_http.h"

#include <simdjson.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"

namespace ariadne::rpc {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// JSON-RPC error codes: Bitcoin Core's (src/rpc/protocol.h) and the JSON-RPC 2.0 standard's.
constexpr int64_t kRpcInvalidAddressOrKey = -5;  // also "Block not found"
constexpr int64_t kRpcInvalidParameter = -8;     // also "Block height out of range"
constexpr int64_t kRpcInWarmup = -28;
constexpr int64_t kRpcMethodNotFound = -32601;

// Returns: the JSON string literal of `s` (method names and hashes: no escaping needed).
std::string Quote(std::string_view s) { return absl::StrCat("\"", AV(s), "\""); }

struct Answer {
  unsigned status = 0;
  std::string body;
};

}  // namespace

struct JsonRpcHttp::Connection {
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  simdjson::dom::parser parser;
};

JsonRpcHttp::JsonRpcHttp(HttpRpcOptions options)
    : options_(std::move(options)), conn_(std::make_unique<Connection>()) {}
JsonRpcHttp::~JsonRpcHttp() = default;

absl::StatusOr<std::unique_ptr<JsonRpcHttp>> JsonRpcHttp::Create(HttpRpcOptions options) {
  std::string_view rest = options.url;
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("--rpc ", options.url, ": ", why, " (expected http://HOST:PORT[/PATH])"));
  };
  if (rest.rfind("https://", 0) == 0) return bad("https is not supported");
  if (rest.rfind("http://", 0) != 0) return bad("not an http URL");
  rest.remove_prefix(7);
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.find('@') != std::string_view::npos) {
    return bad(
        "credentials in the URL are not accepted (use --rpc-user/--rpc-password or "
        "--rpc-cookie)");
  }
  const size_t colon = authority.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad("no host and port");
  uint32_t port = 0;
  if (!absl::SimpleAtoi(AV(authority.substr(colon + 1)), &port) || port == 0 || port > 65535) {
    return bad("bad port");
  }
  std::string host(authority.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]
  }
  if (options.attempts < 1) options.attempts = 1;
  auto rpc = std::unique_ptr<JsonRpcHttp>(new JsonRpcHttp(std::move(options)));
  rpc->host_ = std::move(host);
  rpc->port_ = std::to_string(port);
  rpc->target_ = std::move(target);
  if (!rpc->options_.user.empty() || !rpc->options_.password.empty()) {
    rpc->authorization_ = absl::StrCat(
        "Basic ",
        absl::Base64Escape(absl::StrCat(rpc->options_.user, ":", rpc->options_.password)));
  }
  return rpc;
}

absl::Status JsonRpcHttp::Error(absl::string_view method, absl::StatusCode code,
                                absl::string_view what) const {
  return absl::Status(code,
                      absl::StrCat(options_.name, " ", method, " at ", options_.url, ": ", what));
}

std::string JsonRpcHttp::Request(std::string_view method, std::string_view params_json,
                                 uint64_t id) const {
  return absl::StrCat("{\"jsonrpc\":\"", options_.jsonrpc_version, "\",\"id\":", id,
                      ",\"method\":", Quote(method), ",\"params\":", AV(params_json), "}");
}

namespace {

// Returns: the status of one JSON-RPC error answer of `method`. Out: *transient: a node warming up.
absl::Status ErrorOf(const JsonRpcHttp& rpc, absl::string_view method, simdjson::dom::element error,
                     bool* transient) {
  int64_t code = 0;
  std::string_view message;
  (void)error["code"].get(code);
  (void)error["message"].get(message);
  const std::string what = absl::StrCat("error ", code, ": ", AV(message));
  *transient = code == kRpcInWarmup;
  if (code == kRpcInWarmup) return rpc.Error(method, absl::StatusCode::kUnavailable, what);
  if (code == kRpcMethodNotFound) {
    return rpc.Error(method, absl::StatusCode::kUnimplemented,
                     absl::StrCat(what, " (the node lacks this method)"));
  }
  // bcoin answers "Block not found" with -1 where Core uses -5.
  if (code == kRpcInvalidAddressOrKey ||
      absl::StrContains(absl::AsciiStrToLower(AV(message)), "not found")) {
    return rpc.Error(method, absl::StatusCode::kNotFound, what);
  }
  if (code == kRpcInvalidParameter) return rpc.Error(method, absl::StatusCode::kOutOfRange, what);
  return rpc.Error(method, absl::StatusCode::kInvalidArgument, what);
}

// Returns: the result of one response object, or its error. Out: *transient (see ErrorOf).
absl::StatusOr<std::string> ResultOf(const JsonRpcHttp& rpc, absl::string_view method,
                                     simdjson::dom::element doc, bool* transient) {
  *transient = false;
  simdjson::dom::element error;
  if (doc["error"].get(error) == simdjson::SUCCESS && !error.is_null()) {
    return ErrorOf(rpc, method, error, transient);
  }
  simdjson::dom::element result;
  if (doc["result"].get(result) != simdjson::SUCCESS) {
    return rpc.Error(method, absl::StatusCode::kInvalidArgument, "answer without a result");
  }
  return simdjson::minify(result);
}

absl::Status Unauthenticated(const JsonRpcHttp& rpc, absl::string_view method, unsigned status) {
  return rpc.Error(method, absl::StatusCode::kUnauthenticated,
                   absl::StrCat("HTTP ", status,
                                ": the node refused the credentials (check --rpc-cookie or "
                                "--rpc-user/--rpc-password)"));
}

}  // namespace

absl::Status JsonRpcHttp::WithRetries(absl::FunctionRef<absl::Status(bool* transient)> once) {
  std::chrono::milliseconds backoff = options_.first_backoff;
  absl::Status last;
  for (int attempt = 1;; ++attempt) {
    bool transient = false;
    absl::Status status = once(&transient);
    if (status.ok() || !transient) return status;
    last = status;
    conn_->stream.reset();  // a new connection for the next attempt
    if (attempt >= options_.attempts) break;
    ++retries_;
    std::this_thread::sleep_for(backoff);
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(5));
  }
  return absl::UnavailableError(
      absl::StrCat(last.message(), " (after ", options_.attempts, " attempts)"));
}

absl::StatusOr<std::string> JsonRpcHttp::Call(std::string_view method,
                                              std::string_view params_json) {
  const std::string body = Request(method, params_json, next_id_++);
  std::string result;
  absl::Status status = WithRetries([&](bool* transient) -> absl::Status {
    absl::StatusOr<std::string> answer = Attempt(AV(method), body, transient);
    if (!answer.ok()) return answer.status();
    // Core answers errors with HTTP 500 (404 for an unknown method) and a JSON-RPC body.
    simdjson::dom::element doc;
    if (conn_->parser.parse(*answer).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
      *transient = last_status_ >= 500;
      return Error(AV(method),
                   *transient ? absl::StatusCode::kUnavailable : absl::StatusCode::kInvalidArgument,
                   absl::StrCat("HTTP ", last_status_, " without a JSON-RPC answer"));
    }
    absl::StatusOr<std::string> r = ResultOf(*this, AV(method), doc, transient);
    if (!r.ok()) return r.status();
    result = *std::move(r);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::Status JsonRpcHttp::CallBatch(std::span<const RpcRequest> requests,
                                    std::vector<absl::StatusOr<std::string>>* results) {
  results->clear();
  if (requests.empty()) return absl::OkStatus();
  const uint64_t first_id = next_id_;
  next_id_ += requests.size();
  std::string body = "[";
  for (size_t i = 0; i < requests.size(); ++i) {
    if (i > 0) body += ',';
    body += Request(requests[i].method, requests[i].params_json, first_id + i);
  }
  body += ']';
  const std::string label = requests.size() == 1 ? requests[0].method
                                                 : absl::StrCat(requests[0].method, " (a batch of ",
                                                                requests.size(), " requests)");
  absl::Status status = WithRetries([&](bool* transient) -> absl::Status {
    absl::StatusOr<std::string> answer = Attempt(label, body, transient);
    if (!answer.ok()) return answer.status();
    simdjson::dom::element doc;
    if (conn_->parser.parse(*answer).get(doc) != simdjson::SUCCESS ||
        (!doc.is_array() && !doc.is_object())) {
      *transient = last_status_ >= 500;
      return Error(label,
                   *transient ? absl::StatusCode::kUnavailable : absl::StatusCode::kInvalidArgument,
                   absl::StrCat("HTTP ", last_status_, " without a JSON-RPC answer"));
    }
    if (doc.is_object()) {
      // One answer to the whole batch: the node refused it (or does not take batches).
      absl::StatusOr<std::string> r = ResultOf(*this, label, doc, transient);
      return r.ok() ? Error(label, absl::StatusCode::kInvalidArgument,
                            "one answer to a batch (does the node take JSON-RPC batches?)")
                    : r.status();
    }
    results->assign(requests.size(),
                    absl::InvalidArgumentError("placeholder"));  // replaced below
    std::vector<bool> answered(requests.size(), false);
    for (simdjson::dom::element e : doc.get_array().value_unsafe()) {
      uint64_t id = 0;
      if (!e.is_object() || e["id"].get(id) != simdjson::SUCCESS || id < first_id ||
          id - first_id >= requests.size()) {
        continue;
      }
      const size_t i = id - first_id;
      bool warm = false;
      (*results)[i] = ResultOf(*this, requests[i].method, e, &warm);
      answered[i] = true;
      *transient |= warm;
    }
    for (size_t i = 0; i < requests.size(); ++i) {
      if (!answered[i]) {
        (*results)[i] = Error(requests[i].method, absl::StatusCode::kInvalidArgument,
                              "no answer to this request of the batch");
      }
    }
    if (!*transient) return absl::OkStatus();
    return Error(label, absl::StatusCode::kUnavailable, "the node is warming up");
  });
  if (!status.ok()) results->clear();
  return status;
}

absl::StatusOr<std::string> JsonRpcHttp::Attempt(absl::string_view method, const std::string& body,
                                                 bool* transient) {
  Connection& c = *conn_;
  beast::error_code ec;
  *transient = true;
  last_status_ = 0;
  if (!c.stream.has_value()) {
    asio::ip::tcp::resolver resolver(c.ioc);
    auto endpoints = resolver.resolve(host_, port_, ec);
    if (ec) return Error(method, absl::StatusCode::kUnavailable, ec.message());
    c.stream.emplace(c.ioc);
    c.stream->expires_after(options_.timeout);
    c.stream->connect(endpoints, ec);
    if (ec) return Error(method, absl::StatusCode::kUnavailable, ec.message());
  }
  http::request<http::string_body> req{http::verb::post, target_, 11};
  req.set(http::field::host, host_);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "ariadne");
  if (!authorization_.empty()) req.set(http::field::authorization, authorization_);
  req.keep_alive(true);
  req.body() = body;
  req.prepare_payload();
  c.stream->expires_after(options_.timeout);
  http::write(*c.stream, req, ec);
  if (ec) return Error(method, absl::StatusCode::kUnavailable, ec.message());
  http::response_parser<http::string_body> parser;
  parser.body_limit(options_.max_response_bytes);
  c.buffer.clear();
  http::read(*c.stream, c.buffer, parser, ec);
  if (ec == http::error::body_limit) {
    *transient = false;
    c.stream.reset();
    return Error(method, absl::StatusCode::kResourceExhausted,
                 absl::StrCat("the answer exceeds ", options_.max_response_bytes, " bytes"));
  }
  if (ec) return Error(method, absl::StatusCode::kUnavailable, ec.message());
  http::response<http::string_body> res = parser.release();
  if (!res.keep_alive()) c.stream.reset();
  last_status_ = res.result_int();
  bytes_received_ += res.body().size();
  if (last_status_ == 401 || last_status_ == 403) {
    *transient = false;
    return Unauthenticated(*this, method, last_status_);
  }
  *transient = false;
  return std::move(res.body());
}

}  // namespace ariadne::rpc
