// Building the cluster files from the rows (engine/graph/cluster_files.h): each array is handed to
// the sink as soon as it is complete and freed, and the address index is built in place where the
// sink gives room (the files' mappings when writing), so that the builder's own memory is a few
// arrays per address at a time, not the whole clustering at once.
#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/graph/cluster_files.h"
#include "engine/graph/graph_files.h"
#include "engine/graph/tx_graph.h"
#include "engine/store/height_index.h"
#include "engine/store/scan.h"

namespace ariadne::graph {
namespace {

LinkEvidence EvidenceOf(const store::EvidenceRow& r) {
  LinkEvidence e{};
  e.tx = r.tx.value();
  e.at = r.at.value();
  e.kind = r.kind;
  e.rule = r.rule;
  return e;
}

// Returns: INTERNAL unless T is array `a`'s record.
template <typename T>
absl::Status CheckRecord(ClusterArray a) {
  static_assert(std::is_trivially_copyable_v<T>);
  if (ClusterArraySpec(a).record_size == sizeof(T)) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(std::string(ClusterArraySpec(a).name), ": record size"));
}

// Hands `v` to the sink as array `a` and frees it.
template <typename T>
absl::Status Emit(ClusterArraySink* sink, ClusterArray a, std::vector<T>* v,
                  ClusterFilesMeta* meta) {
  RETURN_IF_ERROR(CheckRecord<T>(a));
  RETURN_IF_ERROR(sink->Append(a, v->data(), v->size()));
  RETURN_IF_ERROR(sink->Done(a));
  meta->of(a) = v->size();
  std::vector<T>().swap(*v);  // (assigning {} would keep the capacity)
  return absl::OkStatus();
}

// Room for the `n` records of array `a`, from the sink.
template <typename T>
absl::StatusOr<std::span<T>> Placed(ClusterArraySink* sink, ClusterArray a, uint64_t n,
                                    ClusterFilesMeta* meta) {
  RETURN_IF_ERROR(CheckRecord<T>(a));
  ASSIGN_OR_RETURN(uint8_t * room, sink->Place(a, n));
  meta->of(a) = n;
  return std::span<T>(reinterpret_cast<T*>(room), n);
}

// The totals of the clusters `spans` make, computed where the sink gives room for array `a`.
absl::Status Totals(const TxGraph& graph, const store::HeightIndex& heights,
                    const ClusterSpans& spans, uint32_t members, uint64_t txs, ClusterArray a,
                    ClusterArraySink* sink, ClusterFilesMeta* meta) {
  ASSIGN_OR_RETURN(std::unique_ptr<ClusterIndex> index,
                   ClusterIndex::Overlaid(spans, nullptr, members, {}, ""));
  ASSIGN_OR_RETURN(const std::span<ClusterTotals> totals,
                   Placed<ClusterTotals>(sink, a, spans.roots.size(), meta));
  ComputeClusterTotals(graph, heights, *index, txs, totals);
  return sink->Done(a);
}

// A sink writing each array into its file in `dir` (synced when done).
class FileSink : public ClusterArraySink {
 public:
  explicit FileSink(std::filesystem::path dir) : dir_(std::move(dir)) {}
  absl::Status Append(ClusterArray a, const void* records, uint64_t n) override {
    ASSIGN_OR_RETURN(files::FlatArrayWriter * w, Writer(a));
    return w->Append(records, n);
  }
  absl::StatusOr<uint8_t*> Place(ClusterArray a, uint64_t n) override {
    ASSIGN_OR_RETURN(files::FlatArrayWriter * w, Writer(a));
    return w->Grow(n);
  }
  absl::Status Done(ClusterArray a) override {
    ASSIGN_OR_RETURN(files::FlatArrayWriter * w, Writer(a));
    RETURN_IF_ERROR(w->Sync());
    RETURN_IF_ERROR(w->Trim(0));
    writers_[static_cast<size_t>(a)].reset();  // unmapped: its pages are the page cache's
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<files::FlatArrayWriter*> Writer(ClusterArray a) {
    auto& w = writers_[static_cast<size_t>(a)];
    if (w == nullptr) {
      ASSIGN_OR_RETURN(
          w, files::FlatArrayWriter::Open(ClusterArrayPath(dir_, a), ClusterArraySpec(a), 0, 0));
    }
    return w.get();
  }
  std::filesystem::path dir_;
  std::array<std::unique_ptr<files::FlatArrayWriter>, kClusterArrays> writers_;
};

}  // namespace

absl::StatusOr<ClusterFilesMeta> BuildClusterFiles(const store::Store& store, uint8_t gen,
                                                   uint64_t txs, uint64_t outputs, uint32_t members,
                                                   const SettleParams& settle,
                                                   const std::vector<PendingEdge>* pending,
                                                   ClusterArraySink* sink) {
  ClusterFilesMeta meta{
      .gen = gen, .settle = settle, .txs = txs, .outputs = outputs, .members = members};
  store::HeightIndex heights;
  RETURN_IF_ERROR(heights.Load(store));
  ASSIGN_OR_RETURN(const std::unique_ptr<TxGraph> graph, TxGraph::Open(store));
  if (graph->tx_count() < txs || graph->output_count() < outputs) {
    return absl::DataLossError("the graph is shorter than the cluster files say");
  }
  // The unions made before `txs`, in the order they were made; their evidence goes out in chunks.
  std::vector<ClusterLink> links;
  {
    std::vector<LinkEvidence> chunk;
    RETURN_IF_ERROR(store::ScanRows(
        store, store::Cf::kEvidence, std::string(1, static_cast<char>(gen)),
        [&](std::string_view k, std::string_view v) -> absl::Status {
          ASSIGN_OR_RETURN(const store::EvidenceRow r, store::DecodeEvidence(k, v));
          if (r.at.value() >= txs) return absl::OkStatus();
          links.push_back({r.a, r.b});
          chunk.push_back(EvidenceOf(r));
          if (chunk.size() < 65536) return absl::OkStatus();
          RETURN_IF_ERROR(sink->Append(ClusterArray::kEvidence, chunk.data(), chunk.size()));
          chunk.clear();
          return absl::OkStatus();
        }));
    RETURN_IF_ERROR(sink->Append(ClusterArray::kEvidence, chunk.data(), chunk.size()));
    RETURN_IF_ERROR(sink->Done(ClusterArray::kEvidence));
    meta.of(ClusterArray::kEvidence) = links.size();
  }
  // C: the partition (each member's cluster built where the sink gives room: a file's mapping
  // when writing), its totals (likewise), its adjacency.
  ASSIGN_OR_RETURN(const std::span<uint32_t> cdense,
                   Placed<uint32_t>(sink, ClusterArray::kDense, members, &meta));
  ASSIGN_OR_RETURN(ClusterArrays c, ClusterIndex::Partition(members, links, {}, cdense));
  RETURN_IF_ERROR(Totals(*graph, heights, {cdense, c.roots, c.offsets, c.members, {}, {}, {}},
                         members, txs, ClusterArray::kTotals, sink, &meta));
  RETURN_IF_ERROR(Emit(sink, ClusterArray::kMembers, &c.members, &meta));
  ClusterIndex::Adjacency(members, links, &c.adj_offsets, &c.adj);
  RETURN_IF_ERROR(Emit(sink, ClusterArray::kAdjOffsets, &c.adj_offsets, &meta));
  RETURN_IF_ERROR(Emit(sink, ClusterArray::kAdj, &c.adj, &meta));
  std::vector<PendingEdge> edges;
  std::vector<ClusterLink> settled;
  if (settle.settles) {
    // F: the candidates pending then, settled over C in key order.
    if (pending != nullptr) {
      edges = *pending;
    } else {
      ASSIGN_OR_RETURN(edges, ReadPendingEdges(store, gen, 0, settle.skip_rules));
      std::erase_if(edges, [&](const PendingEdge& e) { return e.tx().value() >= txs; });
    }
    auto cluster_of = [&](uint32_t m) { return c.roots[cdense[m]]; };
    auto size = [&](uint32_t id) {
      const uint32_t d = cdense[id];
      return c.offsets[d + 1] - c.offsets[d];
    };
    for (const PendingEdge& e : edges) {
      if (e.anchor >= members || e.change >= members) {
        return absl::DataLossError(
            absl::StrCat("pending candidate ", e.key, " names an unknown address"));
      }
    }
    std::vector<LinkEvidence> settled_evidence;
    for (uint32_t i : SettleEdges(edges, cluster_of, size, settle.guard)) {
      const PendingEdge& e = edges[i];
      settled.push_back({e.anchor, e.change});
      LinkEvidence ev{};
      ev.tx = ev.at = e.tx().value();
      ev.kind = settle.kind;
      ev.rule = e.rule;
      settled_evidence.push_back(ev);
    }
    RETURN_IF_ERROR(Emit(sink, ClusterArray::kSvEvidence, &settled_evidence, &meta));
    // Only the candidates that could ever link stay (clusters only grow: a side above the guard,
    // or one cluster, never links).
    std::erase_if(edges, [&](const PendingEdge& e) {
      const uint32_t a = cluster_of(e.anchor), b = cluster_of(e.change);
      return a == b || (settle.guard > 0 && std::max(size(a), size(b)) > settle.guard);
    });
    // Each candidate by the C cluster of either end: the adjacency of the links between them.
    std::vector<ClusterLink> ends;
    ends.reserve(edges.size());
    for (const PendingEdge& e : edges) ends.push_back({cdense[e.anchor], cdense[e.change]});
    std::vector<uint32_t> offsets, adj;
    ClusterIndex::Adjacency(static_cast<uint32_t>(c.roots.size()), ends, &offsets, &adj);
    std::vector<ClusterLink>().swap(ends);
    RETURN_IF_ERROR(Emit(sink, ClusterArray::kPending, &edges, &meta));
    RETURN_IF_ERROR(Emit(sink, ClusterArray::kPendingOffsets, &offsets, &meta));
    RETURN_IF_ERROR(Emit(sink, ClusterArray::kPendingAdj, &adj, &meta));
  }
  RETURN_IF_ERROR(sink->Done(ClusterArray::kDense));
  RETURN_IF_ERROR(Emit(sink, ClusterArray::kRoots, &c.roots, &meta));
  RETURN_IF_ERROR(Emit(sink, ClusterArray::kOffsets, &c.offsets, &meta));
  if (settle.settles) {
    // F's arrays (from C's unions and the settled links), and the settled links' own adjacency.
    ASSIGN_OR_RETURN(const std::span<uint32_t> fdense,
                     Placed<uint32_t>(sink, ClusterArray::kSvDense, members, &meta));
    ASSIGN_OR_RETURN(ClusterArrays f, ClusterIndex::Partition(members, links, settled, fdense));
    RETURN_IF_ERROR(Emit(sink, ClusterArray::kLinks, &links, &meta));
    RETURN_IF_ERROR(Totals(*graph, heights, {fdense, f.roots, f.offsets, f.members, {}, {}, {}},
                           members, txs, ClusterArray::kSvTotals, sink, &meta));
    RETURN_IF_ERROR(sink->Done(ClusterArray::kSvDense));
    RETURN_IF_ERROR(Emit(sink, ClusterArray::kSvRoots, &f.roots, &meta));
    RETURN_IF_ERROR(Emit(sink, ClusterArray::kSvOffsets, &f.offsets, &meta));
    RETURN_IF_ERROR(Emit(sink, ClusterArray::kSvMembers, &f.members, &meta));
    ClusterIndex::Adjacency(members, settled, &f.adj_offsets, &f.adj);
    RETURN_IF_ERROR(Emit(sink, ClusterArray::kSvAdjOffsets, &f.adj_offsets, &meta));
    RETURN_IF_ERROR(Emit(sink, ClusterArray::kSvAdj, &f.adj, &meta));
  } else {
    RETURN_IF_ERROR(Emit(sink, ClusterArray::kLinks, &links, &meta));
  }
  RETURN_IF_ERROR(Emit(sink, ClusterArray::kSvLinks, &settled, &meta));
  if (!settle.settles) {
    // The settled arrays of a policy that does not settle: empty.
    for (ClusterArray a :
         {ClusterArray::kSvEvidence, ClusterArray::kSvTotals, ClusterArray::kSvDense,
          ClusterArray::kSvRoots, ClusterArray::kSvOffsets, ClusterArray::kSvMembers,
          ClusterArray::kSvAdjOffsets, ClusterArray::kSvAdj, ClusterArray::kPending,
          ClusterArray::kPendingOffsets, ClusterArray::kPendingAdj}) {
      RETURN_IF_ERROR(sink->Done(a));
    }
  }
  // The outputs of every address, by a counting sort in place: each address's offset serves as
  // its cursor (moved one place on), then they are shifted back.
  ASSIGN_OR_RETURN(const std::span<uint64_t> off, Placed<uint64_t>(sink, ClusterArray::kAddrOffsets,
                                                                   uint64_t{members} + 1, &meta));
  for (uint64_t o = 0; o < outputs; ++o) {
    const AddrId a = graph->Addr(OutNum(o));
    if (a.valid() && a.value() < members) off[a.value() + 1]++;
  }
  for (uint32_t a = 0; a < members; ++a) off[a + 1] += off[a];
  const uint64_t with_address = off[members];
  ASSIGN_OR_RETURN(const std::span<uint64_t> outs,
                   Placed<uint64_t>(sink, ClusterArray::kAddrOuts, with_address, &meta));
  for (uint64_t o = 0; o < outputs; ++o) {
    const AddrId a = graph->Addr(OutNum(o));
    if (a.valid() && a.value() < members) outs[off[a.value()]++] = o;
  }
  for (uint32_t a = members; a > 0; --a) off[a] = off[a - 1];
  off[0] = 0;
  RETURN_IF_ERROR(sink->Done(ClusterArray::kAddrOuts));
  RETURN_IF_ERROR(sink->Done(ClusterArray::kAddrOffsets));
  return meta;
}

absl::Status PutClusterFiles(const store::Store& store, uint8_t gen, const SettleParams& settle,
                             store::CommitBatch* batch, uint32_t serial) {
  ASSIGN_OR_RETURN(const store::ChainState state, store.ReadState());
  const std::filesystem::path dir = ClusterFilesDir(store.dir(), gen, serial);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);  // a killed earlier attempt's (never live: not mapped)
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(dir.string(), ": ", ec.message()));
  FileSink sink(dir);
  ASSIGN_OR_RETURN(ClusterFilesMeta meta,
                   BuildClusterFiles(store, gen, state.tx_count, state.output_count,
                                     state.addr_count, settle, nullptr, &sink));
  meta.tip_height = state.tip_height;
  meta.tip_hash = state.tip_hash;
  meta.serial = serial;
  batch->Put(store::Cf::kMeta, kMetaClusterFiles, EncodeClusterFilesMeta(meta));
  return absl::OkStatus();
}

}  // namespace ariadne::graph
