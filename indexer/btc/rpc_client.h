// A client of Bitcoin Core's JSON-RPC (and of the nodes that answer it the same way, e.g. bcoin):
// the four calls the indexer needs to read a node's best chain. The transport (one kept-alive
// HTTP/1.1 connection, retries with backoff, errors naming the method and the URL, never the
// credentials) is indexer/rpc/json_rpc_http.h, shared with the Ethereum client.
#ifndef ARIADNE_INDEXER_BTC_RPC_CLIENT_H_
#define ARIADNE_INDEXER_BTC_RPC_CLIENT_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/core/types.h"
#include "indexer/rpc/json_rpc_http.h"

namespace ariadne::btc {

// The node's URL, credentials (from --rpc-user and --rpc-password, or from the node's cookie file:
// ReadRpcCookie), retries and timeout. BitcoinRpc::Create sets the protocol's own fields
// (JSON-RPC 1.0, the answer size limit, "bitcoin RPC" in errors) whatever they hold.
using RpcOptions = rpc::HttpRpcOptions;

// Returns: {user, password} from a Bitcoin Core cookie file (one line "__cookie__:HEX");
// NOT_FOUND / PERMISSION_DENIED naming the file when it cannot be read; INVALID_ARGUMENT when it
// has no ':'.
absl::StatusOr<std::pair<std::string, std::string>> ReadRpcCookie(
    const std::filesystem::path& path);

struct RpcBlockHeader {
  BlockHash hash;
  int32_t height = -1;
  BlockHash prev_hash;  // zero for the genesis block
};

class BitcoinRpc {
 public:
  // Checks the URL (nothing is connected before the first call).
  // Returns: the client; INVALID_ARGUMENT naming the URL when it is not http://HOST:PORT[/PATH].
  static absl::StatusOr<std::unique_ptr<BitcoinRpc>> Create(RpcOptions options);
  ~BitcoinRpc();
  BitcoinRpc(const BitcoinRpc&) = delete;
  BitcoinRpc& operator=(const BitcoinRpc&) = delete;

  // Returns: the hash of the node's best block.
  absl::StatusOr<BlockHash> GetBestBlockHash();
  // Returns: the hash of the node's best-chain block at `height`; OUT_OF_RANGE above its tip.
  absl::StatusOr<BlockHash> GetBlockHash(int32_t height);
  // Returns: the header's hash, height and parent; NOT_FOUND for a block the node does not know.
  absl::StatusOr<RpcBlockHeader> GetBlockHeader(const BlockHash& hash);
  // Returns: the serialised block (getblock with verbosity 0), checked to hash to `hash`; NOT_FOUND
  // for a block the node does not know (or pruned); DATA_LOSS when the bytes are not that block.
  absl::StatusOr<std::vector<uint8_t>> GetBlock(const BlockHash& hash);

  // Calls `method` with `params_json` (a JSON array).
  // Returns: the JSON text of the result; the node's JSON-RPC error as a status whose code follows
  // the error (-5 NOT_FOUND, -8 OUT_OF_RANGE, -32601 UNIMPLEMENTED: the node lacks the method,
  // others INVALID_ARGUMENT); UNAUTHENTICATED on HTTP 401/403; UNAVAILABLE once every attempt
  // failed on the way. Each names the method and the URL.
  absl::StatusOr<std::string> Call(std::string_view method, std::string_view params_json);

  // Returns: the URL as given (the node, for messages).
  const std::string& url() const { return http_->url(); }
  // Returns: attempts that failed on the way and were retried, since the client was created.
  uint64_t retries() const { return http_->retries(); }

 private:
  struct Parser;
  explicit BitcoinRpc(std::unique_ptr<rpc::JsonRpcHttp> http);
  absl::Status Error(absl::string_view method, absl::StatusCode code,
                     absl::string_view what) const {
    return http_->Error(method, code, what);
  }

  std::unique_ptr<rpc::JsonRpcHttp> http_;
  std::unique_ptr<Parser> parser_;
};

}  // namespace ariadne::btc

#endif  // ARIADNE_INDEXER_BTC_RPC_CLIENT_H_
