// `ariadne db digest|check|compact|cluster-files --db DIR`: the store's logical digest, its
// consistency check, a full compaction into its smallest form, and the cluster files written now.
#include <cstdio>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/core/hex.h"
#include "engine/graph/cluster_files.h"
#include "engine/graph/graph_files_check.h"
#include "engine/render/json_writer.h"
#include "engine/store/check.h"
#include "engine/store/digest.h"
#include "engine/store/store.h"
#include "heuristics/cluster_files_refresh.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace ariadne::cli {
namespace {

constexpr char kUsage[] =
    "usage: ariadne db digest|check --db DIR [--json]\n"
    "       ariadne db compact --db DIR   (rewrite the store in its smallest form; not while an\n"
    "                                     indexer writes to it)\n"
    "       ariadne db cluster-files --db DIR   (write the cluster files servers map now, for a\n"
    "                                     store indexed with --no-cluster-files or before them;\n"
    "                                     not while an indexer writes to it)\n";

}  // namespace

int RunDb(const std::vector<std::string>& argv) {
  if (argv.empty() || (argv[0] != "digest" && argv[0] != "check" && argv[0] != "compact" &&
                       argv[0] != "cluster-files")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto args = Args::Parse(std::vector<std::string>(argv.begin() + 1, argv.end()),
                          {{"db", true}, {"json", false}});
  if (!args.ok()) return PrintError(args.status());
  if (!args->Has("db")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (argv[0] == "compact") {
    auto store = store::Store::Open(*args->Get("db"), store::StoreOptions());
    if (!store.ok()) return PrintError(store.status());
    const uint64_t before = store::DiskBytes(*args->Get("db"));
    absl::Time start = absl::Now();
    absl::Status c = (*store)->CompactAll();
    if (!c.ok()) return PrintError(c);
    store->reset();
    std::printf("compacted in %.1f s: %s -> %s bytes\n", absl::ToDoubleSeconds(absl::Now() - start),
                FormatCount(before).c_str(),
                FormatCount(store::DiskBytes(*args->Get("db"))).c_str());
    return 0;
  }
  if (argv[0] == "cluster-files") {
    auto store = store::Store::Open(*args->Get("db"), store::StoreOptions());
    if (!store.ok()) return PrintError(store.status());
    heuristics::ClusterFilesRefreshOptions always;
    always.overlay_share = 0;
    always.min_overlay_txs = 0;
    auto r = heuristics::RefreshClusterFiles(store->get(), always);
    if (!r.ok()) return PrintError(r.status());
    if (!r->written) return PrintError(absl::FailedPreconditionError(r->why));
    std::printf("cluster files written for %s txs in %.1f s\n", FormatCount(r->txs).c_str(),
                r->seconds);
    return 0;
  }
  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  auto store = store::Store::Open(*args->Get("db"), so);
  if (!store.ok()) return PrintError(store.status());
  std::string out;
  render::JsonWriter w(&out);
  if (argv[0] == "digest") {
    auto d = store::ComputeDigest(**store);
    if (!d.ok()) return PrintError(d.status());
    if (args->Has("json")) {
      w.BeginObject().Field("digest", HexEncode(d->total.span())).Key("families").BeginObject();
      for (int i = 0; i < store::kNumCfs; ++i) {
        w.Key(store::CfName(static_cast<store::Cf>(i)))
            .BeginObject()
            .Field("rows", d->families[i].rows)
            .Field("digest", HexEncode(d->families[i].digest.span()))
            .EndObject();
      }
      w.EndObject().EndObject();
      std::printf("%s\n", out.c_str());
    } else {
      for (int i = 0; i < store::kNumCfs; ++i) {
        std::printf("%-12s %12s rows  %s\n",
                    std::string(store::CfName(static_cast<store::Cf>(i))).c_str(),
                    FormatCount(d->families[i].rows).c_str(),
                    HexEncode(d->families[i].digest.span()).c_str());
      }
      std::printf("digest %s\n", HexEncode(d->total.span()).c_str());
    }
    return 0;
  }
  auto r = store::CheckStore(**store);
  if (!r.ok()) return PrintError(r.status());
  // The graph files beside the store (DATA_LOSS naming the file when one is short, corrupt or
  // differs from the rows: serve refuses to start on it too).
  auto files = graph::CheckGraphFiles(**store);
  // The cluster files (the address index and the clustering as of their writing): every record
  // against what the evidence rows and the graph make. Whatever fails, the rows' problems are
  // reported too (a bad row can be what makes a file disagree).
  auto cluster_files = graph::CheckClusterFiles(**store);
  const bool ok = r->ok() && files.ok() && cluster_files.ok();
  if (args->Has("json")) {
    w.BeginObject()
        .Field("ok", ok)
        .Field("blocks", r->blocks)
        .Field("txs", r->txs)
        .Field("inputs", r->inputs)
        .Field("outputs", r->outputs)
        .Field("addresses", r->addresses)
        .Field("history_rows", r->history_rows)
        .Field("utxo_count", r->utxo_count)
        .Field("utxo_value", r->utxo_value)
        .Field("evidence_rows", r->evidence_rows)
        .Field("cluster_pending_rows", r->pending_rows)
        .Field("stale_cluster_rows", r->stale_cluster_rows)
        .Field("label_rows", r->label_rows)
        .Field("graph_files", files.ok() && files->present)
        .Field("cluster_files", cluster_files.ok() && cluster_files->present)
        .Key("problems")
        .BeginArray();
    for (const auto& p : r->problems) w.String(p);
    for (const absl::Status& s : {files.status(), cluster_files.status()}) {
      if (!s.ok()) w.String(s.ToString());
    }
    w.EndArray().EndObject();
    std::printf("%s\n", out.c_str());
  } else {
    for (const auto& p : r->problems) std::printf("problem: %s\n", p.c_str());
    std::printf(
        "%s: %s blocks, %s txs, %s inputs, %s outputs, %s addresses, %s history rows, "
        "UTXO %s outputs / %s BTC; %s evidence, %s pending change and %s label rows\n",
        r->ok() ? "consistent" : "INCONSISTENT", FormatCount(r->blocks).c_str(),
        FormatCount(r->txs).c_str(), FormatCount(r->inputs).c_str(),
        FormatCount(r->outputs).c_str(), FormatCount(r->addresses).c_str(),
        FormatCount(r->history_rows).c_str(), FormatCount(r->utxo_count).c_str(),
        FormatBtc(r->utxo_value).c_str(), FormatCount(r->evidence_rows).c_str(),
        FormatCount(r->pending_rows).c_str(), FormatCount(r->label_rows).c_str());
    if (!files.ok()) {
      PrintError(files.status());
    } else if (files->present) {
      std::printf("graph files: %s txs, %s outputs, %s inputs, %s addresses agree with the rows\n",
                  FormatCount(files->txs).c_str(), FormatCount(files->outputs).c_str(),
                  FormatCount(files->inputs).c_str(), FormatCount(files->addresses).c_str());
    } else {
      std::printf("graph files: none (indexed before them; serve reads the rows)\n");
    }
    if (!cluster_files.ok()) {
      PrintError(cluster_files.status());
    } else if (cluster_files->present) {
      const graph::ClusterFilesMeta& m = cluster_files->meta;
      std::printf(
          "cluster files: %s addresses, %s clusters, %s unions, %s outputs (to tx %s) agree with "
          "the rows\n",
          FormatCount(m.members).c_str(), FormatCount(cluster_files->clusters).c_str(),
          FormatCount(m.of(graph::ClusterArray::kLinks)).c_str(), FormatCount(m.outputs).c_str(),
          FormatCount(m.txs).c_str());
    }
  }
  return ok ? 0 : 1;
}

}  // namespace ariadne::cli
