#include "engine/store/store_folder.h"

#include <algorithm>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"
#include "rocksdb/db.h"

namespace ariadne::store {
namespace {

// RocksDB writes its info log into the database folder unless given a logger: this one drops it.
class NullLogger : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char*, va_list) override {}
};

bool IsAriadneFamily(const std::string& name) {
  for (int i = 0; i < kNumCfs; ++i) {
    if (CfName(static_cast<Cf>(i)) == name) return true;
  }
  return false;
}

// Returns: true for the names of the files RocksDB creates in a new database's folder before it
// writes CURRENT (a write-ahead log without CURRENT is RocksDB's own error: not taken up).
bool IsRocksDbFile(const std::string& name) {
  static const std::regex kNames(
      "LOCK|IDENTITY|LOG|LOG\\.old\\.[0-9]+|MANIFEST-[0-9]+|OPTIONS-[0-9]+(\\.dbtmp)?|"
      "[0-9]+\\.dbtmp");
  return std::regex_match(name, kNames);
}

absl::Status Foreign(const std::filesystem::path& dir, std::string_view why) {
  return absl::FailedPreconditionError(
      absl::StrCat(dir.string(), " holds a RocksDB database that is not an Ariadne store (",
                   std::string(why), "); nothing was written to it"));
}

}  // namespace

absl::Status CheckNewStoreFolder(const std::filesystem::path& dir) {
  std::error_code ec;
  const auto status = std::filesystem::status(dir, ec);
  if (!std::filesystem::exists(status)) return absl::OkStatus();
  if (!std::filesystem::is_directory(status)) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir.string(),
                     " is not a folder: a store is created only in an empty or "
                     "absent folder"));
  }
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    return absl::PermissionDeniedError(absl::StrCat(dir.string(), ": ", ec.message()));
  }
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    // What a creation killed before RocksDB wrote CURRENT leaves is not the user's.
    const std::string name = it->path().filename().string();
    if (IsRocksDbFile(name)) continue;
    return absl::FailedPreconditionError(absl::StrCat(
        dir.string(), " is not empty and holds no Ariadne store (it has ", name,
        "): a store is created only in an empty or absent folder; nothing was written"));
  }
  if (ec) return absl::PermissionDeniedError(absl::StrCat(dir.string(), ": ", ec.message()));
  return absl::OkStatus();
}

absl::Status CheckAriadneDatabase(const std::filesystem::path& dir) {
  rocksdb::DBOptions opts;
  opts.info_log = std::make_shared<NullLogger>();
  opts.max_open_files = 64;
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(opts, dir.string(), &names);
  if (!s.ok()) return FromRocks(s, absl::StrCat("reading ", dir.string()));
  for (const std::string& n : names) {
    if (!IsAriadneFamily(n)) return Foreign(dir, absl::StrCat("it has a family '", n, "'"));
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const std::string& n : names) descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  s = rocksdb::DB::OpenForReadOnly(opts, dir.string(), descs, &handles, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("reading ", dir.string()));
  std::unique_ptr<rocksdb::DB> db(raw);
  absl::Status verdict;
  const auto meta = std::find(names.begin(), names.end(), std::string(CfName(Cf::kMeta)));
  std::string value;
  s = meta == names.end() ? rocksdb::Status::NotFound()
                          : db->Get(rocksdb::ReadOptions(), handles[meta - names.begin()],
                                    std::string(kMetaSchemaVersion), &value);
  if (s.IsNotFound()) {
    // A creation killed before the schema version was written leaves Ariadne's families (some of
    // them), all empty; rows without a schema version are someone else's.
    bool empty = true;
    for (size_t i = 0; empty && i < handles.size(); ++i) {
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
      it->SeekToFirst();
      empty = !it->Valid() && it->status().ok();
    }
    if (!empty) verdict = Foreign(dir, "rows but no schema version");
  } else if (!s.ok()) {
    verdict = FromRocks(s, absl::StrCat("reading ", dir.string()));
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  db->Close();
  return verdict;
}

}  // namespace ariadne::store
