// `ariadne index evm`: index EVM block data (JSON-RPC dumps, portal RLP blocks, era1 archives, or a
// node's JSON-RPC with --rpc, once or --follow) into a store of its own, keeping the EVM clusters
// up to date in every commit (docs/evm.md); with no source, rebuild the clusters.
#include <atomic>
#include <csignal>
#include <cstdio>

#include "absl/strings/str_format.h"
#include "engine/core/strings.h"
#include "engine/store/evm_store.h"
#include "engine/store/store.h"
#include "heuristics/evm_clustering.h"
#include "heuristics/evm_clustering_observer.h"
#include "indexer/evm/evm_indexer.h"
#include "indexer/evm/evm_rpc_index.h"
#include "indexer/evm/evm_sources.h"
#include "indexer/rpc/json_rpc_http.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/output.h"
#include "tools/progress.h"

namespace ariadne::cli {
namespace {

constexpr char kUsage[] =
    "usage: ariadne index evm --source PATH... --db DIR [--chain mainnet|sepolia]\n"
    "       ariadne index evm --rpc URL --db DIR [--follow] [--poll-ms N] [--batch-blocks N]\n"
    "                         [--undo-blocks N] [--to-block N] [--no-verify]\n"
    "                         [--traces auto|trace_block|callTracer]\n"
    "                         [--commit-txs N] [--cache-accounts N] [--no-cluster]\n"
    "                         [--exchanges FILE] [--deposit-window BLOCKS]\n"
    "                         [--airdrop-min-recipients N]\n"
    "  PATH: JSON-RPC dumps (.json: blocks with full transactions, receipts, parity or geth\n"
    "        traces), portal-spec-tests block files (.yaml) or era1 archives, or folders of them.\n"
    "  The EVM clusters (deposit-address reuse, airdrop multi-participation, self-authorization)\n"
    "  are kept up to date in every commit; --exchanges names exchange addresses (one per line)\n"
    "  in addition to the store's labels of category exchange. `ariadne index evm --db DIR` with\n"
    "  no source rebuilds them (e.g. after `ariadne tags import`).\n"
    "  --rpc URL: an Ethereum node's JSON-RPC (http://HOST:PORT): blocks with full transactions,\n"
    "  receipts (eth_getBlockReceipts, else per transaction) and call traces (trace_block, else\n"
    "  debug_traceBlockByNumber with the callTracer; --traces fixes one), --batch-blocks blocks "
    "per\n"
    "  round trip (default 20), up to the node's head (or --to-block); --follow keeps polling "
    "every\n"
    "  --poll-ms (default 1000) until SIGINT or SIGTERM, which end it at a commit boundary.\n"
    "  Reorgs are rewound (the last --undo-blocks blocks, default 128, stay rewindable).\n";

// Set by SIGINT/SIGTERM while indexing from a node (a lock-free atomic: safe in a signal handler).
std::atomic<bool> g_evm_stop{false};
extern "C" void OnEvmStopSignal(int) { g_evm_stop.store(true, std::memory_order_relaxed); }

void PrintResult(const evm::EvmIndexResult& r, const std::string& from) {
  for (const std::string& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  const double s = r.seconds > 0 ? r.seconds : 1e-9;
  std::printf(
      "indexed %s blocks (%s already indexed) from %s: %s txs, %s transfers, %s logs, "
      "%s approvals in %.1f s (%.0f tx/s, %.0f logs/s); tip %lld %s; %s new accounts, %s new "
      "assets\n",
      FormatCount(r.blocks_applied).c_str(), FormatCount(r.blocks_skipped).c_str(), from.c_str(),
      FormatCount(r.txs).c_str(), FormatCount(r.transfers).c_str(), FormatCount(r.logs).c_str(),
      FormatCount(r.approvals).c_str(), r.seconds, r.txs / s, r.logs / s,
      static_cast<long long>(r.tip_number),
      r.tip_number >= 0 ? evm::HashHex(r.tip_hash).c_str() : "-",
      FormatCount(r.new_accounts).c_str(), FormatCount(r.new_assets).c_str());
}

}  // namespace

int RunIndexEvm(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {{"source", true, true},
                                 {"db", true},
                                 {"chain", true},
                                 {"commit-txs", true},
                                 {"cache-accounts", true},
                                 {"no-cluster", false},
                                 {"exchanges", true},
                                 {"deposit-window", true},
                                 {"airdrop-min-recipients", true},
                                 {"rpc", true},
                                 {"follow", false},
                                 {"poll-ms", true},
                                 {"batch-blocks", true},
                                 {"undo-blocks", true},
                                 {"to-block", true},
                                 {"no-verify", false},
                                 {"traces", true}});
  if (!args.ok()) return PrintError(args.status());
  std::vector<std::string> sources = args->GetAll("source");
  for (const std::string& p : args->positionals()) sources.push_back(p);
  if (!args->Has("db") || (args->Has("rpc") && !sources.empty()) ||
      (args->Has("follow") && !args->Has("rpc"))) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto chain = ParseEvmChain(args->GetOr("chain", "mainnet"));
  if (!chain.ok()) return PrintError(chain.status());
  evm::EvmIndexOptions options;
  for (const std::string& s : sources) options.sources.emplace_back(s);
  auto commit = args->GetInt("commit-txs", static_cast<int64_t>(options.commit_txs), 1, 1 << 30);
  if (!commit.ok()) return PrintError(commit.status());
  options.commit_txs = static_cast<uint64_t>(*commit);
  auto cache = args->GetInt("cache-accounts", static_cast<int64_t>(options.account_cache_entries),
                            1000, int64_t{1} << 34);
  if (!cache.ok()) return PrintError(cache.status());
  options.account_cache_entries = static_cast<size_t>(*cache);
  heuristics::EvmClusterParams params;
  auto window = args->GetInt("deposit-window", static_cast<int64_t>(params.deposit_window_blocks),
                             0, int64_t{1} << 40);
  if (!window.ok()) return PrintError(window.status());
  params.deposit_window_blocks = static_cast<uint64_t>(*window);
  auto recipients = args->GetInt("airdrop-min-recipients",
                                 static_cast<int64_t>(params.airdrop_min_recipients), 2, 1 << 30);
  if (!recipients.ok()) return PrintError(recipients.status());
  params.airdrop_min_recipients = static_cast<uint32_t>(*recipients);
  if (auto f = args->Get("exchanges")) {
    auto list = heuristics::ReadAddressList(*f);
    if (!list.ok()) return PrintError(list.status());
    params.exchanges = *std::move(list);
  }

