#include "heuristics/cluster_file.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/hash.h"
#include "engine/core/status_macros.h"
#include "engine/files/checked_file.h"

namespace ariadne::heuristics {
namespace {

constexpr char kUfMagic[8] = {'A', 'R', 'D', 'N', 'U', 'F', '0', '1'};
constexpr std::string_view kMapsMagic = "ARDNCM01";
constexpr uint64_t kHeaderBytes = 4096;
// Header fields: magic, clean flag, size, capacity, binding length, binding.
constexpr size_t kCleanAt = 8, kSizeAt = 12, kCapacityAt = 16, kBindingLenAt = 20, kBindingAt = 24;

std::string Binding(const store::ChainState& state, const store::ClusterMeta& meta) {
  const std::string s = store::EncodeState(state), m = store::EncodeClusterMeta(meta);
  return absl::StrCat(s.size(), ":", s, m);
}

uint32_t Get32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
void Put32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

// The union-find's arrays in the mapped file: parent at kHeaderBytes, ranks after `capacity`
// parents. Growing moves the ranks to their new place.
class MappedStorage : public graph::UnionFind::Storage {
 public:
  explicit MappedStorage(std::shared_ptr<files::MappedFile> file) : file_(std::move(file)) {}
  bool Reserve(uint32_t n, uint32_t size, uint32_t** parent, uint8_t** meta) override {
    uint32_t capacity = Get32(file_->data() + kCapacityAt);
    if (n > capacity) {
      const uint64_t old_meta = kHeaderBytes + 4 * uint64_t{capacity};
      absl::Status s = file_->Resize(kHeaderBytes + 5 * uint64_t{n});
      if (!s.ok()) {
        error_ = s;
        return false;
      }
      std::memmove(file_->data() + kHeaderBytes + 4 * uint64_t{n}, file_->data() + old_meta, size);
      capacity = n;
      Put32(file_->data() + kCapacityAt, capacity);
    }
    *parent = reinterpret_cast<uint32_t*>(file_->data() + kHeaderBytes);
    *meta = file_->data() + kHeaderBytes + 4 * uint64_t{capacity};
    return true;
  }
  // Returns: why the last Reserve failed.
  const absl::Status& error() const { return error_; }

