// EVM ingest throughput on real mainnet blocks (portal-spec-tests: 13 blocks, 1,686 transactions of
// types 0-4, 14,736 logs) and sender recovery through our code next to raw libsecp256k1 recovery
// of the same signatures, in the same run; and ingest into a store (tx/s and logs/s): the whole
// pipeline on the real blocks, and the store side alone on a synthetic chain of realistic shape.
//
//   ./build/bench/evm_bench            (reads ../shared/chaindata or $ARIADNE_TESTDATA)
//
// Baselines: Keccak-256 over the same block bytes (the hashing floor of decoding: every
// transaction is hashed once) and secp256k1_ecdsa_recover alone (the floor of sender recovery).
// Ingest into a store is compared with decoding alone (BM_DecodeWithRootsAndSenders).
#include <benchmark/benchmark.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "bench/bench_util.h"
#include "engine/core/hex.h"
#include "engine/core/keccak.h"
#include "engine/store/store.h"
#include "indexer/evm/era1.h"
#include "indexer/evm/evm_indexer.h"
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

// ---- Ingest into a store (the store is created outside the timing; the commit is inside).

std::filesystem::path FreshDir(const char* name) {
  static int n = 0;
  auto dir =
      std::filesystem::temp_directory_path() /
      ("ariadne-evm-bench-" + std::to_string(::getpid()) + "-" + name + "-" + std::to_string(n++));
  std::filesystem::remove_all(dir);
  return dir;
}

std::unique_ptr<store::Store> OpenFresh(const std::filesystem::path& dir) {
  store::StoreOptions o;
  o.create_if_missing = true;
  o.network = Network::kEthereum;
  auto s = store::Store::Open(dir, o);
  if (!s.ok()) {
    std::fprintf(stderr, "cannot create a store in %s\n", dir.c_str());
    std::exit(1);
  }
  return *std::move(s);
}