  evm::EvmRpcIndexOptions node;
  if (auto url = args->Get("rpc")) {
    node.rpc.http.url = *url;
    node.follow = args->Has("follow");
    node.commit_txs = options.commit_txs;
    node.account_cache_entries = options.account_cache_entries;
    node.verify = !args->Has("no-verify");
    const std::string traces = args->GetOr("traces", "auto");
    if (traces == "trace_block") {
      node.rpc.traces = evm::TraceMethod::kParityTraceBlock;
    } else if (traces == "callTracer") {
      node.rpc.traces = evm::TraceMethod::kGethCallTracer;
    } else if (traces != "auto") {
      return PrintError(absl::InvalidArgumentError(
          absl::StrCat("--traces ", traces, ": expected auto, trace_block or callTracer")));
    }
    auto poll = args->GetInt("poll-ms", node.poll_interval.count(), 10, 3'600'000);
    if (!poll.ok()) return PrintError(poll.status());
    node.poll_interval = std::chrono::milliseconds(*poll);
    auto batch = args->GetInt("batch-blocks", node.blocks_per_request, 1, 1000);
    if (!batch.ok()) return PrintError(batch.status());
    node.blocks_per_request = static_cast<uint32_t>(*batch);
    auto undo = args->GetInt("undo-blocks", node.undo_blocks, 1, 1'000'000);
    if (!undo.ok()) return PrintError(undo.status());
    node.undo_blocks = static_cast<uint32_t>(*undo);
    if (args->Has("to-block")) {
      auto to = args->GetInt("to-block", 0, 0, int64_t{1} << 50);
      if (!to.ok()) return PrintError(to.status());
      node.to_block = static_cast<uint64_t>(*to);
    }
    // A bad URL is named before the store is created.
    auto probe = rpc::JsonRpcHttp::Create(node.rpc.http);
    if (!probe.ok()) return PrintError(probe.status());
  }

  // Bad inputs are named before the store is created or opened.
  if (!options.sources.empty()) {
    auto plan = evm::PlanSources(options.sources);
    if (!plan.ok()) return PrintError(plan.status());
  }
  store::StoreOptions so;
  so.create_if_missing = true;
  so.network = *chain;
  auto store = store::Store::Open(*args->Get("db"), so);
  if (!store.ok()) return PrintError(store.status());

