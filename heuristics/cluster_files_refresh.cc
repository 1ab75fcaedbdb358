#include "heuristics/cluster_files_refresh.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/graph/cluster_files.h"
#include "engine/store/commit_batch.h"
#include "heuristics/clustering.h"
#include "heuristics/policy.h"

namespace ariadne::heuristics {

absl::StatusOr<ClusterFilesRefresh> CheckClusterFilesAge(
    const store::Store& store, const ClusterFilesRefreshOptions& options) {
  ClusterFilesRefresh r;
  auto meta = ReadClusterMeta(store);
  if (absl::IsNotFound(meta.status())) {
    return absl::NotFoundError(
        "the store has no clustering (indexed with --no-cluster): run `ariadne recluster`, which "
        "writes the cluster files with it");
  }
  ASSIGN_OR_RETURN(const store::ClusterMeta cluster, std::move(meta));
  ASSIGN_OR_RETURN(const store::ChainState state, store.ReadState());
  if (cluster.processed_txs != state.tx_count) {
    r.why = "the clustering does not cover the store";
    return r;
  }
  r.overlay_txs = state.tx_count;
  auto opened = graph::OpenClusterFiles(store);
  if (!opened.ok()) {
    // Damaged files are replaced by good ones (db check names what was wrong with them).
    r.needed = true;
    r.why = absl::StrCat("the cluster files are unreadable (", opened.status().message(), ")");
    return r;
  }
  if (opened->files == nullptr || !opened->clusters_live) {
    r.needed = true;
    r.why = opened->why_not;
    return r;
  }
  r.txs = opened->files->meta.txs;
  r.overlay_txs = state.tx_count - r.txs;
  const uint64_t due = std::max(options.min_overlay_txs,
                                static_cast<uint64_t>(std::ceil(options.overlay_share * r.txs)));
  r.needed = r.overlay_txs >= due;
  r.why = absl::StrCat(r.overlay_txs, " transactions indexed since the cluster files (", r.txs,
                       " covered), ", r.needed ? "at least " : "fewer than ", due);
  return r;
}

absl::StatusOr<ClusterFilesRefresh> RefreshClusterFiles(store::Store* store,
                                                        const ClusterFilesRefreshOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(ClusterFilesRefresh r, CheckClusterFilesAge(*store, options));
  if (!r.needed) return r;
  ASSIGN_OR_RETURN(const store::ChainState state, store->ReadState());
  const uint64_t bound = kBuildBytesPerAddress * state.addr_count;
  if (options.memory_budget_bytes > 0 && bound > options.memory_budget_bytes) {
    r.over_budget = true;
    r.why = absl::StrCat(r.why, "; not written: it takes up to ", bound >> 20,
                         " MiB, more than the memory budget of ", options.memory_budget_bytes >> 20,
                         " MiB (`ariadne db cluster-files` writes them without that bound)");
    return r;
  }
  ASSIGN_OR_RETURN(const store::ClusterMeta cluster, ReadClusterMeta(*store));
  ASSIGN_OR_RETURN(const ClusteringPolicy policy, ParsePolicy(cluster.policy));
  // A new folder: never the one a server may have mapped.
  uint32_t serial = 0;
  if (auto v = store->ReadMeta(graph::kMetaClusterFiles); v.ok()) {
    auto meta = graph::DecodeClusterFilesMeta(*v);
    if (!meta.ok() || meta->gen == cluster.gen) serial = (meta.ok() ? meta->serial : 0) + 1;
  }
  const std::filesystem::path staging = store->dir() / "cluster-files-staging";
  ASSIGN_OR_RETURN(std::unique_ptr<store::Committer> committer,
                   store::Committer::Create(store, staging));
  store::CommitBatch batch;
  RETURN_IF_ERROR(
      graph::PutClusterFiles(*store, cluster.gen, SettleParamsOf(policy), &batch, serial));
  RETURN_IF_ERROR(committer->Commit(&batch));
  committer.reset();
  std::error_code ec;
  std::filesystem::remove_all(staging, ec);
  graph::RemoveOtherClusterFiles(store->dir(), cluster.gen, serial);
  r.written = true;
  r.txs += r.overlay_txs;
  r.overlay_txs = 0;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace ariadne::heuristics
