#include "engine/service/gateway.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/alarm.h>
#include <grpcpp/impl/codegen/proto_utils.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "engine/core/strings.h"

namespace ariadne::service {
namespace {

namespace pb = google::protobuf;

constexpr std::string_view kSubjectFields[] = {"address", "txid",    "seed", "cluster_id",
                                               "cluster", "subject", "from", "to"};

// How long after max_call_time a call whose client stopped reading is cut off.
constexpr absl::Duration kSlowReaderGrace = absl::Seconds(2);

std::string_view Metadata(const grpc::GenericCallbackServerContext& ctx, std::string_view key) {
  auto it = ctx.client_metadata().find(grpc::string_ref(key.data(), key.size()));
  if (it == ctx.client_metadata().end()) return {};
  return std::string_view(it->second.data(), it->second.size());
}

// "ipv4:10.0.0.5:50312" -> "ipv4:10.0.0.5"; "ipv6:[::1]:50312" -> "ipv6:[::1]".
std::string PeerHost(const std::string& peer) {
  const size_t colon = peer.rfind(':');
  const size_t scheme = peer.find(':');
  if (colon == std::string::npos || colon == scheme) return peer;
  return peer.substr(0, colon);
}

// The caller a call is for: its peer, or for a call made in-process by the HTTP front, the HTTP
// client that front names ("http+ipv4:10.0.0.5:50312"). Peers over the network are named by
// transport ("ipv4:", "ipv6:", "unix:", "unix-abstract:"); anything else is in-process.
std::string CallerOf(const grpc::GenericCallbackServerContext& ctx) {
  std::string peer = ctx.peer();
  for (const char* network : {"ipv4:", "ipv6:", "unix:", "unix-abstract:"}) {
    if (peer.rfind(network, 0) == 0) return peer;
  }
  const std::string_view http = Metadata(ctx, kHttpPeerMetadata);
  return http.empty() ? peer : "http+" + std::string(http);
}

grpc::StatusCode ToGrpcCode(absl::StatusCode code) { return static_cast<grpc::StatusCode>(code); }

// The service method a full path names, or null.
const pb::MethodDescriptor* FindMethod(const std::string& path) {
  if (path.size() < 2 || path[0] != '/') return nullptr;
  std::string name = path.substr(1);
  const size_t slash = name.find('/');
  if (slash == std::string::npos) return nullptr;
  name[slash] = '.';
  return pb::DescriptorPool::generated_pool()->FindMethodByName(name);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> RequestSubject(const pb::Message& request) {
  std::vector<std::pair<std::string, std::string>> out;
  const pb::Descriptor* d = request.GetDescriptor();
  const pb::Reflection* r = request.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const pb::FieldDescriptor* f = d->field(i);
    if (f->is_repeated() || std::find(std::begin(kSubjectFields), std::end(kSubjectFields),
                                      f->name()) == std::end(kSubjectFields)) {
      continue;
    }
    if (f->has_presence() && !r->HasField(request, f)) continue;
    std::string value;
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_STRING:
        value = r->GetString(request, f);
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        value = absl::StrCat(r->GetUInt32(request, f));
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        value = absl::StrCat(r->GetUInt64(request, f));
        break;
      case pb::FieldDescriptor::CPPTYPE_INT32:
        value = absl::StrCat(r->GetInt32(request, f));
        break;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        value = absl::StrCat(r->GetInt64(request, f));
        break;
      default:
        continue;
    }
    // Without presence, a default value means "not given".
    if (!f->has_presence() && (value.empty() || value == "0")) continue;
    out.emplace_back(f->name(), std::move(value));
  }
  return out;
}

// Counts a call of the gateway as live from its construction to the end of its destruction.
class LiveCall {
 public:
  explicit LiveCall(Gateway* gateway) : gw_(gateway) {
    absl::MutexLock lock(&gw_->live_mu_);
    ++gw_->live_calls_;
  }
  ~LiveCall() {
    absl::MutexLock lock(&gw_->live_mu_);
    --gw_->live_calls_;
  }
  LiveCall(const LiveCall&) = delete;
  LiveCall& operator=(const LiveCall&) = delete;

