#include "indexer/btc/rpc_client.h"

#include <simdjson.h>

#include <algorithm>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/core/hash.h"
#include "engine/core/hex.h"
#include "engine/core/strings.h"

namespace ariadne::btc {
namespace {

// A block's hex is twice its size (4 MB at most) plus the JSON around it.
constexpr size_t kMaxResponseBytes = size_t{10} << 20;

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

struct BitcoinRpc::Parser {
  simdjson::dom::parser parser;
};

BitcoinRpc::BitcoinRpc(std::unique_ptr<rpc::JsonRpcHttp> http)
    : http_(std::move(http)), parser_(std::make_unique<Parser>()) {}
BitcoinRpc::~BitcoinRpc() = default;

absl::StatusOr<std::unique_ptr<BitcoinRpc>> BitcoinRpc::Create(RpcOptions options) {
  options.max_response_bytes = kMaxResponseBytes;
  options.jsonrpc_version = "1.0";
  options.name = "bitcoin RPC";
  auto http = rpc::JsonRpcHttp::Create(std::move(options));
  if (!http.ok()) return http.status();
  return std::unique_ptr<BitcoinRpc>(new BitcoinRpc(*std::move(http)));
}

absl::StatusOr<std::string> BitcoinRpc::Call(std::string_view method,
                                             std::string_view params_json) {
  return http_->Call(method, params_json);
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
  if (parser_->parser.parse(*json).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
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
