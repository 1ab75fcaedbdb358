// End-to-end ingest benchmark: blk files -> indexed store (clusters kept up to date, as
// `ariadne index` does), next to SHA-256d over the same block bytes measured in the same run.
//
//   build/bench/ingest_bench --gen-txs 10000000 --work /tmp/ingest   (synthetic chain)
//   build/bench/ingest_bench --blocks ../shared/chaindata/_derived/btc-mainnet-0-4521.blk
//
// Reports tx/s, MB/s, the ratio of ingest MB/s to SHA-256d MB/s, the indexer's peak RSS (it runs
// in a child process), and the store's bytes per transaction after a full compaction.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bench/bench_util.h"
#include "engine/core/hash.h"
#include "engine/store/store.h"
#include "gen/generator.h"
#include "heuristics/clustering.h"
#include "heuristics/clustering_observer.h"
#include "indexer/btc/blk_reader.h"
#include "indexer/pipeline/btc_indexer.h"

namespace ariadne::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::vector<std::filesystem::path> blocks;
  uint64_t gen_txs = 0;
  uint32_t txs_per_block = 2000;
  std::filesystem::path work = "/tmp/ariadne-ingest-bench";
  Network network = Network::kMainnet;
  bool cluster = true;
  std::string json;
};

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// Runs fn in a child process. Returns: its exit status and peak RSS (bytes).
std::pair<int, uint64_t> InChild(const std::function<int()>& fn) {
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) _exit(fn());
  int status = 0;
  struct rusage usage;
  wait4(pid, &status, 0, &usage);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128, uint64_t(usage.ru_maxrss) * 1024};
}

