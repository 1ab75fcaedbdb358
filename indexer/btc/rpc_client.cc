#include "indexer/btc/rpc_client.h"

#include <simdjson.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <optional>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/core/hash.h"
#include "engine/core/hex.h"
#include "engine/core/strings.h"

namespace ariadne::btc {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// A block's hex is twice its size (4 MB at most) plus the JSON around it.
constexpr size_t kMaxResponseBytes = size_t{10} << 20;

// JSON-RPC error codes of Bitcoin Core (src/rpc/protocol.h).
constexpr int64_t kRpcInvalidAddressOrKey = -5;  // also "Block not found"
constexpr int64_t kRpcInvalidParameter = -8;     // also "Block height out of range"
constexpr int64_t kRpcInWarmup = -28;
constexpr int64_t kRpcMethodNotFound = -32601;

// Returns: the JSON string literal of `s` (hashes and method names: no escaping needed beyond '"').
std::string Quote(absl::string_view s) { return absl::StrCat("\"", s, "\""); }

}  // namespace

absl::StatusOr<std::pair<std::string, std::string>> ReadRpcCookie(
    const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return absl::NotFoundError(absl::StrCat(path.string(),
                                            ": no such cookie file (is the node "
                                            "running, with this data directory?)"));
  }
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return absl::PermissionDeniedError(absl::StrCat(path.string(), ": cannot read the cookie"));
  }
  line = std::string(absl::StripAsciiWhitespace(line));
  const size_t colon = line.find(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(path.string(), ": not a cookie file (expected USER:PASSWORD)"));
  }
  return std::make_pair(line.substr(0, colon), line.substr(colon + 1));
}

struct BitcoinRpc::Connection {
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  simdjson::dom::parser parser;
};

BitcoinRpc::BitcoinRpc(RpcOptions options)
    : options_(std::move(options)), conn_(std::make_unique<Connection>()) {}
BitcoinRpc::~BitcoinRpc() = default;

absl::StatusOr<std::unique_ptr<BitcoinRpc>> BitcoinRpc::Create(RpcOptions options) {
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
  auto rpc = std::unique_ptr<BitcoinRpc>(new BitcoinRpc(std::move(options)));
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

absl::Status BitcoinRpc::Error(absl::string_view method, absl::StatusCode code,
                               absl::string_view what) const {
  return absl::Status(code, absl::StrCat("bitcoin RPC ", method, " at ", options_.url, ": ", what));
}

absl::StatusOr<std::string> BitcoinRpc::Call(std::string_view method,
                                             std::string_view params_json) {
  const std::string body =
      absl::StrCat("{\"jsonrpc\":\"1.0\",\"id\":", next_id_++, ",\"method\":", Quote(AV(method)),
                   ",\"params\":", AV(params_json), "}");
  std::chrono::milliseconds backoff = options_.first_backoff;
  absl::Status last;
  for (int attempt = 1;; ++attempt) {
    bool transient = false;
    absl::StatusOr<std::string> result = Attempt(AV(method), body, &transient);
    if (result.ok() || !transient) return result;
    last = result.status();
    conn_->stream.reset();  // a new connection for the next attempt
    if (attempt >= options_.attempts) break;
    ++retries_;
    std::this_thread::sleep_for(backoff);
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(5));
  }
  return absl::UnavailableError(
      absl::StrCat(last.message(), " (after ", options_.attempts, " attempts)"));
}

absl::StatusOr<std::string> BitcoinRpc::Attempt(absl::string_view method, const std::string& body,
                                                bool* transient) {
  Connection& c = *conn_;
  beast::error_code ec;
  *transient = true;
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
  parser.body_limit(kMaxResponseBytes);
  c.buffer.clear();
  http::read(*c.stream, c.buffer, parser, ec);
  if (ec) return Error(method, absl::StatusCode::kUnavailable, ec.message());
  http::response<http::string_body> res = parser.release();
  if (!res.keep_alive()) c.stream.reset();
  const unsigned status = res.result_int();
  if (status == 401 || status == 403) {
    *transient = false;
    return Error(method, absl::StatusCode::kUnauthenticated,
                 absl::StrCat("HTTP ", status,
                              ": the node refused the credentials (check --rpc-cookie or "
                              "--rpc-user/--rpc-password)"));
  }
  // Core answers errors with HTTP 500 (404 for an unknown method) and a JSON-RPC body.
  simdjson::dom::element doc;
  if (c.parser.parse(res.body()).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    *transient = status >= 500;
    return Error(
        method, status >= 500 ? absl::StatusCode::kUnavailable : absl::StatusCode::kInvalidArgument,
        absl::StrCat("HTTP ", status, " without a JSON-RPC answer"));
  }
  simdjson::dom::element error;
  if (doc["error"].get(error) == simdjson::SUCCESS && !error.is_null()) {
    int64_t code = 0;
    std::string_view message;
    (void)error["code"].get(code);
    (void)error["message"].get(message);
    const std::string what = absl::StrCat("error ", code, ": ", AV(message));
    *transient = code == kRpcInWarmup;
    if (code == kRpcInWarmup) return Error(method, absl::StatusCode::kUnavailable, what);
    if (code == kRpcMethodNotFound) {
      return Error(method, absl::StatusCode::kUnimplemented,
                   absl::StrCat(what, " (the node lacks this method)"));
    }
    // bcoin answers "Block not found" with -1 where Core uses -5.
    if (code == kRpcInvalidAddressOrKey ||
        absl::StrContains(absl::AsciiStrToLower(AV(message)), "not found")) {
      return Error(method, absl::StatusCode::kNotFound, what);
    }
    if (code == kRpcInvalidParameter) return Error(method, absl::StatusCode::kOutOfRange, what);
    return Error(method, absl::StatusCode::kInvalidArgument, what);
  }
  simdjson::dom::element result;
  if (doc["result"].get(result) != simdjson::SUCCESS) {
    *transient = false;
    return Error(method, absl::StatusCode::kInvalidArgument, "answer without a result");
  }
  *transient = false;
  return simdjson::minify(result);
}

