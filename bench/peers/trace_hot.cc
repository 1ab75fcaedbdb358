// The tracer's hot path without the transport (issue 18 part 2): traces asked of the query layer
// in-process (ChainBackend::Trace, as the gRPC service asks it), every event folded into a digest
// instead of sent. What it measures is the engine's share of a trace: seed resolution, the walk,
// the taint bookkeeping, the shape's answer. Two builds of this tool over the same store and
// seeds, run one after the other, compare the hot path before and after a change; their digests
// (--digests) show that every answer stayed the same, event for event.
//
// One thing differs between runs of the same build before this tool's branch: the endpoints of a
// truncated trace came in the order of a hash table (absl's, seeded per process), so a truncated
// trace's digest changed from run to run. The tracer now ends them in the order of their outputs.
//
//   trace_hot_bench --db STORE --seeds FILE [--taint poison|haircut|fifo]
//                   [--direction forward|backward] [--hops 3] [--shape edges|summary|aggregated]
//                   [--max-edges 100000] [--repeat 1] [--limit N] [--digests]
//
// FILE holds one seed per line (address, txid or txid:vout). Prints one JSON object on stdout
// (the time of every trace: total, p50, p99, the slowest; the events; one digest of all
// answers), and with --digests one line per seed before it: "seed digest events".
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "engine/backends/registry.h"
#include "engine/store/store.h"
#include "heuristics/query_hooks.h"

namespace {

using namespace ariadne;

struct Options {
  std::string db;
  std::string seeds;
  std::string taint = "poison";
  int direction = 0;
  uint32_t hops = 3;
  int shape = 0;
  uint32_t max_edges = 100'000;
  int repeat = 1;
  size_t limit = SIZE_MAX;
  bool digests = false;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "trace_hot_bench: %s\nusage: trace_hot_bench --db STORE --seeds FILE [--taint T] "
               "[--direction forward|backward] [--hops N] [--shape edges|summary|aggregated] "
               "[--max-edges N] [--repeat N] [--limit N] [--digests]\n",
               why);
  std::exit(2);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--digests") {
      o.digests = true;
      continue;
    }
    if (i + 1 >= argc) Usage(("missing value of " + a).c_str());
    const std::string v = argv[++i];
    uint64_t n = 0;
    auto number = [&] {
      if (!absl::SimpleAtoi(v, &n)) Usage((a + " takes a number, not " + v).c_str());
      return n;
    };
    if (a == "--db") {
      o.db = v;
    } else if (a == "--seeds") {
      o.seeds = v;
    } else if (a == "--taint") {
      o.taint = v;
    } else if (a == "--direction") {
      if (v != "forward" && v != "backward") Usage("--direction is forward or backward");
      o.direction = v == "backward" ? 1 : 0;
    } else if (a == "--hops") {
      o.hops = static_cast<uint32_t>(number());
    } else if (a == "--shape") {
      if (v == "edges") {
        o.shape = 0;
      } else if (v == "summary") {
        o.shape = 1;
      } else if (v == "aggregated") {
        o.shape = 2;
      } else {
        Usage("--shape is edges, summary or aggregated");
      }
    } else if (a == "--max-edges") {
      o.max_edges = static_cast<uint32_t>(number());
    } else if (a == "--repeat") {
      o.repeat = static_cast<int>(std::max<uint64_t>(1, number()));
    } else if (a == "--limit") {
      o.limit = number();
    } else {
      Usage(("unknown argument " + a).c_str());
    }
  }
  if (o.db.empty() || o.seeds.empty()) Usage("give --db and --seeds");
  return o;
}

// FNV-1a over every field of every event, in order: equal digests mean equal answers.
class DigestSink : public query::TraceSink {
 public:
  bool Node(const query::TraceNode& n) override {
    Mix('N');
    Mix(n.id);
    Mix(n.kind);
    Mix(n.cluster_id);
    Mix(n.size);
    for (const query::Label& l : n.labels) {
      Mix(l.label);
      Mix(l.category);
      Mix(l.source);
      Mix(l.address);
    }
    return true;
  }
  bool Edge(const query::TraceEdge& e) override {
    Mix('E');
    Mix(e.from);
    Mix(e.to);
    Mix(e.txid);
    Mix(e.block_height);
    Mix(e.value);
    Mix(e.tainted_value);
    Mix(e.hop);
    Mix(e.asset);
    Mix(e.amount);
    Mix(e.tainted_amount);
    Mix(e.transfer);
    return true;
  }
  bool Flow(const query::TraceFlow& f) override {
    Mix('F');
    Mix(f.from);
    Mix(f.to);
    Mix(f.transactions);
    Mix(f.edges);
    Mix(f.hop);
    Mix(f.first_block_height);
    Mix(f.last_block_height);
    Mix(f.value);
    Mix(f.tainted_value);
    Mix(f.asset);
    Mix(f.amount);
    Mix(f.tainted_amount);
    return true;
  }
  bool Endpoint(const query::TraceEndpoint& e) override {
    Mix('P');
    Mix(e.node);
    Mix(e.reason);
    Mix(e.tainted_value);
    Mix(e.hop);
    Mix(e.asset);
    Mix(e.tainted_amount);
    return true;
  }
  bool Summary(const query::TraceSummary& s) override {
    summary_ = s;
    Mix('S');
    Mix(static_cast<int>(s.model));
    Mix(s.seed);
    Mix(s.seed_value);
    for (const auto& [reason, v] : s.tainted_by_reason) {
      Mix(reason);
      Mix(v);
    }
    Mix(s.transactions);
    Mix(s.nodes);
    Mix(s.edges);
    Mix(s.truncated);
    Mix(s.taint);
    Mix(s.direction);
    for (const auto* list : {&s.seed_amounts, &s.tainted_amounts}) {
      for (const query::AssetAmount& a : *list) {
        Mix(a.asset);
        Mix(a.standard);
        Mix(a.amount);
        Mix(a.reason);
      }
    }
    return true;
  }
  uint64_t digest() const { return h_; }
  const query::TraceSummary& summary() const { return summary_; }
  uint64_t events() const { return events_; }

