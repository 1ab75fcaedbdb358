// The hardened server of `ariadne serve`: the query service behind the gateway (gateway.h), on a
// listening port with TLS (or mutual TLS) when asked, message-size limits, keepalive enforcement,
// a handshake timeout, and the standard health service (grpc.health.v1.Health, NOT_SERVING until
// the first engine is loaded).
//
// Two gRPC servers make one: the front listens and runs the gateway (and health); the back has no
// port and runs AriadneService, reached through the front's in-process channel.
#ifndef ARIADNE_ENGINE_SERVICE_SERVER_H_
#define ARIADNE_ENGINE_SERVICE_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/service/ariadne_service.h"
#include "engine/service/engine.h"
#include "engine/service/gateway.h"
#include "engine/service/tls_material.h"
#include "engine/service/watch_service.h"

namespace ariadne::service {

struct ServerOptions {
  // Default 127.0.0.1:50051. Port 0 lets the system choose (see AriadneServer::port()). The forms
  // of ParseListenAddress (listen_address.h).
  std::string listen = "127.0.0.1:50051";
  // Default none (plaintext). Set: TLS, mutual when client_ca is set.
  std::optional<TlsMaterial> tls;
  // Default false: listening beyond loopback needs TLS and authentication (gateway.tokens), else
  // Start() is FAILED_PRECONDITION. True allows it anyway (a trusted network, a TLS-terminating
  // proxy in front).
  bool insecure = false;
  ServiceOptions service;
  GatewayOptions gateway;
  // Default null: no watchlists (the Watchlist methods answer FAILED_PRECONDITION). Set: the
  // watcher behind them (watch_service.h); must outlive the server.
  Watcher* watcher = nullptr;
  // Default 1 MiB: the largest request message; larger is RESOURCE_EXHAUSTED, refused by the
  // gateway (which audits it with its subject) up to twice this size, by gRPC beyond.
  int max_request_bytes = 1 << 20;
  // Default 64 MiB: the largest answer message.
  int max_response_bytes = 64 << 20;
  // Default true: the gateway answers the service's point questions itself (direct_answers.h).
  // False forwards every call over the in-process channel (to compare the two).
  bool direct_answers = true;
  // Default 100: concurrent streams per client connection (HTTP/2 setting; the client queues more).
  int max_streams_per_connection = 100;
  // Default 60 s / 20 s: ping an idle client this often, drop it when the ping is not answered in
  // time.
  absl::Duration keepalive_time = absl::Seconds(60);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // Default 10 s: clients may not ping more often than this without calls in flight; after 2
  // such pings the connection is closed (GOAWAY too_many_pings).
  absl::Duration min_client_ping_interval = absl::Seconds(10);
  // Default 10 s: a connection that has not completed its handshake (TLS and HTTP/2 preface) by
  // then is closed.
  absl::Duration handshake_timeout = absl::Seconds(10);
  // Default 15 min: idle connections are closed.
  absl::Duration max_connection_idle = absl::Minutes(15);
  // Default 1000: connections open at once, all clients together (connection_guard.h); more are
  // closed as soon as they are accepted. Lowered to ConnectionBudget(FileLimit()) when the
  // descriptor limit is too small for it.
  int max_connections = 1000;
};

// Returns: OK when `listen` is a loopback address (IsLoopback: 127.0.0.0/8, ::1, localhost, unix:),
// or TLS and authentication are both on, or `insecure`; FAILED_PRECONDITION naming what is missing
// otherwise; ParseListenAddress's INVALID_ARGUMENT.
absl::Status CheckListenPolicy(const std::string& listen, bool tls, bool authentication,
                               bool insecure);

class AriadneServer {
 public:
  // Starts serving from `source` (which may have no engine yet: queries are then UNAVAILABLE and
  // health NOT_SERVING until SetServing(true)).
  // Args: source: must outlive the server.
  // Returns: CheckListenPolicy's refusal; CheckCanListen's errors (an address in use, a host that
  // does not resolve, a missing socket folder); UNAVAILABLE when gRPC cannot listen all the same.
  static absl::StatusOr<std::unique_ptr<AriadneServer>> Start(const EngineSource* source,
                                                              ServerOptions options);
  ~AriadneServer();

  // Returns: the port listened on (the chosen one when the address gave port 0).
  int port() const { return port_; }
  // Returns: the connection cap in force (ServerOptions::max_connections, or lower).
  int max_connections() const { return max_connections_; }
  // Sets the health status of the server and of the ariadne.v1.Ariadne service.
  void SetServing(bool serving);
  // Stops accepting calls, lets calls in flight finish until `grace`, then cancels them.
  void Shutdown(absl::Duration grace);
  // Blocks until Shutdown() has completed.
  void Wait();
  const Gateway& gateway() const { return *gateway_; }
  // Returns: a channel to the front (the gateway) inside the process, for the HTTP API: its calls
  // are authenticated, limited and audited like any client's.
  std::shared_ptr<grpc::Channel> InProcessChannel() const;

 private:
  AriadneServer() = default;
  ServerOptions options_;
  std::unique_ptr<AriadneService> service_;
  std::unique_ptr<WatchService> watch_service_;
  std::unique_ptr<grpc::Server> back_;
  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<grpc::Server> front_;
  int port_ = 0;
  int max_connections_ = 0;
  std::atomic<bool> shut_down_{false};
};

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_SERVER_H_
