// Limits: the per-principal rate limit (RESOURCE_EXHAUSTED with retry information, other
// principals unaffected), the cap on calls in flight, deadlines that cancel a long trace on the
// server, the longest call time, message sizes, keepalive enforcement, and health NOT_SERVING until
// an engine is loaded.
#include <grpcpp/generic/generic_stub.h>
#include <sys/resource.h>

#include <chrono>
#include <thread>

#include "absl/strings/numbers.h"
#include "engine/service/limits.h"
#include "engine/service/replica.h"
#include "tests/engine/service/hardening_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double CpuSeconds() {
  rusage u;
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

TEST(RateLimiterTest, BurstThenSteadyRatePerKey) {
  service::RateLimitOptions o;
  o.per_second = 10;
  o.burst = 3;
  service::RateLimiter rl(o);
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(rl.Acquire("a", t0), absl::ZeroDuration());
  EXPECT_EQ(rl.Acquire("a", t0), absl::Milliseconds(100));
  EXPECT_EQ(rl.Acquire("b", t0), absl::ZeroDuration()) << "another principal has its own bucket";
  EXPECT_EQ(rl.Acquire("a", t0 + absl::Milliseconds(40)), absl::Milliseconds(60));
  EXPECT_EQ(rl.Acquire("a", t0 + absl::Milliseconds(100)), absl::ZeroDuration());
  EXPECT_GT(rl.Acquire("a", t0 + absl::Milliseconds(100)), absl::ZeroDuration());
  // Idle for long: back to a full burst, not more.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(rl.Acquire("a", t0 + absl::Hours(1)), absl::ZeroDuration());
  EXPECT_GT(rl.Acquire("a", t0 + absl::Hours(1)), absl::ZeroDuration());
  service::RateLimiter off({});
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(off.Acquire("a", t0), absl::ZeroDuration());
}

TEST(RateLimiterTest, ForgetsOnlyFullBucketsWhenFull) {
  service::RateLimitOptions o;
  o.per_second = 1;
  o.burst = 1;
  o.max_principals = 2;
  service::RateLimiter rl(o);
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  EXPECT_EQ(rl.Acquire("a", t0), absl::ZeroDuration());
  EXPECT_EQ(rl.Acquire("b", t0), absl::ZeroDuration());
  EXPECT_EQ(rl.Acquire("c", t0 + absl::Seconds(5)), absl::ZeroDuration());
  EXPECT_EQ(rl.Acquire("c", t0 + absl::Seconds(5)), absl::Seconds(1));
}

TEST(CallLimiterTest, CapsCallsInFlight) {
  service::CallLimiter cl(2);
  EXPECT_TRUE(cl.TryAcquire());
  EXPECT_TRUE(cl.TryAcquire());
  EXPECT_FALSE(cl.TryAcquire());
  EXPECT_EQ(cl.in_flight(), 2);
  cl.Release();
  EXPECT_TRUE(cl.TryAcquire());
}

class LimitsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(MakeTempDir("limits"));
    // Big enough that a 50-hop poison trace takes a while.
    auto chain = MakeTestChain(*dir_, 150, 600);
    ASSERT_THAT(chain, IsOk());
    chain_ = new TestChain(*std::move(chain));
    auto tokens = service::TokenTable::Load(WriteTokenFile(*dir_));
    ASSERT_THAT(tokens, IsOk());
    tokens_ = new service::TokenTable(*std::move(tokens));
  }
  static void TearDownTestSuite() {
    delete tokens_;
    delete chain_;
    delete dir_;
  }
  static service::ServerOptions Options() {
    service::ServerOptions o;
    o.gateway.tokens = tokens_;
    return o;
  }
  static v1::TraceRequest LongTrace() {
    v1::TraceRequest t;
    t.set_seed(chain_->addresses[380]);
    t.set_hops(50);
    t.set_taint("poison");
    t.set_max_edges(1'000'000);
    return t;
  }
  // Reads a trace to its end. Returns: its status; *events: the events read.
  static grpc::Status RunTrace(v1::Ariadne::Stub* stub, grpc::ClientContext* ctx,
                               const v1::TraceRequest& req, int* events = nullptr) {
    auto reader = stub->Trace(ctx, req);
    v1::TraceEvent ev;
    int n = 0;
    while (reader->Read(&ev)) ++n;
    if (events != nullptr) *events = n;
    return reader->Finish();
  }
  static inline std::filesystem::path* dir_ = nullptr;
  static inline TestChain* chain_ = nullptr;
  static inline service::TokenTable* tokens_ = nullptr;
};

