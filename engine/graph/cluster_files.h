// The clustering and the address index in flat files beside the store (docs/schema.md, "The
// cluster files"): what ClusterIndex, the cluster totals and AddressIndex hold as of the last
// `ariadne recluster`, written by it in the commit that makes its clustering live, and mapped by
// servers instead of replaying every evidence row and passing over the whole graph at start-up.
// The unions the indexer makes after them (evidence rows at or past the files' transaction count)
// and the outputs it adds sit in small overlays built when the server opens the store.
//
// Each generation of the clustering has its own folder (clusters/g<gen>), written whole and synced
// before meta/cluster_files names it, so a server keeps its mapping while a new one is written and
// a killed rebuild leaves the previous files live.
#ifndef ARIADNE_ENGINE_GRAPH_CLUSTER_FILES_H_
#define ARIADNE_ENGINE_GRAPH_CLUSTER_FILES_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/types.h"
#include "engine/files/flat_array.h"
#include "engine/graph/cluster_index.h"
#include "engine/graph/cluster_totals.h"
#include "engine/graph/settled_links.h"
#include "engine/store/commit_batch.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::graph {

static_assert(sizeof(ClusterTotals) == 32);
static_assert(sizeof(ClusterLink) == 8);

// The arrays, in the order of ClusterFilesMeta::n.
enum class ClusterArray : uint8_t {
  kAddrOffsets,  // u64 per address + 1: into kAddrOuts
  kAddrOuts,     // u64 OutNum per output with an address, by address then chain order
  kDense,        // u32 per address: its cluster's ordinal
  kRoots,        // u32 per cluster ordinal: the cluster id (its smallest member)
  kOffsets,      // u32 per cluster ordinal + 1: into kMembers
  kMembers,      // u32 AddrId, by cluster then ascending
  kLinks,        // ClusterLink per union, in the order they were made
  kEvidence,     // LinkEvidence per union
  kAdjOffsets,   // u32 per address + 1: into kAdj
  kAdj,          // u32 link per end of a union
  kTotals,       // ClusterTotals per cluster ordinal
  // The settled clustering F (a deferring policy; empty otherwise): C with the links of the
  // pending candidates then (settled_links.h).
  kSvDense,         // u32 per address: its F cluster's ordinal
  kSvRoots,         // u32 per F ordinal: the cluster id
  kSvOffsets,       // u32 per F ordinal + 1: into kSvMembers
  kSvMembers,       // u32 AddrId, by F cluster then ascending
  kSvLinks,         // ClusterLink per settled link, in key order (numbered after kLinks)
  kSvEvidence,      // LinkEvidence per settled link
  kSvAdjOffsets,    // u32 per address + 1: into kSvAdj
  kSvAdj,           // u32 settled link (0-based) per end
  kSvTotals,        // ClusterTotals per F ordinal
  kPending,         // PendingEdge per candidate that could link (two C clusters within the guard)
  kPendingOffsets,  // u32 per C ordinal + 1: into kPendingAdj
  kPendingAdj,      // u32 index into kPending per end
};
inline constexpr size_t kClusterArrays = 23;
files::FlatSpec ClusterArraySpec(ClusterArray a);
// The folder of generation `gen`'s files of serial `serial` (0: the ones `recluster` writes; the
// indexer's rewrites within the generation count up from there).
std::filesystem::path ClusterFilesDir(const std::filesystem::path& store_dir, uint8_t gen,
                                      uint32_t serial = 0);
std::filesystem::path ClusterArrayPath(const std::filesystem::path& dir, ClusterArray a);

// meta/cluster_files: which generation the files are of and the chain they cover.
inline constexpr std::string_view kMetaClusterFiles = "cluster_files";
struct ClusterFilesMeta {
  uint8_t gen = 0;
  SettleParams settle;   // how the policy settles (settle.settles: the kSv* and kPending* arrays)
  uint64_t txs = 0;      // transactions covered
  uint64_t outputs = 0;  // outputs covered (the address lists)
  uint32_t members = 0;  // addresses covered
  int32_t tip_height = -1;  // the block at the tip then (a reorg below it makes the files stale)
  BlockHash tip_hash;
  std::array<uint64_t, kClusterArrays> n{};  // records per array
  uint32_t serial = 0;  // which writing of the generation's files (their folder's name)
  uint64_t& of(ClusterArray a) { return n[static_cast<size_t>(a)]; }
  uint64_t of(ClusterArray a) const { return n[static_cast<size_t>(a)]; }
  friend bool operator==(const ClusterFilesMeta&, const ClusterFilesMeta&) = default;
};
std::string EncodeClusterFilesMeta(const ClusterFilesMeta& m);
absl::StatusOr<ClusterFilesMeta> DecodeClusterFilesMeta(std::string_view v);
std::filesystem::path ClusterFilesDir(const std::filesystem::path& store_dir,
                                      const ClusterFilesMeta& meta);

