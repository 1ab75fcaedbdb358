// Query load generator: latency of address, cluster and 3-hop trace queries under many concurrent
// clients over loopback gRPC, next to the standard health Check RPC (grpc.health.v1.Health) of the
// same server in the same run, the floor of a gRPC round trip.
//
//   build/bench/load_bench --db /tmp/chain/db --json load.json          (serves --db in-process)
//   build/bench/load_bench --db /tmp/chain/db --server 127.0.0.1:50051  (a running ariadne serve)
//
// Query subjects are sampled from the store (read-only): addresses uniformly among the AddrIds
// with history, trace seeds likewise, then kept only when a pre-flight trace (hops 3, max_edges
// 10,000) ends within the edge limit. The load runs in phases: "closed" keeps --concurrency
// requests outstanding (throughput at saturation), "rate=R" sends R requests/s with Poisson
// arrivals and at most --concurrency outstanding (latency at a given load; a request's latency
// counts from when it was due, so a client that falls behind does not hide the queueing).
//
// Prints a table per phase (count, throughput, p50/p90/p99/p99.9/max and p50/p99 as ratios to
// the ping) and writes the same as JSON with --json (schema in docs/performance.md).
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bench/bench_util.h"
#include "engine/core/address.h"
#include "engine/core/strings.h"
#include "engine/service/ariadne_service.h"
#include "engine/service/engine.h"
#include "engine/service/server.h"
#include "engine/store/store.h"
#include "proto/ariadne.grpc.pb.h"

namespace ariadne::bench {
namespace {

// ---------------------------------------------------------------------------------------------
// Options

enum class Kind : uint8_t { kPing = 0, kAddress, kCluster, kTrace };
inline constexpr int kNumKinds = 4;
constexpr std::array<const char*, kNumKinds> kKindNames = {"ping", "address", "cluster", "trace"};
constexpr int Index(Kind k) { return static_cast<int>(k); }

// One load phase: closed loop (as fast as the server answers) or paced (Poisson arrivals).
struct PhaseSpec {
  std::string name;          // as given on the command line
  bool closed = true;        // closed loop; otherwise paced at `rate`
  double rate = 0;           // requests/s (paced), when rate_fraction is 0
  double rate_fraction = 0;  // paced at this fraction of the last closed phase's throughput
  uint32_t concurrency = 0;  // 0: LoadOptions::concurrency
};

struct LoadOptions {
  // The store the subjects are sampled from (opened read-only). Required. Unless `server` is set,
  // it is also served in this process, as `ariadne serve` serves it.
  std::filesystem::path db;
  // Default empty: serve `db` in-process on an ephemeral loopback port. Otherwise HOST:PORT of a
  // running `ariadne serve` over the same store.
  std::string server;
  // Default 0: the pid of the server process when `server` is set, to report its CPU time.
  int server_pid = 0;
  // Default false: the in-process server is `ariadne serve`'s (service::AriadneServer: the
  // gateway in front of the query service, with its default limits). True: the query service
  // alone on a plain gRPC server, to measure what the gateway costs.
  bool bare = false;
  // Default false: the gateway answers point questions itself (engine/service/direct_answers.h).
  // True: it forwards every call over the in-process channel, as before that change.
  bool forward_all = false;
  // Default 1800 s: how long to wait for the server's health to report SERVING (a remote server
  // answers NOT_SERVING while its engine loads).
  double wait_serving_s = 1800;
  // Default 64: requests outstanding at once (the concurrent clients).
  uint32_t concurrency = 64;
  // Default 16: gRPC channels, each its own TCP connection; calls go round robin over them.
  uint32_t channels = 16;
  // Default 2: client threads, each polling its own completion queue.
  uint32_t threads = 2;
  // Default 20 s and 3 s: measured time of each phase, after an unmeasured warm-up.
  double duration_s = 20;
  double warmup_s = 3;
  // Default "closed:1,closed,rate=0.5x": one client alone (unloaded latency), saturation at
  // `concurrency`, then paced at half the saturation throughput. Each item is "closed[:C]" or
  // "rate=R[:C]" (R requests/s, or "Fx": F times the last closed phase's throughput).
  std::string phases = "closed:1,closed,rate=0.5x";
  // Default 1:1:1:1: relative frequency of ping, address, cluster and trace requests.
  std::array<double, kNumKinds> mix = {1, 1, 1, 1};
  // Default 20,000: addresses sampled for address queries, and as many for cluster queries.
  uint32_t address_samples = 20'000;
  // Default 500: trace seeds kept after the pre-flight.
  uint32_t trace_seeds = 500;
  // Default 3 and 10,000: hops and max_edges of every trace request.
  uint32_t trace_hops = 3;
  uint32_t trace_max_edges = 10'000;
  // Default 256, as the ariadne CLI and the Python client ask: trace events per stream message.
  uint32_t events_per_message = 256;
  // Default 1: seeds whose pre-flight trace has fewer edges are dropped (0 keeps traces that go
  // nowhere, e.g. from an address whose outputs are all unspent).
  uint32_t trace_min_edges = 1;
  // Default false: drop seeds whose pre-flight trace was truncated at trace_max_edges.
  bool keep_truncated = false;
  // Default false: trace seeds are addresses; true: txids.
  bool trace_from_txids = false;
  // Default false: forward traces; true: backward.
  bool trace_backward = false;
  // Default 120 s: the longest the pre-flight of trace seeds may take.
  double preflight_s = 120;
  // Default 10 s: the deadline of every request.
  double deadline_s = 10;
  // Default 1: seed of the sampling and of the request mix.
  uint64_t seed = 1;
  // Default empty: no JSON report.
  std::string json;
};

constexpr char kUsage[] =
    "usage: load_bench --db DIR [--server HOST:PORT [--server-pid PID] | --bare | --forward-all]\n"
    "                  [--wait-serving S] [--concurrency N]\n"
    "                  [--channels N] [--threads N] [--duration S] [--warmup S]\n"
    "                  [--phases closed:1,closed,rate=0.5x] [--mix PING:ADDR:CLUSTER:TRACE]\n"
    "                  [--addresses N] [--trace-seeds N] [--hops N] [--max-edges N]\n"
    "                  [--events-per-message N (default 256)]\n"
    "                  [--min-edges N] [--keep-truncated] [--trace-from address|txid]\n"
    "                  [--direction forward|backward] [--preflight S] [--deadline S] [--seed N]\n"
    "                  [--json FILE]\n";

// Returns: the phases of `spec`, or INVALID_ARGUMENT naming the item that does not parse.
absl::StatusOr<std::vector<PhaseSpec>> ParsePhases(const std::string& spec) {
  std::vector<PhaseSpec> out;
  for (absl::string_view item : absl::StrSplit(spec, ',', absl::SkipEmpty())) {
    PhaseSpec p;
    p.name = std::string(item);
    std::vector<absl::string_view> parts = absl::StrSplit(item, ':');
    if (parts.size() > 2 || (parts.size() == 2 &&
                             (!absl::SimpleAtoi(parts[1], &p.concurrency) || p.concurrency == 0))) {
      return absl::InvalidArgumentError(absl::StrCat("bad phase '", item, "'"));
    }
    absl::string_view load = parts[0];
    if (load == "closed") {
      p.closed = true;
    } else if (absl::ConsumePrefix(&load, "rate=")) {
      p.closed = false;
      double v = 0;
      const bool fraction = absl::ConsumeSuffix(&load, "x");
      if (!absl::SimpleAtod(load, &v) || v <= 0) {
        return absl::InvalidArgumentError(absl::StrCat("bad rate in phase '", item, "'"));
      }
      (fraction ? p.rate_fraction : p.rate) = v;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("bad phase '", item, "'"));
    }
    out.push_back(p);
  }
  if (out.empty()) return absl::InvalidArgumentError("no phases");
  return out;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Returns: the system_clock time of a steady-clock instant (gRPC deadlines take system time).
std::chrono::system_clock::time_point ToSystem(int64_t steady_ns) {
  return std::chrono::system_clock::now() + std::chrono::nanoseconds(steady_ns - NowNs());
}

// Returns: CPU seconds (user + system) of this process.
double SelfCpuSeconds() {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Returns: CPU seconds of process `pid` (from /proc/PID/stat), or -1 when unreadable.
double ProcessCpuSeconds(int pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(in, line)) return -1;
  const size_t paren = line.rfind(')');
  if (paren == std::string::npos) return -1;
  std::vector<std::string> f = absl::StrSplit(line.substr(paren + 2), ' ');
  // After the command: state is field 3 of stat, utime 14 and stime 15 (1-based).
  uint64_t ut = 0, st = 0;
  if (f.size() < 13 || !absl::SimpleAtoi(f[11], &ut) || !absl::SimpleAtoi(f[12], &st)) return -1;
  return static_cast<double>(ut + st) / sysconf(_SC_CLK_TCK);
}

std::string ReadFirstLine(const std::string& path, const std::string& prefix) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Order statistics of a sample (nearest rank).
struct Summary {
  uint64_t count = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
};
template <typename T>
Summary Summarize(std::vector<T> v) {
  Summary s;
  s.count = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    size_t rank = static_cast<size_t>(std::ceil(q * v.size()));
    return static_cast<double>(v[std::clamp<size_t>(rank, 1, v.size()) - 1]);
  };
  double sum = 0;
  for (T x : v) sum += static_cast<double>(x);
  s.mean = sum / v.size();
  s.p50 = at(0.50);
  s.p90 = at(0.90);
  s.p99 = at(0.99);
  s.p999 = at(0.999);
  s.max = static_cast<double>(v.back());
  return s;
}
std::string SummaryJson(const Summary& s, double scale) {
  return absl::StrFormat(
      "{\"count\":%d,\"mean\":%.3f,\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,"
      "\"max\":%.3f}",
      s.count, s.mean * scale, s.p50 * scale, s.p90 * scale, s.p99 * scale, s.p999 * scale,
      s.max * scale);
}

// ---------------------------------------------------------------------------------------------
// Subjects

struct TraceSeed {
  std::string seed;
  uint64_t edges = 0;  // in the pre-flight
  uint64_t nodes = 0;  // in the pre-flight
  int64_t preflight_ns = 0;
};

struct Subjects {
  std::vector<std::string> addresses;          // for address queries
  std::vector<std::string> cluster_addresses;  // for cluster queries (by address)
  std::vector<uint64_t> address_tx_counts;     // history length of `addresses`
  std::vector<TraceSeed> traces;
  // Pre-flight counts.
  uint64_t trace_candidates = 0;
  uint64_t trace_truncated = 0;  // dropped: reached max_edges
  uint64_t trace_too_small = 0;  // dropped: fewer than min_edges edges
  uint64_t trace_failed = 0;     // dropped: the call failed
  double preflight_seconds = 0;
  std::vector<uint64_t> all_candidate_edges;  // edges of every candidate's pre-flight
};

// Returns: an address with history, drawn uniformly among the store's AddrIds; empty after many
// misses.
std::string SampleAddress(const store::Store& store, uint32_t addr_count, std::mt19937_64& rng,
                          uint64_t* tx_count) {
  std::uniform_int_distribution<uint32_t> pick(0, addr_count - 1);
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const AddrId id(pick(rng));
    auto stats = store.ReadStats(id);
    if (!stats.ok() || stats->tx_count == 0) continue;
    auto row = store.ReadAddress(id);
    if (!row.ok()) continue;
    std::string s = EncodeAddress(row->key, store.network());
    if (s.empty()) continue;
    if (tx_count != nullptr) *tx_count = stats->tx_count;
    return s;
  }
  return "";
}