// The whole pipeline on the portal blocks: read the files, decode, verify roots, recover senders,
// build the rows, commit.
void BM_IngestPortalToStore(benchmark::State& state) {
  const Corpus& c = GetCorpus();
  const auto data = TestDataDir() / "portal-spec-tests/tests/mainnet/history/block_data";
  for (auto _ : state) {
    state.PauseTiming();
    const auto dir = FreshDir("portal");
    auto store = OpenFresh(dir);
    evm::EvmIndexOptions o;
    o.sources = {data};
    evm::EvmIndexResult r;
    state.ResumeTiming();
    if (!evm::IndexEvm(store.get(), o, &r).ok()) state.SkipWithError("ingest failed");
    state.PauseTiming();
    store.reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  Counters(state, c);
}
BENCHMARK(BM_IngestPortalToStore)->Unit(benchmark::kMillisecond);

// A synthetic chain of mainnet's shape for the store side alone: 400 blocks of 250 transactions,
// each with a native payment or a token transfer (one Transfer log) among 200,000 accounts of
// which most appear once, as on mainnet; plus an Approval log on every tenth transaction.
struct Synthetic {
  std::vector<evm::EvmBlock> blocks;
  size_t txs = 0;
  size_t logs = 0;
};

const Synthetic& GetSynthetic() {
  static const Synthetic* syn = [] {
    auto* s = new Synthetic();
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    auto next = [&rng] {
      rng ^= rng << 13;
      rng ^= rng >> 7;
      rng ^= rng << 17;
      return rng;
    };
    auto account = [&](uint64_t pool) {
      evm::Address a;
      const uint64_t id = next() % pool;
      std::memcpy(a.data() + 4, &id, 8);
      a.data()[0] = 0x42;
      return a;
    };
    evm::Address tokens[20];
    for (int i = 0; i < 20; ++i) {
      tokens[i].data()[0] = 0x70;
      tokens[i].data()[19] = static_cast<uint8_t>(i);
    }
    const evm::H256 transfer_topic = evm::Keccak256(
        ByteSpan(reinterpret_cast<const uint8_t*>("Transfer(address,address,uint256)"), 33));
    const evm::H256 approval_topic = evm::Keccak256(
        ByteSpan(reinterpret_cast<const uint8_t*>("Approval(address,address,uint256)"), 33));
    evm::EvmBlockHash parent;
    for (uint64_t b = 0; b < 400; ++b) {
      evm::EvmBlock block;
      block.number = 1'000'000 + b;
      block.parent_hash = parent;
      std::memcpy(block.hash.data(), &block.number, 8);
      block.hash.data()[31] = 0xb1;
      parent = block.hash;
      block.timestamp = 1'600'000'000 + b * 12;
      block.provenance.has_receipts = true;
      for (uint32_t i = 0; i < 250; ++i) {
        evm::EvmTx tx;
        tx.index = i;
        const uint64_t n = b * 250 + i;
        std::memcpy(tx.hash.data(), &n, 8);
        tx.hash.data()[31] = 0x7a;
        tx.from = account(200'000);
        tx.status = evm::TxStatus::kSuccess;
        tx.gas_used = 21000;
        tx.fee_paid = evm::U256(21000ULL * 30'000'000'000ULL);
        tx.first_log = static_cast<uint32_t>(block.logs.size());
        evm::Transfer t;
        t.tx_index = i;
        t.from = tx.from;
        t.to = account(200'000);
        if (next() % 2 == 0) {
          tx.to = t.to;
          tx.value = evm::U256(next() % 1'000'000'000'000'000'000ULL);
          t.amount = tx.value;
        } else {
          const evm::Address& token = tokens[next() % 20];
          tx.to = token;
          t.kind = evm::TransferKind::kErc20;
          t.asset = token;
          t.amount = evm::U256(next());
          t.log_index = static_cast<uint32_t>(block.logs.size());
          evm::EvmLog log;
          log.tx_index = i;
          log.log_index = t.log_index;
          log.address = token;
          log.topic_count = 3;
          log.topics[0] = transfer_topic;
          block.logs.push_back(log);
        }
        if (i % 10 == 0) {
          evm::EvmLog log;
          log.tx_index = i;
          log.log_index = static_cast<uint32_t>(block.logs.size());
          log.address = tokens[i % 20];
          log.topic_count = 3;
          log.topics[0] = approval_topic;
          std::memcpy(log.topics[1].data() + 12, tx.from.data(), 20);
          std::memcpy(log.topics[2].data() + 12, t.to.data(), 20);
          log.data_offset = static_cast<uint32_t>(block.log_data.size());
          log.data_size = 32;
          block.log_data.resize(block.log_data.size() + 32, 0xff);
          block.logs.push_back(log);
        }
        tx.log_count = static_cast<uint32_t>(block.logs.size()) - tx.first_log;
        block.transfers.push_back(t);
        block.txs.push_back(tx);
      }
      s->txs += block.txs.size();
      s->logs += block.logs.size();
      s->blocks.push_back(std::move(block));
    }
    return s;
  }();
  return *syn;
}

// The store side alone: decoded blocks in, rows built and committed (one commit per 100,000
// transactions, as `ariadne index evm` does).
void BM_ApplySyntheticToStore(benchmark::State& state) {
  const Synthetic& syn = GetSynthetic();
  for (auto _ : state) {
    state.PauseTiming();
    const auto dir = FreshDir("synthetic");
    auto store = OpenFresh(dir);
    auto indexer = evm::EvmIndexer::Create(store.get(), 20'000'000);
    if (!indexer.ok()) state.SkipWithError("indexer");
    state.ResumeTiming();
    for (const evm::EvmBlock& b : syn.blocks) {
      if (!(*indexer)->Apply(b, "synthetic").ok()) state.SkipWithError("apply failed");
      if ((*indexer)->pending_txs() >= 100'000 && !(*indexer)->Commit().ok()) {
        state.SkipWithError("commit failed");
      }
    }
    if (!(*indexer)->Commit().ok()) state.SkipWithError("commit failed");
    state.PauseTiming();
    indexer->reset();
    store.reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.counters["tx/s"] = benchmark::Counter(static_cast<double>(state.iterations() * syn.txs),
                                              benchmark::Counter::kIsRate);
  state.counters["logs/s"] = benchmark::Counter(static_cast<double>(state.iterations() * syn.logs),
                                                benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ApplySyntheticToStore)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ariadne::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  ariadne::bench::RatioReporter reporter({
      {"BM_DecodeToModel", "BM_KeccakSameBytes"},
      {"BM_DecodeWithRoots", "BM_KeccakSameBytes"},
      {"BM_DecodeWithRootsAndSenders", "BM_KeccakSameBytes"},
      {"BM_RecoverSenderOurs", "BM_RawSecp256k1Recover"},
      {"BM_IngestPortalToStore", "BM_DecodeWithRootsAndSenders"},
  });
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