 private:
  Gateway* const gw_;
};

// One call through the gateway: the server side is this reactor; the service side is `upstream_`,
// a client call on the in-process channel. One message moves at a time (the next answer is read
// from the service only when the client took the previous one), so a slow client holds one
// message, not a stream's worth.
//
// Lifetime: refs_ counts the server side (until OnDone), the upstream call (until its OnDone) and
// the max-time alarm (until its callback); the last Unref deletes the call.
class ProxyCall final : public grpc::ServerGenericBidiReactor {
 public:
  ProxyCall(Gateway* gateway, grpc::GenericCallbackServerContext* ctx)
      : gw_(gateway), live_(gateway), ctx_(ctx), upstream_(this), start_(absl::Now()) {
    gw_->n_calls_.fetch_add(1, std::memory_order_relaxed);
    record_.time = start_;
    record_.method = ctx->method();
    record_.peer = CallerOf(*ctx);
    record_.case_id = std::string(Metadata(*ctx, kCaseIdMetadata));
    method_ = FindMethod(ctx->method());
    refusal_ = Admit();
    // The call may not outlive the gateway's longest call time, even with a client that stopped
    // reading (the alarm cancels it; the service side has the same deadline). A refused call waits
    // for its request (its subject goes into the audit record) only so long.
    Ref();
    alarm_set_ = true;
    const absl::Duration limit =
        refusal_.ok() ? gw_->options_.max_call_time + kSlowReaderGrace : kRefusedReadTime;
    alarm_.Set(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(limit),
               [this](bool fired) {
                 if (fired) CancelFromAlarm();
                 Unref();
               });
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    size_t request_bytes = 0;
    bool malformed = false;
    if (ok) {
      std::vector<grpc::Slice> slices;
      std::string bytes;
      if (request_.Dump(&slices).ok()) {
        for (const grpc::Slice& s : slices) {
          bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
        }
      }
      request_bytes = bytes.size();
      if (method_ != nullptr) {
        parsed_.reset(
            pb::MessageFactory::generated_factory()->GetPrototype(method_->input_type())->New());
        malformed = !parsed_->ParseFromString(bytes);
        if (!malformed) record_.subject = RequestSubject(*parsed_);
      }
    }
    if (!refusal_.ok()) {
      Complete(grpc::Status(ToGrpcCode(refusal_.code()), std::string(refusal_.message()),
                            retry_details_));
      return;
    }
    if (!ok) {
      Complete(grpc::Status(grpc::StatusCode::CANCELLED, "the client sent no request"));
      return;
    }
    const size_t max_bytes = static_cast<size_t>(gw_->options_.max_request_bytes);
    if (request_bytes > max_bytes) {
      gw_->n_oversized_.fetch_add(1, std::memory_order_relaxed);
      Complete(grpc::Status(
          grpc::StatusCode::RESOURCE_EXHAUSTED,
          absl::StrCat("the request is ", request_bytes, " bytes, more than the server's limit of ",
                       max_bytes, " (--max-request-bytes)")));
      return;
    }
    if (malformed) {
      Complete(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            absl::StrCat("malformed ", method_->input_type()->name())));
      return;
    }
    DirectAnswers* direct = gw_->options_.direct;
    if (direct != nullptr && !method_->server_streaming() && direct->Answers(*method_)) {
      AnswerDirect(direct);
    } else {
      StartUpstream();
    }
  }

  void OnWriteDone(bool ok) override {
    // A streamed answer went out (or the client is gone): continue with the next one.
    if (ok) {
      upstream_.StartRead(&response_);
    } else {
      upstream_ctx_.TryCancel();
      upstream_.RemoveHold();
    }
  }

