// The RocksDB store: opening (read-write for the indexer, read-only or secondary for servers),
// the schema-version and network checks, and typed reads of the rows in schema.h.
#ifndef ARIADNE_ENGINE_STORE_STORE_H_
#define ARIADNE_ENGINE_STORE_STORE_H_

#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/network.h"
#include "engine/store/schema.h"
#include "rocksdb/db.h"

namespace ariadne::store {

// ZSTD levels: files at rest (compactions), and files the indexer writes for ingestion.
inline constexpr int kRestingZstdLevel = 6;
inline constexpr int kIngestZstdLevel = 3;

struct StoreOptions {
  enum class Mode : uint8_t { kReadWrite, kReadOnly, kSecondary };
  // Default kReadWrite (the indexer). kReadOnly sees the store as it was when opened; kSecondary
  // follows a running writer through CatchUp().
  Mode mode = Mode::kReadWrite;
  // Default false: opening a missing store is NOT_FOUND. The indexer sets it.
  bool create_if_missing = false;
  // Default unset. Required to create a store; when set, a store of another network is
  // FAILED_PRECONDITION.
  std::optional<Network> network;
  // Default 256 MiB: RocksDB block cache shared by all column families.
  size_t block_cache_bytes = size_t{256} << 20;
  // Default 0 (unbounded): a bound on the memtables of all column families together (RocksDB's
  // WriteBufferManager). The indexer sets it from its memory budget.
  size_t memtable_budget_bytes = 0;
  // Default kRestingZstdLevel (6): the ZSTD level of files compacted into the last level. The
  // indexer sets kIngestZstdLevel: compactions while indexing then cost a third of the CPU, and
  // `ariadne db compact` packs the files at the resting level afterwards.
  int compaction_zstd_level = kRestingZstdLevel;
  // Default 0: read-write stores keep at most min(1024, half the process's open-file limit) SST
  // files open (a bounded table cache), views keep them all. Set: the bound for either.
  int max_open_files = 0;
  // Default empty: kSecondary keeps its own info log and manifest copy here (a temp dir is made
  // when empty).
  std::string secondary_dir;
};

// Returns: the bytes of the regular files under `dir` (a store: SST files, MANIFEST, logs); 0 for
//          what cannot be read.
uint64_t DiskBytes(const std::filesystem::path& dir);

class Store {
 public:
  // Opens (or creates) the store in `dir`. A writer creates a store only in an absent or empty
  // folder and opens only a database that is Ariadne's (store_folder.h). A store that holds nothing
  // yet takes the network it is opened with.
  // Returns: NOT_FOUND when missing and not creating; FAILED_PRECONDITION naming `dir` for a
  // non-empty folder or a foreign database, naming both versions on a schema-version mismatch or
  // both networks on a network mismatch; INTERNAL on RocksDB errors.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const std::filesystem::path& dir,
                                                     const StoreOptions& options);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* handle(Cf cf) const { return handles_[static_cast<int>(cf)]; }
  Network network() const { return network_; }
  const std::filesystem::path& dir() const { return dir_; }
  bool read_only() const { return options_.mode != StoreOptions::Mode::kReadWrite; }

  // Secondary mode: applies what the writer committed since the last call. No-op otherwise.
  absl::Status CatchUp();
  // Rewrites every column family into its last level at the resting compression (ZSTD level 6):
  // the store's smallest form. Takes about a minute of one core per 10M transactions.
  absl::Status CompactAll();

  absl::StatusOr<ChainState> ReadState() const;
  // Returns: the block at `height` of the active chain; NOT_FOUND above the tip.
  absl::StatusOr<BlockRow> ReadBlock(uint32_t height) const;
  // Returns: the height of an active-chain block; NOT_FOUND naming the hash otherwise.
  absl::StatusOr<uint32_t> FindBlock(const BlockHash& hash) const;
  // Returns: the TxNum of `txid` (the newest one for the two duplicated coinbase txids of BIP30);
  // NOT_FOUND naming the txid.
  absl::StatusOr<TxNum> FindTx(const Txid& txid) const;
  // Out: *row. Returns: NOT_FOUND for an unknown TxNum, DATA_LOSS for a corrupt row.
  absl::Status ReadTx(TxNum n, TxRow* row) const;
  absl::StatusOr<Txid> ReadTxid(TxNum n) const;
  // Returns: the id of an address; NOT_FOUND when it never appeared on chain.
  absl::StatusOr<AddrId> FindAddress(const AddressKey& key) const;
  absl::StatusOr<AddrRow> ReadAddress(AddrId id) const;
  // Returns: the totals of an address (zero stats if it has none).
  absl::StatusOr<AddrStats> ReadStats(AddrId id) const;
  // Appends up to `limit` transactions of the address's history with TxNum >= from, ascending.
  // Returns: the TxNum to continue from, or an invalid TxNum when the history is exhausted.
  absl::StatusOr<TxNum> ReadHistory(AddrId id, TxNum from, size_t limit,
                                    std::vector<TxNum>* out) const;
  // Like ReadHistory, newest first, with TxNum <= from (use TxNum(UINT64_MAX >> 24) for "latest").
  absl::StatusOr<TxNum> ReadHistoryReverse(AddrId id, TxNum from, size_t limit,
                                           std::vector<TxNum>* out) const;

  // Reads a meta value; NOT_FOUND when absent.
  absl::StatusOr<std::string> ReadMeta(std::string_view key) const;

 private:
  Store() = default;
  absl::Status Get(Cf cf, std::string_view key, std::string* value) const;
  // Returns: true when the store holds nothing but its schema version, network, an empty state
  //          and scan positions.
  absl::StatusOr<bool> Pristine() const;
  // Records `network` as the store's network and forgets the scan positions.
  absl::Status Restamp(Network network);

  std::filesystem::path dir_;
  StoreOptions options_;
  Network network_ = Network::kMainnet;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  // Set when some families are missing from a read-only view: the handles to destroy (handles_
  // then maps the missing families to the default family's handle).
  std::vector<rocksdb::ColumnFamilyHandle*> owned_handles_;
};

// Returns: an absl::Status for a RocksDB status, with `context` prefixed to the message.
absl::Status FromRocks(const rocksdb::Status& s, std::string_view context);

// The largest TxNum a key can hold: "from the newest" for ReadHistoryReverse.
inline constexpr TxNum kMaxTxNum = TxNum((uint64_t{1} << 40) - 1);

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_STORE_H_
