// The EVM indexing pipeline: JSON-RPC dumps, portal RLP blocks or era1 archives -> EvmBlocks ->
// account-model rows of an EVM store (engine/store/evm_schema.h).
//
//   plan     the --source inputs become units (evm_sources.h): an era1 archive, a portal block
//            file, or the JSON files of consecutive JSON sources
//   decode   each unit is read and verified by its reader (hashes, roots, senders)
//   apply    per block: checks against the store's tip; per transaction: TxNum, AccountIds at
//            first appearance, the tx row and hash index, its transfers (TransferNum, AssetId),
//            the history rows of every account it touches, Approval logs, and totals deltas
//   commit   sorted SST files ingested in one atomic IngestExternalFiles with the new state
//
// Blocks are added in increasing number order. A block already indexed (same number and hash) is
// skipped, so running the same input twice is a no-op and a second run adds only new blocks. A
// block whose parent hash differs from the indexed block before it is FAILED_PRECONDITION (the
// caller rewinds: EvmIndexer::Rewind, which `index evm --rpc` uses), as is a block below the tip
// that is not indexed. Blocks after a
// gap (number > tip + 1) are accepted and counted as gaps: flows across a gap are not known.
//
// Atomicity: a unit that fails is rolled back as a whole (nothing of it is written), except that
// the blocks of a long JSON or portal unit already committed by the commit threshold stay (each
// was verified on its own). An era1 archive commits only once it has verified to its end (its
// accumulator and block index come last). Units before a failing one are committed.
#ifndef ARIADNE_INDEXER_EVM_EVM_INDEXER_H_
#define ARIADNE_INDEXER_EVM_EVM_INDEXER_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/store/commit_batch.h"
#include "engine/store/evm_commit.h"
#include "engine/store/evm_schema.h"
#include "engine/store/store.h"
#include "indexer/evm/evm_block.h"
#include "indexer/evm/header.h"

namespace ariadne::evm {

struct EvmIndexProgress {
  uint64_t units_done = 0;
  uint64_t units_total = 0;
  uint64_t blocks = 0;
  uint64_t txs = 0;
  uint64_t logs = 0;
  int64_t tip = -1;
  double seconds = 0;
};

struct EvmIndexOptions {
  // Files and folders of block data (evm_sources.h).
  std::vector<std::filesystem::path> sources;
  // Default 100,000: transactions per commit (at a block boundary; era1 archives commit whole).
  uint64_t commit_txs = 100'000;
  // Default 20 M: account ids kept in memory (misses are point lookups in evm_account_key).
  size_t account_cache_entries = 20'000'000;
  // Default none: called after every unit and about five times a second.
  std::function<void(const EvmIndexProgress&)> progress;
  // Default none: given every commit's rows to add their own (e.g. the EVM clustering); must
  // outlive the run.
  std::vector<store::EvmIndexObserver*> observers;
};

struct EvmIndexResult {
  uint64_t units = 0;
  uint64_t blocks_applied = 0;
  uint64_t blocks_skipped = 0;  // already indexed
  uint64_t txs = 0;
  uint64_t transfers = 0;
  uint64_t logs = 0;
  uint64_t approvals = 0;
  uint64_t new_accounts = 0;
  uint64_t new_assets = 0;
  uint64_t gaps = 0;
  uint64_t blocks_without_receipts = 0;
  uint64_t blocks_without_traces = 0;  // with transactions but no call traces
  uint64_t reorgs = 0;                 // rewinds (EvmIndexer::Rewind)
  uint64_t blocks_rewound = 0;         // blocks taken out by them
  int64_t tip_number = -1;
  EvmBlockHash tip_hash;
  double seconds = 0;
  std::vector<std::string> warnings;
};

// Applies blocks to an EVM store, one batch at a time. IndexEvm drives it over sources; benches
// and tests may feed decoded blocks directly.
class EvmIndexer {
 public:
  // Args: store: an EVM store opened read-write (must outlive the indexer); observers: given every
  //       commit's rows (they must outlive the indexer).
  // Returns: FAILED_PRECONDITION for a store of a Bitcoin network or another chain id.
  static absl::StatusOr<std::unique_ptr<EvmIndexer>> Create(
      store::Store* store, size_t account_cache_entries,
      std::vector<store::EvmIndexObserver*> observers = {});
  ~EvmIndexer();

