// Clustering benchmark (docs/clustering.md, "Performance").
//
//   build/bench/cluster_bench                       synthetic union-find workloads
//   build/bench/cluster_bench --db DIR [--policy SPEC]   plus a full rebuild of a real store
//
// Union-find throughput is reported next to a baseline measured in the same run: the same number
// of random 4-byte reads over an array of the same size, which is what a Find costs at best once
// the array no longer fits the caches. Workloads over N addresses (default 20M, a 10M-transaction
// chain's count):
//   random  unions of uniformly random pairs: the cache-hostile worst case
//   local   unions of an address with one allocated shortly before it (the common case: the
//           inputs of a transaction were first seen close together in chain order)
//   replay  (with --db) the real merging unions of the store's clustering, in chain order
// Bytes per address: the union-find's arrays (5 bytes per address) and the process's peak RSS.
// With --db it also rebuilds the clustering in memory (what `ariadne recluster` does before
// writing) and reports wall time and transactions per second.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "bench/bench_util.h"
#include "engine/graph/union_find.h"
#include "engine/store/store.h"
#include "heuristics/clustering.h"

namespace ariadne::bench {
namespace {

uint32_t g_addresses = 20'000'000;
std::vector<std::pair<uint32_t, uint32_t>> g_replay;  // real unions, from --db

std::vector<std::pair<uint32_t, uint32_t>> RandomPairs(uint32_t n, size_t count, bool local) {
  std::mt19937_64 rng(42);
  std::vector<std::pair<uint32_t, uint32_t>> pairs(count);
  std::geometric_distribution<uint32_t> gap(1.0 / 64);
  for (auto& [a, b] : pairs) {
    b = static_cast<uint32_t>(rng() % n);
    if (local) {
      const uint32_t d = gap(rng) + 1;
      a = b >= d ? b - d : 0;
    } else {
      a = static_cast<uint32_t>(rng() % n);
    }
  }
  return pairs;
}

// Baseline: one random read per operation over an array of the union-find's size.
void BM_RandomRead(benchmark::State& state) {
  std::vector<uint32_t> array(g_addresses);
  for (uint32_t i = 0; i < g_addresses; ++i) array[i] = i;
  const auto pairs = RandomPairs(g_addresses, g_addresses / 2, false);
  for (auto _ : state) {
    uint64_t sum = 0;
    for (const auto& [a, b] : pairs) sum += array[a] + array[b];
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(pairs.size()));
  state.counters["reads_per_op"] = 2;
}

void RunUnions(benchmark::State& state, const std::vector<std::pair<uint32_t, uint32_t>>& pairs,
               uint32_t n) {
  uint64_t merged = 0;
  for (auto _ : state) {
    state.PauseTiming();
    graph::UnionFind uf(n);
    state.ResumeTiming();
    merged = 0;
    for (const auto& [a, b] : pairs) merged += uf.Union(a, b);
    benchmark::DoNotOptimize(merged);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(pairs.size()));
  state.counters["merging"] = static_cast<double>(merged) / pairs.size();
  state.counters["bytes_per_address"] = graph::UnionFind::BytesPerElement();
}

void BM_UnionRandom(benchmark::State& state) {
  RunUnions(state, RandomPairs(g_addresses, g_addresses / 2, false), g_addresses);
}
void BM_UnionLocal(benchmark::State& state) {
  RunUnions(state, RandomPairs(g_addresses, g_addresses / 2, true), g_addresses);
}
void BM_UnionReplay(benchmark::State& state) { RunUnions(state, g_replay, g_addresses); }

// Find on every address after the unions: what building the cluster index costs.
void BM_FindAll(benchmark::State& state) {
  graph::UnionFind uf(g_addresses);
  for (const auto& [a, b] : RandomPairs(g_addresses, g_addresses / 2, true)) uf.Union(a, b);
  for (auto _ : state) {
    uint64_t sum = 0;
    for (uint32_t i = 0; i < g_addresses; ++i) sum += uf.SetId(i);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * g_addresses);
}

// Items per second of each benchmark, for the ratio lines.
class Reporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      auto it = r.counters.find("items_per_second");
      if (it == r.counters.end()) continue;
      const std::string name = r.benchmark_name();
      rate_[name.substr(0, name.find('/'))] = it->second.value;
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    const double base = rate_.count("BM_RandomRead") ? rate_["BM_RandomRead"] : 0;
    std::printf("\naddresses %u; union-find %d bytes per address\n", g_addresses,
                graph::UnionFind::BytesPerElement());
    for (const auto& [name, rate] : rate_) {
      std::printf("%-16s %8.2f M ops/s", name.c_str(), rate / 1e6);
      if (base > 0 && name != "BM_RandomRead") {
        std::printf("   ratio to random-read baseline %.2f", rate / base);
      }
      std::printf("\n");
    }
  }

