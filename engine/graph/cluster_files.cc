#include "engine/graph/cluster_files.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/graph/graph_files.h"
#include "engine/graph/tx_graph.h"
#include "engine/store/codec.h"
#include "engine/store/height_index.h"
#include "engine/store/scan.h"

namespace ariadne::graph {
namespace {

constexpr uint8_t kMetaVersion = 1;
constexpr size_t kMetaBytes = 1 + 1 + 1 + 8 + 8 + 4 + 4 + 32 + kClusterArrays * 8;

struct ArrayInfo {
  const char* name;  // also the file's name (+ ".bin")
  uint32_t record_size;
};
constexpr ArrayInfo kArrays[kClusterArrays] = {
    {"addr_offsets", 8},       {"addr_outs", 8},
    {"cl_dense", 4},           {"cl_roots", 4},
    {"cl_offsets", 4},         {"cl_members", 4},
    {"cl_links", sizeof(ClusterLink)}, {"cl_evidence", sizeof(LinkEvidence)},
    {"cl_adj_offsets", 4},     {"cl_adj", 4},
    {"cl_totals", sizeof(ClusterTotals)},
};

// The bytes of each array of a snapshot, in ClusterArray order.
std::array<std::span<const uint8_t>, kClusterArrays> Bytes(const ClusterSnapshot& s) {
  auto b = [](const auto& v) {
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.data()),
                                    v.size() * sizeof(v[0]));
  };
  const ClusterArrays& c = s.clusters;
  return {b(s.addr_offsets), b(s.addr_outs), b(c.dense),   b(c.roots),
          b(c.offsets),      b(c.members),   b(c.links),   b(s.evidence),
          b(c.adj_offsets),  b(c.adj),       b(s.totals)};
}

}  // namespace

files::FlatSpec ClusterArraySpec(ClusterArray a) {
  const ArrayInfo& i = kArrays[static_cast<size_t>(a)];
  return files::FlatSpec{i.name, i.record_size};
}

std::filesystem::path ClusterFilesDir(const std::filesystem::path& store_dir, uint8_t gen) {
  return store_dir / "clusters" / absl::StrCat("g", gen);
}

std::filesystem::path ClusterArrayPath(const std::filesystem::path& dir, ClusterArray a) {
  return dir / absl::StrCat(kArrays[static_cast<size_t>(a)].name, ".bin");
}

std::string EncodeClusterFilesMeta(const ClusterFilesMeta& m) {
  std::string v;
  v.push_back(static_cast<char>(kMetaVersion));
  v.push_back(static_cast<char>(m.gen));
  v.push_back(m.settles ? 1 : 0);
  store::PutBE64(&v, m.txs);
  store::PutBE64(&v, m.outputs);
  store::PutBE32(&v, m.members);
  store::PutBE32(&v, static_cast<uint32_t>(m.tip_height));
  v.append(reinterpret_cast<const char*>(m.tip_hash.data()), 32);
  for (uint64_t n : m.n) store::PutBE64(&v, n);
  return v;
}

absl::StatusOr<ClusterFilesMeta> DecodeClusterFilesMeta(std::string_view v) {
  if (v.size() != kMetaBytes || static_cast<uint8_t>(v[0]) != kMetaVersion) {
    return absl::DataLossError(absl::StrCat("meta/cluster_files: ", v.size(),
                                            " bytes, not a version ", kMetaVersion, " row"));
  }
  ClusterFilesMeta m;
  const char* p = v.data() + 1;
  m.gen = static_cast<uint8_t>(*p++);
  m.settles = *p++ != 0;
  m.txs = store::GetBE(p, 8), p += 8;
  m.outputs = store::GetBE(p, 8), p += 8;
  m.members = static_cast<uint32_t>(store::GetBE(p, 4)), p += 4;
  m.tip_height = static_cast<int32_t>(static_cast<uint32_t>(store::GetBE(p, 4))), p += 4;
  m.tip_hash = BlockHash::FromBytes(reinterpret_cast<const uint8_t*>(p)), p += 32;
  for (uint64_t& n : m.n) n = store::GetBE(p, 8), p += 8;
  return m;
}