// Receives the arrays of a clustering as they are built (BuildClusterFiles), each once, in any
// order: appended in pieces, or placed whole to be written in place; then done.
class ClusterArraySink {
 public:
  virtual ~ClusterArraySink() = default;
  // Adds `n` records at the end of array `a`.
  virtual absl::Status Append(ClusterArray a, const void* records, uint64_t n) = 0;
  // Returns: room for the `n` records of array `a`, zeroed, to fill until Done(a).
  virtual absl::StatusOr<uint8_t*> Place(ClusterArray a, uint64_t n) = 0;
  // Array `a` is complete (an array never appended to or placed is empty).
  virtual absl::Status Done(ClusterArray a) = 0;
};
// Builds the files of clustering generation `gen` over the store's first `txs` transactions,
// `outputs` outputs and `members` addresses (evidence rows made at or past `txs` are left out),
// handing each array to `sink` as soon as it is complete and freeing it then.
// Args: pending (settling only): the candidates pending after `txs` transactions, by key; null:
//       the store's pending rows (right while nothing was indexed after `txs`).
// Returns: the meta (gen, settle, txs, outputs, members and n filled); the store's read errors;
//          DATA_LOSS for evidence naming an unknown address; the sink's errors.
absl::StatusOr<ClusterFilesMeta> BuildClusterFiles(const store::Store& store, uint8_t gen,
                                                   uint64_t txs, uint64_t outputs, uint32_t members,
                                                   const SettleParams& settle,
                                                   const std::vector<PendingEdge>* pending,
                                                   ClusterArraySink* sink);

// `ariadne recluster`'s part: builds the snapshot of generation `gen` over the whole store, writes
// its files (synced) into the folder of (gen, serial) and puts meta/cluster_files into *batch, to
// be committed with the meta row that makes the generation live (or alone, when the indexer
// rewrites the live generation's files: cluster_files_refresh.h). Returns: UNAVAILABLE /
// RESOURCE_EXHAUSTED naming a file.
absl::Status PutClusterFiles(const store::Store& store, uint8_t gen, const SettleParams& settle,
                             store::CommitBatch* batch, uint32_t serial = 0);
// Removes the folders other than that of (live, serial) (after the commit; servers keep their
// mappings of removed files).
void RemoveOtherClusterFiles(const std::filesystem::path& store_dir, uint8_t live,
                             uint32_t serial = 0);

// The files mapped read-only at the lengths meta/cluster_files gives.
struct ClusterFiles {
  std::array<std::unique_ptr<files::FlatArrayReader>, kClusterArrays> arrays;
  ClusterFilesMeta meta;
  const files::FlatArrayReader& at(ClusterArray a) const { return *arrays[static_cast<size_t>(a)]; }
  template <typename T>
  std::span<const T> span(ClusterArray a) const {
    return std::span<const T>(at(a).As<T>(), at(a).count());
  }
  ClusterSpans clusters() const;
  // Returns: the settled layer (meta.settle.settles only).
  SettledLayer settled() const;
};
struct OpenedClusterFiles {
  std::shared_ptr<const ClusterFiles> files;  // null: none usable (why_not says why)
  bool clusters_live = false;                 // the clustering part is of the live generation
  std::string why_not;
};
// Maps the store's cluster files. Returns: files null and why_not when there are none, or they
// were made before a reorg below their tip; DATA_LOSS naming a file that is missing, shorter
// than meta/cluster_files says or whose header is wrong (servers refuse to start on it).
absl::StatusOr<OpenedClusterFiles> OpenClusterFiles(const store::Store& store);

// The evidence rows of generation `gen` made at or past transaction `from` (the overlay).
absl::StatusOr<std::vector<store::EvidenceRow>> ReadEvidenceFrom(const store::Store& store,
                                                                 uint8_t gen, uint64_t from);

struct ClusterFilesReport {
  bool present = false;
  ClusterFilesMeta meta;
  uint64_t clusters = 0;
};
// `ariadne db check`: maps the files and compares every record with the snapshot rebuilt from
// the rows (evidence, graph). Returns: DATA_LOSS naming the file and the first record that
// differs, or from opening them.
absl::StatusOr<ClusterFilesReport> CheckClusterFiles(const store::Store& store);

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_CLUSTER_FILES_H_
