// `ariadne recluster`: rebuild the stored clustering under a policy.
#include <cstdio>

#include "absl/strings/str_format.h"
#include "engine/graph/cluster_files.h"
#include "engine/store/store.h"
#include "heuristics/clustering.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/output.h"
#include "tools/progress.h"
#include "tools/recluster_report.h"

namespace ariadne::cli {

std::function<void(uint64_t, uint64_t)> ReplayProgress(ProgressBar* bar) {
  auto start = std::chrono::steady_clock::now();
  return [bar, start](uint64_t done, uint64_t total) {
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    bar->Update(done, total, s,
                absl::StrFormat("%s txs | %.0f tx/s", FormatCount(done), done / std::max(s, 1e-9)));
  };
}

void PrintCounters(const heuristics::ReclusterResult& r) {
  std::printf("%s addresses in %s clusters (largest %s); %s common-input and %s change links",
              FormatCount(r.addresses).c_str(), FormatCount(r.clusters).c_str(),
              FormatCount(r.largest_cluster).c_str(),
              FormatCount(r.counters.common_input_unions).c_str(),
              FormatCount(r.counters.change_unions).c_str());
  std::printf(", %s change links refused by the guard; CoinJoins skipped:",
              FormatCount(r.counters.change_links_rejected_by_guard).c_str());
  for (int k = 1; k < heuristics::kNumCoinJoinKinds; ++k) {
    std::printf(
        " %s %s",
        std::string(heuristics::CoinJoinKindName(static_cast<heuristics::CoinJoinKind>(k))).c_str(),
        FormatCount(r.counters.coinjoins[k]).c_str());
  }
  std::printf("; %.1f s\n", r.seconds);
}

int RunRecluster(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {{"db", true}, {"policy", true}});
  if (!args.ok()) return PrintError(args.status());
  if (!args->Has("db")) {
    std::fputs(
        "usage: ariadne recluster --db DIR [--policy SPEC]  (SPEC: docs/clustering.md; "
        "default: \"default\")\n",
        stderr);
    return 2;
  }
  auto policy = heuristics::ParsePolicy(args->GetOr("policy", "default"));
  if (!policy.ok()) return PrintError(policy.status());
  auto store = store::Store::Open(*args->Get("db"), store::StoreOptions());
  if (!store.ok()) return PrintError(store.status());
  ProgressBar bar;
  // The cluster files of the new generation go live with it (docs/schema.md, "The cluster files").
  const graph::SettleParams settle = heuristics::SettleParamsOf(*policy);
  uint8_t gen = 0;
  auto r = heuristics::Recluster(store->get(), *policy, ReplayProgress(&bar),
                                 heuristics::kDefaultEvidenceChunk, store::kClusterUndoBlocks,
                                 [&](const store::ClusterMeta& meta, store::CommitBatch* batch) {
                                   gen = meta.gen;
                                   return graph::PutClusterFiles(**store, meta.gen, settle, batch);
                                 });
  bar.Finish();
  if (!r.ok()) return PrintError(r.status());
  graph::RemoveOtherClusterFiles((*store)->dir(), gen);
  std::printf("reclustered under %s\n", policy->ToSpec().c_str());
  PrintCounters(*r);
  return 0;
}

}  // namespace ariadne::cli
