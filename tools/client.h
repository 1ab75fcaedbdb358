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
// --timeout SECONDS (default 60).
std::vector<FlagSpec> ClientFlags(std::vector<FlagSpec> extra);

class Client {
 public:
  explicit Client(const Args& args);
  v1::Ariadne::Stub* stub() { return stub_.get(); }
  // Returns: a context with the command's deadline.
  std::unique_ptr<grpc::ClientContext> Context() const;
  const std::string& server() const { return server_; }

 private:
  std::string server_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Ariadne::Stub> stub_;
};

// Prints "error: CODE: message" for a failed call (naming the server when it is unreachable).
// Returns: exit code 1.
int PrintRpcError(const grpc::Status& status, const std::string& server);

}  // namespace ariadne::cli

#endif  // ARIADNE_TOOLS_CLIENT_H_
