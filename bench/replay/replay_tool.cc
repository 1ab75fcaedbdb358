// Helpers of the replay benchmark (bench/replay/replay.sh), each printing one JSON object:
//
//   replay_tool hash --blocks DIR     SHA-256d over every block record of the blk files, one core:
//                                     the physical floor of computing txids over the same bytes
//   replay_tool compact --db DIR      full compaction of every column family, then the store's
//                                     size (what a server keeps on disk)
//   replay_tool size --db DIR         the store's size as it is, and its chain state's counters
//
// Each phase of the replay runs as its own process so that its peak RSS is its own.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "engine/core/hash.h"
#include "engine/store/store.h"
#include "indexer/btc/blk_reader.h"

namespace ariadne::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "error: %s\n", std::string(s.message()).c_str());
  return 1;
}

// SHA-256d over each block record (reading is not timed; files are hashed one at a time so that
// memory stays one blk file).
int Hash(const std::filesystem::path& dir) {
  auto files = btc::ListBlkFiles(dir);
  if (!files.ok()) return Fail(files.status());
  auto key = btc::ReadXorKey(dir);
  if (!key.ok()) return Fail(key.status());
  uint64_t bytes = 0, blocks = 0;
  double seconds = 0;
  for (const auto& path : *files) {
    auto file = btc::BlkFile::Load(path, *key, std::nullopt);
    if (!file.ok()) return Fail(file.status());
    std::vector<ByteSpan> records;
    btc::BlkRecord rec;
    while (true) {
      auto more = (*file)->Next(&rec);
      if (!more.ok()) return Fail(more.status());
      if (!*more) break;
      records.push_back(rec.block);
    }
    const auto start = Clock::now();
    for (ByteSpan r : records) ::benchmark::DoNotOptimize(Sha256d(r));
    seconds += Seconds(start);
    for (ByteSpan r : records) bytes += r.size();
    blocks += records.size();
  }
  std::printf(
      "{\"blk_files\":%zu,\"blocks\":%llu,\"bytes\":%llu,\"seconds\":%.4f,\"mb_per_s\":%.2f}\n",
      files->size(), static_cast<unsigned long long>(blocks),
      static_cast<unsigned long long>(bytes), seconds, seconds > 0 ? bytes / seconds / 1e6 : 0.0);
  return 0;
}

uint64_t SstBytes(const std::filesystem::path& dir) {
  uint64_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".sst") n += e.file_size();
  }
  return n;
}

// The store's bytes on disk without the files the indexer keeps beside it (index-cache/: its caches
// and the clustering's union-find, derived from the rows and reported apart).
uint64_t StoreBytes(const std::filesystem::path& db) {
  return store::DiskBytes(db) - store::DiskBytes(db / "index-cache");
}

// The store's size and what it holds (the chain state's counters).
int Size(const std::filesystem::path& db) {
  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  store::ChainState state;
  {
    auto s = store::Store::Open(db, so);
    if (!s.ok()) return Fail(s.status());
    auto st = (*s)->ReadState();
    if (!st.ok()) return Fail(st.status());
    state = *st;
  }
  std::printf(
      "{\"db_bytes\":%llu,\"index_cache_bytes\":%llu,\"sst_bytes\":%llu,\"tip_height\":%d,"
      "\"txs\":%llu,\"inputs\":%llu,\"outputs\":%llu,\"addresses\":%u,\"utxos\":%llu}\n",
      static_cast<unsigned long long>(StoreBytes(db)),
      static_cast<unsigned long long>(store::DiskBytes(db / "index-cache")),
      static_cast<unsigned long long>(SstBytes(db)), state.tip_height,
      static_cast<unsigned long long>(state.tx_count),
      static_cast<unsigned long long>(state.input_count),
      static_cast<unsigned long long>(state.output_count), state.addr_count,
      static_cast<unsigned long long>(state.utxo_count));
  return 0;
}

int Compact(const std::filesystem::path& db) {
  const uint64_t before = StoreBytes(db);
  const auto start = Clock::now();
  {
    auto s = store::Store::Open(db, store::StoreOptions());
    if (!s.ok()) return Fail(s.status());
    absl::Status c = (*s)->CompactAll();
    if (!c.ok()) return Fail(c);
  }
  const double seconds = Seconds(start);
  std::printf("{\"seconds\":%.3f,\"db_bytes_before\":%llu,\"db_bytes\":%llu,\"sst_bytes\":%llu}\n",
              seconds, static_cast<unsigned long long>(before),
              static_cast<unsigned long long>(StoreBytes(db)),
              static_cast<unsigned long long>(SstBytes(db)));
  return 0;
}

int Main(int argc, char** argv) {
  const std::string cmd = argc >= 2 ? argv[1] : "";
  const std::string flag = argc >= 3 ? argv[2] : "";
  if (argc == 4 && cmd == "hash" && flag == "--blocks") return Hash(argv[3]);
  if (argc == 4 && cmd == "compact" && flag == "--db") return Compact(argv[3]);
  if (argc == 4 && cmd == "size" && flag == "--db") return Size(argv[3]);
  std::fprintf(stderr, "usage: replay_tool hash --blocks DIR | compact --db DIR | size --db DIR\n");
  return 2;
}

}  // namespace
}  // namespace ariadne::bench

int main(int argc, char** argv) { return ariadne::bench::Main(argc, argv); }
