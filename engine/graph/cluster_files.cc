#include "engine/graph/cluster_files.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/graph/tx_graph.h"
#include "engine/store/codec.h"

namespace ariadne::graph {
namespace {

// Version 2: the settled clustering (kSv*, kPending*) and how the policy settles. Version 3: the
// serial of the files within their generation (read from version 2 rows as 0).
constexpr uint8_t kMetaVersion = 3;
constexpr size_t kMetaV2Bytes = 1 + 1 + 1 + 8 + 8 + 4 + 4 + 32 + 4 + 1 + 1 + kClusterArrays * 8;
constexpr size_t kMetaBytes = kMetaV2Bytes + 4;

struct ArrayInfo {
  const char* name;  // also the file's name (+ ".bin")
  uint32_t record_size;
};
constexpr ArrayInfo kArrays[kClusterArrays] = {
    {"addr_offsets", 8},
    {"addr_outs", 8},
    {"cl_dense", 4},
    {"cl_roots", 4},
    {"cl_offsets", 4},
    {"cl_members", 4},
    {"cl_links", sizeof(ClusterLink)},
    {"cl_evidence", sizeof(LinkEvidence)},
    {"cl_adj_offsets", 4},
    {"cl_adj", 4},
    {"cl_totals", sizeof(ClusterTotals)},
    {"sv_dense", 4},
    {"sv_roots", 4},
    {"sv_offsets", 4},
    {"sv_members", 4},
    {"sv_links", sizeof(ClusterLink)},
    {"sv_evidence", sizeof(LinkEvidence)},
    {"sv_adj_offsets", 4},
    {"sv_adj", 4},
    {"sv_totals", sizeof(ClusterTotals)},
    {"pending", sizeof(PendingEdge)},
    {"pending_offsets", 4},
    {"pending_adj", 4},
};

}  // namespace

files::FlatSpec ClusterArraySpec(ClusterArray a) {
  const ArrayInfo& i = kArrays[static_cast<size_t>(a)];
  return files::FlatSpec{i.name, i.record_size};
}

std::filesystem::path ClusterFilesDir(const std::filesystem::path& store_dir, uint8_t gen,
                                      uint32_t serial) {
  if (serial == 0) return store_dir / "clusters" / absl::StrCat("g", gen);
  return store_dir / "clusters" / absl::StrCat("g", gen, ".", serial);
}

std::filesystem::path ClusterFilesDir(const std::filesystem::path& store_dir,
                                      const ClusterFilesMeta& meta) {
  return ClusterFilesDir(store_dir, meta.gen, meta.serial);
}

std::filesystem::path ClusterArrayPath(const std::filesystem::path& dir, ClusterArray a) {
  return dir / absl::StrCat(kArrays[static_cast<size_t>(a)].name, ".bin");
}

std::string EncodeClusterFilesMeta(const ClusterFilesMeta& m) {
  std::string v;
  v.push_back(static_cast<char>(kMetaVersion));
  v.push_back(static_cast<char>(m.gen));
  v.push_back(m.settle.settles ? 1 : 0);
  store::PutBE64(&v, m.txs);
  store::PutBE64(&v, m.outputs);
  store::PutBE32(&v, m.members);
  store::PutBE32(&v, static_cast<uint32_t>(m.tip_height));
  v.append(reinterpret_cast<const char*>(m.tip_hash.data()), 32);
  store::PutBE32(&v, m.settle.guard);
  v.push_back(static_cast<char>(m.settle.skip_rules));
  v.push_back(static_cast<char>(m.settle.kind));
  for (uint64_t n : m.n) store::PutBE64(&v, n);
  store::PutBE32(&v, m.serial);
  return v;
}

absl::StatusOr<ClusterFilesMeta> DecodeClusterFilesMeta(std::string_view v) {
  const bool v2 = v.size() == kMetaV2Bytes && static_cast<uint8_t>(v[0]) == 2;
  if (!v2 && (v.size() != kMetaBytes || static_cast<uint8_t>(v[0]) != kMetaVersion)) {
    return absl::DataLossError(absl::StrCat("meta/cluster_files: ", v.size(),
                                            " bytes, not a version 2 or ", kMetaVersion, " row"));
  }
  ClusterFilesMeta m;
  const char* p = v.data() + 1;
  m.gen = static_cast<uint8_t>(*p++);
  m.settle.settles = *p++ != 0;
  m.txs = store::GetBE(p, 8), p += 8;
  m.outputs = store::GetBE(p, 8), p += 8;
  m.members = static_cast<uint32_t>(store::GetBE(p, 4)), p += 4;
  m.tip_height = static_cast<int32_t>(static_cast<uint32_t>(store::GetBE(p, 4))), p += 4;
  m.tip_hash = BlockHash::FromBytes(reinterpret_cast<const uint8_t*>(p)), p += 32;
  m.settle.guard = static_cast<uint32_t>(store::GetBE(p, 4)), p += 4;
  m.settle.skip_rules = static_cast<uint8_t>(*p++);
  m.settle.kind = static_cast<uint8_t>(*p++);
  for (uint64_t& n : m.n) n = store::GetBE(p, 8), p += 8;
  if (!v2) m.serial = static_cast<uint32_t>(store::GetBE(p, 4));
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
    ASSIGN_OR_RETURN(
        store::EvidenceRow row,
        store::DecodeEvidence(std::string_view(it->key().data(), it->key().size()),
                              std::string_view(it->value().data(), it->value().size())));
    rows.push_back(row);
  }
  RETURN_IF_ERROR(store::FromRocks(it->status(), "reading evidence"));
  return rows;
}