grpc::Status Status(v1::Ariadne::Stub* stub, std::unique_ptr<grpc::ClientContext> ctx) {
  v1::ChainStatus r;
  return stub->GetStatus(ctx.get(), v1::GetStatusRequest(), &r);
}

TEST_F(LimitsTest, RateLimitedPrincipalGetsRetryInfoOthersUnaffected) {
  service::ServerOptions o = Options();
  o.gateway.rate_limit.per_second = 2;
  o.gateway.rate_limit.burst = 3;
  auto server = TestServer::Start(chain_->db, o);
  ASSERT_THAT(server, IsOk());
  auto stub = (*server)->Stub();
  int ok = 0, limited = 0;
  int64_t retry_ms = 0;
  for (int i = 0; i < 10; ++i) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", std::string("Bearer ") + kAliceToken);
    v1::ChainStatus r;
    grpc::Status s = stub->GetStatus(&ctx, v1::GetStatusRequest(), &r);
    if (s.ok()) {
      ++ok;
      continue;
    }
    ASSERT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
    ++limited;
    EXPECT_NE(s.error_message().find("retry after"), std::string::npos);
    // The standard google.rpc.RetryInfo travels in the status details.
    EXPECT_NE(s.error_details().find("type.googleapis.com/google.rpc.RetryInfo"),
              std::string::npos);
    auto it = ctx.GetServerTrailingMetadata().find("retry-after-ms");
    ASSERT_NE(it, ctx.GetServerTrailingMetadata().end());
    ASSERT_TRUE(absl::SimpleAtoi(std::string(it->second.data(), it->second.size()), &retry_ms));
    EXPECT_GT(retry_ms, 0);
    EXPECT_LE(retry_ms, 500);
    // Bob is not slowed down by Alice (within his own burst).
    if (limited <= 2) {
      EXPECT_TRUE(Status(stub.get(), Ctx(kBobToken)).ok());
    }
  }
  EXPECT_GE(ok, 3);
  EXPECT_LE(ok, 4);  // the burst, plus what refilled meanwhile
  EXPECT_GE(limited, 6);
  // Waiting as told is enough.
  std::this_thread::sleep_for(std::chrono::milliseconds(retry_ms + 20));
  EXPECT_TRUE(Status(stub.get(), Ctx(kAliceToken)).ok());
  EXPECT_GE((*server)->server().gateway().counters().rate_limited, 6u);
}

// Opens a call that never sends its request: the server has admitted it and waits.
struct SilentCall {
  explicit SilentCall(const std::string& address, const std::string& token)
      : stub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())) {
    ctx.AddMetadata("authorization", "Bearer " + token);
    call = stub.PrepareCall(&ctx, "/ariadne.v1.Ariadne/GetStatus", &cq);
    call->StartCall(reinterpret_cast<void*>(1));
    void* tag;
    bool ok;
    cq.Next(&tag, &ok);
  }
  ~SilentCall() {
    ctx.TryCancel();
    grpc::Status s;
    call->Finish(&s, reinterpret_cast<void*>(2));
    void* tag;
    bool ok;
    cq.Next(&tag, &ok);
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
  }
  grpc::GenericStub stub;
  grpc::ClientContext ctx;
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call;
};