 private:
  void Bytes(const void* p, size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) h_ = (h_ ^ b[i]) * 0x100000001b3ULL;
  }
  void Mix(char tag) {
    ++events_;
    Bytes(&tag, 1);
  }
  void Mix(const std::string& s) {
    const uint64_t n = s.size();
    Bytes(&n, sizeof n);
    Bytes(s.data(), s.size());
  }
  template <typename T>
  void Mix(T v) requires std::is_arithmetic_v<T> {
    Bytes(&v, sizeof v);
  }
  query::TraceSummary summary_;
  uint64_t h_ = 0xcbf29ce484222325ULL;
  uint64_t events_ = 0;
};

// Returns: the CPU time this thread has used, in ms (what a trace costs on a loaded machine, where
// its wall time is mostly waiting for a core).
double ThreadCpuMs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  std::vector<std::string> seeds;
  {
    std::ifstream in(o.seeds);
    if (!in) Usage(("cannot read " + o.seeds).c_str());
    for (std::string line; std::getline(in, line) && seeds.size() < o.limit;) {
      if (!line.empty() && line[0] != '#') seeds.push_back(line);
    }
  }
  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  auto st = store::Store::Open(o.db, so);
  if (!st.ok()) {
    std::fprintf(stderr, "trace_hot_bench: %s\n", std::string(st.status().message()).c_str());
    return 1;
  }
  auto backend = backends::OpenBackend(**st, heuristics::MakeQueryHooks());
  if (!backend.ok()) {
    std::fprintf(stderr, "trace_hot_bench: %s\n",
                 std::string(backend.status().message()).c_str());
    return 1;
  }
  const query::RequestLimits limits;
  const query::CancelFn never = [] { return false; };
  std::vector<double> ms, cpu;
  uint64_t all = 0xcbf29ce484222325ULL, events = 0, errors = 0;
  for (int r = 0; r < o.repeat; ++r) {
    for (const std::string& seed : seeds) {
      query::TraceRequest req;
      req.seed = seed;
      req.direction = o.direction;
      req.taint = o.taint;
      req.hops = o.hops;
      req.max_edges = o.max_edges;
      req.shape = o.shape;
      DigestSink sink;
      const double c0 = ThreadCpuMs();
      const auto t0 = std::chrono::steady_clock::now();
      const absl::Status s = (*backend)->Trace(req, limits, never, &sink);
      cpu.push_back(ThreadCpuMs() - c0);
      ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
              .count());
      const uint64_t d = s.ok() ? sink.digest() : std::hash<std::string>()(s.ToString());
      errors += !s.ok();
      if (r == 0) {
        all = (all ^ d) * 0x100000001b3ULL;
        events += sink.events();
        if (o.digests) {
          const query::TraceSummary& sum = sink.summary();
          std::printf("%s %016llx %llu txs %llu nodes %llu edges %llu%s\n", seed.c_str(),
                      static_cast<unsigned long long>(d),
                      static_cast<unsigned long long>(sink.events()),
                      static_cast<unsigned long long>(sum.transactions),
                      static_cast<unsigned long long>(sum.nodes),
                      static_cast<unsigned long long>(sum.edges), sum.truncated ? " truncated" : "");
        }
      }
    }
  }
  double total = 0, cpu_total = 0;
  for (double m : ms) total += m;
  for (double c : cpu) cpu_total += c;
  std::printf(
      "{\"traces\": %zu, \"seeds\": %zu, \"cpu_ms\": %.1f, \"cpu_p50_ms\": %.3f, "
      "\"cpu_p99_ms\": %.2f, \"total_ms\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.2f, "
      "\"max_ms\": %.1f, \"events\": %llu, \"errors\": %llu, \"digest\": \"%016llx\"}\n",
      ms.size(), seeds.size(), cpu_total, Percentile(cpu, 0.5), Percentile(cpu, 0.99), total,
      Percentile(ms, 0.5), Percentile(ms, 0.99),
      ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()),
      static_cast<unsigned long long>(events), static_cast<unsigned long long>(errors),
      static_cast<unsigned long long>(all));
  return 0;
}
