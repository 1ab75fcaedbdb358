#include "engine/store/commit_batch.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"
#include "rocksdb/sst_file_writer.h"

namespace ariadne::store {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

}  // namespace

void CommitBatch::Add(Cf cf, Op op, std::string_view key, std::string_view value) {
  Family& f = families_[static_cast<int>(cf)];
  uint64_t prefix = 0;
  for (size_t i = 0; i < 8; ++i) {
    prefix = (prefix << 8) | (i < key.size() ? static_cast<uint8_t>(key[i]) : 0);
  }
  f.entries.push_back({prefix, f.arena.size(), static_cast<uint32_t>(key.size()),
                       static_cast<uint32_t>(value.size()), op});
  f.arena.append(key);
  f.arena.append(value);
}

CommitBatch::Mark CommitBatch::GetMark() const {
  Mark m;
  for (int i = 0; i < kNumCfs; ++i)
    m.sizes[i] = {families_[i].arena.size(), families_[i].entries.size()};
  return m;
}

void CommitBatch::Rollback(const Mark& mark) {
  for (int i = 0; i < kNumCfs; ++i) {
    families_[i].arena.resize(mark.sizes[i].first);
    families_[i].entries.resize(mark.sizes[i].second);
  }
}

size_t CommitBatch::rows() const {
  size_t n = 0;
  for (const Family& f : families_) n += f.entries.size();
  return n;
}

size_t CommitBatch::bytes() const {
  size_t n = 0;
  for (const Family& f : families_) n += f.arena.size();
  return n;
}

void CommitBatch::Clear() {
  for (Family& f : families_) {
    f.arena.clear();  // keeps the capacity for the next batch
    f.entries.clear();
  }
}

absl::StatusOr<std::unique_ptr<Committer>> Committer::Create(Store* store,
                                                             std::filesystem::path staging) {
  std::error_code ec;
  std::filesystem::remove_all(staging, ec);  // leftovers of a killed run are never ingested
  std::filesystem::create_directories(staging, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot create staging directory ", staging.string(), ": ", ec.message()));
  }
  return std::unique_ptr<Committer>(new Committer(store, std::move(staging)));
}

absl::Status Committer::Commit(CommitBatch* batch) {
  // A full disk is refused before anything is written: RocksDB 7.8 (Debian's, built with its
  // assertions) can abort the process on a write after a failed sync, and a refused commit leaves
  // the store at its last commit. The rows' own size (their staged SSTs are smaller: compressed)
  // plus a margin for the WAL, the manifest and a flush.
  struct statvfs fs;
  if (::statvfs(staging_.c_str(), &fs) == 0) {
    const uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    const uint64_t need = static_cast<uint64_t>(batch->bytes()) + (256u << 10);
    if (free_bytes < need) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "No space left on device: ", free_bytes, " bytes free at ", staging_.string(),
          ", a commit of ", batch->bytes(), " bytes of rows needs about ", need));
    }
  }
  std::vector<rocksdb::IngestExternalFileArg> args;
  std::vector<std::string> files;
  for (int i = 0; i < kNumCfs; ++i) {
    CommitBatch::Family& f = batch->families_[i];
    if (f.entries.empty()) continue;
    const char* arena = f.arena.data();
    auto key_of = [arena](const CommitBatch::Entry& e) {
      return std::string_view(arena + e.offset, e.key_size);
    };
    auto less = [&](const CommitBatch::Entry& a, const CommitBatch::Entry& b) {
      if (a.prefix != b.prefix) return a.prefix < b.prefix;
      return key_of(a) < key_of(b);
    };
    // Rows of id-ordered families (tx, addr, headers) arrive sorted: skip the sort then.
    if (!std::is_sorted(f.entries.begin(), f.entries.end(), less)) {
      std::sort(f.entries.begin(), f.entries.end(), less);
    }
    Cf cf = static_cast<Cf>(i);
    rocksdb::ColumnFamilyHandle* h = store_->handle(cf);
    rocksdb::Options opts(store_->db()->GetDBOptions(), store_->db()->GetOptions(h));
    // Fast compression for the indexer's files; compactions re-compress at the resting level.
    opts.bottommost_compression_opts.level = kIngestZstdLevel;
    rocksdb::SstFileWriter writer(rocksdb::EnvOptions(), opts, h);
    std::string path = (staging_ / absl::StrCat(sequence_, "-", AV(CfName(cf)), ".sst")).string();
    rocksdb::Status s = writer.Open(path);
    for (size_t j = 0; s.ok() && j < f.entries.size(); ++j) {
      const CommitBatch::Entry& e = f.entries[j];
      if (j > 0 && e.op != CommitBatch::Op::kDeleteRange &&
          f.entries[j - 1].op != CommitBatch::Op::kDeleteRange &&
          f.entries[j - 1].prefix == e.prefix && key_of(f.entries[j - 1]) == key_of(e)) {
        return absl::FailedPreconditionError(
            absl::StrCat("duplicate key in one commit of column family ", AV(CfName(cf))));
      }
      rocksdb::Slice k(arena + e.offset, e.key_size);
      rocksdb::Slice v(arena + e.offset + e.key_size, e.value_size);
      switch (e.op) {
        case CommitBatch::Op::kPut:
          s = writer.Put(k, v);
          break;
        case CommitBatch::Op::kMerge:
          s = writer.Merge(k, v);
          break;
        case CommitBatch::Op::kDelete:
          s = writer.Delete(k);
          break;
        case CommitBatch::Op::kDeleteRange:
          s = writer.DeleteRange(k, v);
          break;
      }
    }
    if (s.ok()) s = writer.Finish();
    if (!s.ok()) return FromRocks(s, absl::StrCat("writing ", path));
    rocksdb::IngestExternalFileArg arg;
    arg.column_family = h;
    arg.external_files.push_back(path);
    arg.options.move_files = true;
    arg.options.snapshot_consistency = true;
    arg.options.allow_global_seqno = true;
    arg.options.allow_blocking_flush = true;
    arg.options.verify_checksums_before_ingest = false;
    args.push_back(std::move(arg));
    files.push_back(path);
  }
  ++sequence_;
  if (args.empty()) return absl::OkStatus();
  rocksdb::Status s = store_->db()->IngestExternalFiles(args);
  if (!s.ok()) {
    std::error_code ec;
    for (const auto& f : files) std::filesystem::remove(f, ec);
    return FromRocks(s, "ingesting a commit");
  }
  batch->Clear();
  return absl::OkStatus();
}

}  // namespace ariadne::store
