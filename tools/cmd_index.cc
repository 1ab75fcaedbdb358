// `ariadne index btc`: index Bitcoin blk files into a store.
#include <cstdio>

#include "absl/strings/str_format.h"
#include "engine/core/file_limit.h"
#include "engine/store/store.h"
#include "heuristics/clustering_observer.h"
#include "indexer/pipeline/btc_indexer.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/output.h"
#include "tools/progress.h"

namespace ariadne::cli {
namespace {

constexpr char kUsage[] =
    "usage: ariadne index btc --blocks DIR_OR_FILE... --db DIR [--network NET] [--xor-key HEX]\n"
    "                         [--memory-mb N] [--no-cluster]\n"
    "                         [--commit-txs N] [--cache-addresses N] [--cache-prevouts N]\n"
    "--memory-mb (default 4096) sizes every cache, the commit batches and the store's block\n"
    "cache and memtables; the split is printed when indexing starts. --commit-txs,\n"
    "--cache-addresses and --cache-prevouts override its choices (expert settings).\n"
    "Clusters are kept up to date under the stored policy (the default on a new store);\n"
    "--no-cluster leaves them to a later `ariadne recluster`. The graph files beside the store\n"
    "(DIR/graph) are kept up to date for servers to map.\n"
    "       ariadne index evm --source PATH... --db DIR [--chain mainnet|sepolia] ...\n";

int IndexBtc(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {{"blocks", true, true},
                                 {"db", true},
                                 {"network", true},
                                 {"xor-key", true},
                                 {"commit-txs", true},
                                 {"memory-mb", true},
                                 {"cache-addresses", true},
                                 {"cache-prevouts", true},
                                 {"no-cluster", false}});
  if (!args.ok()) return PrintError(args.status());
  std::vector<std::string> blocks = args->GetAll("blocks");
  // Extra positionals after --blocks are more inputs ("--blocks a.dat b.dat").
  for (const std::string& p : args->positionals()) blocks.push_back(p);
  if (blocks.empty() || !args->Has("db")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto network = ParseNetwork(args->GetOr("network", "mainnet"));
  if (!network.ok()) return PrintError(network.status());
  pipeline::BtcIndexOptions options;
  for (const std::string& b : blocks) options.inputs.emplace_back(b);
  if (auto hex = args->Get("xor-key")) {
    auto key = btc::ParseXorKey(*hex);
    if (!key.ok()) return PrintError(key.status());
    options.xor_key = *key;
  }
  auto memory = args->GetInt("memory-mb", 4096, 256, int64_t{1} << 22);
  if (!memory.ok()) return PrintError(memory.status());
  options.memory_budget_bytes = static_cast<uint64_t>(*memory) << 20;
  // Expert overrides of the budget's choices.
  if (args->Has("commit-txs")) {
    auto commit = args->GetInt("commit-txs", 0, 1, 1 << 30);
    if (!commit.ok()) return PrintError(commit.status());
    options.commit_txs = static_cast<uint64_t>(*commit);
  }
  if (args->Has("cache-addresses")) {
    auto cache = args->GetInt("cache-addresses", 0, 1000, int64_t{1} << 34);
    if (!cache.ok()) return PrintError(cache.status());
    options.address_cache_entries = static_cast<size_t>(*cache);
  }
  if (args->Has("cache-prevouts")) {
    auto cache = args->GetInt("cache-prevouts", 0, 1000, int64_t{1} << 34);
    if (!cache.ok()) return PrintError(cache.status());
    options.prevout_cache_txs = static_cast<size_t>(*cache);
  }
  options.on_memory_plan = [](const pipeline::MemoryPlan& plan) {
    std::fprintf(stderr, "%s\n", pipeline::DescribePlan(plan).c_str());
  };

  RaiseOpenFileLimit();
  store::StoreOptions so;
  so.create_if_missing = true;
  so.network = *network;
  const pipeline::StoreShares shares = pipeline::SplitStoreShares(options.memory_budget_bytes);
  so.block_cache_bytes = shares.block_cache_bytes;
  so.memtable_budget_bytes = shares.memtable_bytes;
  so.compaction_zstd_level = store::kIngestZstdLevel;
  auto store = store::Store::Open(*args->Get("db"), so);
  if (!store.ok()) return PrintError(store.status());

  std::unique_ptr<heuristics::ClusteringObserver> clustering;
  if (!args->Has("no-cluster")) {
    auto c = heuristics::ClusteringObserver::Create(store->get());
    if (!c.ok()) return PrintError(c.status());
    clustering = *std::move(c);
    options.observers.push_back(clustering.get());
  }

  ProgressBar bar;
  double logged = 0;
  options.progress = [&bar, &logged](const pipeline::IndexProgress& p) {
    const double s = p.seconds > 0 ? p.seconds : 1e-9;
    if (!bar.enabled() && p.seconds >= logged + 10) {
      // Not a terminal (a log file): one line every 10 seconds.
      logged = p.seconds;
      std::fprintf(stderr, "%.0f s: height %d, %s txs, %.0f tx/s\n", p.seconds, p.height,
                   FormatCount(p.txs).c_str(), p.txs / s);
    }
    bar.Update(p.blocks_done, p.blocks_total, p.seconds,
               absl::StrFormat("height %s | %.0f blk/s | %.0f tx/s | %.1f MB/s",
                               FormatCount(static_cast<uint64_t>(std::max(p.height, 0))),
                               p.blocks_done / s, p.txs / s, p.bytes / s / 1e6));
  };
  pipeline::IndexResult r;
  absl::Status status = pipeline::IndexBitcoin(store->get(), options, &r);
  bar.Finish();
  if (clustering != nullptr && clustering->needs_rebuild()) {
    std::fprintf(stderr, "rebuilding clusters after the reorg...\n");
    absl::Status c = clustering->Finish(store->get());
    if (status.ok()) status = c;
  }
  for (const std::string& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  const double s = r.seconds > 0 ? r.seconds : 1e-9;
  // On an error the counts and the tip are what the store holds (what was committed before it).
  std::printf(
      "%s %s blocks (%s txs, %.1f MB) in %.1f s (%.1f s to prepare): %.0f tx/s, %.1f MB/s; "
      "tip %d %s; %s new addresses; %s rewound, %s stale, %s unconnected\n",
      status.ok() ? "indexed" : "before the error below, committed",
      FormatCount(r.blocks_applied).c_str(), FormatCount(r.txs).c_str(), r.bytes / 1e6, r.seconds,
      r.prepare_seconds, r.txs / s, r.bytes / s / 1e6, r.tip_height,
      r.tip_height >= 0 ? r.tip_hash.ToHex().c_str() : "-", FormatCount(r.new_addresses).c_str(),
      FormatCount(r.blocks_rewound).c_str(), FormatCount(r.stale_blocks).c_str(),
      FormatCount(r.unconnected_blocks).c_str());
  const pipeline::LookupCounters& l = r.lookups;
  std::printf(
      "lookups: %s addresses (%s cached, %s from the store, %s of them found), %s prevouts (%s "
      "cached, %s from the store)\n",
      FormatCount(l.address_lookups).c_str(), FormatCount(l.address_cache_hits).c_str(),
      FormatCount(l.address_store_reads).c_str(), FormatCount(l.address_store_found).c_str(),
      FormatCount(l.prevout_lookups).c_str(), FormatCount(l.prevout_cache_hits).c_str(),
      FormatCount(l.prevout_store_reads).c_str());
  if (clustering != nullptr && status.ok()) {
    const heuristics::ClusterCounters& c = clustering->counters();
    uint64_t coinjoins = 0;
    for (size_t k = 1; k < c.coinjoins.size(); ++k) coinjoins += c.coinjoins[k];
    std::printf(
        "clusters updated (%s): %s common-input and %s change links in this run, %s "
        "CoinJoins skipped\n",
        clustering->policy_spec().c_str(), FormatCount(c.common_input_unions).c_str(),
        FormatCount(c.change_unions).c_str(), FormatCount(coinjoins).c_str());
  }
  if (!status.ok()) return PrintError(status);
  return 0;
}

}  // namespace

int RunIndex(const std::vector<std::string>& argv) {
  if (!argv.empty() && argv[0] == "evm") {
    return RunIndexEvm(std::vector<std::string>(argv.begin() + 1, argv.end()));
  }
  if (argv.empty() || argv[0] != "btc") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  return IndexBtc(std::vector<std::string>(argv.begin() + 1, argv.end()));
}

}  // namespace ariadne::cli
