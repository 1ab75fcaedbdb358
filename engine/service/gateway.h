// The gateway: the front of `ariadne serve`. Every call of every method passes through it before
// it reaches the query service, whatever the method (it forwards raw messages, so methods added to
// proto/ariadne.proto need no change here). For each call it
//   1. authenticates the caller (bearer token) and checks the method's role (auth.h),
//   2. applies the limits: the caller's rate, calls in flight (the caller's and everyone's), the
//      request's size, the longest call time (limits.h),
//   3. forwards the request to the service on an in-process channel, streaming the answers back,
//      with the client's deadline (capped) and its cancellation; or, for the point questions of
//      GatewayOptions::direct, answers it in the call itself (direct_answers.h),
//   4. writes one audit record (audit.h) before the final status leaves; when that write fails the
//      call fails with UNAVAILABLE (a unary answer is held back until its record is written).
// A refused call is refused before the query runs, but only after its request was read (for at
// most kRefusedReadTime): its audit record names what it asked about, with the true reason.
//
// Why not gRPC server interceptors: in gRPC C++ a server interceptor cannot end a call before the
// handler runs (no Hijack on the server side, grpc/grpc#24017), so it cannot refuse a caller.
#ifndef ARIADNE_ENGINE_SERVICE_GATEWAY_H_
#define ARIADNE_ENGINE_SERVICE_GATEWAY_H_

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/service/audit.h"
#include "engine/service/auth.h"
#include "engine/service/direct_answers.h"
#include "engine/service/limits.h"

namespace google::protobuf {
class Message;
}

namespace ariadne::service {

// Request metadata naming the case a query is made for (recorded in the audit trail).
inline constexpr char kCaseIdMetadata[] = "x-case-id";
// Request metadata of a call made in-process for an HTTP client (engine/http): that client's
// address, which the audit record and the per-client limits then use. The gateway believes it only
// from in-process callers: a call over the network cannot set it.
inline constexpr char kHttpPeerMetadata[] = "x-ariadne-http-peer";
// Trailing metadata of a rate-limited call: milliseconds to wait before retrying (also sent as a
// google.rpc.RetryInfo in the status details).
inline constexpr char kRetryAfterMetadata[] = "retry-after-ms";
// How long the gateway waits for the request of a call it refuses (to audit its subject) before it
// sends the refusal without it.
inline constexpr absl::Duration kRefusedReadTime = absl::Seconds(5);

struct GatewayOptions {
  // Default null: authentication is off and every caller is "anonymous" with the admin role (only
  // for loopback or explicitly --insecure servers). Must outlive the gateway.
  const TokenTable* tokens = nullptr;
  // Default null: no audit trail. Must outlive the gateway.
  AuditLog* audit = nullptr;
  // Default false: a call without x-case-id metadata is refused with FAILED_PRECONDITION.
  bool require_case_id = false;
  // Default off: requests per second per principal (anonymous callers: per client host).
  RateLimitOptions rate_limit;
  // Default 256: calls in flight at once, all callers together; more are RESOURCE_EXHAUSTED.
  int max_concurrent_calls = 256;
  // Default 64: calls in flight at once of one principal (anonymous callers: of one client host),
  // so that one caller cannot take all max_concurrent_calls; more are RESOURCE_EXHAUSTED naming
  // the principal and this limit. 0: no limit per principal.
  int max_calls_per_principal = 64;
  // Default 1 MiB: the largest request message; larger is RESOURCE_EXHAUSTED. (The server sets it
  // from ServerOptions::max_request_bytes.)
  int max_request_bytes = 1 << 20;
  // Default 5 minutes: the longest a call may run, whatever deadline (or none) the client gave.
  // Past it the service is cancelled (DEADLINE_EXCEEDED); a client that stops reading its stream
  // is cut off (CANCELLED) shortly after.
  absl::Duration max_call_time = absl::Minutes(5);
  // Default null: every call is forwarded. Set: the methods it Answers() are answered in the call,
  // without the in-process hop (the server sets it to the query service). Must outlive the gateway.
  DirectAnswers* direct = nullptr;
};

// What the gateway refused, since it started.
struct GatewayCounters {
  uint64_t calls = 0;  // every call, refused or not
  uint64_t unauthenticated = 0;
  uint64_t permission_denied = 0;
  uint64_t rate_limited = 0;
  uint64_t busy = 0;            // over max_concurrent_calls
  uint64_t principal_busy = 0;  // over max_calls_per_principal
  uint64_t oversized = 0;       // requests over max_request_bytes
  uint64_t audit_failures = 0;
  uint64_t direct = 0;  // calls answered in the gateway (GatewayOptions::direct), not forwarded
};

class Gateway final : public grpc::CallbackGenericService {
 public:
  // Args: backend: the in-process channel of the server that runs the service.
  Gateway(std::shared_ptr<grpc::Channel> backend, GatewayOptions options);
  // Waits until every call it created is deleted. A call's last reference can be its max-time
  // alarm, whose callback runs on a gRPC executor thread after the front server has shut down;
  // the call holds a client call on `backend` and must not outlive it (or outlive the process's
  // last gRPC object: gRPC then shuts down from that executor thread, racing the process's exit).
  ~Gateway() override;

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override;

  GatewayCounters counters() const;
  int in_flight() const { return calls_.in_flight(); }
  const GatewayOptions& options() const { return options_; }

 private:
  friend class ProxyCall;
  friend class LiveCall;
  GatewayOptions options_;
  std::shared_ptr<grpc::Channel> backend_;
  grpc::GenericStub stub_;
  RateLimiter rate_;
  CallLimiter calls_;
  PrincipalCallLimiter principal_calls_;
  std::atomic<uint64_t> n_calls_{0}, n_unauthenticated_{0}, n_denied_{0}, n_rate_limited_{0},
      n_busy_{0}, n_principal_busy_{0}, n_oversized_{0}, n_audit_failures_{0}, n_direct_{0};
  absl::Mutex live_mu_;
  int live_calls_ ABSL_GUARDED_BY(live_mu_) = 0;  // ProxyCalls created and not yet deleted
};

// Returns: what a request asks about, for the audit trail: its set fields named address, txid,
// seed, cluster_id, cluster, subject, from or to (strings and integers), in field order.
std::vector<std::pair<std::string, std::string>> RequestSubject(
    const google::protobuf::Message& request);

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_GATEWAY_H_
