// Attacks on (and accidents with) the store folder, kept as tests: a folder of someone's files or
// another program's database given as --db, a first run on the wrong network, bytes flipped in a
// family `db check` used to skip, a clustering rebuilt twice, a tag import with a bad file, and
// a disk that fills up during `index`.
#include <sys/mount.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "engine/store/store.h"
#include "rocksdb/db.h"
#include "tests/engine/service/hardening_util.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

std::string First4522() { return TestData("_derived/btc-mainnet-0-4521.blk").string(); }

// Every file under `dir` with its bytes.
std::map<std::string, std::string> Contents(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::vector<uint8_t> bytes =
        e.is_regular_file() ? ReadFileBytes(e.path()) : std::vector<uint8_t>();
    out[fs::relative(e.path(), dir).string()] = std::string(bytes.begin(), bytes.end());
  }
  return out;
}

void WriteText(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

TEST(HostileStore, AFolderOfSomeonesFilesIsNeverMadeAStore) {
  REQUIRE_TESTDATA();
  const fs::path dir = MakeTempDir("hostile_folder");
  WriteText(dir / "case-notes.txt", "interview 3: wallet seized\n");
  fs::create_directories(dir / "photos");
  WriteText(dir / "photos" / "seizure.jpg", "not really a jpeg");
  const auto before = Contents(dir);
  std::string out;
  EXPECT_EQ(RunAriadne({"index", "btc", "--blocks", First4522(), "--db", dir.string()}, &out), 1);
  EXPECT_THAT(out, HasSubstr("FAILED_PRECONDITION: " + dir.string() + " is not empty"));
  EXPECT_EQ(RunAriadne({"index", "evm", "--db", dir.string()}, &out), 1);
  EXPECT_THAT(out, HasSubstr("is not empty"));
  EXPECT_EQ(Contents(dir), before);
  // An empty or absent folder is fine.
  const fs::path empty = MakeTempDir("hostile_empty");
  EXPECT_EQ(RunAriadne({"index", "btc", "--blocks", First4522(), "--db", empty.string()}, &out), 0)
      << out;
}

TEST(HostileStore, AnotherProgramsDatabaseIsNeverWritten) {
  REQUIRE_TESTDATA();
  const fs::path dir = MakeTempDir("hostile_foreign");
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
        {"users", rocksdb::ColumnFamilyOptions()}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, dir.string(), cfs, &handles, &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[1], "alice", "admin").ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "config", "v1").ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  const auto before = Contents(dir);
  std::string out;
  EXPECT_EQ(RunAriadne({"index", "btc", "--blocks", First4522(), "--db", dir.string()}, &out), 1);
  EXPECT_THAT(out, HasSubstr("FAILED_PRECONDITION: " + dir.string() +
                             " holds a RocksDB database that is not an Ariadne store (it has a "
                             "family 'users'); nothing was written to it"));
  EXPECT_EQ(RunAriadne({"tags", "import", First4522(), "--db", dir.string()}, &out), 1);
  EXPECT_EQ(Contents(dir), before);

  // Only the default family, with rows: someone else's too.
  const fs::path plain = MakeTempDir("hostile_foreign_plain");
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, plain.string(), &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "config", "v1").ok());
    delete db;
  }
  const auto plain_before = Contents(plain);
  EXPECT_EQ(RunAriadne({"index", "btc", "--blocks", First4522(), "--db", plain.string()}, &out), 1);
  EXPECT_THAT(out, HasSubstr("rows but no schema version"));
  EXPECT_EQ(Contents(plain), plain_before);
}

TEST(HostileStore, ACreationKilledEarlyIsTakenUpAgain) {
  // What a kill during the first open leaves: RocksDB's files without CURRENT, or Ariadne's
  // families without a row. Both are created (again) as stores.
  const fs::path early = MakeTempDir("hostile_killed_early");
  for (const char* f : {"LOCK", "LOG", "IDENTITY", "MANIFEST-000001", "OPTIONS-000005.dbtmp"}) {
    WriteText(early / f, "");
  }
  store::StoreOptions so;
  so.create_if_missing = true;
  so.network = Network::kRegtest;
  EXPECT_THAT(store::Store::Open(early, so), IsOk());

  const fs::path later = MakeTempDir("hostile_killed_later");
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
        {"meta", rocksdb::ColumnFamilyOptions()},
        {"headers", rocksdb::ColumnFamilyOptions()}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, later.string(), cfs, &handles, &db).ok());
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  auto s = store::Store::Open(later, so);
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT((*s)->ReadMeta(store::kMetaSchemaVersion), IsOk());
  EXPECT_EQ((*s)->network(), Network::kRegtest);
}

