#include "engine/service/server.h"

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/service/connection_guard.h"
#include "engine/service/listen_address.h"

namespace ariadne::service {
namespace {

int Ms(absl::Duration d) { return static_cast<int>(absl::ToInt64Milliseconds(d)); }

}  // namespace

absl::Status CheckListenPolicy(const std::string& listen, bool tls, bool authentication,
                               bool insecure) {
  auto address = ParseListenAddress(listen);
  if (!address.ok()) return address.status();
  if (IsLoopback(*address) || insecure || (tls && authentication)) return absl::OkStatus();
  std::string missing;
  if (!tls) missing = "TLS (--tls-cert, --tls-key)";
  if (!authentication) {
    absl::StrAppend(&missing, missing.empty() ? "" : " and ", "authentication (--token-file)");
  }
  return absl::FailedPreconditionError(
      absl::StrCat("refusing to listen on ", listen, " beyond loopback without ", missing,
                   ": case data is sensitive. Add them, or pass --insecure to accept the risk "
                   "(loopback is 127.0.0.0/8, [::1], localhost or unix:, not a host name that "
                   "resolves to them)"));
}

absl::StatusOr<std::unique_ptr<AriadneServer>> AriadneServer::Start(const EngineSource* source,
                                                                    ServerOptions options) {
  absl::Status policy = CheckListenPolicy(options.listen, options.tls.has_value(),
                                          options.gateway.tokens != nullptr, options.insecure);
  if (!policy.ok()) return policy;
  auto address = ParseListenAddress(options.listen);
  if (!address.ok()) return address.status();
  absl::Status can_listen = CheckCanListen(*address, options.listen);
  if (!can_listen.ok()) return can_listen;
  std::unique_ptr<AriadneServer> s(new AriadneServer());
  s->options_ = options;
  s->max_connections_ =
      std::max(1, std::min(options.max_connections, ConnectionBudget(FileLimit())));
  ConfigureConnectionGuard(s->max_connections_);
  // The gateway refuses requests above max_request_bytes itself (and audits them with their
  // subject); gRPC's own limit, twice that, bounds what a call can make the server buffer.
  options.gateway.max_request_bytes = options.max_request_bytes;
  const int transport_request_bytes =
      options.max_request_bytes > (1 << 29) ? (1 << 30) : 2 * options.max_request_bytes;

  // The back: the query service, reachable only in process.
  s->service_ = std::make_unique<AriadneService>(source, options.service);
  s->watch_service_ = std::make_unique<WatchService>(options.watcher);
  grpc::ServerBuilder back;
  back.RegisterService(s->service_.get());
  back.RegisterService(s->watch_service_.get());
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
  options.gateway.direct = options.direct_answers ? s->service_.get() : nullptr;
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
  front.SetMaxReceiveMessageSize(transport_request_bytes);
  front.SetMaxSendMessageSize(options.max_response_bytes);
  front.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options.max_streams_per_connection);
  front.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, Ms(options.keepalive_time));
  front.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, Ms(options.keepalive_timeout));
  front.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                           Ms(options.min_client_ping_interval));
  front.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  front.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, Ms(options.handshake_timeout));
  front.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS, Ms(options.max_connection_idle));
  // gRPC sets SO_REUSEPORT by default: a second server on the same port would then share it (and
  // take part of the traffic, unaudited). Without it, binding a port in use fails.
  front.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  s->front_ = front.BuildAndStart();
  if (s->front_ == nullptr || s->port_ == 0) {
    s->shut_down_ = true;  // nothing listens: the destructor has no front server to stop
    s->back_->Shutdown();
    s->front_.reset();
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen, " (gRPC could not set up the port)"));
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

std::shared_ptr<grpc::Channel> AriadneServer::InProcessChannel() const {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(options_.max_response_bytes);
  return front_->InProcessChannel(args);
}

}  // namespace ariadne::service
