// The watchlists of `ariadne serve` (docs/alerts.md): the ariadne.v1.Watchlist gRPC service, and
// the Watcher behind it, which
//   - evaluates every watch whenever the served engine moves to a new tip (engine/watch), once
//     at start too (the blocks committed while the server was down), and
//   - works through the outbox of raised alerts: one audit record each (method
//     "/ariadne.v1.Watchlist/Alert", principal "watcher", the watch's case), and with a webhook
//     one HTTP POST of the alert's JSON each, retried with backoff, its state kept in the alert.
#ifndef ARIADNE_ENGINE_SERVICE_WATCH_SERVICE_H_
#define ARIADNE_ENGINE_SERVICE_WATCH_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/service/audit.h"
#include "engine/service/engine.h"
#include "engine/watch/evaluator.h"
#include "engine/watch/watch_store.h"
#include "engine/watch/webhook.h"
#include "proto/ariadne.grpc.pb.h"

namespace ariadne::service {

struct WatcherOptions {
  // Default none: no webhook (alerts are raised with delivery "off").
  std::optional<watch::WebhookUrl> webhook;
  // Default 1 s, doubled per attempt up to 5 minutes: the wait between two attempts.
  absl::Duration webhook_backoff = absl::Seconds(1);
  absl::Duration webhook_max_backoff = absl::Minutes(5);
  // Default 20: attempts before a delivery is "failed".
  uint32_t webhook_attempts = 20;
  // Default 10 s: the time limit of one POST.
  absl::Duration webhook_timeout = absl::Seconds(10);
  // Default 1 s: how often the watcher looks for a new engine when not woken (Notify).
  absl::Duration poll_interval = absl::Seconds(1);
  watch::EvaluatorOptions evaluator;
};

class Watcher {
 public:
  // Starts the evaluation and delivery threads.
  // Args: store, source: must outlive the watcher; audit: null for no audit trail, else must
  // outlive it.
  Watcher(watch::WatchStore* store, const EngineSource* source, AuditLog* audit,
          WatcherOptions options);
  // Stops both threads (an evaluation in progress is cancelled; it commits nothing partial).
  ~Watcher();

  // Wakes the evaluation thread (a new engine was swapped in).
  void Notify() ABSL_LOCKS_EXCLUDED(mu_);
  // Evaluates now, on the calling thread. Returns: the alerts raised.
  absl::StatusOr<std::vector<watch::Alert>> EvaluateNow() ABSL_LOCKS_EXCLUDED(eval_mu_);
  // Checks a new watch against the current engine and stores it.
  // Returns: UNAVAILABLE while no engine is loaded; Evaluator::Prepare's and the store's errors.
  absl::StatusOr<watch::Watch> Add(watch::Watch watch) ABSL_LOCKS_EXCLUDED(eval_mu_);

  watch::WatchStore* store() const { return store_; }
  // Returns: the last evaluation error ("" when the last run succeeded).
  std::string last_error() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  void EvaluateLoop();
  void DeliverLoop();
  // Audits and delivers what the outbox holds that is due. Returns: when the next attempt is due.
  absl::Time DeliverDue();

  watch::WatchStore* store_;
  const EngineSource* source_;
  AuditLog* audit_;
  WatcherOptions options_;
  watch::Evaluator evaluator_;
  absl::Mutex eval_mu_;  // one evaluation (or add) at a time
  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> cancel_{false};
  std::thread eval_thread_;
  std::thread deliver_thread_;
};

class WatchService final : public v1::Watchlist::Service {
 public:
  // Args: watcher: null when the server keeps no watchlists (every method then answers
  // FAILED_PRECONDITION); else must outlive the service.
  explicit WatchService(Watcher* watcher) : watcher_(watcher) {}

  grpc::Status AddWatch(grpc::ServerContext* ctx, const v1::AddWatchRequest* req,
                        v1::Watch* resp) override;
  grpc::Status ListWatches(grpc::ServerContext* ctx, const v1::ListWatchesRequest* req,
                           v1::ListWatchesReply* resp) override;
  grpc::Status RemoveWatch(grpc::ServerContext* ctx, const v1::RemoveWatchRequest* req,
                           v1::Watch* resp) override;
  grpc::Status WatchAlerts(grpc::ServerContext* ctx, const v1::WatchAlertsRequest* req,
                           grpc::ServerWriter<v1::Alert>* writer) override;

 private:
  Watcher* watcher_;
};

void ToProto(const watch::Watch& w, v1::Watch* out);
void ToProto(const watch::Alert& a, v1::Alert* out);
// Returns: the alert as one line of JSON (the proto3 JSON mapping, field names as in the proto,
// every field present): what the webhook POSTs and `ariadne alerts --json` prints.
std::string AlertJson(const v1::Alert& alert);

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_WATCH_SERVICE_H_