  // Adds one block's rows to the pending batch (skips a block already indexed).
  // Args: source: names the input in errors.
  // Returns: OK; FAILED_PRECONDITION for a reorganised or out-of-order block; INTERNAL on a store
  //          read error. A failed call leaves the pending batch as it was before it.
  absl::Status Apply(const EvmBlock& block, std::string_view source);
  // Writes the pending batch and the state atomically.
  absl::Status Commit();

  // Keeps undo records (evm_undo.h) for the last `blocks` blocks, written with each commit, so that
  // Rewind can take them out. Default 0: none (dumps and archives are final chains). Set it before
  // the first Apply.
  void set_undo_blocks(uint32_t blocks) { undo_blocks_ = blocks; }
  uint32_t undo_blocks() const { return undo_blocks_; }

  // Takes every block above `fork_number` out of the store (their rows, history, totals, accounts,
  // assets, approvals and undo records) and sets the tip back to `fork_number`, in one atomic
  // commit (the pending batch is committed first). The clustering's rows are not rewound: the
  // caller rebuilds them (set_observers for the observers of the rest of the run).
  // Returns: OK; FAILED_PRECONDITION naming the depth when a block to take out has no undo record
  //          (deeper than set_undo_blocks, or indexed without them); DATA_LOSS / INTERNAL on a
  //          corrupt record or a store error (nothing is then written).
  absl::Status Rewind(uint64_t fork_number);

  // Replaces the observers given to Create (e.g. after a Rewind, a rebuilt clustering's).
  void set_observers(std::vector<store::EvmIndexObserver*> observers) {
    observers_ = std::move(observers);
  }

  // Returns: the hash of the indexed block `number` (pending or committed); none when the store
  //          holds no block at that number.
  absl::StatusOr<std::optional<EvmBlockHash>> IndexedHash(uint64_t number) const;

  // A point of the pending batch to return to.
  struct Mark;
  std::unique_ptr<Mark> GetMark() const;
  void Rollback(const Mark& mark);

  const store::EvmChainState& state() const { return state_; }
  uint64_t pending_txs() const { return state_.tx_count - committed_.tx_count; }
  const EvmIndexResult& result() const { return result_; }
  EvmIndexResult* mutable_result() { return &result_; }

 private:
  struct Delta {
    uint64_t key;  // AccountId << 32 | AssetId
    uint8_t what;  // 0 received, 1 sent, 2 fee, 3 tx
    uint64_t block;
    U256 amount;
  };
  struct AssetKey {
    Address contract;
    uint8_t standard;
    bool operator==(const AssetKey&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const AssetKey& k) {
      return H::combine(std::move(h), k.contract.Hash(), k.standard);
    }
  };
  struct AddressHash {
    size_t operator()(const Address& a) const { return a.Hash(); }
  };

