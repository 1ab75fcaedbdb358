// Keeping the cluster files (engine/graph/cluster_files.h) near the indexer's tip, so that a server
// maps them instead of building the clustering in memory at start-up, and its overlay of the unions
// made since (rebuilt at every refresh) stays small. The indexer calls it after a run, and after a
// round when following a node: the files of the live generation are written again when they are
// missing, stale (of another generation, an older version, or made before a reorg below their tip)
// or when the transactions indexed since they were made reach a fraction of those they cover.
//
// A rewrite goes into a new folder of the generation (its serial one higher) and goes live with
// one commit of meta/cluster_files; the previous folder is removed after it (a running server
// keeps its mapping until its next refresh). A kill at any point leaves the previous files live.
#ifndef ARIADNE_HEURISTICS_CLUSTER_FILES_REFRESH_H_
#define ARIADNE_HEURISTICS_CLUSTER_FILES_REFRESH_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "engine/store/store.h"

namespace ariadne::heuristics {

struct ClusterFilesRefreshOptions {
  // The files are written again when the transactions since them reach this share of the ones
  // they cover (a geometric schedule: all the rewrites of a growing chain together cost a constant
  // multiple of the last one).
  double overlay_share = 0.25;
  // ... and at least this many (a small chain is not rewritten every block).
  uint64_t min_overlay_txs = 10'000;
  // The memory the write may take (the indexer's --memory-mb; 0: no bound). A write whose bound
  // (kBuildBytesPerAddress per address) is above it is not made: `why` says so and names
  // `ariadne db cluster-files`, which is not bound.
  uint64_t memory_budget_bytes = 0;
};
// What the builder holds at most per address (graph::BuildClusterFiles: the union-find, the
// member lists and offsets, at most one link per address, the pending candidates): 17 bytes
// were measured at 55M transactions (docs/performance.md, "Writing the cluster files").
inline constexpr uint64_t kBuildBytesPerAddress = 20;

struct ClusterFilesRefresh {
  bool needed = false;       // the files are missing, stale or behind by the share
  bool over_budget = false;  // needed, but the write would take more than the budget
  bool written = false;
  std::string why;           // why they were (or were not) written
  uint64_t txs = 0;          // transactions the live files cover now
  uint64_t overlay_txs = 0;  // transactions indexed since (after a write: 0)
  double seconds = 0;
};

// Whether the files need writing, without writing (`why` says why or why not). A clustering that
// does not cover the store (being rebuilt) does not.
// Returns: the store's read errors; NOT_FOUND when the store has no clustering.
absl::StatusOr<ClusterFilesRefresh> CheckClusterFilesAge(const store::Store& store,
                                                         const ClusterFilesRefreshOptions& options);

// Writes the live generation's files again when CheckClusterFilesAge says they need it.
// Returns: NOT_FOUND when the store has no clustering; the store's and the files' write errors
// (UNAVAILABLE / RESOURCE_EXHAUSTED naming the file; the previous files stay live).
absl::StatusOr<ClusterFilesRefresh> RefreshClusterFiles(store::Store* store,
                                                        const ClusterFilesRefreshOptions& options);

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_CLUSTER_FILES_REFRESH_H_
