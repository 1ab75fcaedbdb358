// `ariadne index evm`: index EVM block data (JSON-RPC dumps, portal RLP blocks, era1 archives) into
// a store of its own, keeping the EVM clusters up to date in every commit (docs/evm.md); with no
// source, rebuild the clusters.
#include <cstdio>

#include "absl/strings/str_format.h"
#include "engine/store/evm_store.h"
#include "engine/store/store.h"
#include "heuristics/evm_clustering.h"
#include "heuristics/evm_clustering_observer.h"
#include "indexer/evm/evm_indexer.h"
#include "indexer/evm/evm_sources.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/output.h"
#include "tools/progress.h"

namespace ariadne::cli {
namespace {

constexpr char kUsage[] =
    "usage: ariadne index evm --source PATH... --db DIR [--chain mainnet|sepolia]\n"
    "                         [--commit-txs N] [--cache-accounts N] [--no-cluster]\n"
    "                         [--exchanges FILE] [--deposit-window BLOCKS]\n"
    "                         [--airdrop-min-recipients N]\n"
    "  PATH: JSON-RPC dumps (.json: blocks with full transactions, receipts, parity or geth\n"
    "        traces), portal-spec-tests block files (.yaml) or era1 archives, or folders of them.\n"
    "  The EVM clusters (deposit-address reuse, airdrop multi-participation, self-authorization)\n"
    "  are kept up to date in every commit; --exchanges names exchange addresses (one per line)\n"
    "  in addition to the store's labels of category exchange. `ariadne index evm --db DIR` with\n"
    "  no source rebuilds them (e.g. after `ariadne tags import`).\n";

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
                                 {"airdrop-min-recipients", true}});
  if (!args.ok()) return PrintError(args.status());
  std::vector<std::string> sources = args->GetAll("source");
  for (const std::string& p : args->positionals()) sources.push_back(p);
  if (!args->Has("db")) {
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
  if (!options.sources.empty() && !args->Has("no-cluster")) {
    auto observer = heuristics::EvmClusteringObserver::Create(store->get(), params);
    if (!observer.ok()) return PrintError(observer.status());
    clusters = *std::move(observer);
    options.observers.push_back(clusters.get());
  }
  if (!options.sources.empty()) {
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
    std::printf("clusters kept up to date (%s): %s deposit-address-reuse, %s airdrop and %s "
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