  EvmIndexer(store::Store* store, size_t cache_entries)
      : store_(store), cache_limit_(cache_entries) {}
  absl::StatusOr<uint32_t> Account(const Address& a, uint64_t block, bool contract);
  uint32_t Asset(const Address& contract, store::AssetStandard standard, uint64_t block);
  absl::Status ApplyTx(const EvmBlock& block, const EvmTx& tx, size_t* next_transfer);
  // Records the undo of the block just applied (deltas_ from `first_delta`, undo_hist_).
  absl::Status RecordUndo(uint64_t number, const store::EvmChainState& before, size_t first_delta);
  // Returns: the store key of the totals row of delta key `key` (account << 32 | asset).
  static std::string TotalsRowKey(uint64_t key) {
    return store::EvmTotalsKey(static_cast<uint32_t>(key >> 32), static_cast<uint32_t>(key));
  }
  // Returns: the totals row `key` as the store holds it (none: no row).
  absl::StatusOr<std::optional<store::EvmTotals>> StoredTotals(uint64_t key) const;
  // Returns: totals_overlay_'s entry of `key`, read from the store when it has none yet.
  absl::StatusOr<std::optional<store::EvmTotals>*> OverlayTotals(uint64_t key);
  // Adds a delta to a totals row (none: an empty row).
  static void MergeDelta(const Delta& d, std::optional<store::EvmTotals>* t);
  // Rebuilds totals_overlay_ from the store and the first `deltas` pending deltas.
  absl::Status RebuildOverlay(size_t deltas);

  store::Store* store_;
  size_t cache_limit_;
  std::unique_ptr<store::Committer> committer_;
  store::CommitBatch batch_;
  store::EvmChainState state_;
  store::EvmChainState committed_;
  bool store_had_accounts_ = false;
  absl::flat_hash_map<Address, uint32_t, AddressHash> accounts_;
  std::vector<Address> new_accounts_;  // since the last commit, in id order
  absl::flat_hash_map<AssetKey, uint32_t> assets_;
  std::vector<AssetKey> asset_keys_;  // by AssetId
  std::vector<Delta> deltas_;
  std::vector<std::pair<uint64_t, EvmBlockHash>> pending_blocks_;  // since the last commit
  std::vector<uint32_t> touched_;
  std::string row_;
  EvmIndexResult result_;
  // The rows since the last commit, decoded, for the observers (kept only when there are some).
  std::vector<store::EvmIndexObserver*> observers_;
  struct PendingRows {
    std::vector<store::EvmAssetRow> assets;
    std::vector<std::pair<uint64_t, uint64_t>> blocks;
    std::vector<store::EvmTxRow> txs;
    std::vector<store::EvmTransferRow> transfers;
    std::vector<std::pair<uint64_t, store::EvmApprovalRow>> approvals;
    // Sizes of each, to roll back to.
    std::array<size_t, 5> Sizes() const {
      return {assets.size(), blocks.size(), txs.size(), transfers.size(), approvals.size()};
    }
    void Resize(const std::array<size_t, 5>& n) {
      assets.resize(n[0]);
      blocks.resize(n[1]);
      txs.resize(n[2]);
      transfers.resize(n[3]);
      approvals.resize(n[4]);
    }
  };
  PendingRows pending_;
  // Undo (set_undo_blocks): records of the blocks since the last commit, the history keys of the
  // block being applied, and the totals rows as the pending batch leaves them (read once per
  // commit from the store, then advanced by each block's deltas).
  uint32_t undo_blocks_ = 0;
  std::vector<std::pair<uint64_t, std::string>> pending_undo_;
  std::vector<std::pair<uint32_t, uint64_t>> undo_hist_;
  // Holds every key of deltas_; false after a Rollback until rebuilt.
  absl::flat_hash_map<uint64_t, std::optional<store::EvmTotals>> totals_overlay_;
  bool overlay_valid_ = true;
};

// Indexes the sources into `store` (an EVM store opened read-write).
// Out: *result, also on error (what was done before it).
// Returns: OK, or the first error: NOT_FOUND / INVALID_ARGUMENT for a missing or unknown input,
//          DATA_LOSS naming the file and the place for malformed or inconsistent data (the failing
//          unit is rolled back; earlier units are committed), FAILED_PRECONDITION for a reorg or
//          out-of-order block.
absl::Status IndexEvm(store::Store* store, const EvmIndexOptions& options, EvmIndexResult* result);

// Returns: the decoding settings of the store's chain (mainnet or Sepolia fee schedules).
ChainConfig ChainConfigOf(Network network);

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_EVM_INDEXER_H_