// SHA-256d over every block record of the files: the physical floor of computing txids.
struct Baseline {
  uint64_t bytes = 0;
  uint64_t blocks = 0;
  double seconds = 0;
};
Baseline HashBaseline(const std::vector<std::filesystem::path>& inputs) {
  Baseline b;
  std::vector<std::pair<std::filesystem::path, btc::XorKey>> files;
  for (const auto& in : inputs) {
    if (std::filesystem::is_directory(in)) {
      auto list = btc::ListBlkFiles(in);
      auto key = btc::ReadXorKey(in);
      if (!list.ok() || !key.ok()) continue;
      for (const auto& f : *list) files.emplace_back(f, *key);
    } else {
      files.emplace_back(in, btc::XorKey{});
    }
  }
  for (const auto& [path, key] : files) {
    auto file = btc::BlkFile::Load(path, key, std::nullopt);  // reading is not timed
    if (!file.ok()) continue;
    std::vector<ByteSpan> records;
    btc::BlkRecord rec;
    while (true) {
      auto more = (*file)->Next(&rec);
      if (!more.ok() || !*more) break;
      records.push_back(rec.block);
    }
    auto start = Clock::now();
    for (ByteSpan r : records) benchmark::DoNotOptimize(Sha256d(r));
    b.seconds += Seconds(start);
    for (ByteSpan r : records) b.bytes += r.size();
    b.blocks += records.size();
  }
  return b;
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--blocks") {
      o.blocks.push_back(next());
    } else if (a == "--gen-txs") {
      absl::SimpleAtoi(next(), &o.gen_txs);
    } else if (a == "--txs-per-block") {
      absl::SimpleAtoi(next(), &o.txs_per_block);
    } else if (a == "--work") {
      o.work = next();
    } else if (a == "--network") {
      o.network = *ParseNetwork(next());
    } else if (a == "--no-cluster") {
      o.cluster = false;
    } else if (a == "--json") {
      o.json = next();
    } else {
      std::fprintf(stderr,
                   "usage: ingest_bench [--gen-txs N [--txs-per-block K]] [--blocks PATH...] "
                   "[--network NET] [--work DIR] [--no-cluster] [--json FILE]\n");
      return 2;
    }
  }
  std::filesystem::create_directories(o.work);
  if (o.gen_txs > 0) {
    o.network = Network::kRegtest;
    const std::filesystem::path chain =
        o.work / absl::StrCat("chain-", o.gen_txs, "-", o.txs_per_block);
    if (!std::filesystem::exists(chain / "truth" / "summary.json")) {
      std::filesystem::remove_all(chain);
      std::printf("generating %s transactions into %s ...\n", absl::StrCat(o.gen_txs).c_str(),
                  chain.c_str());
      auto start = Clock::now();
      auto [rc, rss] = InChild([&] {
        gen::GenOptions g;
        g.out_dir = chain;
        g.txs_per_block = o.txs_per_block;
        g.blocks = static_cast<uint32_t>(o.gen_txs / o.txs_per_block + 1);
        g.seed = 42;
        absl::Status s = gen::GenerateChain(g, nullptr);
        if (!s.ok()) std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
        return s.ok() ? 0 : 1;
      });
      if (rc != 0) return 1;
      std::printf("generated in %.1f s (peak RSS %.0f MiB)\n", Seconds(start), rss / 1048576.0);
    }
    o.blocks = {chain / "blocks"};
  }
  if (o.blocks.empty()) o.blocks = {TestDataDir() / "_derived/btc-mainnet-0-4521.blk"};

  const Baseline base = HashBaseline(o.blocks);
  const std::filesystem::path db = o.work / "db";
  std::filesystem::remove_all(db);
  std::filesystem::create_directories(o.work);
  const std::filesystem::path result_file = o.work / "index-result.txt";

  auto start = Clock::now();
  auto [rc, peak_rss] = InChild([&] {
    store::StoreOptions so;
    so.create_if_missing = true;
    so.network = o.network;
    auto s = store::Store::Open(db, so);
    if (!s.ok()) return 1;
    pipeline::BtcIndexOptions io;
    io.inputs = o.blocks;
    std::unique_ptr<heuristics::ClusteringObserver> clusters;
    if (o.cluster) {
      clusters = *heuristics::ClusteringObserver::Create(s->get());
      io.observers.push_back(clusters.get());
    }
    pipeline::IndexResult r;
    absl::Status st = pipeline::IndexBitcoin(s->get(), io, &r);
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", std::string(st.message()).c_str());
      return 1;
    }
    FILE* f = std::fopen(result_file.c_str(), "w");
    std::fprintf(f, "%llu %llu %llu %llu\n", (unsigned long long)r.txs, (unsigned long long)r.bytes,
                 (unsigned long long)r.blocks_applied, (unsigned long long)r.new_addresses);
    std::fclose(f);
    return 0;
  });
  const double index_s = Seconds(start);
  if (rc != 0) return 1;
  unsigned long long txs = 0, bytes = 0, blocks = 0, addresses = 0;
  FILE* f = std::fopen(result_file.c_str(), "r");
  if (f == nullptr ||
      std::fscanf(f, "%llu %llu %llu %llu", &txs, &bytes, &blocks, &addresses) != 4) {
    return 1;
  }
  std::fclose(f);

  // Full compaction, then the store's size.
  double compact_s = 0;
  {
    auto s = store::Store::Open(db, store::StoreOptions());
    if (!s.ok()) return 1;
    auto cstart = Clock::now();
    if (!(*s)->CompactAll().ok()) return 1;
    compact_s = Seconds(cstart);
  }
  const uint64_t db_bytes = store::DiskBytes(db);

  const double mbs = bytes / index_s / 1e6;
  const double base_mbs = base.bytes / base.seconds / 1e6;
  std::printf("chain         %llu blocks, %llu transactions, %.1f MB, %llu addresses\n", blocks,
              txs, bytes / 1e6, addresses);
  std::printf("ingest        %.1f s: %.0f tx/s, %.1f MB/s (clustering %s)\n", index_s,
              txs / index_s, mbs, o.cluster ? "on" : "off");
  std::printf("SHA-256d      %.1f MB/s over the same block bytes (one core)\n", base_mbs);
  std::printf("ratio         ingest MB/s / SHA-256d MB/s = %.3f\n", mbs / base_mbs);
  std::printf("peak RSS      %.0f MiB (indexer process)\n", peak_rss / 1048576.0);
  std::printf("store         %.1f MB after compaction (%.1f s): %.1f bytes per transaction\n",
              db_bytes / 1e6, compact_s, static_cast<double>(db_bytes) / txs);
  if (!o.json.empty()) {
    FILE* j = std::fopen(o.json.c_str(), "w");
    std::fprintf(j,
                 "{\"blocks\":%llu,\"txs\":%llu,\"bytes\":%llu,\"addresses\":%llu,"
                 "\"ingest_seconds\":%.3f,\"tx_per_s\":%.1f,\"mb_per_s\":%.2f,"
                 "\"sha256d_mb_per_s\":%.2f,\"ratio_to_sha256d\":%.4f,\"peak_rss_bytes\":%llu,"
                 "\"db_bytes\":%llu,\"db_bytes_per_tx\":%.2f,\"clustering\":%s}\n",
                 blocks, txs, bytes, addresses, index_s, txs / index_s, mbs, base_mbs,
                 mbs / base_mbs, (unsigned long long)peak_rss, (unsigned long long)db_bytes,
                 static_cast<double>(db_bytes) / txs, o.cluster ? "true" : "false");
    std::fclose(j);
  }
  return 0;
}

}  // namespace
}  // namespace ariadne::bench

int main(int argc, char** argv) { return ariadne::bench::Main(argc, argv); }