TEST(HostileStore, AFirstRunOnTheWrongNetworkDoesNotLockTheStore) {
  REQUIRE_TESTDATA();
  const fs::path db = MakeTempDir("hostile_network") / "db";
  std::string out;
  EXPECT_EQ(RunAriadne({"index", "btc", "--blocks", First4522(), "--db", db.string(), "--network",
                        "regtest"},
                       &out),
            1);
  EXPECT_THAT(out, HasSubstr("bad magic f9beb4d9 (expected fabfb5da for regtest)"));
  EXPECT_EQ(RunAriadne({"index", "btc", "--blocks", First4522(), "--db", db.string()}, &out), 0)
      << out;
  EXPECT_THAT(out, HasSubstr("tip 4521 "));
  // A store that holds blocks keeps its network.
  EXPECT_EQ(RunAriadne({"index", "btc", "--blocks", First4522(), "--db", db.string(), "--network",
                        "regtest"},
                       &out),
            1);
  EXPECT_THAT(out, HasSubstr("holds mainnet, not regtest"));
}

// A store of the first 4,522 mainnet blocks with clusters and two labels, compacted so that every
// family is in table files.
fs::path LabelledStore(const fs::path& dir) {
  const fs::path db = dir / "db";
  std::string out;
  EXPECT_EQ(RunAriadne({"index", "btc", "--blocks", First4522(), "--db", db.string()}, &out), 0)
      << out;
  WriteText(dir / "tags.csv",
            "address,label,category,source\n"
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa,Satoshi,miner,test\n"
            "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3,Hal Finney,individual,test\n");
  EXPECT_EQ(RunAriadne({"tags", "import", (dir / "tags.csv").string(), "--db", db.string()}, &out),
            0)
      << out;
  EXPECT_EQ(RunAriadne({"db", "compact", "--db", db.string()}, &out), 0) << out;
  return db;
}

// Returns: the table files of one family.
std::vector<fs::path> TablesOf(const fs::path& db, const std::string& family) {
  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  auto s = store::Store::Open(db, so);
  EXPECT_THAT(s, IsOk());
  std::vector<rocksdb::LiveFileMetaData> files;
  if (s.ok()) (*s)->db()->GetLiveFilesMetaData(&files);
  std::vector<fs::path> out;
  for (const auto& f : files) {
    if (f.column_family_name == family) out.push_back(fs::path(f.db_path) / f.name.substr(1));
  }
  return out;
}