absl::StatusOr<std::vector<store::EvidenceRow>> ReadEvidenceFrom(const store::Store& store,
                                                                 uint8_t gen, uint64_t from) {
  std::vector<store::EvidenceRow> rows;
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(ro, store.handle(store::Cf::kEvidence)));
  const std::string start = store::EvidenceKey(gen, TxNum(from), 0);
  for (it->Seek(start); it->Valid() && static_cast<uint8_t>(it->key()[0]) == gen; it->Next()) {
    ASSIGN_OR_RETURN(store::EvidenceRow row,
                     store::DecodeEvidence(std::string_view(it->key().data(), it->key().size()),
                                           std::string_view(it->value().data(), it->value().size())));
    rows.push_back(row);
  }
  RETURN_IF_ERROR(store::FromRocks(it->status(), "reading evidence"));
  return rows;
}

absl::StatusOr<ClusterSnapshot> BuildClusterSnapshot(const store::Store& store, uint8_t gen,
                                                     uint64_t txs, uint64_t outputs,
                                                     uint32_t members) {
  ClusterSnapshot s;
  store::HeightIndex heights;
  RETURN_IF_ERROR(heights.Load(store));
  ASSIGN_OR_RETURN(std::shared_ptr<const GraphFiles> gf, OpenGraphFiles(store));
  std::unique_ptr<TxGraph> graph;
  if (gf != nullptr) {
    graph = TxGraph::Map(std::move(gf));
  } else {
    ASSIGN_OR_RETURN(graph, TxGraph::Load(store));
  }
  if (graph->tx_count() < txs || graph->output_count() < outputs) {
    return absl::DataLossError("the graph is shorter than the cluster files say");
  }
  // The unions made before `txs`, in the order they were made.
  std::vector<store::EvidenceRow> rows;
  RETURN_IF_ERROR(store::ScanRows(store, store::Cf::kEvidence,
                                  std::string(1, static_cast<char>(gen)),
                                  [&](std::string_view k, std::string_view v) -> absl::Status {
                                    ASSIGN_OR_RETURN(store::EvidenceRow r,
                                                     store::DecodeEvidence(k, v));
                                    if (r.at.value() < txs) rows.push_back(r);
                                    return absl::OkStatus();
                                  }));
  std::vector<ClusterLink> links;
  links.reserve(rows.size());
  s.evidence.reserve(rows.size());
  for (const store::EvidenceRow& r : rows) {
    links.push_back({r.a, r.b});
    LinkEvidence e{};
    e.tx = r.tx.value();
    e.at = r.at.value();
    e.kind = r.kind;
    e.rule = r.rule;
    s.evidence.push_back(e);
  }
  rows = {};
  ASSIGN_OR_RETURN(s.clusters, ClusterIndex::BuildArrays(members, links));
  {
    const ClusterArrays& c = s.clusters;
    ASSIGN_OR_RETURN(std::unique_ptr<ClusterIndex> index,
                     ClusterIndex::Overlaid({c.dense, c.roots, c.offsets, c.members, c.links,
                                             c.adj_offsets, c.adj},
                                            nullptr, members, {}, ""));
    s.totals = ComputeClusterTotals(*graph, heights, *index, txs);
  }
  // The outputs of every address, by a counting sort.
  s.addr_offsets.assign(uint64_t{members} + 1, 0);
  for (uint64_t o = 0; o < outputs; ++o) {
    const AddrId a = graph->Addr(OutNum(o));
    if (a.valid() && a.value() < members) s.addr_offsets[a.value() + 1]++;
  }
  for (uint32_t a = 0; a < members; ++a) s.addr_offsets[a + 1] += s.addr_offsets[a];
  s.addr_outs.resize(s.addr_offsets[members]);
  {
    std::vector<uint64_t> fill(s.addr_offsets.begin(), s.addr_offsets.end() - 1);
    for (uint64_t o = 0; o < outputs; ++o) {
      const AddrId a = graph->Addr(OutNum(o));
      if (a.valid() && a.value() < members) s.addr_outs[fill[a.value()]++] = o;
    }
  }
  s.meta.gen = gen;
  s.meta.txs = txs;
  s.meta.outputs = outputs;
  s.meta.members = members;
  const auto bytes = Bytes(s);
  for (size_t i = 0; i < kClusterArrays; ++i) s.meta.n[i] = bytes[i].size() / kArrays[i].record_size;
  return s;
}

