// Synthetic chain generation throughput (transactions and bytes per second, one core), next to
// SHA-256d over the same block bytes in the same run: txids and merkle roots are the generator's
// irreducible hashing work, the rest is simulation, serialisation, truth and I/O.
//
//   ./build/bench/gen_bench                       (writes to $TMPDIR, removes it afterwards)
//   ./build/bench/gen_bench --benchmark_filter=Generate/2000
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "bench/bench_util.h"
#include "engine/core/hash.h"
#include "gen/generator.h"
#include "indexer/btc/blk_reader.h"

namespace ariadne::bench {
namespace {

namespace fs = std::filesystem;

fs::path ScratchDir(const std::string& name) {
  return fs::temp_directory_path() / ("ariadne-gen-bench-" + std::to_string(getpid()) + "-" + name);
}

gen::GenOptions Options(const fs::path& dir, uint32_t blocks, uint32_t txs_per_block) {
  gen::GenOptions o;
  o.out_dir = dir;
  o.blocks = blocks;
  o.txs_per_block = txs_per_block;
  o.seed = 1;
  o.era_begin = 2009.0;
  o.era_end = 2025.0;
  return o;
}

// Generates blocks x txs_per_block transactions per iteration (args: blocks, txs per block,
// truth on/off).
void BM_Generate(benchmark::State& state) {
  const uint32_t blocks = static_cast<uint32_t>(state.range(0));
  const uint32_t tpb = static_cast<uint32_t>(state.range(1));
  const bool truth = state.range(2) != 0;
  uint64_t txs = 0, bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const fs::path dir = ScratchDir("gen");
    fs::remove_all(dir);
    gen::GenOptions o = Options(dir, blocks, tpb);
    o.write_truth = truth;
    gen::GenStats stats;
    state.ResumeTiming();
    const absl::Status s = gen::GenerateChain(o, &stats);
    state.PauseTiming();
    if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
    txs += stats.txs;
    bytes += stats.bytes;
    fs::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["tx/s"] =
      benchmark::Counter(static_cast<double>(txs), benchmark::Counter::kIsRate);
  state.counters["peak_rss_MiB"] = static_cast<double>(PeakRssBytes()) / (1 << 20);
}
BENCHMARK(BM_Generate)
    ->Args({200, 1000, 1})
    ->Args({200, 1000, 0})
    ->Args({100, 2000, 1})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);

// Baseline: SHA-256d over each block of a chain of the same shape.
void BM_Sha256dSameBytes(benchmark::State& state) {
  static const std::vector<std::vector<uint8_t>>* blocks = [] {
    auto* out = new std::vector<std::vector<uint8_t>>();
    const fs::path dir = ScratchDir("sha");
    fs::remove_all(dir);
    gen::GenOptions o = Options(dir, 200, 1000);
    o.write_truth = false;
    if (!gen::GenerateChain(o, nullptr).ok()) std::exit(1);
    const absl::StatusOr<std::vector<fs::path>> files = btc::ListBlkFiles(dir / "blocks");
    if (!files.ok()) std::exit(1);
    for (const fs::path& f : *files) {
      auto file = btc::BlkFile::Load(f, btc::XorKey{}, std::nullopt);
      if (!file.ok()) std::exit(1);
      btc::BlkRecord rec;
      while (true) {
        const absl::StatusOr<bool> more = (*file)->Next(&rec);
        if (!more.ok() || !*more) break;
        out->emplace_back(rec.block.begin(), rec.block.end());
      }
    }
    fs::remove_all(dir);
    return out;
  }();
  uint64_t bytes = 0;
  for (auto _ : state) {
    for (const std::vector<uint8_t>& b : *blocks) {
      benchmark::DoNotOptimize(Sha256d(b));
      bytes += b.size();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Sha256dSameBytes)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ariadne::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  ariadne::bench::RatioReporter reporter({
      {"BM_Generate/200/1000/1", "BM_Sha256dSameBytes"},
      {"BM_Generate/200/1000/0", "BM_Sha256dSameBytes"},
      {"BM_Generate/100/2000/1", "BM_Sha256dSameBytes"},
  });
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
