// EVM ingest throughput on real mainnet blocks (portal-spec-tests: 13 blocks, 1,686 transactions of
// types 0-4, 14,736 logs) and sender recovery through our code next to raw libsecp256k1 recovery
// of the same signatures, in the same run.
//
//   ./build/bench/evm_bench            (reads ../shared/chaindata or $ARIADNE_TESTDATA)
//
// Baselines: Keccak-256 over the same block bytes (the hashing floor of decoding: every
// transaction is hashed once) and secp256k1_ecdsa_recover alone (the floor of sender recovery).
#include <benchmark/benchmark.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "bench/bench_util.h"
#include "engine/core/hex.h"
#include "indexer/evm/era1.h"
#include "indexer/evm/keccak.h"
#include "indexer/evm/rlp_block.h"
#include "indexer/evm/transaction.h"

namespace ariadne::bench {
namespace {

using evm::EvmBlock;
using evm::RlpBlockDecoder;
using evm::RlpBlockOptions;

struct Corpus {
  struct Block {
    std::vector<uint8_t> header, body, receipts;
  };
  std::vector<Block> blocks;
  size_t bytes = 0;
  size_t txs = 0;
  size_t logs = 0;
  // Every transaction's signature material, for the recovery benchmarks.
  std::vector<std::vector<uint8_t>> tx_encodings;
  struct Sig {
    uint8_t digest[32];
    uint8_t rs[64];
    int recid;
  };
  std::vector<Sig> sigs;
};

const Corpus& GetCorpus() {
  static const Corpus* corpus = [] {
    auto* c = new Corpus();
    const auto dir = TestDataDir() / "portal-spec-tests/tests/mainnet/history/block_data";
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    RlpBlockDecoder decoder;
    EvmBlock block;
    for (const auto& f : files) {
      std::vector<uint8_t> text = ReadFileOrDie(f);
      std::istringstream in(std::string(text.begin(), text.end()));
      std::string line;
      Corpus::Block b;
      while (std::getline(in, line)) {
        auto take = [&](const char* key, std::vector<uint8_t>* out) {
          const std::string k = std::string(key) + ": ";
          if (line.rfind(k, 0) == 0) *out = HexDecode(line.substr(k.size())).value();
        };
        take("header", &b.header);
        take("body", &b.body);
        take("receipts", &b.receipts);
      }
      if (!decoder.Decode(b.header, b.body, b.receipts, f.filename().string(), &block).ok()) {
        std::fprintf(stderr, "cannot decode %s\n", f.c_str());
        std::exit(1);
      }
      c->bytes += b.header.size() + b.body.size() + b.receipts.size();
      c->txs += block.txs.size();
      c->logs += block.logs.size();
      // Collect each transaction's encoding from the body for the recovery benchmarks.
      evm::RlpError err;
      evm::RlpReader outer(b.body, 0, &err);
      evm::RlpReader body = outer.List("body");
      evm::RlpReader txs = body.List("txs");
      evm::RlpItem item;
      while (txs.Next(&item)) {
        const ByteSpan enc = item.is_list ? item.encoding : item.payload;
        c->tx_encodings.emplace_back(enc.begin(), enc.end());
      }
      c->blocks.push_back(std::move(b));
    }
    for (const auto& enc : c->tx_encodings) {
      evm::Transaction tx;
      (void)evm::DecodeTransaction(enc, "bench", &tx);
      Corpus::Sig s;
      const evm::H256 d = evm::SigningHash(tx);
      std::memcpy(s.digest, d.data(), 32);
      tx.r.ToWord(s.rs);
      tx.s.ToWord(s.rs + 32);
      s.recid = tx.y_parity;
      c->sigs.push_back(s);
    }
    return c;
  }();
  return *corpus;
}

void Counters(benchmark::State& state, const Corpus& c) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * c.bytes));
  state.counters["tx/s"] = benchmark::Counter(static_cast<double>(state.iterations() * c.txs),
                                              benchmark::Counter::kIsRate);
  state.counters["logs/s"] = benchmark::Counter(static_cast<double>(state.iterations() * c.logs),
                                                benchmark::Counter::kIsRate);
}

// Baseline: Keccak-256 over each block's header, body and receipts bytes.
void BM_KeccakSameBytes(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  for (auto _ : state) {
    for (const auto& b : c.blocks) {
      benchmark::DoNotOptimize(evm::Keccak256(b.header));
      benchmark::DoNotOptimize(evm::Keccak256(b.body));
      benchmark::DoNotOptimize(evm::Keccak256(b.receipts));
    }
  }
  Counters(state, c);
}
BENCHMARK(BM_KeccakSameBytes)->Unit(benchmark::kMillisecond);

