// One run of the Bitcoin indexer over a store, and a session's rounds (BtcIndexSession): internal
// to the pipeline module (IndexBitcoin and BtcIndexSession in btc_indexer.h are its interface). Its
// steps live in one file each:
//   btc_run.cc         load the store's block tree and file table; a whole run; a session's round
//   btc_scan.cc        read the new records' headers from the blk files into the block tree, and
//                      the reader thread that reads and decodes the blocks to apply
//   btc_block_rows.cc  resolve inputs, assign ids, build a block's rows; hand batches to commit
//   btc_rewind.cc      take the tip block back out of the store (the tx rows are the undo data)
//   btc_caches.cc      size the caches from the memory budget, load them and save them between runs
#ifndef ARIADNE_INDEXER_PIPELINE_BTC_RUN_H_
#define ARIADNE_INDEXER_PIPELINE_BTC_RUN_H_

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/core/file_limit.h"
#include "engine/store/commit_batch.h"
#include "engine/store/height_index.h"
#include "engine/store/resolved_tx.h"
#include "engine/store/store.h"
#include "indexer/btc/block_tree.h"
#include "indexer/pipeline/address_cache.h"
#include "indexer/pipeline/address_filter.h"
#include "indexer/pipeline/blk_file_cache.h"
#include "indexer/pipeline/block_queue.h"
#include "indexer/pipeline/btc_indexer.h"
#include "indexer/pipeline/graph_files_observer.h"
#include "indexer/pipeline/memory_budget.h"
#include "indexer/pipeline/prevout_cache.h"
#include "indexer/pipeline/store_lookup.h"
#include "rocksdb/write_batch.h"

namespace ariadne::pipeline {

struct InputFile {
  std::filesystem::path path;
  btc::XorKey xor_key;
};

class BtcRun {
 public:
  BtcRun(store::Store* store, const BtcIndexOptions& options, IndexResult* result)
      : store_(store),
        options_(options),
        result_(result),
        tree_(btc::PowParamsOf(store->network())),
        addr_cache_(0),
        prevout_cache_(0) {}

  absl::Status Run();
  // One round of a session (BtcIndexSession): loads once, then scans, applies and commits what the
  // inputs gained, keeping the caches, filter, observers and committer between rounds.
  // A reorg is rewound and its branch applied in the round. Out: *needs_full_run when the store has
  // no valid chain left (left to a whole run; nothing applied).
  absl::Status Round(IndexResult* result, bool* needs_full_run);
  // Saves the filter, caches and observers' files for the next run, as the end of a run does.
  void SaveForNextRun(uint64_t blocks_applied);
  void Reconcile(bool ok, int64_t fork, uint64_t tx_count_at_fork, uint32_t addr_count_at_start);
  // Returns: the blocks of the best valid chain the tree knows, from genesis (empty: none).
  std::vector<uint32_t> BestChain() const;
  // Returns: the bytes of the blocks of `chain` above `fork`.
  uint64_t BytesToApply(const std::vector<uint32_t>& chain, int32_t fork) const;
  void SaveForNextRunInto(IndexResult* result, uint64_t blocks_applied) {
    result_ = result;
    SaveForNextRun(blocks_applied);
  }
  void set_inputs(const std::vector<std::filesystem::path>& inputs) { inputs_override_ = inputs; }

 private:
  // The saved caches are read when the blocks to apply are at least 1/kCacheReadRatio of their
  // size on disk. Reading a cache costs about its size in bytes at disk and hashing speed; the
  // store lookups it saves are at most about one per 110 bytes of blocks (generated chains: 2.2
  // inputs and 2.7 outputs per 540-byte transaction), each about 10 µs against the ~0.2 µs a cached
  // entry of 25-36 bytes costs to read: they break even near a tenth.
  static constexpr uint64_t kCacheReadRatio = 8;
  using Cf = store::Cf;
  using Clock = std::chrono::steady_clock;
  static rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
  static std::string_view HashView(const BlockHash& h) {
    return std::string_view(reinterpret_cast<const char*>(h.data()), 32);
  }
  // An address key as bytes (kind, witness version, payload), for a hash set.
  static std::string KeyBytes(const AddressKey& k);

  absl::Status Load();
  // Scans the inputs, rewinds to the fork with the best valid chain and applies it: the body of a
  // run and of a session's round. Args: in_session: a round (no valid chain: *needs_full_run).
  absl::Status Step(bool in_session, bool* needs_full_run);
  absl::StatusOr<std::vector<InputFile>> ExpandInputs() const;
  absl::Status Scan();
  absl::Status ScanFile(const InputFile& input, rocksdb::WriteBatch* wb);
  void Refuse(const BlockHash& hash, const store::BlockIndexEntry& entry, const absl::Status& why,
              bool descendant, rocksdb::WriteBatch* wb);
  absl::StatusOr<int32_t> FindFork(const std::vector<uint32_t>& chain) const;
  // Args: last_rewind: the last rewind of this run (its write is synced, and with it the earlier
  // ones).
  absl::Status RewindTip(bool last_rewind);
  // Args: at_start: the store's state when the run began (before any rewind): a filter saved
  //   for it still holds every address of the store after a rewind.
  //   whatever_the_size: read the saved caches even for a few blocks (a session's first round:
  //   its later rounds use them too).
  absl::Status PrepareCaches(uint64_t bytes_to_apply, const store::ChainState& at_start,
                             bool whatever_the_size);
  // Sizes the caches, commits and queue (from the budget, when one is set), once the observers are
  // prepared for a run ending with `addresses_at_end` addresses.
  absl::Status PlanMemoryUse(uint64_t addresses_at_end);
  // Files the indexer keeps beside the store between runs (docs/schema.md).
  std::filesystem::path CachePath(const char* name) const {
    return store_->dir() / "index-cache" / name;
  }
  std::filesystem::path FilterPath() const { return CachePath("address.filter"); }
  absl::Status Apply(const std::vector<uint32_t>& chain, size_t from);
  void ReaderLoop(const std::vector<uint32_t>& chain, size_t from, BlockQueue* queue);
  absl::Status ProcessBlock(BlockItem& item);
  absl::Status ProcessBlockRows(BlockItem& item);
  absl::Status ResolveInput(const btc::TxIn& in, const btc::Tx& tx, uint32_t index, uint32_t height,
                            store::ResolvedInput* out);
  absl::StatusOr<std::pair<AddrId, bool>> FindOrCreateAddress(const AddressKey& key,
                                                              ScriptType type, ByteSpan script);
  absl::Status HandOff(bool final);
  // Returns: FAILED_PRECONDITION naming the file and height when a blk file holding one of the
  // blocks to apply is gone (a pruned node deletes the files of blocks it has validated).
  absl::Status CheckBlocksPresent(const std::vector<uint32_t>& chain, size_t from) const;
  void Progress(bool force);

