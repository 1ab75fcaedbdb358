#include "engine/store/store.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/file_limit.h"
#include "engine/core/strings.h"
#include "engine/store/codec.h"
#include "engine/store/evm_schema.h"
#include "engine/store/evm_totals_merge.h"
#include "engine/store/stats_merge.h"
#include "engine/store/store_folder.h"
#include "rocksdb/cache.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/write_buffer_manager.h"

namespace ariadne::store {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// A Ribbon filter at the false-positive rate of a 10 bits/key Bloom filter, about 30% smaller
// (filters are ~3% of the store).
const rocksdb::FilterPolicy* NewFilter() { return rocksdb::NewRibbonFilterPolicy(10); }

// Returns: max_open_files of a read-only or secondary view of the store in `dir`: -1 (every table
// open, which also keeps the tables the indexer compacts away readable by an older view) while the
// descriptor limit holds a few views of all its tables with room to spare, otherwise a
// sixteenth of the limit (at least 32): a few views and the server's connections share it.
int ViewMaxOpenFiles(const std::filesystem::path& dir) {
  rlimit rl;
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return -1;
  uint64_t tables = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".sst") ++tables;
  }
  if (tables * 4 + 1024 <= rl.rlim_cur) return -1;
  return static_cast<int>(std::max<rlim_t>(32, rl.rlim_cur / 16));
}

// Options per column family (docs/schema.md explains each choice).
// Args: readers_hold_index: true for read-only and secondary views (servers): every open table
// keeps its index and filter blocks in its own memory (~3% of the store) instead of in the block
// cache, where on a store many times the cache they evict each other and a point lookup reloads a
// whole index block (address queries at 20M transactions went from 0.4 to 1.5 ms at p50). The
// writer keeps them in the bounded cache.
rocksdb::ColumnFamilyOptions CfOptions(Cf cf, const std::shared_ptr<rocksdb::Cache>& cache,
                                       bool readers_hold_index, int zstd_level) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  t.format_version = 5;
  t.block_size = 16 * 1024;
  t.cache_index_and_filter_blocks = !readers_hold_index;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  // Partitioned index and filters (docs/schema.md "Options per family"): a lookup loads one 4 KiB
  // partition, not a table's whole index or filter block, so a cache many times smaller than the
  // store's metadata holds its hot part instead of thrashing; the top levels stay pinned.
  t.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  t.partition_filters = true;
  t.metadata_block_size = 4096;
  t.cache_index_and_filter_blocks_with_high_priority = true;
  t.pin_top_level_index_and_filter = true;
  o.compression = rocksdb::kLZ4Compression;
  // The last level holds nearly all the data, compressed with ZSTD level 6 (at 10M transactions
  // 196 bytes per transaction after a full compaction, against 203 at ZSTD's default level 3;
  // a dictionary or 32 KiB blocks made it larger). The indexer's own SST files use level 3
  // (commit_batch.cc): ingest speed first, `ariadne db compact` packs them.
  o.bottommost_compression = rocksdb::kZSTD;
  o.bottommost_compression_opts.enabled = true;
  o.bottommost_compression_opts.level = zstd_level;
  o.level_compaction_dynamic_level_bytes = true;
  o.target_file_size_base = 64 << 20;
  o.max_bytes_for_level_base = 256 << 20;
  o.write_buffer_size = 32 << 20;
  switch (cf) {
    case Cf::kTxid:
      // Looked up by the txid's first 8 bytes (then checked against the tx row).
      o.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(kTxidPrefixBytes));
      t.filter_policy.reset(NewFilter());
      t.whole_key_filtering = false;
      break;
    case Cf::kAddrKey:
      o.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(kAddrKeyPrefixBytes));
      t.filter_policy.reset(NewFilter());
      t.whole_key_filtering = false;
      break;
    case Cf::kStats:
      // Read only for addresses that exist (their AddrId came from addr_key): no filter.
      o.merge_operator = NewStatsMergeOperator();
      break;
    case Cf::kBlockHash:
    case Cf::kBlockIndex:
      t.filter_policy.reset(NewFilter());
      break;
    case Cf::kHist:
      // Scanned by address: the 4-byte AddrId is the prefix of every key of one address.
      o.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(kAddrIdBytes));
      break;
    // EVM stores (docs/schema.md, "EVM stores").
    case Cf::kEvmTxHash:
      o.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(kEvmTxHashPrefixBytes));
      t.filter_policy.reset(NewFilter());
      t.whole_key_filtering = false;
      break;
    case Cf::kEvmAccountKey:
      // Point lookups by the full address, many for addresses not yet seen.
      t.filter_policy.reset(NewFilter());
      break;
    case Cf::kEvmHist:
    case Cf::kEvmTotals:
      // Scanned by account: the 4-byte AccountId is the prefix of every key of one account.
      o.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(kAccountIdBytes));
      if (cf == Cf::kEvmTotals) o.merge_operator = NewEvmTotalsMergeOperator();
      break;
    case Cf::kEvmBlock:
      t.filter_policy.reset(NewFilter());
      break;
    default:
      break;
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

}  // namespace