 private:
  std::map<std::string, double> rate_;
};

int Main(int argc, char** argv) {
  std::string db, policy_spec = "default";
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--db" && i + 1 < argc) {
      db = argv[++i];
    } else if (a == "--policy" && i + 1 < argc) {
      policy_spec = argv[++i];
    } else if (a == "--addresses" && i + 1 < argc) {
      absl::SimpleAtoi(argv[++i], &g_addresses);
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (!db.empty()) {
    auto policy = heuristics::ParsePolicy(policy_spec);
    if (!policy.ok()) {
      std::fprintf(stderr, "%s\n", std::string(policy.status().message()).c_str());
      return 2;
    }
    store::StoreOptions so;
    so.mode = store::StoreOptions::Mode::kReadOnly;
    auto s = store::Store::Open(db, so);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", std::string(s.status().message()).c_str());
      return 1;
    }
    std::unique_ptr<heuristics::ClusterBuilder> builder;
    const auto start = std::chrono::steady_clock::now();
    auto r = heuristics::BuildClusters(**s, *policy, &builder, {});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", std::string(r.status().message()).c_str());
      return 1;
    }
    std::printf(
        "rebuild of %s under %s: %llu transactions, %llu addresses, %llu clusters (largest "
        "%llu), %llu unions in %.1f s (%.0f tx/s); peak RSS %.0f MiB (%.1f bytes per address, "
        "reading the store included)\n",
        db.c_str(), policy->ToSpec().c_str(), (unsigned long long)r->counters.txs,
        (unsigned long long)r->addresses, (unsigned long long)r->clusters,
        (unsigned long long)r->largest_cluster,
        (unsigned long long)(r->counters.common_input_unions + r->counters.change_unions),
        seconds, r->counters.txs / seconds, PeakRssBytes() / 1048576.0,
        static_cast<double>(PeakRssBytes()) / std::max<uint64_t>(1, r->addresses));
    g_addresses = static_cast<uint32_t>(r->addresses);
    for (const auto& e : builder->evidence()) g_replay.emplace_back(e.a, e.b);
    builder.reset();
    benchmark::RegisterBenchmark("BM_UnionReplay", BM_UnionReplay)
        ->Unit(benchmark::kMillisecond)
        ->Iterations(3);
  }
  benchmark::RegisterBenchmark("BM_RandomRead", BM_RandomRead)
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);
  benchmark::RegisterBenchmark("BM_UnionRandom", BM_UnionRandom)
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);
  benchmark::RegisterBenchmark("BM_UnionLocal", BM_UnionLocal)
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);
  benchmark::RegisterBenchmark("BM_FindAll", BM_FindAll)
      ->Unit(benchmark::kMillisecond)
      ->Iterations(3);
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  Reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("peak RSS %.0f MiB\n", PeakRssBytes() / 1048576.0);
  return 0;
}

}  // namespace
}  // namespace ariadne::bench

int main(int argc, char** argv) { return ariadne::bench::Main(argc, argv); }
