#include "tools/client.h"

#include <cstdio>

#include "absl/strings/numbers.h"

namespace ariadne::cli {

std::vector<FlagSpec> ClientFlags(std::vector<FlagSpec> extra) {
  extra.push_back({"server", true});
  extra.push_back({"json", false});
  extra.push_back({"timeout", true});
  return extra;
}

Client::Client(const Args& args)
    : server_(args.GetOr("server", "127.0.0.1:50051")), timeout_(std::chrono::seconds(60)) {
  double t = 0;
  if (auto v = args.Get("timeout"); v.has_value() && absl::SimpleAtod(*v, &t) && t > 0) {
    timeout_ = std::chrono::milliseconds(static_cast<int64_t>(t * 1000));
  }
  grpc::ChannelArguments ch;
  ch.SetMaxReceiveMessageSize(64 << 20);
  channel_ = grpc::CreateCustomChannel(server_, grpc::InsecureChannelCredentials(), ch);
  stub_ = v1::Ariadne::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> Client::Context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + timeout_);
  return ctx;
}

int PrintRpcError(const grpc::Status& status, const std::string& server) {
  static const char* kNames[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  const int code = static_cast<int>(status.error_code());
  const char* name = code >= 0 && code <= 16 ? kNames[code] : "UNKNOWN";
  std::fflush(stdout);
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    std::fprintf(stderr, "error: UNAVAILABLE: cannot reach ariadne serve at %s (%s)\n",
                 server.c_str(), status.error_message().c_str());
  } else {
    std::fprintf(stderr, "error: %s: %s\n", name, status.error_message().c_str());
  }
  return 1;
}

}  // namespace ariadne::cli
