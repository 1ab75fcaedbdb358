// Load and abuse, on loopback and bounded in time: `ariadne serve` (tokens, audit trail, rate
// limit, call cap) takes 2,000 concurrent streams for 60 s (ARIADNE_LOAD_STREAMS,
// ARIADNE_LOAD_SECONDS) while slow readers stall, oversize requests arrive and garbage bytes hit
// the port. Every stream must end OK, RESOURCE_EXHAUSTED or DEADLINE_EXCEEDED; the server's RSS
// stays bounded; afterwards it is alive, healthy, answers exactly as before, and its audit trail
// verifies.
#include <arpa/inet.h>
#include <grpcpp/alarm.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "engine/service/audit.h"
#include "tests/engine/service/hardening_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

using Clock = std::chrono::steady_clock;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && std::atoi(v) > 0 ? std::atoi(v) : fallback;
}

struct LoadStats {
  std::atomic<uint64_t> codes[17] = {};
  std::atomic<uint64_t> rows{0};
  absl::Mutex mu;
  std::vector<double> ok_ms ABSL_GUARDED_BY(mu);
};

struct LoadPlan {
  std::vector<std::unique_ptr<v1::Ariadne::Stub>> stubs;
  std::vector<std::string> addresses;
  Clock::time_point end;
  LoadStats* stats;
  std::atomic<int> running{0};
};

// One stream; when it ends, it starts the next one until the plan's end.
class Stream final : public grpc::ClientReadReactor<v1::HistoryEntry> {
 public:
  Stream(LoadPlan* plan, uint64_t n) : plan_(plan), n_(n), start_(Clock::now()) {
    static const char* kTokens[] = {kAliceToken, kBobToken, kRootToken};
    ctx_.AddMetadata("authorization", std::string("Bearer ") + kTokens[n % 3]);
    ctx_.AddMetadata("x-case-id", "LOAD-" + std::to_string(n % 7));
    ctx_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    req_.set_address(plan->addresses[n % plan->addresses.size()]);
    req_.set_limit(20);
    plan->stubs[n % plan->stubs.size()]->async()->GetAddressHistory(&ctx_, &req_, this);
    StartRead(&entry_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    plan_->stats->rows.fetch_add(1, std::memory_order_relaxed);
    StartRead(&entry_);
  }
  void OnDone(const grpc::Status& s) override {
    const int code = static_cast<int>(s.error_code());
    plan_->stats->codes[code >= 0 && code < 17 ? code : 2].fetch_add(1);
    if (s.ok()) {
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
      absl::MutexLock lock(&plan_->stats->mu);
      plan_->stats->ok_ms.push_back(ms);
    }
    if (Clock::now() < plan_->end) {
      if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        // Back off as a client should (not for exactly retry-after-ms: many clients at once).
        auto* later = new grpc::Alarm();
        later->Set(std::chrono::system_clock::now() + std::chrono::milliseconds(250 + n_ % 500),
                   [later, plan = plan_, n = n_ + 7919](bool) {
                     new Stream(plan, n);
                     delete later;
                   });
      } else {
        new Stream(plan_, n_ + 7919);
      }
    } else {
      plan_->running.fetch_sub(1);
    }
    delete this;
  }

 private:
  LoadPlan* plan_;
  uint64_t n_;
  Clock::time_point start_;
  grpc::ClientContext ctx_;
  v1::GetAddressHistoryRequest req_;
  v1::HistoryEntry entry_;
};