v1::TraceRequest MakeTraceRequest(const LoadOptions& o, const std::string& seed) {
  v1::TraceRequest r;
  r.set_seed(seed);
  r.set_direction(o.trace_backward ? v1::TraceRequest::BACKWARD : v1::TraceRequest::FORWARD);
  r.set_hops(o.trace_hops);
  r.set_max_edges(o.trace_max_edges);
  r.set_events_per_message(o.events_per_message);
  return r;
}

absl::StatusOr<Subjects> SampleSubjects(const store::Store& store, const LoadOptions& o,
                                        v1::Ariadne::Stub* stub) {
  auto state = store.ReadState();
  if (!state.ok()) return state.status();
  if (state->addr_count == 0 || state->tx_count < 2) {
    return absl::FailedPreconditionError("the store is empty");
  }
  Subjects s;
  std::mt19937_64 rng(o.seed);
  for (uint32_t i = 0; i < o.address_samples; ++i) {
    uint64_t n = 0;
    std::string a = SampleAddress(store, state->addr_count, rng, &n);
    std::string c = SampleAddress(store, state->addr_count, rng, nullptr);
    if (a.empty() || c.empty()) return absl::NotFoundError("no addresses with history");
    s.addresses.push_back(std::move(a));
    s.address_tx_counts.push_back(n);
    s.cluster_addresses.push_back(std::move(c));
  }

  // Trace seeds: candidates until enough pass the pre-flight, or the time is up.
  const int64_t start = NowNs();
  const int64_t limit = start + static_cast<int64_t>(o.preflight_s * 1e9);
  std::uniform_int_distribution<uint64_t> pick_tx(1, state->tx_count - 1);
  while (s.traces.size() < o.trace_seeds && NowNs() < limit &&
         s.trace_candidates < 100ULL * o.trace_seeds) {
    std::string seed;
    if (o.trace_from_txids) {
      auto txid = store.ReadTxid(TxNum(pick_tx(rng)));
      if (!txid.ok()) return txid.status();
      seed = txid->ToHex();
    } else {
      seed = SampleAddress(store, state->addr_count, rng, nullptr);
    }
    ++s.trace_candidates;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    const int64_t t0 = NowNs();
    auto reader = stub->Trace(&ctx, MakeTraceRequest(o, seed));
    v1::TraceEvent ev;
    TraceSeed t{seed};
    bool truncated = false;
    while (reader->Read(&ev)) {
      if (ev.has_summary()) {
        t.edges = ev.summary().edges();
        t.nodes = ev.summary().nodes();
        truncated = ev.summary().truncated();
      }
    }
    grpc::Status st = reader->Finish();
    t.preflight_ns = NowNs() - t0;
    if (!st.ok()) {
      if (++s.trace_failed <= 3) {
        std::fprintf(stderr, "pre-flight trace of %s failed: %s\n", seed.c_str(),
                     st.error_message().c_str());
      }
      continue;
    }
    s.all_candidate_edges.push_back(t.edges);
    if (truncated && !o.keep_truncated) {
      ++s.trace_truncated;
    } else if (t.edges < o.trace_min_edges) {
      ++s.trace_too_small;
    } else {
      s.traces.push_back(std::move(t));
    }
  }
  s.preflight_seconds = (NowNs() - start) / 1e9;
  return s;
}

