// The indexer's clustering kept beside the store (docs/schema.md, "Files beside the store"), so
// that a run neither replays every union from the evidence rows when it starts nor holds the
// union-find in its own memory:
//
//   index-cache/clusters.uf     the union-find, memory-mapped: a 4 KiB header, the parent array
//                               (4 bytes per address), the rank array (1 byte per address)
//   index-cache/clusters.maps   the sizes of the clusters of two or more addresses, the pending
//                               change candidates and the rewind journal, written when a run ends
//
// Both name the chain state and clustering they hold (the header binds them to meta/state and
// meta/cluster) and are used only by a store in exactly that state. A run marks the union-find
// dirty before it changes it and clean once everything is written at its end; after a kill the
// next run finds it dirty and rebuilds it from the evidence rows (which are the truth), so kill -9
// safety is that of the rows.
#ifndef ARIADNE_HEURISTICS_CLUSTER_FILE_H_
#define ARIADNE_HEURISTICS_CLUSTER_FILE_H_

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "engine/files/mapped_file.h"
#include "engine/store/schema.h"
#include "heuristics/cluster_builder.h"

namespace ariadne::heuristics {

class ClusterFile {
 public:
  // Opens (or creates) the files in `dir` for a store at `state` whose clustering is `meta`.
  // Out: *builder: a builder under `policy` whose union-find lives in the mapped file; *valid: true
  // when the files held exactly this clustering (the builder is complete), false when they were
  // absent, stale, dirty or corrupt (the builder is empty: the caller replays the stored rows).
  // Returns: UNAVAILABLE / RESOURCE_EXHAUSTED naming the file when it cannot be opened or mapped.
  static absl::StatusOr<std::unique_ptr<ClusterFile>> Open(const std::filesystem::path& dir,
                                                           const store::ChainState& state,
                                                           const store::ClusterMeta& meta,
                                                           const ClusteringPolicy& policy,
                                                           std::unique_ptr<ClusterBuilder>* builder,
                                                           bool* valid);

  // Marks the union-find dirty, on disk, before the builder changes it.
  absl::Status MarkDirty();
  // Writes everything and binds the files to `state` and `meta`; `builder` must hold exactly the
  // clustering the store holds in that state.
  // Args: changed: false when nothing changed since Open found the files valid (only the header
  // is written then).
  absl::Status Save(const ClusterBuilder& builder, const store::ChainState& state,
                    const store::ClusterMeta& meta, bool changed = true);

  // Returns: bytes of the mapped union-find file.
  uint64_t mapped_bytes() const;

 private:
  explicit ClusterFile(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
  std::shared_ptr<files::MappedFile> uf_;
};

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_CLUSTER_FILE_H_
