#include "engine/service/watch_service.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/service/ariadne_service.h"

namespace ariadne::service {
namespace {

constexpr char kNoWatchlists[] =
    "this server keeps no watchlists: start it with --watch-db DIR (docs/alerts.md)";

std::string Rfc3339(int64_t unix_ms) {
  if (unix_ms == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::FromUnixMillis(unix_ms),
                          absl::UTCTimeZone());
}

// The chain the evaluator sees: one engine's backend and blocks.
watch::ChainView ViewOf(const Engine& engine, int32_t tip, const std::string& tip_hash) {
  watch::ChainView v;
  v.backend = &engine.backend();
  v.tip_height = tip;
  if (engine.backend().model() == query::ChainModel::kUtxo) {
    v.block = [&engine](int32_t h) -> absl::StatusOr<watch::BlockInfo> {
      auto b = engine.store().ReadBlock(static_cast<uint32_t>(h));
      if (!b.ok()) return b.status();
      return watch::BlockInfo{b->hash().ToHex(), b->time()};
    };
  } else {
    // Account stores: the tip's hash only (reorgs of account chains are not detected here).
    v.block = [tip, tip_hash](int32_t h) -> absl::StatusOr<watch::BlockInfo> {
      return watch::BlockInfo{h == tip ? tip_hash : "", 0};
    };
  }
  return v;
}

}  // namespace

void ToProto(const watch::Watch& w, v1::Watch* out) {
  out->set_id(w.id);
  out->set_subject(watch::FormatSubject(w.subject));
  out->set_case_id(w.case_id);
  out->set_min_value(w.min_value);
  out->set_rule(watch::FormatRule(w.rule));
  out->set_created_time(Rfc3339(w.created_unix_ms));
  out->set_created_height(w.created_height);
  out->set_evaluated_height(w.evaluated_height);
  out->set_evaluated_hash(w.evaluated_hash);
  out->set_created_by(w.created_by);
}

void ToProto(const watch::Alert& a, v1::Alert* out) {
  out->set_id(a.id);
  out->set_watch_id(a.watch_id);
  out->set_case_id(a.case_id);
  out->set_subject(a.subject);
  out->set_rule(a.rule);
  out->set_block_height(a.block_height);
  out->set_block_hash(a.block_hash);
  out->set_block_time(a.block_time);
  for (const std::string& t : a.txids) out->add_txids(t);
  out->set_sent(a.sent);
  out->set_received(a.received);
  for (const watch::AlertPath& p : a.paths) {
    v1::AlertPath* q = out->add_paths();
    for (const watch::AlertStep& s : p.steps) {
      v1::AlertStep* r = q->add_steps();
      r->set_from(s.from);
      r->set_to(s.to);
      r->set_txid(s.txid);
      r->set_block_height(s.block_height);
      r->set_value(s.value);
      r->set_tainted_value(s.tainted_value);
      r->set_hop(s.hop);
    }
    q->set_endpoint(p.endpoint);
    q->set_label(p.label);
    q->set_category(p.category);
    q->set_tainted_value(p.tainted_value);
  }
  out->set_raised_time(Rfc3339(a.raised_unix_ms));
  out->set_truncated(a.truncated);
  v1::AlertDelivery* d = out->mutable_delivery();
  d->set_state(std::string(watch::DeliveryStateName(a.delivery.state)));
  d->set_attempts(a.delivery.attempts);
  d->set_last_error(a.delivery.last_error);
  d->set_last_attempt_time(Rfc3339(a.delivery.last_attempt_unix_ms));
  d->set_delivered_time(Rfc3339(a.delivery.delivered_unix_ms));
}

std::string AlertJson(const v1::Alert& alert) {
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  o.always_print_primitive_fields = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(alert, &json, o);
  return json;
}

// ---- Watcher

Watcher::Watcher(watch::WatchStore* store, const EngineSource* source, AuditLog* audit,
                 WatcherOptions options)
    : store_(store),
      source_(source),
      audit_(audit),
      options_(std::move(options)),
      evaluator_(store, [this] {
        watch::EvaluatorOptions e = options_.evaluator;
        e.deliver = options_.webhook.has_value();
        return e;
      }()) {
  eval_thread_ = std::thread([this] { EvaluateLoop(); });
  deliver_thread_ = std::thread([this] { DeliverLoop(); });
}

Watcher::~Watcher() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  cancel_ = true;
  eval_thread_.join();
  deliver_thread_.join();
}