TEST(HostileStore, FlippedBytesInAnyFamilyAreReportedByDbCheck) {
  REQUIRE_TESTDATA();
  const fs::path dir = MakeTempDir("hostile_families");
  const fs::path db = LabelledStore(dir);
  std::string out;
  ASSERT_EQ(RunAriadne({"db", "check", "--db", db.string()}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("consistent"));
  for (const std::string family : {"evidence", "labels"}) {
    SCOPED_TRACE(family);
    const fs::path copy = dir / ("copy-" + family);
    fs::copy(db, copy, fs::copy_options::recursive);
    const std::vector<fs::path> tables = TablesOf(copy, family);
    ASSERT_FALSE(tables.empty());
    // Eight bytes inside the first data block.
    std::fstream f(tables[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(16);
    f.write("\xde\xad\xbe\xef\xde\xad\xbe\xef", 8);
    f.close();
    EXPECT_EQ(RunAriadne({"db", "check", "--db", copy.string()}, &out), 1);
    EXPECT_THAT(out, HasSubstr("DATA_LOSS: " + family + ": unreadable"));
    EXPECT_THAT(out, Not(HasSubstr("consistent:")));
  }
}

TEST(HostileStore, RowsThatDecodeButPointNowhereAreProblems) {
  REQUIRE_TESTDATA();
  const fs::path dir = MakeTempDir("hostile_rows");
  const fs::path db = LabelledStore(dir);
  {
    auto s = store::Store::Open(db, store::StoreOptions());
    ASSERT_THAT(s, IsOk());
    auto state = (*s)->ReadState();
    ASSERT_THAT(state, IsOk());
    auto meta = (*s)->ReadMeta(store::kMetaCluster);
    ASSERT_THAT(meta, IsOk());
    const uint8_t gen = store::DecodeClusterMeta(*meta)->gen;
    rocksdb::WriteBatch wb;
    // A union of an address that does not exist, made by a transaction that does not either.
    store::EvidenceRow e;
    e.a = 1;
    e.b = state->addr_count + 7;
    e.tx = e.at = TxNum(state->tx_count + 1);
    wb.Put((*s)->handle(store::Cf::kEvidence), store::EvidenceKey(gen, e.at, 0),
           store::EncodeEvidence(e));
    // A pending change candidate of another address beyond the count.
    store::PendingRow p;
    p.anchor = state->addr_count;
    wb.Put((*s)->handle(store::Cf::kClusterPending), store::PendingKey(gen, 5 << 24),
           store::EncodePending(p));
    // A label whose row was edited after its key was made.
    store::LabelRow l{"Exchange", "exchange", "edited", ""};
    std::string key = store::LabelKey(std::string("e") + std::string(20, '\x11'), l);
    l.label = "Someone else";
    wb.Put((*s)->handle(store::Cf::kLabels), key, store::EncodeLabel(l));
    ASSERT_TRUE((*s)->db()->Write(rocksdb::WriteOptions(), &wb).ok());
  }
  std::string out;
  EXPECT_EQ(RunAriadne({"db", "check", "--db", db.string()}, &out), 1);
  EXPECT_THAT(out, HasSubstr("beyond the address count"));
  EXPECT_THAT(out, HasSubstr("problem: evidence "));
  EXPECT_THAT(out, HasSubstr("problem: cluster_pending "));
  EXPECT_THAT(out, HasSubstr("problem: labels "));
  EXPECT_THAT(out, HasSubstr("the key does not match the row (Someone else)"));
  EXPECT_THAT(out, HasSubstr("INCONSISTENT"));
  // The cluster files the indexer wrote no longer agree with the rows (the pending row added):
  // said too, after the rows' problems, not instead of them.
  EXPECT_THAT(out, HasSubstr("pending.bin: pending row"));
}

std::string DigestLine(const fs::path& db) {
  std::string out;
  EXPECT_EQ(RunAriadne({"db", "digest", "--db", db.string()}, &out), 0) << out;
  const size_t at = out.rfind("digest ");
  return at == std::string::npos ? out : out.substr(at);
}

TEST(HostileStore, DigestIsOfTheContentNotOfHowOftenItWasReclustered) {
  REQUIRE_TESTDATA();
  const fs::path dir = MakeTempDir("hostile_digest");
  std::string out;
  for (const char* name : {"a", "b"}) {
    ASSERT_EQ(
        RunAriadne({"index", "btc", "--blocks", First4522(), "--db", (dir / name).string()}, &out),
        0)
        << out;
  }
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(RunAriadne({"recluster", "--db", (dir / "b").string()}, &out), 0) << out;
  }
  EXPECT_EQ(DigestLine(dir / "a"), DigestLine(dir / "b"));
  // A different clustering is different content.
  ASSERT_EQ(RunAriadne({"recluster", "--db", (dir / "b").string(), "--policy", "ci"}, &out), 0)
      << out;
  EXPECT_NE(DigestLine(dir / "a"), DigestLine(dir / "b"));
}

TEST(HostileStore, ATagImportIsAllOrNothing) {
  REQUIRE_TESTDATA();
  const fs::path dir = MakeTempDir("hostile_tags");
  const fs::path db = dir / "db";
  std::string out;
  ASSERT_EQ(RunAriadne({"index", "btc", "--blocks", First4522(), "--db", db.string()}, &out), 0);
  WriteText(dir / "a.csv", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa,Satoshi,miner,test\n");
  WriteText(dir / "b.yaml", "this: [is not: a tagpack\n");
  EXPECT_EQ(RunAriadne({"tags", "import", (dir / "a.csv").string(), (dir / "b.yaml").string(),
                        "--db", db.string()},
                       &out),
            1);
  EXPECT_THAT(out, HasSubstr("b.yaml"));
  EXPECT_THAT(out, HasSubstr("nothing was imported"));
  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  auto s = store::Store::Open(db, so);
  ASSERT_THAT(s, IsOk());
  std::unique_ptr<rocksdb::Iterator> it(
      (*s)->db()->NewIterator(rocksdb::ReadOptions(), (*s)->handle(store::Cf::kLabels)));
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid()) << "a label of a.csv was written";
}

// A small tmpfs mounted for the test (root only), unmounted at the end.
class SmallDisk {
 public:
  explicit SmallDisk(const fs::path& at, const std::string& size) : at_(at) {
    fs::create_directories(at);
    mounted_ = ::mount("tmpfs", at.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount(at_.c_str());
  }
  bool mounted() const { return mounted_; }

 private:
  fs::path at_;
  bool mounted_ = false;
};

TEST(HostileStore, AFullDiskStopsIndexWithTheTipTheStoreHolds) {
  const fs::path dir = MakeTempDir("hostile_disk");
  auto chain = MakeTestChain(dir, 300, 200, /*index=*/false);
  ASSERT_THAT(chain, IsOk());
  SmallDisk disk(dir / "small", "3m");
  if (!disk.mounted()) GTEST_SKIP() << "mounting a tmpfs needs root";
  const fs::path db = dir / "small" / "db";
  std::string out;
  EXPECT_EQ(RunAriadne({"index", "btc", "--blocks", chain->blk.string(), "--db", db.string(),
                        "--network", "regtest", "--commit-txs", "2000"},
                       &out),
            1);
  EXPECT_THAT(out, HasSubstr("No space left on device"));
  EXPECT_THAT(out, Not(HasSubstr("indexed ")));
  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  auto s = store::Store::Open(db, so);
  ASSERT_THAT(s, IsOk());
  auto state = (*s)->ReadState();
  ASSERT_THAT(state, IsOk());
  EXPECT_GE(state->tip_height, 0);
  EXPECT_LT(state->tip_height, 299);
  EXPECT_THAT(out, HasSubstr("committed " + std::to_string(state->tip_height + 1) + " blocks"));
  EXPECT_THAT(
      out, HasSubstr("tip " + std::to_string(state->tip_height) + " " + state->tip_hash.ToHex()));
  EXPECT_EQ(RunAriadne({"db", "check", "--db", db.string()}, &out), 0) << out;
}

}  // namespace
}  // namespace ariadne::testing