// ---------------------------------------------------------------------------------------------
// The load

// The baseline request: grpc.health.v1.Health/Check with HealthCheckRequest{service: ""}, which
// serialises to zero bytes.
constexpr char kHealthCheckMethod[] = "/grpc.health.v1.Health/Check";
grpc::ByteBuffer EmptyMessage() {
  grpc::Slice none("");
  return grpc::ByteBuffer(&none, 1);
}

// Returns: true for a HealthCheckResponse{status: SERVING} (field 1, varint 1).
bool IsServing(const grpc::ByteBuffer& b) {
  std::vector<grpc::Slice> slices;
  if (!b.Dump(&slices).ok()) return false;
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return bytes == std::string("\x08\x01", 2);
}

// Polls the health service until it reports SERVING. Returns: false after `seconds`.
bool WaitServing(const std::shared_ptr<grpc::Channel>& channel, double seconds) {
  grpc::GenericStub stub(channel);
  const int64_t until = NowNs() + static_cast<int64_t>(seconds * 1e9);
  while (true) {
    grpc::CompletionQueue cq;
    grpc::ClientContext ctx;
    ctx.set_deadline(ToSystem(NowNs() + 5'000'000'000));
    grpc::ByteBuffer reply;
    grpc::Status status;
    auto rpc = stub.PrepareUnaryCall(&ctx, kHealthCheckMethod, EmptyMessage(), &cq);
    rpc->StartCall();
    rpc->Finish(&reply, &status, &cq);
    void* tag;
    bool ok;
    cq.Next(&tag, &ok);
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
    if (status.ok() && IsServing(reply)) return true;
    if (NowNs() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// One request in flight. Its address is the completion-queue tag.
struct Call {
  Kind kind = Kind::kPing;
  int64_t due_ns = 0;
  grpc::ClientContext ctx;
  grpc::Status status;
  // ping
  grpc::ByteBuffer ping_reply;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> ping_rpc;
  // address
  v1::AddressSummary address_reply;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::AddressSummary>> address_rpc;
  // cluster
  v1::ClusterSummary cluster_reply;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::ClusterSummary>> cluster_rpc;
  // trace (server streaming): started -> reading -> finishing
  enum class Stage : uint8_t { kStarting, kReading, kFinishing } stage = Stage::kStarting;
  v1::TraceEvent event;
  std::unique_ptr<grpc::ClientAsyncReader<v1::TraceEvent>> trace_rpc;
  uint64_t messages = 0;
  uint64_t edges = 0;
  bool truncated = false;
  bool bad_reply = false;

  // Advances the call after a completion-queue event. Returns: true when the call is over.
  bool Step(bool ok) {
    if (kind != Kind::kTrace) return true;  // unary: the only event is Finish
    switch (stage) {
      case Stage::kStarting:
        if (!ok) break;
        stage = Stage::kReading;
        trace_rpc->Read(&event, this);
        return false;
      case Stage::kReading:
        if (!ok) break;
        ++messages;
        if (event.has_summary()) {
          edges = event.summary().edges();
          truncated = event.summary().truncated();
        }
        trace_rpc->Read(&event, this);
        return false;
      case Stage::kFinishing:
        return true;
    }
    stage = Stage::kFinishing;
    trace_rpc->Finish(&status, this);
    return false;
  }
};

struct KindResult {
  std::vector<int64_t> latency_ns;
  std::array<uint64_t, 17> errors{};  // by gRPC status code
  uint64_t bad_replies = 0;
  std::vector<uint64_t> edges;     // trace: edges per completed trace
  std::vector<uint64_t> messages;  // trace: stream messages per completed trace
  uint64_t truncated = 0;

  void Merge(KindResult&& o) {
    latency_ns.insert(latency_ns.end(), o.latency_ns.begin(), o.latency_ns.end());
    for (size_t i = 0; i < errors.size(); ++i) errors[i] += o.errors[i];
    bad_replies += o.bad_replies;
    edges.insert(edges.end(), o.edges.begin(), o.edges.end());
    messages.insert(messages.end(), o.messages.begin(), o.messages.end());
    truncated += o.truncated;
  }
  uint64_t error_count() const {
    uint64_t n = bad_replies;
    for (uint64_t e : errors) n += e;
    return n;
  }
};

struct PhaseResult {
  PhaseSpec spec;
  uint32_t concurrency = 0;
  double target_rate = 0;  // paced phases
  double seconds = 0;      // measured window
  uint64_t not_sent = 0;   // paced: requests still due when the phase ended (client behind)
  double client_cpu_s = 0;
  double server_cpu_s = -1;  // remote server with --server-pid
  std::array<KindResult, kNumKinds> kinds;
};

class LoadGenerator {
 public:
  LoadGenerator(const LoadOptions& o, const std::string& target, const Subjects* subjects)
      : o_(o), subjects_(subjects) {
    for (uint32_t i = 0; i < o.channels; ++i) {
      grpc::ChannelArguments args;
      // Every channel its own subchannel, hence its own TCP connection, like separate clients.
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      args.SetInt("ariadne.load_bench.channel", static_cast<int>(i));
      args.SetMaxReceiveMessageSize(64 << 20);
      auto ch = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
      stubs_.push_back(v1::Ariadne::NewStub(ch));
      generic_.push_back(std::make_unique<grpc::GenericStub>(ch));
      channels_.push_back(std::move(ch));
    }
    weights_ = o.mix;
    if (subjects->addresses.empty()) weights_[Index(Kind::kAddress)] = 0;
    if (subjects->cluster_addresses.empty()) weights_[Index(Kind::kCluster)] = 0;
    if (subjects->traces.empty()) weights_[Index(Kind::kTrace)] = 0;
  }

  // Returns: false when a channel does not connect within `seconds`.
  bool WaitConnected(double seconds) {
    for (auto& ch : channels_) {
      if (!ch->WaitForConnected(ToSystem(NowNs() + static_cast<int64_t>(seconds * 1e9)))) {
        return false;
      }
    }
    return true;
  }

  PhaseResult Run(const PhaseSpec& spec, uint32_t concurrency, double rate) {
    PhaseResult r;
    r.spec = spec;
    r.concurrency = concurrency;
    r.target_rate = spec.closed ? 0 : rate;
    const uint32_t threads = std::max<uint32_t>(1, std::min(o_.threads, concurrency));
    const int64_t start = NowNs();
    const int64_t measure_from = start + static_cast<int64_t>(o_.warmup_s * 1e9);
    const int64_t end = measure_from + static_cast<int64_t>(o_.duration_s * 1e9);
    std::vector<std::array<KindResult, kNumKinds>> per_thread(threads);
    std::vector<uint64_t> not_sent(threads, 0);
    double cpu0 = 0, server_cpu0 = -1;
    std::vector<std::thread> pool;
    for (uint32_t t = 0; t < threads; ++t) {
      const uint32_t slots = concurrency / threads + (t < concurrency % threads ? 1 : 0);
      pool.emplace_back([&, t, slots] {
        Worker(t, slots, spec.closed ? 0 : rate / threads, start, measure_from, end, &per_thread[t],
               &not_sent[t]);
      });
    }
    // CPU time over the measured window.
    std::this_thread::sleep_until(
        std::chrono::steady_clock::time_point(std::chrono::nanoseconds(measure_from)));
    cpu0 = SelfCpuSeconds();
    if (o_.server_pid > 0) server_cpu0 = ProcessCpuSeconds(o_.server_pid);
    std::this_thread::sleep_until(
        std::chrono::steady_clock::time_point(std::chrono::nanoseconds(end)));
    r.client_cpu_s = SelfCpuSeconds() - cpu0;
    if (server_cpu0 >= 0) r.server_cpu_s = ProcessCpuSeconds(o_.server_pid) - server_cpu0;
    for (auto& th : pool) th.join();
    r.seconds = (end - measure_from) / 1e9;
    for (uint32_t t = 0; t < threads; ++t) {
      for (int k = 0; k < kNumKinds; ++k) r.kinds[k].Merge(std::move(per_thread[t][k]));
      r.not_sent += not_sent[t];
    }
    return r;
  }

 private:
  // A client thread: keeps up to `slots` calls outstanding on its own completion queue, closed
  // loop (rate 0) or paced with Poisson arrivals at `rate` requests/s.
  void Worker(uint32_t index, uint32_t slots, double rate, int64_t start, int64_t measure_from,
              int64_t end, std::array<KindResult, kNumKinds>* out, uint64_t* not_sent) {
    grpc::CompletionQueue cq;
    std::mt19937_64 rng(o_.seed * 7919 + index * 104729 + static_cast<uint64_t>(start));
    std::discrete_distribution<int> pick_kind(weights_.begin(), weights_.end());
    std::exponential_distribution<double> gap(rate > 0 ? rate : 1.0);
    uint32_t next_channel = index;
    uint32_t outstanding = 0;
    std::deque<int64_t> backlog;  // paced: due times waiting for a free slot

    auto issue = [&](int64_t due) {
      Call* c = new Call();
      c->kind = static_cast<Kind>(pick_kind(rng));
      c->due_ns = due;
      c->ctx.set_deadline(ToSystem(NowNs() + static_cast<int64_t>(o_.deadline_s * 1e9)));
      const uint32_t ch = next_channel++ % stubs_.size();
      switch (c->kind) {
        case Kind::kPing: {
          c->ping_rpc =
              generic_[ch]->PrepareUnaryCall(&c->ctx, kHealthCheckMethod, EmptyMessage(), &cq);
          c->ping_rpc->StartCall();
          c->ping_rpc->Finish(&c->ping_reply, &c->status, c);
          break;
        }
        case Kind::kAddress: {
          v1::GetAddressRequest req;
          req.set_address(Pick(subjects_->addresses, rng));
          c->address_rpc = stubs_[ch]->PrepareAsyncGetAddress(&c->ctx, req, &cq);
          c->address_rpc->StartCall();
          c->address_rpc->Finish(&c->address_reply, &c->status, c);
          break;
        }
        case Kind::kCluster: {
          v1::GetClusterRequest req;
          req.set_address(Pick(subjects_->cluster_addresses, rng));
          c->cluster_rpc = stubs_[ch]->PrepareAsyncGetCluster(&c->ctx, req, &cq);
          c->cluster_rpc->StartCall();
          c->cluster_rpc->Finish(&c->cluster_reply, &c->status, c);
          break;
        }
        case Kind::kTrace: {
          std::uniform_int_distribution<size_t> pick(0, subjects_->traces.size() - 1);
          c->trace_rpc = stubs_[ch]->PrepareAsyncTrace(
              &c->ctx, MakeTraceRequest(o_, subjects_->traces[pick(rng)].seed), &cq);
          c->trace_rpc->StartCall(c);
          break;
        }
      }
      ++outstanding;
    };
    auto complete = [&](Call* c) {
      const int64_t now = NowNs();
      --outstanding;
      if (c->due_ns >= measure_from && c->due_ns < end) {
        KindResult& k = (*out)[static_cast<int>(c->kind)];
        if (!c->status.ok()) {
          // The first error of each code in a phase is printed with its message.
          if (++k.errors[std::min<int>(c->status.error_code(), 16)] == 1) {
            std::fprintf(stderr, "first error with code %d: %s\n",
                         static_cast<int>(c->status.error_code()),
                         c->status.error_message().c_str());
          }
        } else if (c->kind == Kind::kPing && !IsServing(c->ping_reply)) {
          ++k.bad_replies;
        } else {
          k.latency_ns.push_back(now - c->due_ns);
          if (c->kind == Kind::kTrace) {
            k.edges.push_back(c->edges);
            k.messages.push_back(c->messages);
            k.truncated += c->truncated;
          }
        }
      }
      delete c;
    };

    int64_t next_due = start + static_cast<int64_t>(gap(rng) * 1e9);
    if (rate <= 0) {
      for (uint32_t i = 0; i < slots; ++i) issue(NowNs());
    }
    while (true) {
      int64_t now = NowNs();
      if (rate > 0) {
        while (next_due <= now && next_due < end) {
          if (outstanding < slots) {
            issue(next_due);
          } else {
            backlog.push_back(next_due);
          }
          next_due += static_cast<int64_t>(gap(rng) * 1e9);
        }
      }
      if (now >= end && outstanding == 0) break;
      int64_t wake = now + 100'000'000;
      if (rate > 0 && next_due < end) wake = std::min(wake, next_due);
      void* tag = nullptr;
      bool ok = false;
      const auto got = cq.AsyncNext(&tag, &ok, ToSystem(wake));
      if (got != grpc::CompletionQueue::GOT_EVENT) continue;
      Call* c = static_cast<Call*>(tag);
      if (!c->Step(ok)) continue;
      complete(c);
      now = NowNs();
      if (now >= end) continue;
      if (!backlog.empty()) {
        issue(backlog.front());
        backlog.pop_front();
      } else if (rate <= 0) {
        issue(now);
      }
    }
    *not_sent = backlog.size();
    cq.Shutdown();
    void* tag;
    bool ok;
    while (cq.Next(&tag, &ok)) {
    }
  }

  static const std::string& Pick(const std::vector<std::string>& v, std::mt19937_64& rng) {
    std::uniform_int_distribution<size_t> pick(0, v.size() - 1);
    return v[pick(rng)];
  }

  const LoadOptions& o_;
  const Subjects* subjects_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
  std::vector<std::unique_ptr<v1::Ariadne::Stub>> stubs_;
  std::vector<std::unique_ptr<grpc::GenericStub>> generic_;
  std::array<double, kNumKinds> weights_;
};

// ---------------------------------------------------------------------------------------------
// Report

// The latency targets of the issue, evaluated on the phase with `concurrency` clients.
struct Target {
  const char* name;
  Kind kind;
  double quantile;  // 0.5 or 0.99
  double limit_ms;
};
constexpr Target kTargets[] = {
    {"address p99 <= 2 ms", Kind::kAddress, 0.99, 2},
    {"trace (3 hops, <= 10k edges) p50 <= 5 ms", Kind::kTrace, 0.50, 5},
    {"trace (3 hops, <= 10k edges) p99 <= 50 ms", Kind::kTrace, 0.99, 50},
};

std::string ErrorsJson(const KindResult& k) {
  static const char* kCodes[] = {"OK",
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
  std::string out = "{";
  for (size_t i = 0; i < k.errors.size(); ++i) {
    if (k.errors[i] == 0) continue;
    if (out.size() > 1) out += ",";
    absl::StrAppend(&out, JsonString(kCodes[i]), ":", k.errors[i]);
  }
  if (k.bad_replies > 0)
    absl::StrAppend(&out, out.size() > 1 ? "," : "", "\"bad_reply\":", k.bad_replies);
  return out + "}";
}

// Trace latency by the size of the trace: [1, 10), [10, 100), ... edges (0 edges in the first).
struct EdgeBucket {
  uint64_t lo = 0, hi = 0;  // edges in [lo, hi)
  Summary latency;
};
std::vector<EdgeBucket> TraceByEdges(const KindResult& trace) {
  std::vector<EdgeBucket> out;
  for (uint64_t lo = 0, hi = 10; lo < 10'000'000; lo = hi, hi *= 10) {
    std::vector<int64_t> lat;
    for (size_t i = 0; i < trace.edges.size() && i < trace.latency_ns.size(); ++i) {
      if (trace.edges[i] >= lo && trace.edges[i] < hi) lat.push_back(trace.latency_ns[i]);
    }
    if (!lat.empty()) out.push_back({lo, hi, Summarize(std::move(lat))});
  }
  return out;
}

void PrintPhase(const PhaseResult& p) {
  const Summary ping = Summarize(p.kinds[Index(Kind::kPing)].latency_ns);
  uint64_t total = 0;
  for (const KindResult& k : p.kinds) total += k.latency_ns.size();
  std::printf(
      "\nphase %s: %s, %u outstanding at most, %.1f s measured, %.0f req/s", p.spec.name.c_str(),
      p.spec.closed ? "closed loop" : absl::StrFormat("paced at %.0f req/s", p.target_rate).c_str(),
      p.concurrency, p.seconds, total / p.seconds);
  if (p.not_sent > 0)
    std::printf(", %llu due requests not sent (client behind)", (unsigned long long)p.not_sent);
  std::printf("\n  client CPU %.1f s", p.client_cpu_s);
  if (p.server_cpu_s >= 0) std::printf(", server CPU %.1f s", p.server_cpu_s);
  std::printf("\n");
  std::printf("  %-8s %9s %9s %9s %9s %9s %9s %9s %8s %8s %7s\n", "query", "count", "req/s",
              "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "p50/ping", "p99/ping", "errors");
  for (int k = 0; k < kNumKinds; ++k) {
    const KindResult& kr = p.kinds[k];
    if (kr.latency_ns.empty() && kr.error_count() == 0) continue;
    const Summary s = Summarize(kr.latency_ns);
    auto ratio = [](double a, double b) {
      return b > 0 && a > 0 ? absl::StrFormat("%.2f", a / b) : std::string("-");
    };
    std::printf("  %-8s %9llu %9.0f %9.3f %9.3f %9.3f %9.3f %9.3f %8s %8s %7llu\n", kKindNames[k],
                (unsigned long long)s.count, s.count / p.seconds, s.p50 / 1e6, s.p90 / 1e6,
                s.p99 / 1e6, s.p999 / 1e6, s.max / 1e6, ratio(s.p50, ping.p50).c_str(),
                ratio(s.p99, ping.p99).c_str(), (unsigned long long)kr.error_count());
  }
  const KindResult& tr = p.kinds[Index(Kind::kTrace)];
  if (!tr.edges.empty()) {
    const Summary e = Summarize(tr.edges);
    const Summary m = Summarize(tr.messages);
    std::printf(
        "  trace edges: mean %.0f, p50 %.0f, p99 %.0f, max %.0f (%llu truncated); stream "
        "messages: p50 %.0f, max %.0f\n",
        e.mean, e.p50, e.p99, e.max, (unsigned long long)tr.truncated, m.p50, m.max);
    for (const EdgeBucket& b : TraceByEdges(tr)) {
      if (b.latency.count == 0) continue;
      std::printf("    %5llu..%-5llu edges: %7llu traces, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                  (unsigned long long)b.lo, (unsigned long long)b.hi - 1,
                  (unsigned long long)b.latency.count, b.latency.p50 / 1e6, b.latency.p99 / 1e6,
                  b.latency.max / 1e6);
    }
  }
}

std::string PhaseJson(const PhaseResult& p) {
  const Summary ping = Summarize(p.kinds[Index(Kind::kPing)].latency_ns);
  uint64_t total = 0;
  for (const KindResult& k : p.kinds) total += k.latency_ns.size();
  std::string out = absl::StrFormat(
      "{\"name\":%s,\"mode\":%s,\"concurrency\":%u,\"target_rps\":%.1f,\"seconds\":%.3f,"
      "\"requests\":%d,\"rps\":%.1f,\"not_sent\":%d,\"client_cpu_seconds\":%.3f,"
      "\"server_cpu_seconds\":%s,\"kinds\":{",
      JsonString(p.spec.name), p.spec.closed ? "\"closed\"" : "\"paced\"", p.concurrency,
      p.target_rate, p.seconds, total, total / p.seconds, p.not_sent, p.client_cpu_s,
      p.server_cpu_s >= 0 ? absl::StrFormat("%.3f", p.server_cpu_s) : "null");
  bool first = true;
  for (int k = 0; k < kNumKinds; ++k) {
    const KindResult& kr = p.kinds[k];
    if (kr.latency_ns.empty() && kr.error_count() == 0) continue;
    const Summary s = Summarize(kr.latency_ns);
    absl::StrAppend(&out, first ? "" : ",", JsonString(kKindNames[k]), ":{");
    first = false;
    absl::StrAppend(&out, "\"count\":", s.count,
                    ",\"rps\":", absl::StrFormat("%.1f", s.count / p.seconds),
                    ",\"errors\":", ErrorsJson(kr), ",\"latency_ms\":", SummaryJson(s, 1e-6));
    if (ping.count > 0 && s.count > 0) {
      absl::StrAppend(
          &out, ",\"ratio_to_ping\":",
          absl::StrFormat("{\"p50\":%.3f,\"p99\":%.3f}", s.p50 / ping.p50, s.p99 / ping.p99));
    } else {
      absl::StrAppend(&out, ",\"ratio_to_ping\":null");
    }
    if (static_cast<Kind>(k) == Kind::kTrace) {
      absl::StrAppend(&out, ",\"edges\":", SummaryJson(Summarize(kr.edges), 1),
                      ",\"messages\":", SummaryJson(Summarize(kr.messages), 1),
                      ",\"truncated\":", kr.truncated, ",\"by_edges\":[");
      bool first_bucket = true;
      for (const EdgeBucket& b : TraceByEdges(kr)) {
        absl::StrAppend(&out, first_bucket ? "" : ",",
                        absl::StrFormat("{\"min_edges\":%d,\"max_edges\":%d,\"latency_ms\":%s}",
                                        b.lo, b.hi - 1, SummaryJson(b.latency, 1e-6)));
        first_bucket = false;
      }
      out += "]";
    }
    out += "}";
  }
  return out + "}}";
}

// ---------------------------------------------------------------------------------------------

int Main(int argc, char** argv) {
  LoadOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    auto num = [&](auto* v) {
      const std::string s = next();
      bool ok;
      if constexpr (std::is_same_v<std::remove_pointer_t<decltype(v)>, double>) {
        ok = absl::SimpleAtod(s, v);
      } else {
        ok = absl::SimpleAtoi(s, v);
      }
      if (!ok) {
        std::fprintf(stderr, "bad value '%s' for %s\n%s", s.c_str(), a.c_str(), kUsage);
        std::exit(2);
      }
    };
    if (a == "--db") {
      o.db = next();
    } else if (a == "--server") {
      o.server = next();
    } else if (a == "--server-pid") {
      num(&o.server_pid);
    } else if (a == "--bare") {
      o.bare = true;
    } else if (a == "--forward-all") {
      o.forward_all = true;
    } else if (a == "--wait-serving") {
      num(&o.wait_serving_s);
    } else if (a == "--concurrency") {
      num(&o.concurrency);
    } else if (a == "--channels") {
      num(&o.channels);
    } else if (a == "--threads") {
      num(&o.threads);
    } else if (a == "--duration") {
      num(&o.duration_s);
    } else if (a == "--warmup") {
      num(&o.warmup_s);
    } else if (a == "--phases") {
      o.phases = next();
    } else if (a == "--mix") {
      std::vector<std::string> w = absl::StrSplit(next(), ':');
      if (w.size() != kNumKinds) {
        std::fprintf(stderr, "--mix takes PING:ADDRESS:CLUSTER:TRACE weights\n");
        return 2;
      }
      for (int k = 0; k < kNumKinds; ++k) {
        if (!absl::SimpleAtod(w[k], &o.mix[k]) || o.mix[k] < 0) {
          std::fprintf(stderr, "bad weight '%s' in --mix\n", w[k].c_str());
          return 2;
        }
      }
    } else if (a == "--addresses") {
      num(&o.address_samples);
    } else if (a == "--trace-seeds") {
      num(&o.trace_seeds);
    } else if (a == "--hops") {
      num(&o.trace_hops);
    } else if (a == "--max-edges") {
      num(&o.trace_max_edges);
    } else if (a == "--events-per-message") {
      num(&o.events_per_message);
    } else if (a == "--min-edges") {
      num(&o.trace_min_edges);
    } else if (a == "--keep-truncated") {
      o.keep_truncated = true;
    } else if (a == "--trace-from") {
      const std::string v = next();
      if (v != "address" && v != "txid") {
        std::fprintf(stderr, "--trace-from takes address or txid\n");
        return 2;
      }
      o.trace_from_txids = v == "txid";
    } else if (a == "--direction") {
      const std::string v = next();
      if (v != "forward" && v != "backward") {
        std::fprintf(stderr, "--direction takes forward or backward\n");
        return 2;
      }
      o.trace_backward = v == "backward";
    } else if (a == "--preflight") {
      num(&o.preflight_s);
    } else if (a == "--deadline") {
      num(&o.deadline_s);
    } else if (a == "--seed") {
      num(&o.seed);
    } else if (a == "--json") {
      o.json = next();
    } else {
      std::fprintf(stderr, "%s", kUsage);
      return a == "--help" ? 0 : 2;
    }
  }
  if (o.db.empty() || o.concurrency == 0 || o.channels == 0 || o.threads == 0 ||
      o.duration_s <= 0) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  auto phases = ParsePhases(o.phases);
  if (!phases.ok()) {
    std::fprintf(stderr, "%s\n", std::string(phases.status().message()).c_str());
    return 2;
  }

  // The server: in-process over --db (as `ariadne serve`), or the one at --server.
  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  auto opened = store::Store::Open(o.db, so);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", std::string(opened.status().message()).c_str());
    return 1;
  }
  std::unique_ptr<store::Store> sampling_store;
  std::shared_ptr<const service::Engine> engine;
  std::unique_ptr<service::FixedEngineSource> source;
  std::unique_ptr<service::AriadneService> svc;    // --bare
  std::unique_ptr<grpc::Server> bare_server;       // --bare
  std::unique_ptr<service::AriadneServer> server;  // as `ariadne serve`
  std::string target = o.server;
  double load_seconds = 0;
  uint64_t rss_after_load = 0;
  if (o.server.empty()) {
    auto loaded = service::Engine::Load(*std::move(opened));
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s\n", std::string(loaded.status().message()).c_str());
      return 1;
    }
    engine = *std::move(loaded);
    for (const std::string& w : engine->warnings()) {
      std::fprintf(stderr, "warning: %s\n", w.c_str());
    }
    load_seconds = engine->load_seconds();
    rss_after_load = PeakRssBytes();
    source = std::make_unique<service::FixedEngineSource>(engine);
    int port = 0;
    if (o.bare) {
      svc = std::make_unique<service::AriadneService>(source.get(), service::ServiceOptions());
      grpc::EnableDefaultHealthCheckService(true);
      grpc::ServerBuilder builder;
      builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
      builder.RegisterService(svc.get());
      bare_server = builder.BuildAndStart();
      if (bare_server == nullptr || port == 0) {
        std::fprintf(stderr, "cannot listen on 127.0.0.1\n");
        return 1;
      }
      bare_server->GetHealthCheckService()->SetServingStatus(true);
    } else {
      service::ServerOptions server_options;  // `ariadne serve`'s defaults, on an ephemeral port
      server_options.listen = "127.0.0.1:0";
      server_options.direct_answers = !o.forward_all;
      auto started = service::AriadneServer::Start(source.get(), server_options);
      if (!started.ok()) {
        std::fprintf(stderr, "%s\n", std::string(started.status().message()).c_str());
        return 1;
      }
      server = *std::move(started);
      server->SetServing(true);
      port = server->port();
    }
    target = absl::StrCat("127.0.0.1:", port);
    std::printf("serving %s in-process on %s (%s; engine loaded in %.1f s, RSS %.0f MiB)\n",
                o.db.c_str(), target.c_str(),
                o.bare          ? "the query service alone"
                : o.forward_all ? "gateway forwarding every call to the query service"
                                : "gateway and query service, as ariadne serve",
                load_seconds, rss_after_load / 1048576.0);
  } else {
    sampling_store = *std::move(opened);
  }
  const store::Store& store = engine ? engine->store() : *sampling_store;
  auto state = store.ReadState();
  if (!state.ok()) {
    std::fprintf(stderr, "%s\n", std::string(state.status().message()).c_str());
    return 1;
  }

  grpc::ChannelArguments args;
  auto control = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  if (!control->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30))) {
    std::fprintf(stderr, "cannot connect to %s\n", target.c_str());
    return 1;
  }
  auto control_stub = v1::Ariadne::NewStub(control);
  if (!WaitServing(control, o.wait_serving_s)) {
    std::fprintf(stderr, "%s did not report SERVING within %.0f s\n", target.c_str(),
                 o.wait_serving_s);
    return 1;
  }

  std::printf(
      "sampling %u addresses, %u cluster subjects and %u trace seeds (hops %u, max_edges "
      "%u, %s) ...\n",
      o.address_samples, o.address_samples, o.trace_seeds, o.trace_hops, o.trace_max_edges,
      o.trace_backward ? "backward" : "forward");
  std::fflush(stdout);
  auto subjects = SampleSubjects(store, o, control_stub.get());
  if (!subjects.ok()) {
    std::fprintf(stderr, "%s\n", std::string(subjects.status().message()).c_str());
    return 1;
  }
  std::vector<uint64_t> seed_edges, seed_nodes;
  std::vector<int64_t> seed_ns;
  for (const TraceSeed& t : subjects->traces) {
    seed_edges.push_back(t.edges);
    seed_nodes.push_back(t.nodes);
    seed_ns.push_back(t.preflight_ns);
  }
  const Summary se = Summarize(seed_edges), sn = Summarize(seed_nodes), sl = Summarize(seed_ns);
  const Summary ce = Summarize(subjects->all_candidate_edges);
  const Summary atx = Summarize(subjects->address_tx_counts);
  std::printf(
      "trace seeds: %zu kept of %llu candidates (%llu truncated at %u edges, %llu under %u "
      "edges, %llu failed) in %.1f s\n",
      subjects->traces.size(), (unsigned long long)subjects->trace_candidates,
      (unsigned long long)subjects->trace_truncated, o.trace_max_edges,
      (unsigned long long)subjects->trace_too_small, o.trace_min_edges,
      (unsigned long long)subjects->trace_failed, subjects->preflight_seconds);
  std::printf(
      "  kept seeds' edges: mean %.0f, p50 %.0f, p90 %.0f, max %.0f; nodes p50 %.0f; "
      "pre-flight latency p50 %.2f ms, p99 %.2f ms\n",
      se.mean, se.p50, se.p90, se.max, sn.p50, sl.p50 / 1e6, sl.p99 / 1e6);
  std::printf("  address subjects' history: mean %.1f, p50 %.0f, p99 %.0f, max %.0f transactions\n",
              atx.mean, atx.p50, atx.p99, atx.max);

  LoadGenerator gen(o, target, &*subjects);
  if (!gen.WaitConnected(30)) {
    std::fprintf(stderr, "cannot connect %u channels to %s\n", o.channels, target.c_str());
    return 1;
  }
  const std::string load_before = ReadFirstLine("/proc/loadavg", "");
  std::vector<PhaseResult> results;
  double last_closed_rps = 0;
  for (const PhaseSpec& spec : *phases) {
    const uint32_t concurrency = spec.concurrency > 0 ? spec.concurrency : o.concurrency;
    double rate = spec.rate;
    if (!spec.closed && spec.rate_fraction > 0) {
      if (last_closed_rps <= 0) {
        std::fprintf(stderr, "phase %s: no closed phase before it\n", spec.name.c_str());
        return 2;
      }
      rate = spec.rate_fraction * last_closed_rps;
    }
    std::printf("\nrunning phase %s (%.0f + %.0f s) ...\n", spec.name.c_str(), o.warmup_s,
                o.duration_s);
    std::fflush(stdout);
    PhaseResult r = gen.Run(spec, concurrency, rate);
    PrintPhase(r);
    std::fflush(stdout);
    if (spec.closed) {
      uint64_t total = 0;
      for (const KindResult& k : r.kinds) total += k.latency_ns.size();
      last_closed_rps = total / r.seconds;
    }
    results.push_back(std::move(r));
  }
  const std::string load_after = ReadFirstLine("/proc/loadavg", "");

  // Targets on the phases with --concurrency outstanding requests or more.
  std::printf("\ntargets (phases with >= %u concurrent clients):\n", o.concurrency);
  std::string targets_json = "[";
  for (const Target& t : kTargets) {
    for (const PhaseResult& p : results) {
      if (p.concurrency < o.concurrency) continue;
      const Summary s = Summarize(p.kinds[Index(t.kind)].latency_ns);
      if (s.count == 0) continue;
      const double v = (t.quantile == 0.5 ? s.p50 : s.p99) / 1e6;
      const bool met = v <= t.limit_ms && p.kinds[Index(t.kind)].error_count() == 0;
      std::printf("  %-44s phase %-10s %9.3f ms  %s\n", t.name, p.spec.name.c_str(), v,
                  met ? "met" : "MISSED");
      absl::StrAppend(&targets_json, targets_json.size() > 1 ? "," : "",
                      absl::StrFormat("{\"target\":%s,\"phase\":%s,\"value_ms\":%.3f,\"limit_ms\":"
                                      "%.1f,\"met\":%s}",
                                      JsonString(t.name), JsonString(p.spec.name), v, t.limit_ms,
                                      met ? "true" : "false"));
    }
  }
  targets_json += "]";
  const uint64_t peak_rss = PeakRssBytes();
  std::printf("peak RSS of this process %.0f MiB%s\n", peak_rss / 1048576.0,
              o.server.empty() ? " (server and clients)" : " (clients and sampling)");

  if (!o.json.empty()) {
    struct utsname un;
    uname(&un);
    std::string cpu = ReadFirstLine("/proc/cpuinfo", "model name");
    if (auto colon = cpu.find(':'); colon != std::string::npos) cpu = cpu.substr(colon + 2);
    std::string mem = ReadFirstLine("/proc/meminfo", "MemTotal:");
    uint64_t mem_kb = 0;
    (void)absl::SimpleAtoi(
        absl::StripAsciiWhitespace(absl::StripSuffix(absl::StripPrefix(mem, "MemTotal:"), "kB")),
        &mem_kb);
    std::string j = "{\"tool\":\"load_bench\",\"schema\":1";
    absl::StrAppend(
        &j, absl::StrFormat(",\"machine\":{\"cpu\":%s,\"cpus\":%d,\"mem_bytes\":%d,\"kernel\":%s,"
                            "\"loadavg_before\":%s,\"loadavg_after\":%s}",
                            JsonString(cpu), std::thread::hardware_concurrency(), mem_kb * 1024,
                            JsonString(absl::StrCat(un.sysname, " ", un.release)),
                            JsonString(load_before), JsonString(load_after)));
    absl::StrAppend(
        &j,
        absl::StrFormat(
            ",\"server\":{\"mode\":%s,\"target\":%s,\"db\":%s,\"engine_load_seconds\":%.3f,"
            "\"rss_after_load_bytes\":%d,\"tx_count\":%d,\"address_count\":%d,"
            "\"tip_height\":%d}",
            o.server.empty()
                ? (o.bare ? "\"in-process-bare\""
                          : (o.forward_all ? "\"in-process-forward-all\"" : "\"in-process\""))
                : "\"remote\"",
            JsonString(target), JsonString(o.db.string()), load_seconds, rss_after_load,
            state->tx_count, state->addr_count, state->tip_height));
    absl::StrAppend(
        &j,
        absl::StrFormat(
            ",\"options\":{\"concurrency\":%u,\"channels\":%u,\"threads\":%u,"
            "\"duration_seconds\":%.1f,\"warmup_seconds\":%.1f,\"phases\":%s,"
            "\"mix\":{\"ping\":%g,\"address\":%g,\"cluster\":%g,\"trace\":%g},\"trace_hops\":%u,"
            "\"trace_max_edges\":%u,\"trace_min_edges\":%u,\"keep_truncated\":%s,"
            "\"trace_from\":%s,\"direction\":%s,\"deadline_seconds\":%.1f,\"seed\":%d}",
            o.concurrency, o.channels, o.threads, o.duration_s, o.warmup_s, JsonString(o.phases),
            o.mix[0], o.mix[1], o.mix[2], o.mix[3], o.trace_hops, o.trace_max_edges,
            o.trace_min_edges, o.keep_truncated ? "true" : "false",
            o.trace_from_txids ? "\"txid\"" : "\"address\"",
            o.trace_backward ? "\"backward\"" : "\"forward\"", o.deadline_s, o.seed));
    absl::StrAppend(
        &j, absl::StrFormat(
                ",\"subjects\":{\"addresses\":%d,\"cluster_addresses\":%d,"
                "\"address_tx_count\":%s,\"trace_seeds\":%d,\"trace_candidates\":%d,"
                "\"trace_dropped_truncated\":%d,\"trace_dropped_small\":%d,"
                "\"trace_failed\":%d,\"preflight_seconds\":%.3f,\"seed_edges\":%s,"
                "\"seed_nodes\":%s,\"candidate_edges\":%s,\"preflight_latency_ms\":%s}",
                subjects->addresses.size(), subjects->cluster_addresses.size(), SummaryJson(atx, 1),
                subjects->traces.size(), subjects->trace_candidates, subjects->trace_truncated,
                subjects->trace_too_small, subjects->trace_failed, subjects->preflight_seconds,
                SummaryJson(se, 1), SummaryJson(sn, 1), SummaryJson(ce, 1), SummaryJson(sl, 1e-6)));
    j += ",\"phases\":[";
    for (size_t i = 0; i < results.size(); ++i) {
      absl::StrAppend(&j, i > 0 ? "," : "", PhaseJson(results[i]));
    }
    absl::StrAppend(&j, "],\"targets\":", targets_json, ",\"peak_rss_bytes\":", peak_rss, "}\n");
    FILE* f = std::fopen(o.json.c_str(), "w");
    if (f == nullptr || std::fwrite(j.data(), 1, j.size(), f) != j.size() || std::fclose(f) != 0) {
      std::fprintf(stderr, "cannot write %s\n", o.json.c_str());
      return 1;
    }
  }
  if (server != nullptr) {
    server->SetServing(false);
    server->Shutdown(absl::Seconds(5));
  }
  if (bare_server != nullptr) {
    bare_server->GetHealthCheckService()->SetServingStatus(false);
    bare_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }
  return 0;
}

}  // namespace
}  // namespace ariadne::bench

int main(int argc, char** argv) { return ariadne::bench::Main(argc, argv); }