void Watcher::Notify() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

std::string Watcher::last_error() const {
  absl::MutexLock lock(&mu_);
  return last_error_;
}

absl::StatusOr<watch::Watch> Watcher::Add(watch::Watch w) {
  absl::MutexLock lock(&eval_mu_);
  const std::shared_ptr<const Engine> engine = source_->Get();
  if (engine == nullptr) return absl::UnavailableError("the store is still loading");
  auto status = engine->backend().Status();
  if (!status.ok()) return status.status();
  absl::Status s = evaluator_.Prepare(ViewOf(*engine, status->tip_height, status->tip_hash), &w);
  if (!s.ok()) return s;
  w.created_unix_ms = absl::ToUnixMillis(absl::Now());
  return store_->Add(std::move(w));
}

absl::StatusOr<std::vector<watch::Alert>> Watcher::EvaluateNow() {
  // The engine is taken under the lock: a watch added meanwhile (at the then current tip) must not
  // meet an older engine, which would look like a shorter chain.
  absl::MutexLock lock(&eval_mu_);
  const std::shared_ptr<const Engine> engine = source_->Get();
  if (engine == nullptr) return std::vector<watch::Alert>();
  auto status = engine->backend().Status();
  if (!status.ok()) return status.status();
  return evaluator_.Run(ViewOf(*engine, status->tip_height, status->tip_hash),
                        [this] { return cancel_.load(); });
}

void Watcher::EvaluateLoop() {
  const Engine* evaluated = nullptr;
  bool failed = false;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stop_ || woken_; };
      mu_.AwaitWithTimeout(absl::Condition(&ready), options_.poll_interval);
      if (stop_) return;
      woken_ = false;
    }
    const std::shared_ptr<const Engine> engine = source_->Get();
    // A new engine, or a failed run to retry: evaluate.
    if (engine == nullptr || (engine.get() == evaluated && !failed)) continue;
    auto raised = EvaluateNow();
    absl::MutexLock lock(&mu_);
    failed = !raised.ok();
    last_error_ = failed ? std::string(raised.status().message()) : "";
    if (failed && !stop_) {
      std::fprintf(stderr, "warning: evaluating the watches: %s\n", last_error_.c_str());
    }
    evaluated = engine.get();
  }
}

absl::Time Watcher::DeliverDue() {
  absl::Time next = absl::InfiniteFuture();
  auto outbox = store_->Outbox(1000);
  if (!outbox.ok()) return absl::Now() + absl::Seconds(1);
  for (watch::Alert& a : *outbox) {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return next;
    }
    bool changed = false;
    if (!a.audited && audit_ != nullptr) {
      AuditRecord r;
      r.time = absl::Now();
      r.principal = "watcher";
      r.role = "server";
      r.case_id = a.case_id;
      r.method = "/ariadne.v1.Watchlist/Alert";
      r.subject = {{"alert", absl::StrCat(a.id)},
                   {"watch", absl::StrCat(a.watch_id)},
                   {"subject", a.subject},
                   {"rule", a.rule},
                   {"height", absl::StrCat(a.block_height)},
                   {"block", a.block_hash}};
      r.rows = a.txids.size();
      r.peer = "server";
      if (!audit_->Append(r).ok()) {
        next = std::min(next, absl::Now() + absl::Seconds(1));
        continue;  // the audit trail is down: retried, the alert stays in the outbox
      }
      a.audited = true;
      changed = true;
    }
    if (audit_ == nullptr) a.audited = true;
    if (a.delivery.state == watch::Delivery::State::kPending && options_.webhook.has_value()) {
      const absl::Time due = absl::FromUnixMillis(a.delivery.next_attempt_unix_ms);
      if (due > absl::Now()) {
        next = std::min(next, due);
      } else {
        v1::Alert proto;
        ToProto(a, &proto);
        // What the receiver gets says this attempt is under way.
        proto.mutable_delivery()->set_attempts(a.delivery.attempts + 1);
        const absl::Status posted =
            watch::PostJson(*options_.webhook, AlertJson(proto), options_.webhook_timeout);
        const int64_t now = absl::ToUnixMillis(absl::Now());
        ++a.delivery.attempts;
        a.delivery.last_attempt_unix_ms = now;
        if (posted.ok()) {
          a.delivery.state = watch::Delivery::State::kDelivered;
          a.delivery.delivered_unix_ms = now;
          a.delivery.last_error.clear();
        } else {
          a.delivery.last_error = std::string(posted.message());
          if (a.delivery.attempts >= options_.webhook_attempts) {
            a.delivery.state = watch::Delivery::State::kFailed;
          } else {
            const absl::Duration wait = watch::Backoff(
                a.delivery.attempts, options_.webhook_backoff, options_.webhook_max_backoff);
            a.delivery.next_attempt_unix_ms = now + absl::ToInt64Milliseconds(wait);
            next = std::min(next, absl::FromUnixMillis(a.delivery.next_attempt_unix_ms));
          }
        }
        changed = true;
      }
    }
    const bool done = a.audited && (a.delivery.state != watch::Delivery::State::kPending ||
                                    !options_.webhook.has_value());
    if (changed || done) (void)store_->UpdateAlert(a, done);
  }
  return next;
}

