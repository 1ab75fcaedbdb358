#include "engine/service/server.h"

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ariadne::service {
namespace {

absl::StatusOr<std::string> ReadPem(const std::filesystem::path& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", what, " ", path.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string pem = ss.str();
  if (pem.find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path.string(), " is not PEM"));
  }
  return pem;
}

// The host part of HOST:PORT, [V6]:PORT or unix:PATH ("unix" for the latter).
std::string ListenHost(const std::string& listen) {
  if (absl::StartsWith(listen, "unix:") || absl::StartsWith(listen, "unix-abstract:")) {
    return "unix";
  }
  if (!listen.empty() && listen[0] == '[') {
    const size_t close = listen.find(']');
    return close == std::string::npos ? listen : listen.substr(1, close - 1);
  }
  const size_t colon = listen.rfind(':');
  return colon == std::string::npos ? listen : listen.substr(0, colon);
}

int Ms(absl::Duration d) { return static_cast<int>(absl::ToInt64Milliseconds(d)); }

}  // namespace

absl::StatusOr<TlsMaterial> LoadTlsMaterial(const std::filesystem::path& cert,
                                            const std::filesystem::path& key,
                                            const std::filesystem::path& client_ca) {
  TlsMaterial m;
  auto c = ReadPem(cert, "TLS certificate");
  if (!c.ok()) return c.status();
  m.cert_chain = *std::move(c);
  auto k = ReadPem(key, "TLS key");
  if (!k.ok()) return k.status();
  m.private_key = *std::move(k);
  if (!client_ca.empty()) {
    auto ca = ReadPem(client_ca, "TLS client CA");
    if (!ca.ok()) return ca.status();
    m.client_ca = *std::move(ca);
  }
  return m;
}

absl::Status CheckListenPolicy(const std::string& listen, bool tls, bool authentication,
                               bool insecure) {
  const std::string host = ListenHost(listen);
  const bool loopback = host == "unix" || host == "localhost" || absl::StartsWith(host, "127.") ||
                        host == "::1" || host == "0:0:0:0:0:0:0:1";
  if (loopback || insecure || (tls && authentication)) return absl::OkStatus();
  std::string missing;
  if (!tls) missing = "TLS (--tls-cert, --tls-key)";
  if (!authentication) {
    absl::StrAppend(&missing, missing.empty() ? "" : " and ", "authentication (--token-file)");
  }
  return absl::FailedPreconditionError(
      absl::StrCat("refusing to listen on ", listen, " beyond loopback without ", missing,
                   ": case data is sensitive. Add them, or pass --insecure to accept the risk"));
}

absl::StatusOr<std::unique_ptr<AriadneServer>> AriadneServer::Start(const EngineSource* source,
                                                                    ServerOptions options) {
  absl::Status policy = CheckListenPolicy(options.listen, options.tls.has_value(),
                                          options.gateway.tokens != nullptr, options.insecure);
  if (!policy.ok()) return policy;
  std::unique_ptr<AriadneServer> s(new AriadneServer());
  s->options_ = options;

  // The back: the query service, reachable only in process.
  s->service_ = std::make_unique<AriadneService>(source, options.service);
  grpc::ServerBuilder back;
  back.RegisterService(s->service_.get());
  back.SetMaxReceiveMessageSize(-1);
  back.SetMaxSendMessageSize(-1);
  if (options.gateway.max_concurrent_calls > 0) {
    // Each synchronous call holds a thread: the gateway's cap keeps the count bounded.
    grpc::ResourceQuota quota("ariadne-back");
    quota.SetMaxThreads(options.gateway.max_concurrent_calls + 16);
    back.SetResourceQuota(quota);
  }
  s->back_ = back.BuildAndStart();
  if (s->back_ == nullptr) return absl::InternalError("cannot start the query service");
  grpc::ChannelArguments inproc;
  inproc.SetMaxReceiveMessageSize(-1);
  inproc.SetMaxSendMessageSize(-1);
  s->gateway_ = std::make_unique<Gateway>(s->back_->InProcessChannel(inproc), options.gateway);

  // The front: the listening port, the gateway and health.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder front;
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (options.tls.has_value()) {
    grpc::SslServerCredentialsOptions ssl(
        options.tls->client_ca.empty()
            ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = options.tls->client_ca;
    ssl.pem_key_cert_pairs.push_back({options.tls->private_key, options.tls->cert_chain});
    creds = grpc::SslServerCredentials(ssl);
  }
  front.AddListeningPort(options.listen, creds, &s->port_);
  front.RegisterCallbackGenericService(s->gateway_.get());
  front.SetMaxReceiveMessageSize(options.max_request_bytes);
  front.SetMaxSendMessageSize(options.max_response_bytes);
  front.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_streams_per_connection);
  front.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, Ms(options.keepalive_time));
  front.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, Ms(options.keepalive_timeout));
  front.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                           Ms(options.min_client_ping_interval));
  front.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  front.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, Ms(options.handshake_timeout));
  front.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, Ms(options.max_connection_idle));
  s->front_ = front.BuildAndStart();
  if (s->front_ == nullptr || s->port_ == 0) {
    s->back_->Shutdown();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  s->SetServing(false);
  return s;
}

AriadneServer::~AriadneServer() {
  if (!shut_down_) Shutdown(absl::ZeroDuration());
}

void AriadneServer::SetServing(bool serving) {
  grpc::HealthCheckServiceInterface* health = front_->GetHealthCheckService();
  if (health == nullptr) return;
  health->SetServingStatus(serving);
  health->SetServingStatus("ariadne.v1.Ariadne", serving);
}

void AriadneServer::Shutdown(absl::Duration grace) {
  if (shut_down_.exchange(true)) return;
  SetServing(false);
  const auto deadline = std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace);
  front_->Shutdown(deadline);
  back_->Shutdown(deadline);
}

void AriadneServer::Wait() { front_->Wait(); }

}  // namespace ariadne::service