void RemoveOtherClusterFiles(const std::filesystem::path& store_dir, uint8_t live,
                             uint32_t serial) {
  std::error_code ec;
  const std::filesystem::path keep = ClusterFilesDir(store_dir, live, serial).filename();
  for (const auto& e : std::filesystem::directory_iterator(store_dir / "clusters", ec)) {
    if (e.path().filename() != keep) std::filesystem::remove_all(e.path(), ec);
  }
}

SettledLayer ClusterFiles::settled() const {
  SettledLayer l;
  l.served = {span<uint32_t>(ClusterArray::kSvDense),
              span<uint32_t>(ClusterArray::kSvRoots),
              span<uint32_t>(ClusterArray::kSvOffsets),
              span<uint32_t>(ClusterArray::kSvMembers),
              {},
              {},
              {}};
  l.links = span<ClusterLink>(ClusterArray::kSvLinks);
  l.evidence = span<LinkEvidence>(ClusterArray::kSvEvidence);
  l.adj_offsets = span<uint32_t>(ClusterArray::kSvAdjOffsets);
  l.adj = span<uint32_t>(ClusterArray::kSvAdj);
  l.pending = span<PendingEdge>(ClusterArray::kPending);
  l.pending_offsets = span<uint32_t>(ClusterArray::kPendingOffsets);
  l.pending_adj = span<uint32_t>(ClusterArray::kPendingAdj);
  return l;
}

ClusterSpans ClusterFiles::clusters() const {
  return {span<uint32_t>(ClusterArray::kDense),    span<uint32_t>(ClusterArray::kRoots),
          span<uint32_t>(ClusterArray::kOffsets),  span<uint32_t>(ClusterArray::kMembers),
          span<ClusterLink>(ClusterArray::kLinks), span<uint32_t>(ClusterArray::kAdjOffsets),
          span<uint32_t>(ClusterArray::kAdj)};
}