// Returns: a connected TCP socket to 127.0.0.1:port (reads time out after 1 s), or -1.
int Connect(int port) {
  const int fd = ConnectLoopback(port);
  if (fd < 0) return -1;
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

TEST(LoadTest, ThousandsOfStreamsAndAbuseLeaveTheServerAliveAndCorrect) {
  const int streams = EnvInt("ARIADNE_LOAD_STREAMS", 2000);
  const int seconds = EnvInt("ARIADNE_LOAD_SECONDS", 60);
  const std::filesystem::path dir = MakeTempDir("load");
  auto chain = MakeTestChain(dir, 100, 200);
  ASSERT_THAT(chain, IsOk());
  const std::filesystem::path audit = dir / "audit.log";
  auto serve =
      ServeProcess::Start({"--db", chain->db.string(), "--token-file", WriteTokenFile(dir).string(),
                           "--audit-log", audit.string(), "--rate-limit", "400:800", "--max-calls",
                           "256", "--max-call-seconds", "4", "--max-request-bytes", "65536"});
  ASSERT_THAT(serve, IsOk());
  ASSERT_TRUE((*serve)->WaitForOutput("serving ", 60)) << (*serve)->Output();
  const std::string address = (*serve)->address();
  const int port = std::atoi(address.substr(address.rfind(':') + 1).c_str());

  // Answers before the load, to compare with after.
  auto ref_stub =
      v1::Ariadne::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  std::vector<std::string> before;
  for (size_t i = 0; i < chain->addresses.size(); i += chain->addresses.size() / 10) {
    v1::GetAddressRequest a;
    a.set_address(chain->addresses[i]);
    v1::AddressSummary r;
    ASSERT_TRUE(ref_stub->GetAddress(Ctx(kRootToken).get(), a, &r).ok());
    before.push_back(r.SerializeAsString());
  }
  const long rss_before = (*serve)->RssKib();

  LoadStats stats;
  // Slow readers: big traces whose clients read one event, then stall. A trace small enough to sit
  // whole in the client's receive window would end OK however slowly it is read, so the seeds are
  // the addresses whose whole trace is largest, and the slow channel keeps its window at 16 KiB
  // (no BDP growth).
  const auto slow_request = [&](const std::string& seed) {
    v1::TraceRequest t;
    t.set_seed(seed);
    t.set_hops(50);
    t.set_taint("poison");
    t.set_max_edges(1'000'000);
    return t;
  };
  // Seeds whose trace streams more than 1 MiB (reading stops there).
  constexpr size_t kBig = 1 << 20;
  std::vector<std::string> slow_seeds;
  for (size_t i = 0; i < chain->addresses.size() && slow_seeds.size() < 20; ++i) {
    auto ctx = Ctx(kRootToken);
    auto reader = ref_stub->Trace(ctx.get(), slow_request(chain->addresses[i]));
    v1::TraceEvent ev;
    size_t bytes = 0;
    while (bytes < kBig && reader->Read(&ev)) bytes += ev.ByteSizeLong();
    if (bytes >= kBig) slow_seeds.push_back(chain->addresses[i]);
    ctx->TryCancel();
    reader->Finish();
  }
  ASSERT_EQ(slow_seeds.size(), 20u) << "the test chain has too few traces big enough to stall";

  LoadPlan plan;
  plan.stats = &stats;
  plan.addresses = chain->addresses;
  for (int c = 0; c < 25; ++c) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection per channel
    args.SetInt("ariadne.test.channel", c);
    plan.stubs.push_back(v1::Ariadne::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args)));
  }
  const auto start = Clock::now();
  plan.end = start + std::chrono::seconds(seconds);

  // RSS, sampled all along.
  std::atomic<bool> sampling{true};
  std::atomic<long> rss_max{rss_before};
  std::thread sampler([&] {
    while (sampling) {
      rss_max = std::max(rss_max.load(), (*serve)->RssKib());
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });

  grpc::ChannelArguments slow_args;
  slow_args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  slow_args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 16 * 1024);
  slow_args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto slow_stub = v1::Ariadne::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), slow_args));
  std::vector<std::unique_ptr<grpc::ClientContext>> slow_ctx;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::TraceEvent>>> slow;
  for (const std::string& seed : slow_seeds) {
    slow_ctx.push_back(Ctx(kRootToken, "SLOW", 3600));
    slow.push_back(slow_stub->Trace(slow_ctx.back().get(), slow_request(seed)));
    v1::TraceEvent ev;
    slow.back()->Read(&ev);
  }

  plan.running = streams;
  for (int i = 0; i < streams; ++i) new Stream(&plan, static_cast<uint64_t>(i));

  // Abuse while the streams run: garbage bytes, HTTP/1.1, idle connections, oversize requests.
  std::mt19937 rng(7);
  std::vector<int> idle;
  int garbage = 0, oversize = 0, oversize_refused = 0;
  while (Clock::now() < plan.end) {
    for (int i = 0; i < 5; ++i) {
      const int fd = Connect(port);
      if (fd < 0) continue;
      std::string junk(1 + rng() % 4096, '\0');
      for (char& c : junk) c = static_cast<char>(rng());
      (void)!::write(fd, junk.data(), junk.size());
      char buf[256];
      (void)!::read(fd, buf, sizeof(buf));
      ::close(fd);
      ++garbage;
    }
    if (const int fd = Connect(port); fd >= 0) {
      const char kHttp[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
      (void)!::write(fd, kHttp, sizeof(kHttp) - 1);
      char buf[256];
      (void)!::read(fd, buf, sizeof(buf));
      ::close(fd);
    }
    if (idle.size() < 100) {
      if (const int fd = Connect(port); fd >= 0) idle.push_back(fd);
    }
    v1::GetAddressRequest big;
    big.set_address(std::string(200'000, '1'));
    v1::AddressSummary r;
    ++oversize;
    if (ref_stub->GetAddress(Ctx(kRootToken).get(), big, &r).error_code() ==
        grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++oversize_refused;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  while (plan.running > 0 && Clock::now() < plan.end + std::chrono::seconds(30)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  ASSERT_EQ(plan.running.load(), 0) << "streams still running 30 s after the end";
  for (int fd : idle) ::close(fd);
  // The slow readers were cut off by the server's longest call time.
  int slow_cut = 0;
  for (size_t i = 0; i < slow.size(); ++i) {
    v1::TraceEvent ev;
    while (slow[i]->Read(&ev)) {
    }
    if (!slow[i]->Finish().ok()) ++slow_cut;
  }
  sampling = false;
  sampler.join();

  // The report.
  uint64_t total = 0;
  for (auto& c : stats.codes) total += c.load();
  std::vector<double> ms;
  {
    absl::MutexLock lock(&stats.mu);
    ms = stats.ok_ms;
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) {
    return ms.empty() ? 0.0 : ms[static_cast<size_t>(p * (ms.size() - 1))];
  };
  std::printf(
      "%d concurrent streams for %.1f s: %llu calls (%.0f/s), %llu OK, %llu RESOURCE_EXHAUSTED, "
      "%llu DEADLINE_EXCEEDED, %llu others; %llu rows\n"
      "OK latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n"
      "server RSS %ld MiB before, %ld MiB at most\n"
      "abuse: %d garbage connections, %zu idle connections, %d/%d oversize requests refused, "
      "%d/%zu slow readers cut off\n",
      streams, elapsed, static_cast<unsigned long long>(total), total / elapsed,
      static_cast<unsigned long long>(stats.codes[0].load()),
      static_cast<unsigned long long>(stats.codes[8].load()),
      static_cast<unsigned long long>(stats.codes[4].load()),
      static_cast<unsigned long long>(total - stats.codes[0] - stats.codes[8] - stats.codes[4]),
      static_cast<unsigned long long>(stats.rows.load()), pct(0.5), pct(0.99),
      ms.empty() ? 0.0 : ms.back(), rss_before / 1024, rss_max.load() / 1024, garbage, idle.size(),
      oversize_refused, oversize, slow_cut, slow.size());

  for (int code = 0; code < 17; ++code) {
    if (code == 0 || code == 4 || code == 8) continue;
    EXPECT_EQ(stats.codes[code].load(), 0u) << "status code " << code;
  }
  EXPECT_GT(stats.codes[0].load(), static_cast<uint64_t>(streams)) << "too few calls succeeded";
  EXPECT_EQ(oversize_refused, oversize);
  EXPECT_EQ(slow_cut, static_cast<int>(slow.size()));
  EXPECT_LT(rss_max.load(), rss_before + 768 * 1024) << "RSS grew without bound";

  // Alive, healthy, and answering exactly as before.
  ASSERT_TRUE((*serve)->Alive()) << (*serve)->Output();
  auto after_stub =
      v1::Ariadne::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  EXPECT_EQ(Health(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())), "SERVING");
  size_t k = 0;
  for (size_t i = 0; i < chain->addresses.size(); i += chain->addresses.size() / 10, ++k) {
    v1::GetAddressRequest a;
    a.set_address(chain->addresses[i]);
    v1::AddressSummary r;
    ASSERT_TRUE(after_stub->GetAddress(Ctx(kRootToken).get(), a, &r).ok());
    EXPECT_EQ(r.SerializeAsString(), before[k]) << a.address();
  }
  std::string out;
  EXPECT_EQ((*serve)->Stop(&out), 0) << out;
  auto chain_check = service::VerifyAuditLog(audit);
  ASSERT_THAT(chain_check, IsOk());
  EXPECT_GE(chain_check->records, total);
  std::printf("audit trail: %llu records, chain intact\n",
              static_cast<unsigned long long>(chain_check->records));
}

}  // namespace
}  // namespace ariadne::testing