absl::Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(AV(context), ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsIOError()) {
    if (s.ToString().find("Too many open files") != std::string::npos) {
      return absl::ResourceExhaustedError(absl::StrCat(
          msg, " (the open-file limit is ", OpenFileLimit(), "; raise it with `ulimit -n`)"));
    }
    return absl::UnavailableError(msg);
  }
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(msg);
  if (s.IsBusy() || s.IsTryAgain()) return absl::UnavailableError(msg);
  return absl::InternalError(msg);
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& dir,
                                                   const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store());
  store->dir_ = dir;
  store->options_ = options;
  const bool exists = std::filesystem::exists(dir / "CURRENT");
  if (!exists && !(options.create_if_missing && options.mode == StoreOptions::Mode::kReadWrite)) {
    return absl::NotFoundError(absl::StrCat("no Ariadne store at ", dir.string()));
  }
  if (!exists && !options.network.has_value()) {
    return absl::InvalidArgumentError("creating a store needs its network");
  }
  if (options.mode == StoreOptions::Mode::kReadWrite) {
    // Never write into a folder of other files or into another program's database.
    absl::Status owned = exists ? CheckAriadneDatabase(dir) : CheckNewStoreFolder(dir);
    if (!owned.ok()) return owned;
  }

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  rocksdb::DBOptions db_opts;
  db_opts.create_if_missing = options.create_if_missing;
  db_opts.create_missing_column_families = options.mode == StoreOptions::Mode::kReadWrite;
  db_opts.max_background_jobs = 2;
  db_opts.max_subcompactions = 1;
  db_opts.bytes_per_sync = 1 << 20;
  db_opts.atomic_flush = true;
  // Views keep every table open (their index and filter blocks with them, see CfOptions) when the
  // descriptor limit allows. The writer keeps a bounded table cache, within the process's
  // open-file limit.
  db_opts.max_open_files = options.mode == StoreOptions::Mode::kReadWrite
                               ? static_cast<int>(std::min<uint64_t>(1024, OpenFileLimit() / 2))
                               : ViewMaxOpenFiles(dir);
  if (options.max_open_files != 0) db_opts.max_open_files = options.max_open_files;
  // Views never compact: the statistics a writer reads from up to 20 tables at open are not needed.
  db_opts.skip_stats_update_on_db_open = options.mode != StoreOptions::Mode::kReadWrite;
  if (options.memtable_budget_bytes > 0) {
    db_opts.write_buffer_manager =
        std::make_shared<rocksdb::WriteBufferManager>(options.memtable_budget_bytes);
  }
  db_opts.keep_log_file_num = 3;

  // A read-only or secondary view of a store written by an older build may lack families added
  // since (e.g. the evm_* families of a Bitcoin store): those are served by the empty default
  // family, and the writer creates them at its next open.
  std::vector<std::string> existing;
  if (exists && options.mode != StoreOptions::Mode::kReadWrite) {
    rocksdb::Status ls = rocksdb::DB::ListColumnFamilies(db_opts, dir.string(), &existing);
    if (!ls.ok()) return FromRocks(ls, absl::StrCat("opening store ", dir.string()));
  }
  std::vector<int> opened;  // Cf index of each descriptor
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (int i = 0; i < kNumCfs; ++i) {
    Cf cf = static_cast<Cf>(i);
    if (!existing.empty() && cf != Cf::kDefault &&
        std::find(existing.begin(), existing.end(), CfName(cf)) == existing.end()) {
      continue;
    }
    descs.emplace_back(std::string(CfName(cf)),
                       CfOptions(cf, cache, options.mode != StoreOptions::Mode::kReadWrite,
                                 options.compaction_zstd_level));
    opened.push_back(i);
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  switch (options.mode) {
    case StoreOptions::Mode::kReadWrite:
      s = rocksdb::DB::Open(db_opts, dir.string(), descs, &store->handles_, &raw);
      break;
    case StoreOptions::Mode::kReadOnly:
      s = rocksdb::DB::OpenForReadOnly(db_opts, dir.string(), descs, &store->handles_, &raw);
      break;
    case StoreOptions::Mode::kSecondary: {
      std::string sec = options.secondary_dir;
      if (sec.empty()) {
        sec = (std::filesystem::temp_directory_path() /
               absl::StrCat("ariadne-secondary-", ::getpid(), "-",
                            reinterpret_cast<uintptr_t>(store.get())))
                  .string();
      }
      std::error_code ec;
      std::filesystem::create_directories(sec, ec);
      if (ec)
        return absl::UnavailableError(absl::StrCat("cannot create ", sec, ": ", ec.message()));
      s = rocksdb::DB::OpenAsSecondary(db_opts, dir.string(), sec, descs, &store->handles_, &raw);
      break;
    }
  }
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening store ", dir.string()));
  store->db_.reset(raw);
  if (opened.size() != static_cast<size_t>(kNumCfs)) {
    std::vector<rocksdb::ColumnFamilyHandle*> by_cf(kNumCfs, store->handles_[0]);
    for (size_t j = 0; j < opened.size(); ++j) by_cf[opened[j]] = store->handles_[j];
    store->owned_handles_ = std::move(store->handles_);
    store->handles_ = std::move(by_cf);
  }

  // Schema version and network: written once at creation, checked at every open.
  std::string value;
  absl::Status got = store->Get(Cf::kMeta, kMetaSchemaVersion, &value);
  if (absl::IsNotFound(got) && options.mode == StoreOptions::Mode::kReadWrite &&
      options.network.has_value()) {
    std::string v;
    PutBE32(&v, kSchemaVersion);
    rocksdb::WriteBatch batch;
    batch.Put(store->handle(Cf::kMeta), ToSlice(kMetaSchemaVersion), v);
    batch.Put(store->handle(Cf::kMeta), ToSlice(kMetaNetwork),
              ToSlice(Params(*options.network).name));
    batch.Put(store->handle(Cf::kMeta), ToSlice(kMetaState), EncodeState(ChainState()));
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = store->db_->Write(wo, &batch);
    if (!s.ok()) return FromRocks(s, "initialising store");
    store->network_ = *options.network;
    return store;
  }
  if (!got.ok()) {
    if (absl::IsNotFound(got)) {
      return absl::FailedPreconditionError(
          absl::StrCat(dir.string(), " is not an initialised Ariadne store (no schema version)"));
    }
    return got;
  }
  if (value.size() != 4 || GetBE(value.data(), 4) != kSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("store at ", dir.string(), " has schema version ",
                     value.size() == 4 ? GetBE(value.data(), 4) : 0, ", this build reads version ",
                     kSchemaVersion, ": re-index it with this build or use the matching build"));
  }
  absl::Status net = store->Get(Cf::kMeta, kMetaNetwork, &value);
  if (!net.ok()) return net;
  auto parsed = ParseStoreNetwork(value);
  if (!parsed.ok())
    return absl::DataLossError(absl::StrCat("store network: ", parsed.status().message()));
  store->network_ = *parsed;
  if (options.network.has_value() && *options.network != store->network_ &&
      options.mode == StoreOptions::Mode::kReadWrite) {
    // A store that holds nothing yet (a first run that failed, e.g. on the wrong network) takes
    // the network it is opened with.
    absl::StatusOr<bool> pristine = store->Pristine();
    if (!pristine.ok()) return pristine.status();
    if (*pristine) {
      absl::Status restamped = store->Restamp(*options.network);
      if (!restamped.ok()) return restamped;
    }
  }
  if (options.network.has_value() && *options.network != store->network_) {
    return absl::FailedPreconditionError(absl::StrCat("store at ", dir.string(), " holds ",
                                                      AV(Params(store->network_).name), ", not ",
                                                      AV(Params(*options.network).name)));
  }
  return store;
}