TEST_F(LimitsTest, CallsBeyondTheCapAreResourceExhausted) {
  service::ServerOptions o = Options();
  o.gateway.max_concurrent_calls = 2;
  auto server = TestServer::Start(chain_->db, o);
  ASSERT_THAT(server, IsOk());
  auto stub = (*server)->Stub();
  {
    SilentCall a((*server)->address(), kAliceToken), b((*server)->address(), kBobToken);
    for (int i = 0; i < 50 && (*server)->server().gateway().in_flight() < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ((*server)->server().gateway().in_flight(), 2);
    grpc::Status s = Status(stub.get(), Ctx(kRootToken));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_NE(s.error_message().find("busy"), std::string::npos) << s.error_message();
  }
  // The slots come back when the calls end.
  for (int i = 0; i < 50 && (*server)->server().gateway().in_flight() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(Status(stub.get(), Ctx(kRootToken)).ok());
  EXPECT_EQ((*server)->server().gateway().counters().busy, 1u);
}

// A call's slot is free once its answer is settled: a client that asks again as soon as it has
// its answer is never refused, even at one call per principal (the slot used to be held until
// gRPC's OnDone, which can run after the client's next request arrived).
TEST_F(LimitsTest, AnsweredCallsGiveTheirSlotBackBeforeTheNextRequest) {
  service::ServerOptions o = Options();
  o.gateway.max_calls_per_principal = 1;
  o.gateway.max_concurrent_calls = 1;
  auto server = TestServer::Start(chain_->db, o);
  ASSERT_THAT(server, IsOk());
  auto stub = (*server)->Stub();
  v1::GetAddressRequest a;
  a.set_address(chain_->addresses[3]);
  v1::TraceRequest t;
  t.set_seed(chain_->addresses[3]);
  t.set_hops(1);
  for (int i = 0; i < 300; ++i) {
    v1::AddressSummary summary;
    grpc::Status s = stub->GetAddress(Ctx(kAliceToken).get(), a, &summary);  // answered directly
    ASSERT_TRUE(s.ok()) << "call " << i << ": " << s.error_message();
    if (i % 10 == 0) {  // and forwarded calls, unary and streamed
      v1::ExplainRequest e;
      e.set_from(chain_->addresses[3]);
      e.set_to(chain_->addresses[4]);
      v1::ExplainReply er;
      grpc::Status es = stub->Explain(Ctx(kAliceToken).get(), e, &er);
      ASSERT_NE(es.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << es.error_message();
      auto ctx = Ctx(kAliceToken);
      grpc::Status ts = RunTrace(stub.get(), ctx.get(), t);
      ASSERT_TRUE(ts.ok()) << "trace " << i << ": " << ts.error_message();
    }
  }
  EXPECT_EQ((*server)->server().gateway().counters().principal_busy, 0u);
  EXPECT_EQ((*server)->server().gateway().counters().busy, 0u);
}

TEST_F(LimitsTest, DeadlineCancelsALongTraceOnTheServer) {
  service::ServerOptions o = Options();
  o.gateway.max_concurrent_calls = 1;
  auto server = TestServer::Start(chain_->db, o);
  ASSERT_THAT(server, IsOk());
  auto stub = (*server)->Stub();
  // The whole trace takes seconds (it is cut by a 1.5 s deadline)...
  auto start = Clock::now();
  int events = 0;
  grpc::Status s = RunTrace(stub.get(), Ctx(kAliceToken, "", 1.5).get(), LongTrace(), &events);
  ASSERT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << "the trace is too short to show a cancellation (" << events << " events)";
  // ...and after it the slot is free again (the cancelled trace is not still running).
  while (Status(stub.get(), Ctx(kAliceToken)).error_code() ==
             grpc::StatusCode::RESOURCE_EXHAUSTED &&
         Since(start) < 30) {
  }
  std::printf("deadline 1.5 s: %d events, slot free after %.2f s\n", events, Since(start));

  // (The slot of a finished call is given back just after its client got the answer.)
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  start = Clock::now();
  s = RunTrace(stub.get(), Ctx(kAliceToken, "", 0.2).get(), LongTrace());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_LT(Since(start), 1.0);
  // The server stopped working on it: once the deadline passed, the process (server and idle
  // client) hardly uses the CPU, where the trace would keep a core busy for seconds.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const double cpu0 = CpuSeconds();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const double cpu = CpuSeconds() - cpu0;
  std::printf("deadline 0.2 s: CPU used in the second after: %.3f s\n", cpu);
  EXPECT_LT(cpu, 0.3) << "the server went on with a trace whose deadline had passed";
  EXPECT_TRUE(Status(stub.get(), Ctx(kAliceToken)).ok());
}

TEST_F(LimitsTest, TheServersLongestCallTimeAppliesWithoutAClientDeadline) {
  service::ServerOptions o = Options();
  o.gateway.max_call_time = absl::Milliseconds(300);
  auto server = TestServer::Start(chain_->db, o);
  ASSERT_THAT(server, IsOk());
  auto stub = (*server)->Stub();
  grpc::ClientContext ctx;  // no deadline
  ctx.AddMetadata("authorization", std::string("Bearer ") + kAliceToken);
  const auto start = Clock::now();
  grpc::Status s = RunTrace(stub.get(), &ctx, LongTrace());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();
  EXPECT_LT(Since(start), 3.0);
}

TEST_F(LimitsTest, AClientThatStopsReadingIsCutOff) {
  service::ServerOptions o = Options();
  o.gateway.max_call_time = absl::Seconds(3);  // the trace is computed, then streamed
  o.gateway.max_concurrent_calls = 1;
  auto server = TestServer::Start(chain_->db, o);
  ASSERT_THAT(server, IsOk());
  auto stub = (*server)->Stub();
  grpc::ClientContext ctx;  // no deadline, and it will not read
  ctx.AddMetadata("authorization", std::string("Bearer ") + kAliceToken);
  // A trace far bigger than the flow-control windows: the server's writes block.
  auto reader = stub->Trace(&ctx, LongTrace());
  v1::TraceEvent ev;
  ASSERT_TRUE(reader->Read(&ev));  // it started, then the client stalls
  const auto start = Clock::now();
  grpc::Status next;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    next = Status(stub.get(), Ctx(kBobToken));
  } while (!next.ok() && Since(start) < 20);
  EXPECT_TRUE(next.ok()) << next.error_message();
  std::printf("stalled stream cut off, its slot free after %.2f s\n", Since(start));
  EXPECT_LT(Since(start), 12.0) << "the stalled stream kept its slot";
  ctx.TryCancel();
  while (reader->Read(&ev)) {
  }
  EXPECT_FALSE(reader->Finish().ok());
}

TEST_F(LimitsTest, OversizeRequestsAreRefusedAndTheServerCarriesOn) {
  service::ServerOptions o = Options();
  o.max_request_bytes = 4096;
  auto server = TestServer::Start(chain_->db, o);
  ASSERT_THAT(server, IsOk());
  auto stub = (*server)->Stub();
  v1::GetAddressRequest big;
  big.set_address(std::string(100'000, '1'));
  v1::AddressSummary r;
  EXPECT_EQ(stub->GetAddress(Ctx(kAliceToken).get(), big, &r).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  v1::TraceRequest t;
  t.set_seed(chain_->addresses[0]);
  for (int i = 0; i < 2000; ++i) t.add_stop_at("exchange");
  EXPECT_EQ(RunTrace(stub.get(), Ctx(kAliceToken).get(), t).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  v1::GetAddressRequest ok;
  ok.set_address(chain_->addresses[0]);
  EXPECT_TRUE(stub->GetAddress(Ctx(kAliceToken).get(), ok, &r).ok());
}

TEST_F(LimitsTest, ClientsThatPingTooOftenAreDisconnected) {
  service::ServerOptions o = Options();
  o.min_client_ping_interval = absl::Seconds(5);
  auto server = TestServer::Start(chain_->db, o);
  ASSERT_THAT(server, IsOk());
  grpc::ChannelArguments abusive;
  abusive.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 50);
  abusive.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 1000);
  abusive.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  abusive.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  abusive.SetInt(GRPC_ARG_HTTP2_MIN_SENT_PING_INTERVAL_WITHOUT_DATA_MS, 0);
  auto channel =
      grpc::CreateCustomChannel((*server)->address(), grpc::InsecureChannelCredentials(), abusive);
  auto stub = v1::Ariadne::NewStub(channel);
  ASSERT_TRUE(Status(stub.get(), Ctx(kAliceToken)).ok());
  // A call that stays open (it never sends its request) while the client pings: the server ends
  // the connection (GOAWAY too_many_pings), which ends the call before its deadline.
  grpc::GenericStub generic(channel);
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", std::string("Bearer ") + kAliceToken);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  grpc::CompletionQueue cq;
  auto call = generic.PrepareCall(&ctx, "/ariadne.v1.Ariadne/GetStatus", &cq);
  call->StartCall(reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  ASSERT_TRUE(cq.Next(&tag, &ok));
  const auto start = Clock::now();
  grpc::Status s;
  call->Finish(&s, reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_LT(Since(start), 15.0);
  std::printf("abusive pinger cut off after %.2f s: %s\n", Since(start), s.error_message().c_str());
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  // A well-behaved client is unaffected.
  EXPECT_TRUE(Status((*server)->Stub().get(), Ctx(kBobToken)).ok());
}

TEST_F(LimitsTest, HealthIsNotServingUntilTheEngineIsLoaded) {
  service::FixedEngineSource none(nullptr);
  service::ServerOptions o = Options();
  o.listen = "127.0.0.1:0";
  auto server = service::AriadneServer::Start(&none, o);
  ASSERT_THAT(server, IsOk());
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string((*server)->port()),
                                     grpc::InsecureChannelCredentials());
  EXPECT_EQ(Health(channel), "NOT_SERVING");
  EXPECT_EQ(Health(channel, "ariadne.v1.Ariadne"), "NOT_SERVING");
  auto stub = v1::Ariadne::NewStub(channel);
  grpc::Status s = Status(stub.get(), Ctx(kAliceToken));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(s.error_message().find("loading"), std::string::npos);
  (*server)->SetServing(true);
  EXPECT_EQ(Health(channel), "SERVING");
  (*server)->Shutdown(absl::ZeroDuration());

  // With a replica source the server listens while the engine loads, and turns SERVING itself.
  service::AriadneServer* live = nullptr;
  absl::Mutex mu;
  service::ReplicaOptions ro;
  ro.catch_up_interval = absl::ZeroDuration();
  ro.on_engine = [&](const service::Engine&, bool) {
    absl::MutexLock lock(&mu);
    if (live != nullptr) live->SetServing(true);
  };
  auto replica = service::ReplicaEngineSource::Open(chain_->db, ro);
  ASSERT_THAT(replica, IsOk());
  auto served = service::AriadneServer::Start(replica->get(), o);
  ASSERT_THAT(served, IsOk());
  {
    absl::MutexLock lock(&mu);
    live = served->get();
    if ((*replica)->Get() != nullptr) live->SetServing(true);
  }
  auto ch2 = grpc::CreateChannel("127.0.0.1:" + std::to_string((*served)->port()),
                                 grpc::InsecureChannelCredentials());
  ASSERT_TRUE((*replica)->WaitLoaded(absl::Seconds(60)));
  const auto start = Clock::now();
  while (Health(ch2) != "SERVING" && Since(start) < 5) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(Health(ch2), "SERVING");
  EXPECT_TRUE(Status(v1::Ariadne::NewStub(ch2).get(), Ctx(kAliceToken)).ok());
  (*served)->Shutdown(absl::ZeroDuration());
}

}  // namespace
}  // namespace ariadne::testing