absl::StatusOr<OpenedClusterFiles> OpenClusterFiles(const store::Store& store) {
  OpenedClusterFiles r;
  auto v = store.ReadMeta(kMetaClusterFiles);
  if (absl::IsNotFound(v.status())) {
    r.why_not =
        "the store has no cluster files yet: `ariadne index` and `ariadne recluster` write them";
    return r;
  }
  if (!v.ok()) return v.status();
  if (!v->empty() && v->front() == 1) {
    r.why_not =
        "the cluster files are of an older version (without the settled clustering): run "
        "`ariadne recluster`";
    return r;
  }
  ASSIGN_OR_RETURN(const ClusterFilesMeta meta, DecodeClusterFilesMeta(*v));
  ASSIGN_OR_RETURN(const store::ChainState state, store.ReadState());
  bool same_chain = state.tx_count >= meta.txs && state.output_count >= meta.outputs &&
                    state.addr_count >= meta.members && state.tip_height >= meta.tip_height;
  if (same_chain && meta.tip_height >= 0) {
    auto block = store.ReadBlock(static_cast<uint32_t>(meta.tip_height));
    same_chain = block.ok() && block->hash() == meta.tip_hash;
  }
  if (!same_chain) {
    r.why_not =
        "the cluster files were made before a reorg below their tip: run `ariadne "
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
  const bool sv = meta.settle.settles;
  if (meta.of(ClusterArray::kSvDense) != (sv ? want_members : 0) ||
      meta.of(ClusterArray::kSvMembers) != (sv ? want_members : 0) ||
      meta.of(ClusterArray::kSvAdjOffsets) != (sv ? want_members + 1 : 0) ||
      meta.of(ClusterArray::kSvOffsets) != (sv ? meta.of(ClusterArray::kSvRoots) + 1 : 0) ||
      meta.of(ClusterArray::kSvTotals) != meta.of(ClusterArray::kSvRoots) ||
      meta.of(ClusterArray::kSvEvidence) != meta.of(ClusterArray::kSvLinks) ||
      meta.of(ClusterArray::kSvAdj) != 2 * meta.of(ClusterArray::kSvLinks) ||
      meta.of(ClusterArray::kPendingOffsets) != (sv ? meta.of(ClusterArray::kRoots) + 1 : 0) ||
      meta.of(ClusterArray::kPendingAdj) != 2 * meta.of(ClusterArray::kPending)) {
    return absl::DataLossError("meta/cluster_files: the settled arrays' lengths do not agree");
  }
  auto files = std::make_shared<ClusterFiles>();
  files->meta = meta;
  const std::filesystem::path dir = ClusterFilesDir(store.dir(), meta);
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
      files->span<uint32_t>(ClusterArray::kAdjOffsets).back() != meta.of(ClusterArray::kAdj) ||
      (sv && (files->span<uint32_t>(ClusterArray::kSvOffsets).back() !=
                  meta.of(ClusterArray::kSvMembers) ||
              files->span<uint32_t>(ClusterArray::kSvAdjOffsets).back() !=
                  meta.of(ClusterArray::kSvAdj) ||
              files->span<uint32_t>(ClusterArray::kPendingOffsets).back() !=
                  meta.of(ClusterArray::kPendingAdj)))) {
    return absl::DataLossError(absl::StrCat(dir.string(),
                                            ": the offsets files do not end at "
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
  // The candidates pending when the files were made: those of the file; each one whose output is
  // still unspent must be a pending row, and every pending row of then that could link must be
  // one of them (a candidate consumed since is gone from the rows: the file is its only record).
  std::vector<PendingEdge> pending;
  if (f.meta.settle.settles) {
    const auto file = f.span<PendingEdge>(ClusterArray::kPending);
    pending.assign(file.begin(), file.end());
    ASSIGN_OR_RETURN(const std::unique_ptr<TxGraph> graph, TxGraph::Open(store));
    ASSIGN_OR_RETURN(std::vector<PendingEdge> rows,
                     ReadPendingEdges(store, f.meta.gen, 0, f.meta.settle.skip_rules));
    const ClusterSpans c = f.clusters();
    auto could_link = [&](const PendingEdge& e) {
      if (e.anchor >= c.dense.size() || e.change >= c.dense.size()) return true;  // named below
      const uint32_t a = c.dense[e.anchor], b = c.dense[e.change];
      const uint32_t g = f.meta.settle.guard;
      return a != b && (g == 0 || std::max(c.offsets[a + 1] - c.offsets[a],
                                           c.offsets[b + 1] - c.offsets[b]) <= g);
    };
    std::erase_if(
        rows, [&](const PendingEdge& e) { return e.tx().value() >= f.meta.txs || !could_link(e); });
    const std::string path =
        ClusterArrayPath(ClusterFilesDir(store.dir(), f.meta), ClusterArray::kPending).string();
    size_t next = 0;
    for (uint64_t i = 0; i < file.size(); ++i) {
      const PendingEdge& e = file[i];
      const bool spent = e.tx().value() < graph->tx_count() &&
                         e.vout() < graph->OutputCount(e.tx()) &&
                         graph->SpentBy(OutNum(graph->FirstOut(e.tx()) + e.vout())).valid();
      if (spent) continue;
      if (next >= rows.size() || rows[next].key != e.key || rows[next].anchor != e.anchor ||
          rows[next].change != e.change || rows[next].rule != e.rule) {
        return absl::DataLossError(
            absl::StrCat(path, ": record ", i, " is not the pending row it mirrors"));
      }
      ++next;
    }
    if (next != rows.size()) {
      return absl::DataLossError(
          absl::StrCat(path, ": pending row ", rows[next].key, " is missing"));
    }
  }
  // Every array the rows make, compared with its file as it comes.
  class CompareSink : public ClusterArraySink {
   public:
    CompareSink(const ClusterFiles& f, std::filesystem::path dir) : f_(f), dir_(std::move(dir)) {}
    absl::Status Append(ClusterArray a, const void* records, uint64_t n) override {
      const size_t i = static_cast<size_t>(a);
      const uint32_t size = ClusterArraySpec(a).record_size;
      if (made_[i] + n > f_.meta.n[i]) return Count(a, made_[i] + n);
      const uint8_t* file = f_.at(a).records() + made_[i] * size;
      const auto* rows = static_cast<const uint8_t*>(records);
      if (n > 0 && std::memcmp(file, rows, n * size) != 0) {
        uint64_t r = 0;
        while (std::memcmp(file + r * size, rows + r * size, size) == 0) ++r;
        return absl::DataLossError(absl::StrCat(ClusterArrayPath(dir_, a).string(), ": record ",
                                                made_[i] + r, " differs from what the rows make"));
      }
      made_[i] += n;
      return absl::OkStatus();
    }
    absl::StatusOr<uint8_t*> Place(ClusterArray a, uint64_t n) override {
      auto& buffer = placed_[static_cast<size_t>(a)];
      buffer.assign(n * ClusterArraySpec(a).record_size, 0);
      return buffer.data();
    }
    absl::Status Done(ClusterArray a) override {
      const size_t i = static_cast<size_t>(a);
      std::vector<uint8_t> buffer = std::move(placed_[i]);
      RETURN_IF_ERROR(Append(a, buffer.data(), buffer.size() / ClusterArraySpec(a).record_size));
      return made_[i] == f_.meta.n[i] ? absl::OkStatus() : Count(a, made_[i]);
    }

   private:
    absl::Status Count(ClusterArray a, uint64_t made) const {
      return absl::DataLossError(absl::StrCat(
          ClusterArrayPath(dir_, a).string(), ": ", f_.meta.of(a), " records, the rows make ",
          made > f_.meta.of(a) ? "more" : std::to_string(made)));
    }
    const ClusterFiles& f_;
    std::filesystem::path dir_;
    std::array<uint64_t, kClusterArrays> made_{};
    std::array<std::vector<uint8_t>, kClusterArrays> placed_;
  };
  CompareSink sink(f, ClusterFilesDir(store.dir(), f.meta));
  RETURN_IF_ERROR(BuildClusterFiles(store, f.meta.gen, f.meta.txs, f.meta.outputs, f.meta.members,
                                    f.meta.settle, &pending, &sink)
                      .status());
  report.clusters = f.meta.of(ClusterArray::kRoots);
  return report;
}

}  // namespace ariadne::graph