void RunDecode(benchmark::State& state, bool roots, bool senders) {
  const Corpus& c = GetCorpus();
  RlpBlockOptions o;
  o.verify_roots = roots;
  o.recover_senders = senders;
  RlpBlockDecoder decoder(o);
  EvmBlock block;
  for (auto _ : state) {
    for (const auto& b : c.blocks) {
      if (!decoder.Decode(b.header, b.body, b.receipts, "bench", &block).ok()) {
        state.SkipWithError("decode failed");
      }
      benchmark::DoNotOptimize(block.transfers.data());
    }
  }
  Counters(state, c);
}

// Decoding into the model: transactions, receipts, logs, transfers, fees (no roots, no senders).
void BM_DecodeToModel(benchmark::State& state) { RunDecode(state, false, false); }
BENCHMARK(BM_DecodeToModel)->Unit(benchmark::kMillisecond);

// Plus the transactions, receipts and withdrawals roots recomputed and checked.
void BM_DecodeWithRoots(benchmark::State& state) { RunDecode(state, true, false); }
BENCHMARK(BM_DecodeWithRoots)->Unit(benchmark::kMillisecond);

// Everything the indexer does per block: roots and every sender recovered.
void BM_DecodeWithRootsAndSenders(benchmark::State& state) { RunDecode(state, true, true); }
BENCHMARK(BM_DecodeWithRootsAndSenders)->Unit(benchmark::kMillisecond);

void SigCounters(benchmark::State& state, size_t n) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * n * 65));
  state.counters["recoveries/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * n), benchmark::Counter::kIsRate);
}

// Sender recovery through our code: decode, signing hash, recover, Keccak of the key.
void BM_RecoverSenderOurs(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  evm::Transaction tx;
  for (auto _ : state) {
    for (const auto& enc : c.tx_encodings) {
      (void)evm::DecodeTransaction(enc, "bench", &tx);
      benchmark::DoNotOptimize(evm::RecoverSender(tx));
    }
  }
  SigCounters(state, c.tx_encodings.size());
}
BENCHMARK(BM_RecoverSenderOurs)->Unit(benchmark::kMillisecond);

// Baseline: libsecp256k1 alone on the same signatures and digests (parse + recover).
void BM_RawSecp256k1Recover(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  const secp256k1_context* ctx = secp256k1_context_static;
  for (auto _ : state) {
    for (const auto& s : c.sigs) {
      secp256k1_ecdsa_recoverable_signature sig;
      secp256k1_pubkey pub;
      if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, s.rs, s.recid) ||
          !secp256k1_ecdsa_recover(ctx, &pub, &sig, s.digest)) {
        state.SkipWithError("recover failed");
      }
      benchmark::DoNotOptimize(pub);
    }
  }
  SigCounters(state, c.sigs.size());
}
BENCHMARK(BM_RawSecp256k1Recover)->Unit(benchmark::kMillisecond);

// A whole era1 archive from disk (Sepolia, 8,192 blocks, 93 transactions): snappy framing,
// CRC-32C, decoding, roots and the accumulator.
void BM_Era1File(benchmark::State& state) {
  const auto path =
      TestDataDir() / "go-ethereum/core/rawdb/eradb/testdata/sepolia-00021-b8814b14.era1";
  evm::Era1Options o;
  o.block.chain = evm::ChainConfig::Sepolia();
  uint64_t blocks = 0;
  for (auto _ : state) {
    auto s = evm::ReadEra1File(path, o, [&](const EvmBlock&) {
      ++blocks;
      return absl::OkStatus();
    });
    if (!s.ok()) state.SkipWithError("era1 failed");
  }
  std::error_code ec;
  state.SetBytesProcessed(
      static_cast<int64_t>(state.iterations() * std::filesystem::file_size(path, ec)));
  state.counters["blocks/s"] =
      benchmark::Counter(static_cast<double>(blocks), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Era1File)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ariadne::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  ariadne::bench::RatioReporter reporter({
      {"BM_DecodeToModel", "BM_KeccakSameBytes"},
      {"BM_DecodeWithRoots", "BM_KeccakSameBytes"},
      {"BM_DecodeWithRootsAndSenders", "BM_KeccakSameBytes"},
      {"BM_RecoverSenderOurs", "BM_RawSecp256k1Recover"},
  });
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
