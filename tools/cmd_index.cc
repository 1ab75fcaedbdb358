// `ariadne index btc`: index Bitcoin blk files, or a node's blocks over its RPC, into a store;
// with --follow, keep doing so as the node writes new blocks, until SIGINT or SIGTERM.
#include <atomic>
#include <csignal>
#include <cstdio>

#include "absl/strings/str_format.h"
#include "engine/core/file_limit.h"
#include "engine/store/store.h"
#include "heuristics/cluster_files_refresh.h"
#include "heuristics/clustering_observer.h"
#include "indexer/pipeline/btc_indexer.h"
#include "indexer/pipeline/follow.h"
#include "indexer/pipeline/rpc_block_source.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/output.h"
#include "tools/progress.h"

namespace ariadne::cli {
namespace {

constexpr char kUsage[] =
    "usage: ariadne index btc (--blocks DIR_OR_FILE... | --rpc URL [--rpc-cookie FILE |\n"
    "                         --rpc-user USER --rpc-password PASSWORD]) --db DIR\n"
    "                         [--follow [--poll-ms N]] [--network NET] [--xor-key HEX]\n"
    "                         [--memory-mb N] [--no-cluster] [--no-cluster-files]\n"
    "                         [--commit-txs N] [--cache-addresses N] [--cache-prevouts N]\n"
    "--memory-mb (default 4096) sizes every cache, the commit batches and the store's block\n"
    "cache and memtables; the split is printed when indexing starts. --commit-txs,\n"
    "--cache-addresses and --cache-prevouts override its choices (expert settings).\n"
    "Clusters are kept up to date under the stored policy (the default on a new store);\n"
    "--no-cluster leaves them to a later `ariadne recluster`. The graph files beside the store\n"
    "(DIR/graph) are kept up to date for servers to map, and so are the cluster files\n"
    "(DIR/clusters): written again after a run or round when they are missing or stale, or\n"
    "when the transactions since them reach a quarter of those they cover, within --memory-mb\n"
    "(20 bytes per address; beyond it a warning names `ariadne db cluster-files`, unbound).\n"
    "--no-cluster-files: never; servers then build the clustering in memory at start-up.\n"
    "--rpc reads the node's best chain over Bitcoin Core's JSON-RPC (http://HOST:PORT), written\n"
    "as blk files to DIR/rpc-blocks and indexed from there; credentials from the node's cookie\n"
    "file or --rpc-user/--rpc-password.\n"
    "--follow keeps indexing what the node writes (new records, new files, reorgs, pruned\n"
    "files), polling every --poll-ms (default 200), one line per round; SIGINT or SIGTERM end\n"
    "it at a commit boundary (\"stopped at height H\", exit 0).\n"
    "       ariadne index evm (--source PATH... | --rpc URL [--follow]) --db DIR ...\n";

// Set by SIGINT/SIGTERM while following (a lock-free atomic: safe in a signal handler).
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);
extern "C" void OnStopSignal(int) { g_stop.store(true, std::memory_order_relaxed); }

void PrintRunSummary(const absl::Status& status, const pipeline::IndexResult& r) {
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
}

// Returns: the RPC options of the command line (the cookie read now).
absl::StatusOr<btc::RpcOptions> RpcOptionsOf(const Args& args) {
  btc::RpcOptions rpc;
  rpc.url = *args.Get("rpc");
  if (args.Has("rpc-cookie") && (args.Has("rpc-user") || args.Has("rpc-password"))) {
    return absl::InvalidArgumentError(
        "--rpc-cookie and --rpc-user/--rpc-password exclude each other");
  }
  if (args.Has("rpc-user") != args.Has("rpc-password")) {
    return absl::InvalidArgumentError("--rpc-user and --rpc-password go together");
  }
  if (auto cookie = args.Get("rpc-cookie")) {
    auto creds = btc::ReadRpcCookie(*cookie);
    if (!creds.ok()) return creds.status();
    rpc.user = creds->first;
    rpc.password = creds->second;
  } else {
    rpc.user = args.GetOr("rpc-user", "");
    rpc.password = args.GetOr("rpc-password", "");
  }
  return rpc;
}

int IndexBtc(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {{"blocks", true, true},
                                 {"db", true},
                                 {"network", true},
                                 {"xor-key", true},
                                 {"commit-txs", true},
                                 {"memory-mb", true},
                                 {"cache-addresses", true},
                                 {"cache-prevouts", true},
                                 {"no-cluster", false},
                                 {"no-cluster-files", false},
                                 {"follow", false},
                                 {"poll-ms", true},
                                 {"rpc", true},
                                 {"rpc-cookie", true},
                                 {"rpc-user", true},
                                 {"rpc-password", true}});
  if (!args.ok()) return PrintError(args.status());
  std::vector<std::string> blocks = args->GetAll("blocks");
  // Extra positionals after --blocks are more inputs ("--blocks a.dat b.dat").
  for (const std::string& p : args->positionals()) blocks.push_back(p);
  const bool rpc = args->Has("rpc");
  const bool follow = args->Has("follow");
  if ((blocks.empty() && !rpc) || !args->Has("db")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (rpc && !blocks.empty()) {
    return PrintError(absl::InvalidArgumentError("--rpc and --blocks exclude each other"));
  }
  if (rpc && args->Has("xor-key")) {
    return PrintError(absl::InvalidArgumentError("--xor-key applies to --blocks only"));
  }
  auto poll_ms = args->GetInt("poll-ms", 200, 10, 3'600'000);
  if (!poll_ms.ok()) return PrintError(poll_ms.status());
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

  // One index run over `inputs`: a new clustering observer per run (it maps its files beside the
  // store), and the clusters rebuilt after a reorg deeper than their undo window.
  const bool cluster = !args->Has("no-cluster");
  heuristics::ClusterCounters cluster_counters;
  std::string cluster_policy;
  ProgressBar bar;
  // A reorg deeper than the clusters' undo window asks for their rebuild once the run or session
  // that rewound is over.
  auto rebuild_if_asked = [&](heuristics::ClusteringObserver* clustering) -> absl::Status {
    if (clustering == nullptr || !clustering->needs_rebuild()) return absl::OkStatus();
    std::fprintf(stderr, "rebuilding clusters after the reorg...\n");
    return clustering->Finish(store->get());
  };
  // The cluster files servers map, written again when due (cluster_files_refresh.h). They only
  // speed servers up: a failure to write them is a warning, the index stands.
  const bool cluster_files = cluster && !args->Has("no-cluster-files");
  bool said_over_budget = false;
  auto refresh_cluster_files = [&] {
    if (!cluster_files) return;
    heuristics::ClusterFilesRefreshOptions ro;
    ro.memory_budget_bytes = options.memory_budget_bytes;
    auto r = heuristics::RefreshClusterFiles(store->get(), ro);
    if (!r.ok()) {
      if (!absl::IsNotFound(r.status())) {
        std::fprintf(stderr, "warning: the cluster files were not written: %s\n",
                     std::string(r.status().message()).c_str());
      }
      return;
    }
    if (r->over_budget && !said_over_budget) {
      said_over_budget = true;  // once per run or follow session
      std::fprintf(stderr, "warning: cluster files: %s\n", r->why.c_str());
    }
    if (!r->written) return;
    std::printf("cluster files written for %s txs in %.1f s (%s)\n", FormatCount(r->txs).c_str(),
                r->seconds, r->why.c_str());
    std::fflush(stdout);
  };
  auto index_run = [&](const std::vector<std::filesystem::path>& inputs,
                       pipeline::IndexResult* r) -> absl::Status {
    pipeline::BtcIndexOptions run = options;
    run.inputs = inputs;
    std::unique_ptr<heuristics::ClusteringObserver> clustering;
    if (cluster) {
      auto c = heuristics::ClusteringObserver::Create(store->get());
      if (!c.ok()) return c.status();
      clustering = *std::move(c);
      run.observers.push_back(clustering.get());
    }
    absl::Status status = pipeline::IndexBitcoin(store->get(), run, r);
    bar.Finish();
    absl::Status rebuilt = rebuild_if_asked(clustering.get());
    if (status.ok()) status = rebuilt;
    if (clustering != nullptr) {
      cluster_counters = clustering->counters();
      cluster_policy = clustering->policy_spec();
    }
    return status;
  };

  if (!follow && !rpc) {
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
    absl::Status status = index_run(options.inputs, &r);
    for (const std::string& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    PrintRunSummary(status, r);
    if (cluster && status.ok()) {
      const heuristics::ClusterCounters& c = cluster_counters;
      uint64_t coinjoins = 0;
      for (size_t k = 1; k < c.coinjoins.size(); ++k) coinjoins += c.coinjoins[k];
      std::printf(
          "clusters updated (%s): %s common-input and %s change links in this run, %s "
          "CoinJoins skipped\n",
          cluster_policy.c_str(), FormatCount(c.common_input_unions).c_str(),
          FormatCount(c.change_unions).c_str(), FormatCount(coinjoins).c_str());
      refresh_cluster_files();
    }
    if (!status.ok()) return PrintError(status);
    return 0;
  }

  // A source of blocks polled round after round: the folders as the node writes them, or the
  // node's RPC (its blocks written to DIR/rpc-blocks first).
  std::unique_ptr<pipeline::BlockSource> source;
  pipeline::RpcBlockSource* rpc_source = nullptr;
  if (rpc) {
    auto rpc_options = RpcOptionsOf(*args);
    if (!rpc_options.ok()) return PrintError(rpc_options.status());
    pipeline::RpcSourceOptions ro;
    ro.rpc = *std::move(rpc_options);
    ro.folder = std::filesystem::path(*args->Get("db")) / "rpc-blocks";
    auto created = pipeline::RpcBlockSource::Create(store->get(), std::move(ro));
    if (!created.ok()) return PrintError(created.status());
    rpc_source = created->get();
    source = *std::move(created);
  } else {
    source = std::make_unique<pipeline::FolderSource>(options.inputs);
  }
  if (follow) {
    // Both end the loop at the next commit boundary; a second one still waits for it.
    std::signal(SIGINT, OnStopSignal);
    std::signal(SIGTERM, OnStopSignal);
    options.stop = &g_stop;
    std::printf("following %s; SIGINT or SIGTERM to stop\n", source->Describe().c_str());
    std::fflush(stdout);
  }
  // Rounds run in one open session (the caches, filter, clustering and graph files loaded once),
  // so that a round costs its blocks and a commit, and a reorg its depth. A round that finds no
  // valid chain closes it and is done by a whole run (index_run), after which the next round opens
  // a new session.
  std::unique_ptr<heuristics::ClusteringObserver> session_clustering;
  std::unique_ptr<pipeline::BtcIndexSession> session;
  // Returns: the clusters' rebuild, when a reorg deeper than their undo window asked for one.
  auto close_session = [&]() -> absl::Status {
    if (session == nullptr) return absl::OkStatus();
    for (const std::string& w : session->Close()) std::fprintf(stderr, "warning: %s\n", w.c_str());
    session.reset();
    absl::Status rebuilt = rebuild_if_asked(session_clustering.get());
    session_clustering.reset();
    return rebuilt;
  };
  bool plan_printed = false;
  auto session_round = [&](const std::vector<std::filesystem::path>& inputs,
                           pipeline::IndexResult* r) -> absl::Status {
    if (session == nullptr) {
      pipeline::BtcIndexOptions so = options;
      so.on_memory_plan = [&plan_printed](const pipeline::MemoryPlan& plan) {
        if (plan_printed) return;  // once: later rounds only reserve what their blocks add
        plan_printed = true;
        std::fprintf(stderr, "%s\n", pipeline::DescribePlan(plan).c_str());
      };
      if (cluster) {
        auto c = heuristics::ClusteringObserver::Create(store->get());
        if (!c.ok()) return c.status();
        session_clustering = *std::move(c);
        so.observers.push_back(session_clustering.get());
      }
      session = std::make_unique<pipeline::BtcIndexSession>(store->get(), so);
    }
    bool full = false;
    absl::Status status = session->Round(inputs, r, &full);
    if (status.ok() && !full) {
      // A reorg deeper than the clusters' undo window: they are rebuilt now, as after a run.
      if (session_clustering != nullptr && session_clustering->needs_rebuild()) {
        return close_session();
      }
      return status;
    }
    // An error may leave the session's memory ahead of the store.
    absl::Status closed = close_session();
    if (!full) return status.ok() ? closed : status;
    const std::vector<std::string> warnings = r->warnings;
    plan_printed = false;
    status = index_run(inputs, r);
    r->warnings.insert(r->warnings.begin(), warnings.begin(), warnings.end());
    return status;
  };
  pipeline::FollowOptions fo;
  fo.poll_interval = std::chrono::milliseconds(*poll_ms);
  fo.until_caught_up = !follow;
  fo.stop = &g_stop;
  fo.index = session_round;
  std::string last_error;
  // Said once, when the loop first waits with nothing new after a good round: the store, caches
  // and clustering are loaded by then, so a new block costs its own work from here on.
  std::optional<int32_t> caught_up_tip;
  bool said_caught_up = false;
  fo.on_wait = [&] {
    if (!follow || said_caught_up || !caught_up_tip.has_value() || !last_error.empty()) return;
    said_caught_up = true;
    std::printf("caught up at height %d; waiting for new blocks\n", *caught_up_tip);
    std::fflush(stdout);
  };
  fo.on_round = [&](const pipeline::FollowRound& round) {
    const pipeline::IndexResult& r = round.result;
    for (const std::string& w : r.warnings) {
      // A record the node is still writing is read again at the next round.
      if (follow && w.ends_with("not indexed yet")) continue;
      std::fprintf(stderr, "warning: %s\n", w.c_str());
    }
    if (!round.status.ok()) {
      const std::string message(round.status.message());
      if (round.will_retry && message != last_error) {
        std::fprintf(stderr, "warning: %s; trying again\n", message.c_str());
      }
      last_error = message;
    } else {
      last_error.clear();
    }
    if (r.blocks_applied == 0 && r.blocks_rewound == 0 && !round.status.ok()) return;
    if (!follow) {
      PrintRunSummary(round.status, r);
      return;
    }
    if (round.status.ok()) caught_up_tip = r.tip_height;
    if (r.blocks_applied == 0 && r.blocks_rewound == 0) return;
    std::printf("height %d %s committed: %s blocks applied (%s txs), %s rewound, in %.3f s\n",
                r.tip_height, r.tip_height >= 0 ? r.tip_hash.ToHex().c_str() : "-",
                FormatCount(r.blocks_applied).c_str(), FormatCount(r.txs).c_str(),
                FormatCount(r.blocks_rewound).c_str(), r.seconds);
    std::fflush(stdout);
    // After the commit (servers answer for the block already); delays the next round only.
    if (round.status.ok()) refresh_cluster_files();
  };
  pipeline::FollowResult fr;
  absl::Status status = pipeline::Follow(source.get(), fo, &fr);
  absl::Status closed = close_session();  // saves what the next run loads
  if (status.ok()) status = closed;
  if (status.ok() && !follow) refresh_cluster_files();
  if (rpc_source != nullptr) {
    const pipeline::RpcSourceCounters& c = rpc_source->counters();
    std::fprintf(stderr, "node: height %d; fetched %s blocks (%.1f MB) over RPC\n", c.node_height,
                 FormatCount(c.blocks_fetched).c_str(), c.bytes_fetched / 1e6);
  }
  if (!status.ok()) return PrintError(status);
  absl::StatusOr<store::ChainState> state = (*store)->ReadState();
  if (!state.ok()) return PrintError(state.status());
  if (follow) {
    std::printf("stopped at height %d\n", state->tip_height);
  } else {
    std::printf("caught up with the node at height %d\n", state->tip_height);
  }
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