  void OnCancel() override {
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
    }
    // Safe before the upstream call starts too: the context remembers it.
    upstream_ctx_.TryCancel();
  }

  void OnDone() override {
    ReleaseSlots();  // already done by Complete(), which every call reaches before its Finish
    Unref();
  }

 private:
  class Upstream final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    explicit Upstream(ProxyCall* call) : call_(call) {}
    void OnReadDone(bool ok) override { call_->UpstreamRead(ok); }
    void OnDone(const grpc::Status& s) override { call_->UpstreamDone(s); }

   private:
    ProxyCall* call_;
  };

  // Authentication, role, case id, limits. Returns: the refusal, or OK (a call slot is taken).
  absl::Status Admit() {
    const GatewayOptions& o = gw_->options_;
    if (o.tokens != nullptr) {
      auto p = o.tokens->Authenticate(Metadata(*ctx_, "authorization"));
      if (!p.ok()) {
        record_.principal = "(unauthenticated)";  // token names cannot contain parentheses
        gw_->n_unauthenticated_.fetch_add(1, std::memory_order_relaxed);
        return p.status();
      }
      principal_ = *std::move(p);
    } else {
      principal_ = Principal{"anonymous", Role::kAdmin};
    }
    record_.principal = principal_.name;
    record_.role = std::string(RoleName(principal_.role));
    absl::Status s = Authorize(principal_, ctx_->method());
    if (!s.ok()) {
      gw_->n_denied_.fetch_add(1, std::memory_order_relaxed);
      return s;
    }
    if (method_ == nullptr) {
      return absl::UnimplementedError(absl::StrCat("unknown method ", ctx_->method()));
    }
    if (method_->client_streaming()) {
      return absl::UnimplementedError(
          absl::StrCat(ctx_->method(),
                       " is client-streaming: the gateway forwards unary and server-streaming "
                       "methods only"));
    }
    if (o.require_case_id && record_.case_id.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("this server requires the case id of every query: send ", kCaseIdMetadata,
                       " metadata (client commands: --case-id)"));
    }
    if (o.audit != nullptr && !o.audit->healthy()) {
      return absl::UnavailableError(
          "the audit trail cannot be written (see the server's log): queries are refused");
    }
    const std::string key =
        o.tokens != nullptr ? principal_.name : absl::StrCat("anonymous@", PeerHost(record_.peer));
    const absl::Duration wait = gw_->rate_.Acquire(key, absl::Now());
    if (wait > absl::ZeroDuration()) {
      gw_->n_rate_limited_.fetch_add(1, std::memory_order_relaxed);
      const int64_t ms = absl::ToInt64Milliseconds(wait);
      const std::string msg =
          absl::StrCat("rate limit of ", o.rate_limit.per_second, " requests/s for ",
                       principal_.name, " exceeded: retry after ", ms, " ms");
      ctx_->AddTrailingMetadata(kRetryAfterMetadata, absl::StrCat(ms));
      retry_details_ =
          RetryInfoDetails(static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED), msg, wait);
      return absl::ResourceExhaustedError(msg);
    }
    if (!gw_->principal_calls_.TryAcquire(key)) {
      gw_->n_principal_busy_.fetch_add(1, std::memory_order_relaxed);
      return absl::ResourceExhaustedError(
          absl::StrCat(key, " has ", gw_->principal_calls_.max(),
                       " calls in flight, the limit per principal (--max-calls-per-principal): "
                       "retry when one of them ends"));
    }
    if (!gw_->calls_.TryAcquire()) {
      gw_->principal_calls_.Release(key);
      gw_->n_busy_.fetch_add(1, std::memory_order_relaxed);
      return absl::ResourceExhaustedError(absl::StrCat("the server is busy (", gw_->calls_.max(),
                                                       " calls in flight): retry later"));
    }
    principal_key_ = key;
    admitted_ = true;
    return absl::OkStatus();
  }

  // Returns: whether the client cancelled the call; it is then completed as CANCELLED.
  bool CompletedIfCancelled() {
    bool cancelled;
    {
      absl::MutexLock lock(&mu_);
      cancelled = cancelled_;
    }
    if (cancelled) Complete(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client"));
    return cancelled;
  }

  // Answers a point question in this reaction (direct_answers.h): no second hop.
  void AnswerDirect(DirectAnswers* direct) {
    if (CompletedIfCancelled()) return;
    gw_->n_direct_.fetch_add(1, std::memory_order_relaxed);
    std::unique_ptr<pb::Message> response(
        pb::MessageFactory::generated_factory()->GetPrototype(method_->output_type())->New());
    grpc::Status status = direct->Answer(*method_, *parsed_, response.get());
    if (status.ok()) {
      bool own = false;
      status = grpc::SerializationTraits<pb::Message>::Serialize(*response, &unary_response_, &own);
    }
    if (status.ok()) {
      rows_ = 1;
      has_unary_response_ = true;
    }
    Complete(status);
  }

  void StartUpstream() {
    if (CompletedIfCancelled()) return;
    const auto cap =
        std::chrono::system_clock::now() + absl::ToChronoMilliseconds(gw_->options_.max_call_time);
    upstream_ctx_.set_deadline(std::min(ctx_->deadline(), cap));
    streaming_ = method_->server_streaming();
    Ref();
    gw_->stub_.PrepareBidiStreamingCall(&upstream_ctx_, record_.method, grpc::StubOptions(),
                                        &upstream_);
    upstream_.StartWriteLast(&request_, grpc::WriteOptions());
    upstream_.StartRead(&response_);
    // Held until no more reads will be started (the last read came back, or the client is gone):
    // a read is started from OnWriteDone, outside the upstream's own callbacks.
    upstream_.AddHold();
    upstream_.StartCall();
  }

  // The max-time alarm fired: cancel the server side of the call (its pending write, if the client
  // stopped reading, then fails and the call drains). The context stays valid meanwhile because
  // Complete() defers Finish() while ctx_used_ is set.
  void CancelFromAlarm() {
    {
      absl::MutexLock lock(&mu_);
      if (finishing_) return;
      ctx_used_ = true;
    }
    ctx_->TryCancel();
    grpc::Status deferred;
    bool finish = false;
    {
      absl::MutexLock lock(&mu_);
      ctx_used_ = false;
      if (finish_deferred_) {
        finish = true;
        deferred = final_status_;
      }
    }
    if (finish) FinishNow(deferred);
  }

  void UpstreamRead(bool ok) {
    if (!ok) {
      upstream_.RemoveHold();
      return;
    }
    ++rows_;
    if (streaming_) {
      StartWrite(&response_);
    } else {
      unary_response_.Swap(&response_);
      has_unary_response_ = true;
      upstream_.StartRead(&response_);
    }
  }

  void UpstreamDone(const grpc::Status& s) {
    Complete(s);
    Unref();
  }

  // Gives back the call's slots (total and per principal), once. Called when the call's answer is
  // settled, not when gRPC is done with the call (OnDone): the client may already have its answer
  // and ask again before OnDone runs, and with the slot still held it was refused as over its
  // limit of calls in flight while it had far fewer.
  void ReleaseSlots() {
    if (!admitted_ || released_) return;
    released_ = true;
    gw_->calls_.Release();
    gw_->principal_calls_.Release(principal_key_);
  }

  // Writes the audit record, then ends the call (with the held unary answer when it succeeded).
  void Complete(grpc::Status status) {
    if (alarm_set_) alarm_.Cancel();
    ReleaseSlots();
    record_.rows = rows_;
    record_.code = static_cast<absl::StatusCode>(status.error_code());
    record_.error = status.error_message();
    record_.duration_ms = absl::ToDoubleMilliseconds(absl::Now() - start_);
    if (gw_->options_.audit != nullptr) {
      absl::Status written = gw_->options_.audit->Append(record_);
      if (!written.ok()) {
        gw_->n_audit_failures_.fetch_add(1, std::memory_order_relaxed);
        status = grpc::Status(grpc::StatusCode::UNAVAILABLE, std::string(written.message()));
      }
    }
    {
      absl::MutexLock lock(&mu_);
      finishing_ = true;
      if (ctx_used_) {
        finish_deferred_ = true;
        final_status_ = status;
        return;
      }
    }
    FinishNow(status);
  }

  void FinishNow(const grpc::Status& status) {
    if (!streaming_ && has_unary_response_ && status.ok()) {
      StartWriteAndFinish(&unary_response_, grpc::WriteOptions(), status);
    } else {
      Finish(status);
    }
  }

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  Gateway* const gw_;
  LiveCall live_;  // before the members that hold gRPC objects: destroyed after them
  grpc::GenericCallbackServerContext* const ctx_;
  Upstream upstream_;
  grpc::ClientContext upstream_ctx_;
  grpc::Alarm alarm_;
  const absl::Time start_;
  std::atomic<int> refs_{1};
  Principal principal_;
  AuditRecord record_;
  const pb::MethodDescriptor* method_ = nullptr;
  std::unique_ptr<pb::Message> parsed_;  // the request, when its method is known and it parsed
  std::string retry_details_;
  absl::Status refusal_;       // why Admit() refused the call; OK when admitted
  std::string principal_key_;  // the key of the per-principal slot an admitted call holds
  bool admitted_ = false;
  bool released_ = false;  // ReleaseSlots() ran
  bool streaming_ = false;
  bool has_unary_response_ = false;
  uint64_t rows_ = 0;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  grpc::ByteBuffer unary_response_;
  absl::Mutex mu_;
  bool alarm_set_ = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;
  bool ctx_used_ ABSL_GUARDED_BY(mu_) = false;
  bool finish_deferred_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status final_status_ ABSL_GUARDED_BY(mu_);
};