namespace {

// Returns: the JSON string's content (quotes removed); INVALID_ARGUMENT otherwise.
absl::StatusOr<std::string_view> StringResult(const std::string& json) {
  if (json.size() < 2 || json.front() != '"' || json.back() != '"') {
    return absl::InvalidArgumentError("the result is not a string");
  }
  return std::string_view(json).substr(1, json.size() - 2);
}

}  // namespace

absl::StatusOr<BlockHash> BitcoinRpc::GetBestBlockHash() {
  auto json = Call("getbestblockhash", "[]");
  if (!json.ok()) return json.status();
  auto s = StringResult(*json);
  auto hash = s.ok() ? BlockHash::FromHex(*s) : s.status();
  if (!hash.ok())
    return Error("getbestblockhash", absl::StatusCode::kInvalidArgument, hash.status().message());
  return *hash;
}

absl::StatusOr<BlockHash> BitcoinRpc::GetBlockHash(int32_t height) {
  auto json = Call("getblockhash", absl::StrCat("[", height, "]"));
  if (!json.ok()) return json.status();
  auto s = StringResult(*json);
  auto hash = s.ok() ? BlockHash::FromHex(*s) : s.status();
  if (!hash.ok())
    return Error("getblockhash", absl::StatusCode::kInvalidArgument, hash.status().message());
  return *hash;
}

absl::StatusOr<RpcBlockHeader> BitcoinRpc::GetBlockHeader(const BlockHash& hash) {
  auto json = Call("getblockheader", absl::StrCat("[", Quote(hash.ToHex()), ",true]"));
  if (!json.ok()) return json.status();
  simdjson::dom::element doc;
  auto bad = [&](absl::string_view what) {
    return Error("getblockheader", absl::StatusCode::kInvalidArgument,
                 absl::StrCat("block ", hash.ToHex(), ": ", what));
  };
  if (conn_->parser.parse(*json).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
    return bad("the result is not an object");
  }
  RpcBlockHeader out;
  std::string_view hex;
  int64_t height = -1;
  if (doc["hash"].get(hex) != simdjson::SUCCESS) return bad("no hash");
  auto h = BlockHash::FromHex(hex);
  if (!h.ok() || *h != hash) return bad("the node answered for another block");
  out.hash = *h;
  if (doc["height"].get(height) != simdjson::SUCCESS || height < 0 || height > INT32_MAX) {
    return bad("no height");
  }
  out.height = static_cast<int32_t>(height);
  simdjson::dom::element prev;
  if (doc["previousblockhash"].get(prev) == simdjson::SUCCESS && prev.is_string()) {
    auto p = BlockHash::FromHex(prev.get_string().value());
    if (!p.ok()) return bad("bad previousblockhash");
    out.prev_hash = *p;
  } else if (out.height != 0) {
    return bad("no previousblockhash");
  }
  return out;
}

absl::StatusOr<std::vector<uint8_t>> BitcoinRpc::GetBlock(const BlockHash& hash) {
  auto json = Call("getblock", absl::StrCat("[", Quote(hash.ToHex()), ",0]"));
  if (!json.ok()) return json.status();
  auto s = StringResult(*json);
  if (!s.ok()) return Error("getblock", absl::StatusCode::kInvalidArgument, s.status().message());
  auto bytes = HexDecode(*s);
  if (!bytes.ok()) {
    return Error("getblock", absl::StatusCode::kInvalidArgument,
                 absl::StrCat("block ", hash.ToHex(), ": ", bytes.status().message()));
  }
  if (bytes->size() < 80 || BlockHash(Sha256d(ByteSpan(bytes->data(), 80)).span()) != hash) {
    return Error(
        "getblock", absl::StatusCode::kDataLoss,
        absl::StrCat("the bytes answered for block ", hash.ToHex(), " are not that block"));
  }
  return *std::move(bytes);
}

}  // namespace ariadne::btc