  absl::Status status;
  std::unique_ptr<heuristics::EvmClusteringObserver> clusters;
  const bool indexing = !options.sources.empty() || args->Has("rpc");
  if (indexing && !args->Has("no-cluster")) {
    auto observer = heuristics::EvmClusteringObserver::Create(store->get(), params);
    if (!observer.ok()) return PrintError(observer.status());
    clusters = *std::move(observer);
    options.observers.push_back(clusters.get());
  }
  if (args->Has("rpc")) {
    if (clusters != nullptr) node.observers.push_back(clusters.get());
    // After a rewind the clustering is rebuilt for the rewound store, and a new observer carries
    // it on (the old one's graph holds the rewound blocks).
    node.on_rewind = [&](uint64_t fork) -> absl::StatusOr<std::vector<store::EvmIndexObserver*>> {
      std::fprintf(stderr, "reorg: rewound to block %llu\n", static_cast<unsigned long long>(fork));
      if (clusters == nullptr) return std::vector<store::EvmIndexObserver*>();
      clusters.reset();
      auto rebuilt = heuristics::RebuildEvmClusters(store->get(), params);
      if (!rebuilt.ok()) return rebuilt.status();
      auto observer = heuristics::EvmClusteringObserver::Create(store->get(), params);
      if (!observer.ok()) return observer.status();
      clusters = *std::move(observer);
      return std::vector<store::EvmIndexObserver*>{clusters.get()};
    };
    node.on_retry = [](const absl::Status& s) {
      std::fprintf(stderr, "retrying: %s\n", std::string(SV(s.message())).c_str());
    };
    node.progress = [](const evm::EvmIndexProgress& p) {
      const double s = p.seconds > 0 ? p.seconds : 1e-9;
      std::fprintf(stderr, "\rblock %s | %.0f blk/s | %.0f tx/s",
                   FormatCount(static_cast<uint64_t>(std::max<int64_t>(p.tip, 0))).c_str(),
                   p.blocks / s, p.txs / s);
    };
    std::signal(SIGINT, OnEvmStopSignal);
    std::signal(SIGTERM, OnEvmStopSignal);
    node.stop = &g_evm_stop;
    if (node.follow) {
      std::printf("following %s; SIGINT or SIGTERM to stop\n", node.rpc.http.url.c_str());
      std::fflush(stdout);
    }
    evm::EvmIndexResult r;
    evm::EvmRpcStats stats;
    status = evm::IndexEvmRpc(store->get(), node, &r, &stats);
    std::fputc('\n', stderr);
    PrintResult(r, node.rpc.http.url);
    std::printf(
        "node: %s round trips, %s requests, %.1f MB answered, %.2f s waiting for the node; "
        "%s reorgs, %s blocks rewound\n",
        FormatCount(stats.round_trips).c_str(), FormatCount(stats.requests).c_str(),
        stats.bytes / 1e6, stats.fetch_seconds, FormatCount(r.reorgs).c_str(),
        FormatCount(r.blocks_rewound).c_str());
    if (g_evm_stop.load()) {
      std::printf("stopped at block %lld\n", static_cast<long long>(r.tip_number));
    }
  } else if (!options.sources.empty()) {
    ProgressBar bar;
    options.progress = [&bar](const evm::EvmIndexProgress& p) {
      const double s = p.seconds > 0 ? p.seconds : 1e-9;
      bar.Update(p.units_done, p.units_total, p.seconds,
                 absl::StrFormat("block %s | %.0f blk/s | %.0f tx/s | %.0f logs/s",
                                 FormatCount(static_cast<uint64_t>(std::max<int64_t>(p.tip, 0))),
                                 p.blocks / s, p.txs / s, p.logs / s));
    };
    evm::EvmIndexResult r;
    status = evm::IndexEvm(store->get(), options, &r);
    bar.Finish();
    if (!status.ok() && r.blocks_applied == 0) return PrintError(status);  // nothing written
    for (const std::string& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    const double s = r.seconds > 0 ? r.seconds : 1e-9;
    std::printf(
        "indexed %s blocks (%s already indexed) from %s inputs: %s txs, %s transfers, %s logs, "
        "%s approvals in %.1f s (%.0f tx/s, %.0f logs/s); tip %lld %s; %s new accounts, %s new "
        "assets\n",
        FormatCount(r.blocks_applied).c_str(), FormatCount(r.blocks_skipped).c_str(),
        FormatCount(r.units).c_str(), FormatCount(r.txs).c_str(), FormatCount(r.transfers).c_str(),
        FormatCount(r.logs).c_str(), FormatCount(r.approvals).c_str(), r.seconds, r.txs / s,
        r.logs / s, static_cast<long long>(r.tip_number),
        r.tip_number >= 0 ? evm::HashHex(r.tip_hash).c_str() : "-",
        FormatCount(r.new_accounts).c_str(), FormatCount(r.new_assets).c_str());
  }
  if (clusters != nullptr) {
    // Every commit carried its unions: the clusters cover what is committed, also after an error.
    const auto& u = clusters->unions();
    std::printf(
        "clusters kept up to date (%s): %s deposit-address-reuse, %s airdrop and %s "
        "self-authorization links %s\n",
        clusters->params().c_str(), FormatCount(u[0]).c_str(), FormatCount(u[1]).c_str(),
        FormatCount(u[2]).c_str(), clusters->rebuilt() ? "(rebuilt first)" : "added");
  } else if (options.sources.empty() && !args->Has("no-cluster")) {
    auto c = heuristics::RebuildEvmClusters(store->get(), params);
    if (!c.ok()) {
      if (status.ok()) status = c.status();
    } else {
      std::printf(
          "clusters rebuilt (%s): %s deposit-address-reuse, %s airdrop and %s self-authorization "
          "links; %s deposit addresses, %s airdrops\n",
          c->params.c_str(), FormatCount(c->unions[0]).c_str(), FormatCount(c->unions[1]).c_str(),
          FormatCount(c->unions[2]).c_str(), FormatCount(c->deposit_addresses).c_str(),
          FormatCount(c->airdrops).c_str());
    }
  }
  if (!status.ok()) return PrintError(status);
  return 0;
}

}  // namespace ariadne::cli