  store::Store* store_;
  const BtcIndexOptions& options_;
  IndexResult* result_;
  // A session's inputs for the current round (instead of options_.inputs); whether it is loaded.
  std::optional<std::vector<std::filesystem::path>> inputs_override_;
  bool session_loaded_ = false;
  // A round failed while applying: the caches may hold the failed block's spends and addresses,
  // so they are not saved for the next run (the filter, a superset, still is).
  bool caches_dirty_ = false;

  store::ChainState state_;
  store::HeightIndex heights_;
  btc::BlockTree tree_;
  std::vector<store::FileEntry> files_;  // by file id
  // Blk files open for reading blocks, bounded (the reader thread's alone).
  BlkFileCache blk_files_{std::max<uint64_t>(8, std::min<uint64_t>(64, OpenFileLimit() / 16))};
  // Blocks refused by the header rules in this run (rows from earlier runs included): the first
  // error and how many more.
  absl::Status refused_error_;
  uint64_t refused_more_ = 0;
  rocksdb::WriteBatch load_refusals_;  // block_index rows refused when loaded

  MemoryPlan plan_;
  AddressCache addr_cache_;
  std::unique_ptr<AddressFilter> addr_filter_;  // every address of the store
  PrevoutCache prevout_cache_;
  StoreLookup lookup_{store_};  // what the caches no longer hold
  std::unique_ptr<store::Committer> committer_;
  std::optional<int32_t> reorg_from_;  // the old tip's height while meta/reorg is set
  // Keys of the addresses this run's rewinds removed (up to kMaxRewoundAddresses): the filter
  // saved before the rewinds still answers "maybe" for them, but the store no longer holds them,
  // so the branch that replaces the rewound blocks creates them again without a store lookup.
  // 2^18 keys (about 25 MB, outside the memory plan) cover about 100 mainnet blocks.
  static constexpr size_t kMaxRewoundAddresses = size_t{1} << 18;
  absl::flat_hash_set<std::string> rewound_addresses_;

  // The batch being built and the one being committed.
  std::unique_ptr<store::CommitBatch> building_ = std::make_unique<store::CommitBatch>();
  std::unique_ptr<store::CommitBatch> committing_ = std::make_unique<store::CommitBatch>();
  std::future<absl::Status> commit_done_;
  uint64_t batch_txs_ = 0;
  uint64_t batch_first_txnum_ = 0;
  absl::flat_hash_map<uint32_t, store::AddrStats> batch_stats_;
  absl::flat_hash_map<uint32_t, store::AddrStats> block_stats_;

  // The block's resolved transactions, handed to observers once the whole block succeeded.
  struct PendingTx {
    store::ResolvedTx tx;  // spans filled in at dispatch
    size_t first_input, first_output, first_key;
  };
  std::vector<PendingTx> pending_;
  // The graph files' observer, then the caller's.
  std::unique_ptr<GraphFilesObserver> graph_files_;
  std::vector<store::IndexObserver*> observers_;
  std::vector<store::ResolvedInput> block_inputs_;
  std::vector<store::ResolvedOutput> block_outputs_;
  std::vector<AddressKey> block_keys_;  // of the addresses the block's transactions created

  // Per-transaction scratch (reused).
  std::vector<store::ResolvedInput> inputs_;
  std::vector<store::ResolvedOutput> outputs_;
  std::vector<AddressKey> new_keys_;  // of the addresses the transaction created, by AddrId
  std::vector<CachedOutput> cached_;
  std::vector<std::pair<uint32_t, store::AddrStats>> touched_;  // (address, one output or input)
  store::TxRow row_;
  std::string value_;
  store::TxRow lookup_row_;

  // Sorts touched_ by address and calls fn(address, stats) once per distinct address of the
  // transaction, with its outputs' and inputs' stats merged and tx_count 1 (what one transaction
  // adds to an address, or takes back from it when rewound).
  template <typename Fn>
  void ForEachTouchedAddress(Fn&& fn) {
    std::sort(touched_.begin(), touched_.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < touched_.size();) {
      store::AddrStats d = touched_[i].second;
      size_t j = i + 1;
      for (; j < touched_.size() && touched_[j].first == touched_[i].first; ++j) {
        store::MergeStats(touched_[j].second, &d);
      }
      d.tx_count = 1;
      fn(touched_[i].first, d);
      i = j;
    }
  }

  Clock::time_point start_ = Clock::now();
  Clock::time_point last_progress_ = start_;
  uint64_t blocks_total_ = 0;
};

}  // namespace ariadne::pipeline

#endif  // ARIADNE_INDEXER_PIPELINE_BTC_RUN_H_
