// Shared pieces of the commands that talk to `ariadne serve` over gRPC.
#ifndef ARIADNE_TOOLS_CLIENT_H_
#define ARIADNE_TOOLS_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "proto/ariadne.grpc.pb.h"
#include "tools/cli_args.h"

namespace ariadne::cli {

// Flags every client command accepts: --server HOST:PORT (default 127.0.0.1:50051), --json,
// --timeout SECONDS (default 60); for a server with authentication --token SECRET (default: the
// ARIADNE_TOKEN environment variable, which keeps the secret off the command line), and
// --case-id ID (default $ARIADNE_CASE_ID; recorded in the server's audit trail); for a TLS server
// --tls-ca FILE (the server's CA; default the system's roots), --tls-cert FILE --tls-key FILE
// (mutual TLS) and --tls-server-name NAME (when the certificate names another host).
std::vector<FlagSpec> ClientFlags(std::vector<FlagSpec> extra);

class Client {
 public:
  // A TLS file that cannot be read is reported on stderr and leaves a channel that fails its calls
  // with UNAVAILABLE.
  explicit Client(const Args& args);
  v1::Ariadne::Stub* stub() { return stub_.get(); }
  // Returns: the channel, for the stubs of the other services (v1::Watchlist).
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  // Returns: the case id sent with every call (--case-id or $ARIADNE_CASE_ID), or "".
  const std::string& case_id() const { return case_id_; }
  // Returns: a context with the command's deadline.
  std::unique_ptr<grpc::ClientContext> Context() const;
  const std::string& server() const { return server_; }

 private:
  std::string server_;
  std::chrono::milliseconds timeout_;
  std::string token_;
  std::string case_id_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Ariadne::Stub> stub_;
};

// Prints "error: CODE: message" for a failed call (naming the server when it is unreachable).
// Returns: exit code 1.
int PrintRpcError(const grpc::Status& status, const std::string& server);

}  // namespace ariadne::cli

#endif  // ARIADNE_TOOLS_CLIENT_H_
