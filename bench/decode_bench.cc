// Decoding throughput on real mainnet blocks (26 blocks up to the taproot era, 22,698 txs), next
// to plain SHA-256d over the same bytes: the physical floor of computing txids.
//
//   ./build/bench/decode_bench            (reads ../shared/chaindata or $ARIADNE_TESTDATA)
#include <benchmark/benchmark.h>

#include "bench/bench_util.h"
#include "engine/core/hash.h"
#include "indexer/btc/blk_reader.h"
#include "indexer/btc/block.h"

namespace ariadne::bench {
namespace {

struct Corpus {
  std::vector<uint8_t> file;
  std::vector<ByteSpan> blocks;
  size_t bytes = 0;
  size_t txs = 0;
};

const Corpus& GetCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus();
    c->file = ReadFileOrDie(TestDataDir() / "_derived/btc-mainnet-single-blocks.blk");
    auto f = btc::BlkFile::FromBytes("single-blocks", c->file, std::nullopt);
    btc::BlkRecord rec;
    btc::Block block;
    while (*f->Next(&rec)) {
      // Keep views into c->file (same offsets as in the reader's copy).
      c->blocks.push_back(ByteSpan(c->file.data() + rec.offset, rec.block.size()));
      (void)btc::DecodeBlock(rec.block, rec.offset, btc::DecodeOptions(), &block);
      c->bytes += rec.block.size();
      c->txs += block.txs.size();
    }
    return c;
  }();
  return *corpus;
}

// Baseline: SHA-256d over each block's bytes.
void BM_Sha256dSameBytes(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  for (auto _ : state) {
    for (ByteSpan b : c.blocks) benchmark::DoNotOptimize(Sha256d(b));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
  state.counters["tx/s"] = benchmark::Counter(static_cast<double>(state.iterations() * c.txs),
                                              benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Sha256dSameBytes)->Unit(benchmark::kMillisecond);

void RunDecode(benchmark::State& state, btc::DecodeOptions options) {
  const Corpus& c = GetCorpus();
  btc::Block block;
  for (auto _ : state) {
    for (ByteSpan b : c.blocks) {
      absl::Status s = btc::DecodeBlock(b, 0, options, &block);
      if (!s.ok()) state.SkipWithError("decode failed");
      benchmark::DoNotOptimize(block.txs.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
  state.counters["tx/s"] = benchmark::Counter(static_cast<double>(state.iterations() * c.txs),
                                              benchmark::Counter::kIsRate);
}

// The target: full decode (every input, output and script located) with txids.
void BM_DecodeWithTxids(benchmark::State& state) {
  btc::DecodeOptions o;
  o.check_merkle = false;
  RunDecode(state, o);
}
BENCHMARK(BM_DecodeWithTxids)->Unit(benchmark::kMillisecond);

// What `ariadne decode` does: txids plus the merkle-root check.
void BM_DecodeWithTxidsAndMerkle(benchmark::State& state) {
  RunDecode(state, btc::DecodeOptions());
}
BENCHMARK(BM_DecodeWithTxidsAndMerkle)->Unit(benchmark::kMillisecond);

// Everything: txids, wtxids and the merkle-root check.
void BM_DecodeWithTxidsWtxidsAndMerkle(benchmark::State& state) {
  btc::DecodeOptions o;
  o.compute_wtxid = true;
  RunDecode(state, o);
}
BENCHMARK(BM_DecodeWithTxidsWtxidsAndMerkle)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ariadne::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  ariadne::bench::RatioReporter reporter({
      {"BM_DecodeWithTxids", "BM_Sha256dSameBytes"},
      {"BM_DecodeWithTxidsAndMerkle", "BM_Sha256dSameBytes"},
      {"BM_DecodeWithTxidsWtxidsAndMerkle", "BM_Sha256dSameBytes"},
  });
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