absl::Status PutClusterFiles(const store::Store& store, uint8_t gen, bool settles,
                             store::CommitBatch* batch) {
  ASSIGN_OR_RETURN(const store::ChainState state, store.ReadState());
  ASSIGN_OR_RETURN(ClusterSnapshot s, BuildClusterSnapshot(store, gen, state.tx_count,
                                                           state.output_count, state.addr_count));
  s.meta.settles = settles;
  s.meta.tip_height = state.tip_height;
  s.meta.tip_hash = state.tip_hash;
  const std::filesystem::path dir = ClusterFilesDir(store.dir(), gen);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);  // a killed earlier rebuild's (never live: not mapped)
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(dir.string(), ": ", ec.message()));
  const auto bytes = Bytes(s);
  for (size_t i = 0; i < kClusterArrays; ++i) {
    const auto a = static_cast<ClusterArray>(i);
    ASSIGN_OR_RETURN(auto w, files::FlatArrayWriter::Open(ClusterArrayPath(dir, a),
                                                          ClusterArraySpec(a), 0, 0));
    RETURN_IF_ERROR(w->Append(bytes[i].data(), s.meta.n[i]));
    RETURN_IF_ERROR(w->Sync());
    RETURN_IF_ERROR(w->Trim(0));
  }
  batch->Put(store::Cf::kMeta, kMetaClusterFiles, EncodeClusterFilesMeta(s.meta));
  return absl::OkStatus();
}

void RemoveOtherClusterFiles(const std::filesystem::path& store_dir, uint8_t live) {
  std::error_code ec;
  const std::filesystem::path keep = ClusterFilesDir(store_dir, live).filename();
  for (const auto& e : std::filesystem::directory_iterator(store_dir / "clusters", ec)) {
    if (e.path().filename() != keep) std::filesystem::remove_all(e.path(), ec);
  }
}

ClusterSpans ClusterFiles::clusters() const {
  return {span<uint32_t>(ClusterArray::kDense),      span<uint32_t>(ClusterArray::kRoots),
          span<uint32_t>(ClusterArray::kOffsets),    span<uint32_t>(ClusterArray::kMembers),
          span<ClusterLink>(ClusterArray::kLinks),   span<uint32_t>(ClusterArray::kAdjOffsets),
          span<uint32_t>(ClusterArray::kAdj)};
}