absl::StatusOr<bool> Store::Pristine() const {
  for (int i = 0; i < kNumCfs; ++i) {
    const Cf cf = static_cast<Cf>(i);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handle(cf)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (cf != Cf::kMeta) return false;
      const std::string_view key(it->key().data(), it->key().size());
      if (key == kMetaSchemaVersion || key == kMetaNetwork || key.rfind(kMetaFilePrefix, 0) == 0) {
        continue;
      }
      if (key != kMetaState) return false;
      auto state = DecodeState(std::string_view(it->value().data(), it->value().size()));
      if (!state.ok() || !(*state == ChainState())) return false;
    }
    if (!it->status().ok()) return FromRocks(it->status(), "reading the store");
  }
  return true;
}

absl::Status Store::Restamp(Network network) {
  rocksdb::WriteBatch batch;
  batch.Put(handle(Cf::kMeta), ToSlice(kMetaNetwork), ToSlice(Params(network).name));
  // Scan positions of files read for the other network.
  batch.DeleteRange(handle(Cf::kMeta), ToSlice(kMetaFilePrefix), "file0");
  rocksdb::WriteOptions wo;
  wo.sync = true;
  absl::Status s = FromRocks(db_->Write(wo, &batch), "setting the store's network");
  if (s.ok()) network_ = network;
  return s;
}