 private:
  std::shared_ptr<files::MappedFile> file_;
  absl::Status error_;
};

// Reads the maps file into *builder. Returns: false when it is missing, stale or corrupt.
bool ReadMaps(const std::filesystem::path& path, const std::string& binding,
              ClusterBuilder* builder) {
  std::deque<ClusterBuilder::BlockMark> m;
  std::vector<graph::UnionFind::Write> uf;
  std::vector<ClusterBuilder::SizeChange> sc;
  absl::Status s = files::ReadCheckedFile(path, kMapsMagic, binding, [&](files::CheckedReader& r) {
    const uint64_t sizes = r.Get<uint64_t>();
    if (!r.Fits(sizes, 8)) return false;
    for (uint64_t i = 0; i < sizes && r.ok(); ++i) {
      const uint32_t root = r.Get<uint32_t>(), size = r.Get<uint32_t>();
      builder->RestoreSize(root, size);
    }
    const uint64_t pending = r.Get<uint64_t>();
    if (!r.Fits(pending, 22)) return false;
    for (uint64_t i = 0; i < pending && r.ok(); ++i) {
      const uint64_t key = r.Get<uint64_t>();
      PendingChange p;
      p.anchor = r.Get<uint32_t>();
      p.change = r.Get<uint32_t>();
      p.rule = r.Get<uint8_t>();
      p.version = r.Get<int32_t>();
      p.locktime_set = r.Get<uint8_t>() != 0;
      builder->RestorePending(key, p);
    }
    const uint64_t marks = r.Get<uint64_t>();
    if (!r.Fits(marks, 20)) return false;
    m.resize(marks);
    for (auto& mark : m) {
      mark.height = r.Get<uint32_t>();
      mark.uf_from = r.Get<uint64_t>();
      mark.size_from = r.Get<uint64_t>();
    }
    const uint64_t writes = r.Get<uint64_t>();
    if (!r.Fits(writes, 9)) return false;
    uf.resize(writes);
    for (auto& w : uf) {
      w.index = r.Get<uint32_t>();
      w.parent = r.Get<uint32_t>();
      w.meta = r.Get<uint8_t>();
    }
    const uint64_t changes = r.Get<uint64_t>();
    if (!r.Fits(changes, 8)) return false;
    sc.resize(changes);
    for (auto& c : sc) {
      c.root = r.Get<uint32_t>();
      c.old_size = r.Get<uint32_t>();
    }
    return r.ok();
  });
  if (!s.ok()) return false;
  builder->RestoreJournal(std::move(uf), std::move(sc), std::move(m));
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ClusterFile>> ClusterFile::Open(
    const std::filesystem::path& dir, const store::ChainState& state,
    const store::ClusterMeta& meta, const ClusteringPolicy& policy,
    std::unique_ptr<ClusterBuilder>* builder, bool* valid) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::unique_ptr<ClusterFile> f(new ClusterFile(dir));
  ASSIGN_OR_RETURN(std::unique_ptr<files::MappedFile> uf,
                   files::MappedFile::Open(dir / "clusters.uf", true));
  f->uf_ = std::move(uf);
  const std::string binding = Binding(state, meta);
  *valid = false;
  const uint8_t* h = f->uf_->data();
  if (f->uf_->size() >= kHeaderBytes && std::memcmp(h, kUfMagic, 8) == 0 &&
      Get32(h + kCleanAt) == 1) {
    const uint32_t size = Get32(h + kSizeAt), capacity = Get32(h + kCapacityAt);
    const uint32_t len = Get32(h + kBindingLenAt);
    *valid = size <= capacity && f->uf_->size() >= kHeaderBytes + 5 * uint64_t{capacity} &&
             len == binding.size() && kBindingAt + len <= kHeaderBytes &&
             std::memcmp(h + kBindingAt, binding.data(), len) == 0;
    if (*valid) {
      *builder = std::make_unique<ClusterBuilder>(
          policy, graph::UnionFind(std::make_unique<MappedStorage>(f->uf_), size));
      *valid = ReadMaps(dir / "clusters.maps", binding, builder->get());
    }
  }
  if (!*valid) {
    // Start empty: the caller replays the stored clustering into it.
    RETURN_IF_ERROR(f->uf_->Resize(0));
    RETURN_IF_ERROR(f->uf_->Resize(kHeaderBytes));
    std::memcpy(f->uf_->data(), kUfMagic, 8);
    *builder = std::make_unique<ClusterBuilder>(
        policy, graph::UnionFind(std::make_unique<MappedStorage>(f->uf_), 0));
  }
  return f;
}

absl::Status ClusterFile::MarkDirty() {
  Put32(uf_->data() + kCleanAt, 0);
  return uf_->Sync(0, kHeaderBytes);
}

uint64_t ClusterFile::mapped_bytes() const { return uf_->size(); }

absl::Status ClusterFile::Save(const ClusterBuilder& builder, const store::ChainState& state,
                               const store::ClusterMeta& meta, bool changed) {
  const std::string binding = Binding(state, meta);
  if (kBindingAt + binding.size() > kHeaderBytes) {
    return absl::InvalidArgumentError("the clustering's policy is too long to bind its file");
  }
  if (!changed) {
    Put32(uf_->data() + kCleanAt, 1);
    return uf_->Sync(0, kHeaderBytes);
  }
  RETURN_IF_ERROR(uf_->Sync(0, uf_->size()));
  RETURN_IF_ERROR(files::WriteCheckedFile(dir_ / "clusters.maps", kMapsMagic, binding,
                                          [&](files::CheckedWriter& w) {
                                            w.Put<uint64_t>(builder.sizes().size());
                                            for (const auto& [root, size] : builder.sizes()) {
                                              w.Put(root);
                                              w.Put(size);
                                            }
                                            w.Put<uint64_t>(builder.pending().size());
                                            for (const auto& [key, p] : builder.pending()) {
                                              w.Put(key);
                                              w.Put(p.anchor);
                                              w.Put(p.change);
                                              w.Put(p.rule);
                                              w.Put(p.version);
                                              w.Put<uint8_t>(p.locktime_set ? 1 : 0);
                                            }
                                            w.Put<uint64_t>(builder.block_marks().size());
                                            for (const auto& m : builder.block_marks()) {
                                              w.Put(m.height);
                                              w.Put(m.uf_from);
                                              w.Put(m.size_from);
                                            }
                                            w.Put<uint64_t>(builder.uf_journal().size());
                                            for (const auto& j : builder.uf_journal()) {
                                              w.Put(j.index);
                                              w.Put(j.parent);
                                              w.Put(j.meta);
                                            }
                                            w.Put<uint64_t>(builder.size_journal().size());
                                            for (const auto& c : builder.size_journal()) {
                                              w.Put(c.root);
                                              w.Put(c.old_size);
                                            }
                                          }));
  uint8_t* h = uf_->data();
  Put32(h + kSizeAt, builder.addresses());
  Put32(h + kBindingLenAt, static_cast<uint32_t>(binding.size()));
  std::memcpy(h + kBindingAt, binding.data(), binding.size());
  Put32(h + kCleanAt, 1);
  return uf_->Sync(0, kHeaderBytes);
}

}  // namespace ariadne::heuristics