absl::StatusOr<OpenedClusterFiles> OpenClusterFiles(const store::Store& store) {
  OpenedClusterFiles r;
  auto v = store.ReadMeta(kMetaClusterFiles);
  if (absl::IsNotFound(v.status())) {
    r.why_not = "the store has no cluster files (made by `ariadne recluster`)";
    return r;
  }
  if (!v.ok()) return v.status();
  ASSIGN_OR_RETURN(const ClusterFilesMeta meta, DecodeClusterFilesMeta(*v));
  ASSIGN_OR_RETURN(const store::ChainState state, store.ReadState());
  bool same_chain = state.tx_count >= meta.txs && state.output_count >= meta.outputs &&
                    state.addr_count >= meta.members && state.tip_height >= meta.tip_height;
  if (same_chain && meta.tip_height >= 0) {
    auto block = store.ReadBlock(static_cast<uint32_t>(meta.tip_height));
    same_chain = block.ok() && block->hash() == meta.tip_hash;
  }
  if (!same_chain) {
    r.why_not = "the cluster files were made before a reorg below their tip: run `ariadne "
                "recluster`";
    return r;
  }
  // Their sizes are what meta/cluster_files says, whatever the state (checked here so that a
  // short or foreign file is named before anything is mapped from it).
  const uint64_t want_members = uint64_t{meta.members};
  if (meta.of(ClusterArray::kDense) != want_members ||
      meta.of(ClusterArray::kAddrOffsets) != want_members + 1 ||
      meta.of(ClusterArray::kAdjOffsets) != want_members + 1 ||
      meta.of(ClusterArray::kMembers) != want_members ||
      meta.of(ClusterArray::kOffsets) != meta.of(ClusterArray::kRoots) + 1 ||
      meta.of(ClusterArray::kTotals) != meta.of(ClusterArray::kRoots) ||
      meta.of(ClusterArray::kEvidence) != meta.of(ClusterArray::kLinks) ||
      meta.of(ClusterArray::kAdj) != 2 * meta.of(ClusterArray::kLinks)) {
    return absl::DataLossError("meta/cluster_files: the array lengths do not agree");
  }
  auto files = std::make_shared<ClusterFiles>();
  files->meta = meta;
  const std::filesystem::path dir = ClusterFilesDir(store.dir(), meta.gen);
  for (size_t i = 0; i < kClusterArrays; ++i) {
    const auto a = static_cast<ClusterArray>(i);
    auto f = files::FlatArrayReader::Open(ClusterArrayPath(dir, a), ClusterArraySpec(a), meta.n[i]);
    if (absl::IsNotFound(f.status())) return absl::DataLossError(f.status().message());
    if (!f.ok()) return f.status();
    files->arrays[i] = *std::move(f);
  }
  // The last offsets must end inside their arrays (the files are trusted up to that: db check
  // compares every record).
  if (files->span<uint64_t>(ClusterArray::kAddrOffsets).back() !=
          meta.of(ClusterArray::kAddrOuts) ||
      files->span<uint32_t>(ClusterArray::kOffsets).back() != meta.of(ClusterArray::kMembers) ||
      files->span<uint32_t>(ClusterArray::kAdjOffsets).back() != meta.of(ClusterArray::kAdj)) {
    return absl::DataLossError(absl::StrCat(dir.string(), ": the offsets files do not end at "
                                            "their arrays' lengths"));
  }
  bool same_gen = false;
  auto c = store.ReadMeta(store::kMetaCluster);
  if (c.ok()) {
    ASSIGN_OR_RETURN(const store::ClusterMeta cm, store::DecodeClusterMeta(*c));
    same_gen = cm.gen == meta.gen;
  }
  r.clusters_live = same_gen;
  if (!r.clusters_live) r.why_not = "the cluster files are of another clustering generation";
  r.files = std::move(files);
  return r;
}

absl::StatusOr<ClusterFilesReport> CheckClusterFiles(const store::Store& store) {
  ClusterFilesReport report;
  ASSIGN_OR_RETURN(const OpenedClusterFiles opened, OpenClusterFiles(store));
  if (opened.files == nullptr) return report;
  const ClusterFiles& f = *opened.files;
  report.present = true;
  report.meta = f.meta;
  ASSIGN_OR_RETURN(const ClusterSnapshot s, BuildClusterSnapshot(store, f.meta.gen, f.meta.txs,
                                                                 f.meta.outputs, f.meta.members));
  const auto bytes = Bytes(s);
  const std::filesystem::path dir = ClusterFilesDir(store.dir(), f.meta.gen);
  for (size_t i = 0; i < kClusterArrays; ++i) {
    const auto a = static_cast<ClusterArray>(i);
    const uint32_t size = kArrays[i].record_size;
    if (s.meta.n[i] != f.meta.n[i]) {
      return absl::DataLossError(absl::StrCat(ClusterArrayPath(dir, a).string(), ": ",
                                              f.meta.n[i], " records, the rows make ",
                                              s.meta.n[i]));
    }
    const uint8_t* file = f.at(a).records();
    if (std::memcmp(file, bytes[i].data(), bytes[i].size()) == 0) continue;
    uint64_t r = 0;
    while (std::memcmp(file + r * size, bytes[i].data() + r * size, size) == 0) ++r;
    return absl::DataLossError(absl::StrCat(ClusterArrayPath(dir, a).string(), ": record ", r,
                                            " differs from what the rows make"));
  }
  report.clusters = f.meta.of(ClusterArray::kRoots);
  return report;
}

}  // namespace ariadne::graph