Gateway::Gateway(std::shared_ptr<grpc::Channel> backend, GatewayOptions options)
    : options_(options),
      backend_(backend),
      stub_(backend),
      rate_(options.rate_limit),
      calls_(options.max_concurrent_calls),
      principal_calls_(options.max_calls_per_principal) {}

Gateway::~Gateway() {
  absl::MutexLock lock(&live_mu_);
  live_mu_.Await(absl::Condition(
      +[](int* live) { return *live == 0; }, &live_calls_));
}

grpc::ServerGenericBidiReactor* Gateway::CreateReactor(grpc::GenericCallbackServerContext* ctx) {
  return new ProxyCall(this, ctx);
}

GatewayCounters Gateway::counters() const {
  GatewayCounters c;
  c.calls = n_calls_.load(std::memory_order_relaxed);
  c.unauthenticated = n_unauthenticated_.load(std::memory_order_relaxed);
  c.permission_denied = n_denied_.load(std::memory_order_relaxed);
  c.rate_limited = n_rate_limited_.load(std::memory_order_relaxed);
  c.busy = n_busy_.load(std::memory_order_relaxed);
  c.principal_busy = n_principal_busy_.load(std::memory_order_relaxed);
  c.oversized = n_oversized_.load(std::memory_order_relaxed);
  c.audit_failures = n_audit_failures_.load(std::memory_order_relaxed);
  c.direct = n_direct_.load(std::memory_order_relaxed);
  return c;
}

}  // namespace ariadne::service
