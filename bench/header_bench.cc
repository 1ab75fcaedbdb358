// What checking headers costs the scan: the first 4,522 real mainnet headers hashed, indexed by
// hash and linked with their chain work (the scan before header checks), next to the same through
// the block tree, which also checks proof of work, the genesis, the difficulty bits and the
// median time past. Reported as the ratio of the two (1.0: the checks are free). The scan also
// reads each record's 88 bytes from disk, which neither includes: the real ratio is closer to 1.
//
//   ./build/bench/header_bench            (reads ../shared/chaindata or $ARIADNE_TESTDATA)
#include <benchmark/benchmark.h>

#include "absl/container/flat_hash_map.h"
#include "bench/bench_util.h"
#include "indexer/btc/blk_reader.h"
#include "indexer/btc/block.h"
#include "indexer/btc/block_tree.h"

namespace ariadne::bench {
namespace {

const std::vector<std::array<uint8_t, 80>>& Headers() {
  static const auto* headers = [] {
    auto* h = new std::vector<std::array<uint8_t, 80>>();
    auto f = btc::BlkFile::FromBytes(
        "first", ReadFileOrDie(TestDataDir() / "_derived/btc-mainnet-0-4521.blk"), std::nullopt);
    btc::BlkRecord rec;
    while (*f->Next(&rec)) {
      h->emplace_back();
      std::copy(rec.block.begin(), rec.block.begin() + 80, h->back().begin());
    }
    return h;
  }();
  return *headers;
}

void Report(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Headers().size() * 80));
  state.counters["headers/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * Headers().size()), benchmark::Counter::kIsRate);
}

// Baseline, the scan before header checks: hash, keep the block (as the tree keeps it), index it
// by hash, then link each to its parent with height and chain work.
void BM_HeadersLinked(benchmark::State& state) {
  for (auto _ : state) {
    std::vector<btc::TreeBlock> blocks;
    absl::flat_hash_map<BlockHash, uint32_t> by_hash;
    for (const auto& raw : Headers()) {
      const btc::BlockHeader h = btc::DecodeHeader(raw.data());
      btc::TreeBlock b;
      b.hash = h.hash;
      b.entry.prev_hash = h.prev_hash;
      b.entry.bits = h.bits;
      b.entry.time = h.time;
      by_hash.emplace(h.hash, static_cast<uint32_t>(blocks.size()));
      blocks.push_back(b);
    }
    for (btc::TreeBlock& b : blocks) {
      auto parent = by_hash.find(b.entry.prev_hash);
      b.work = btc::ChainWork::FromBits(b.entry.bits);
      if (parent == by_hash.end()) {
        b.height = 0;
        continue;
      }
      b.parent = static_cast<int32_t>(parent->second);
      b.height = blocks[parent->second].height + 1;
      b.work += blocks[parent->second].work;
    }
    benchmark::DoNotOptimize(blocks.back().work);
  }
  Report(state);
}
BENCHMARK(BM_HeadersLinked)->Unit(benchmark::kMillisecond);

// The scan's work now: the same through the block tree, every header checked.
void BM_HeadersCheckedInTheTree(benchmark::State& state) {
  std::vector<btc::BlockTree::Refusal> refused;
  for (auto _ : state) {
    btc::BlockTree tree(btc::PowParamsOf(Network::kMainnet));
    for (const auto& raw : Headers()) {
      const btc::BlockHeader h = btc::DecodeHeader(raw.data());
      store::BlockIndexEntry e;
      e.prev_hash = h.prev_hash;
      e.bits = h.bits;
      e.time = h.time;
      if (!tree.Add(h.hash, e).ok()) state.SkipWithError("a real header was refused");
    }
    tree.Connect(&refused);
    if (!refused.empty()) state.SkipWithError("a real header was refused");
    benchmark::DoNotOptimize(tree.BestTip());
  }
  Report(state);
}
BENCHMARK(BM_HeadersCheckedInTheTree)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ariadne::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  ariadne::bench::RatioReporter reporter({{"BM_HeadersCheckedInTheTree", "BM_HeadersLinked"}});
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