Store::~Store() {
  if (db_ != nullptr) {
    for (auto* h : owned_handles_.empty() ? handles_ : owned_handles_) {
      db_->DestroyColumnFamilyHandle(h);
    }
    db_->Close();
  }
}

uint64_t DiskBytes(const std::filesystem::path& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file(ec)) n += it->file_size(ec);
  }
  return n;
}

absl::Status Store::CompactAll() {
  rocksdb::CompactRangeOptions cro;
  cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (int i = 0; i < kNumCfs; ++i) {
    rocksdb::Status r = db_->CompactRange(cro, handle(static_cast<Cf>(i)), nullptr, nullptr);
    if (!r.ok()) return FromRocks(r, absl::StrCat("compacting ", AV(CfName(static_cast<Cf>(i)))));
  }
  return absl::OkStatus();
}

absl::Status Store::CatchUp() {
  if (options_.mode != StoreOptions::Mode::kSecondary) return absl::OkStatus();
  return FromRocks(db_->TryCatchUpWithPrimary(), "catching up with the indexer");
}

absl::Status Store::Get(Cf cf, std::string_view key, std::string* value) const {
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handle(cf), ToSlice(key), value);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat(AV(CfName(cf)), " row not found"));
  return FromRocks(s, absl::StrCat("reading ", AV(CfName(cf))));
}

absl::StatusOr<std::string> Store::ReadMeta(std::string_view key) const {
  std::string v;
  absl::Status s = Get(Cf::kMeta, key, &v);
  if (!s.ok()) return s;
  return v;
}

absl::StatusOr<ChainState> Store::ReadState() const {
  std::string v;
  absl::Status s = Get(Cf::kMeta, kMetaState, &v);
  if (!s.ok()) return s;
  return DecodeState(v);
}

absl::StatusOr<BlockRow> Store::ReadBlock(uint32_t height) const {
  std::string v;
  absl::Status s = Get(Cf::kHeaders, HeightKey(height), &v);
  if (absl::IsNotFound(s)) return absl::NotFoundError(absl::StrCat("no block at height ", height));
  if (!s.ok()) return s;
  return DecodeBlockRow(v);
}

absl::StatusOr<uint32_t> Store::FindBlock(const BlockHash& hash) const {
  std::string v;
  absl::Status s =
      Get(Cf::kBlockHash, std::string_view(reinterpret_cast<const char*>(hash.data()), 32), &v);
  if (absl::IsNotFound(s)) {
    return absl::NotFoundError(absl::StrCat("block ", hash.ToHex(), " is not in the active chain"));
  }
  if (!s.ok()) return s;
  RowReader r(v);
  uint64_t h = r.Varint();
  if (!r.ok()) return absl::DataLossError("corrupt block_hash row");
  return static_cast<uint32_t>(h);
}

