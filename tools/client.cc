#include "tools/client.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"

namespace ariadne::cli {

std::vector<FlagSpec> ClientFlags(std::vector<FlagSpec> extra) {
  extra.push_back({"server", true});
  extra.push_back({"json", false});
  extra.push_back({"timeout", true});
  extra.push_back({"token", true});
  extra.push_back({"case-id", true});
  extra.push_back({"tls-ca", true});
  extra.push_back({"tls-cert", true});
  extra.push_back({"tls-key", true});
  extra.push_back({"tls-server-name", true});
  return extra;
}

namespace {

// Returns: the file's content; empty (after a message on stderr) when it cannot be read.
std::string ReadPemFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "error: cannot read %s\n", path.c_str());
    return "";
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string FlagOrEnv(const Args& args, const char* flag, const char* env) {
  if (auto v = args.Get(flag)) return *v;
  const char* e = std::getenv(env);
  return e != nullptr ? e : "";
}

}  // namespace

Client::Client(const Args& args)
    : server_(args.GetOr("server", "127.0.0.1:50051")), timeout_(std::chrono::seconds(60)) {
  double t = 0;
  if (auto v = args.Get("timeout"); v.has_value() && absl::SimpleAtod(*v, &t) && t > 0) {
    timeout_ = std::chrono::milliseconds(static_cast<int64_t>(t * 1000));
  }
  token_ = FlagOrEnv(args, "token", "ARIADNE_TOKEN");
  case_id_ = FlagOrEnv(args, "case-id", "ARIADNE_CASE_ID");
  grpc::ChannelArguments ch;
  ch.SetMaxReceiveMessageSize(64 << 20);
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (args.Has("tls-ca") || args.Has("tls-cert") || args.Has("tls-server-name")) {
    grpc::SslCredentialsOptions ssl;
    if (auto ca = args.Get("tls-ca")) ssl.pem_root_certs = ReadPemFile(*ca);
    if (auto cert = args.Get("tls-cert")) ssl.pem_cert_chain = ReadPemFile(*cert);
    if (auto key = args.Get("tls-key")) ssl.pem_private_key = ReadPemFile(*key);
    creds = grpc::SslCredentials(ssl);
    if (auto name = args.Get("tls-server-name")) ch.SetSslTargetNameOverride(*name);
  }
  channel_ = grpc::CreateCustomChannel(server_, creds, ch);
  stub_ = v1::Ariadne::NewStub(channel_);
}

std::unique_ptr<grpc::ClientContext> Client::Context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + timeout_);
  if (!token_.empty()) ctx->AddMetadata("authorization", "Bearer " + token_);
  if (!case_id_.empty()) ctx->AddMetadata("x-case-id", case_id_);
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