void Watcher::DeliverLoop() {
  uint64_t seen = 0;
  for (;;) {
    const absl::Time next = DeliverDue();
    const uint64_t last = store_->last_alert_id();
    seen = std::max(seen, last);
    const absl::Duration wait =
        std::clamp(next - absl::Now(), absl::Milliseconds(10), absl::Milliseconds(500));
    // Woken early by a new alert.
    store_->WaitForAlert(seen, wait);
    absl::MutexLock lock(&mu_);
    if (stop_) return;
  }
}

// ---- WatchService

grpc::Status WatchService::AddWatch(grpc::ServerContext*, const v1::AddWatchRequest* req,
                                    v1::Watch* resp) {
  if (watcher_ == nullptr)
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, kNoWatchlists);
  if (req->case_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "a watch needs the case it is for (case_id; `watch add --case C`)");
  }
  if (req->case_id().size() > 256) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the case id is over 256 characters");
  }
  if (req->min_value() < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("min_value ", req->min_value(), " is negative"));
  }
  auto subject = watch::ParseSubject(req->subject());
  if (!subject.ok()) return ToGrpc(subject.status());
  auto rule = watch::ParseRule(req->rule());
  if (!rule.ok()) return ToGrpc(rule.status());
  watch::Watch w;
  w.subject = *subject;
  w.rule = *rule;
  w.case_id = req->case_id();
  w.min_value = req->min_value();
  auto added = watcher_->Add(std::move(w));
  if (!added.ok()) return ToGrpc(added.status());
  ToProto(*added, resp);
  return grpc::Status::OK;
}

grpc::Status WatchService::ListWatches(grpc::ServerContext*, const v1::ListWatchesRequest* req,
                                       v1::ListWatchesReply* resp) {
  if (watcher_ == nullptr)
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, kNoWatchlists);
  auto list = watcher_->store()->List(req->case_id());
  if (!list.ok()) return ToGrpc(list.status());
  for (const watch::Watch& w : *list) ToProto(w, resp->add_watches());
  return grpc::Status::OK;
}

grpc::Status WatchService::RemoveWatch(grpc::ServerContext*, const v1::RemoveWatchRequest* req,
                                       v1::Watch* resp) {
  if (watcher_ == nullptr)
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, kNoWatchlists);
  if (req->watch_id() == 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "watch_id is required (ids start at 1)");
  }
  auto removed = watcher_->store()->Remove(req->watch_id());
  if (!removed.ok()) return ToGrpc(removed.status());
  ToProto(*removed, resp);
  return grpc::Status::OK;
}

grpc::Status WatchService::WatchAlerts(grpc::ServerContext* ctx, const v1::WatchAlertsRequest* req,
                                       grpc::ServerWriter<v1::Alert>* writer) {
  if (watcher_ == nullptr)
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, kNoWatchlists);
  watch::WatchStore* store = watcher_->store();
  uint64_t from = req->from_alert_id();
  v1::Alert message;
  for (;;) {
    if (ctx->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "cancelled");
    const uint64_t scanned = store->last_alert_id();
    auto alerts = store->Alerts(from, 100, req->case_id());
    if (!alerts.ok()) return ToGrpc(alerts.status());
    for (const watch::Alert& a : *alerts) {
      message.Clear();
      ToProto(a, &message);
      if (!writer->Write(message)) return grpc::Status(grpc::StatusCode::CANCELLED, "client gone");
      from = a.id;
    }
    if (!alerts->empty()) continue;
    from = std::max(from, scanned);  // the other cases' alerts up to here are skipped
    if (!req->follow()) return grpc::Status::OK;
    store->WaitForAlert(from, absl::Milliseconds(250));
  }
}

}  // namespace ariadne::service