absl::StatusOr<TxNum> Store::FindTx(const Txid& txid) const {
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handle(Cf::kTxid)));
  const std::string prefix = TxidPrefix(txid);
  TxNum found;
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != kTxidPrefixBytes + kTxNumBytes ||
        std::memcmp(k.data(), prefix.data(), kTxidPrefixBytes) != 0)
      break;
    TxNum n(GetBE(k.data() + kTxidPrefixBytes, kTxNumBytes));
    auto full = ReadTxid(n);
    if (!full.ok()) return full.status();
    if (*full == txid) found = n;  // keys ascend: the last match is the newest
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading txid index");
  if (!found.valid())
    return absl::NotFoundError(absl::StrCat("transaction ", txid.ToHex(), " not found"));
  return found;
}

absl::StatusOr<Txid> Store::ReadTxid(TxNum n) const {
  std::string v;
  absl::Status s = Get(Cf::kTx, TxKey(n), &v);
  if (absl::IsNotFound(s))
    return absl::NotFoundError(absl::StrCat("no transaction number ", n.value()));
  if (!s.ok()) return s;
  return DecodeTxRowTxid(v);
}

absl::Status Store::ReadTx(TxNum n, TxRow* row) const {
  std::string v;
  absl::Status s = Get(Cf::kTx, TxKey(n), &v);
  if (absl::IsNotFound(s))
    return absl::NotFoundError(absl::StrCat("no transaction number ", n.value()));
  if (!s.ok()) return s;
  return DecodeTxRow(v, n, row);
}

absl::StatusOr<AddrId> Store::FindAddress(const AddressKey& key) const {
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handle(Cf::kAddrKey)));
  const std::string prefix = AddrKeyIndexPrefix(key);
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != kAddrKeyPrefixBytes + kAddrIdBytes ||
        std::memcmp(k.data(), prefix.data(), kAddrKeyPrefixBytes) != 0)
      break;
    AddrId id(static_cast<uint32_t>(GetBE(k.data() + kAddrKeyPrefixBytes, kAddrIdBytes)));
    auto row = ReadAddress(id);
    if (!row.ok()) return row.status();
    if (row->key == key) return id;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading address index");
  return absl::NotFoundError("address never appeared on chain");
}

absl::StatusOr<AddrRow> Store::ReadAddress(AddrId id) const {
  std::string v;
  absl::Status s = Get(Cf::kAddr, AddrKey(id), &v);
  if (absl::IsNotFound(s)) return absl::NotFoundError(absl::StrCat("no address id ", id.value()));
  if (!s.ok()) return s;
  return DecodeAddrRow(v);
}

absl::StatusOr<AddrStats> Store::ReadStats(AddrId id) const {
  std::string v;
  absl::Status s = Get(Cf::kStats, AddrKey(id), &v);
  if (absl::IsNotFound(s)) return AddrStats();
  if (!s.ok()) return s;
  return DecodeStats(v);
}

absl::StatusOr<TxNum> Store::ReadHistory(AddrId id, TxNum from, size_t limit,
                                         std::vector<TxNum>* out) const {
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handle(Cf::kHist)));
  size_t n = 0;
  for (it->Seek(HistKey(id, from)); it->Valid(); it->Next()) {
    rocksdb::Slice k = it->key();
    if (k.size() != kHistKeyBytes || GetBE(k.data(), kAddrIdBytes) != id.value()) break;
    TxNum t(GetBE(k.data() + kAddrIdBytes, kTxNumBytes));
    if (n == limit) return t;
    out->push_back(t);
    ++n;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading history");
  return TxNum();
}

absl::StatusOr<TxNum> Store::ReadHistoryReverse(AddrId id, TxNum from, size_t limit,
                                                std::vector<TxNum>* out) const {
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, handle(Cf::kHist)));
  size_t n = 0;
  for (it->SeekForPrev(HistKey(id, from)); it->Valid(); it->Prev()) {
    rocksdb::Slice k = it->key();
    if (k.size() != kHistKeyBytes || GetBE(k.data(), kAddrIdBytes) != id.value()) break;
    TxNum t(GetBE(k.data() + kAddrIdBytes, kTxNumBytes));
    if (n == limit) return t;
    out->push_back(t);
    ++n;
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading history");
  return TxNum();
}

}  // namespace ariadne::store
