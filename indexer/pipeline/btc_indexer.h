// The Bitcoin indexing pipeline: blk files -> best chain -> store.
//
//   scan     read every new record's header (8 + 80 bytes per block) from the blk files; add it to
//            the block tree and the block_index column family; remember how far each file was read
//   choose   the most-work chain of the tree; if the store's tip is not on it, rewind to the fork
//            (the tx rows are the undo data: each input names the output it spent)
//   apply    reader thread: read + de-obfuscate + decode (txids) the blocks in chain order;
//            main thread: resolve inputs (prevout cache, else store), assign TxNum/AddrId, build
//            rows; committer: sort rows, write SSTs, ingest them atomically with the new tip
//
// Every commit carries the tip and id counters, so a run killed at any moment resumes exactly
// where the last commit ended and produces the same store as a clean run.
#ifndef ARIADNE_INDEXER_PIPELINE_BTC_INDEXER_H_
#define ARIADNE_INDEXER_PIPELINE_BTC_INDEXER_H_

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/core/types.h"
#include "engine/store/resolved_tx.h"
#include "engine/store/store.h"
#include "indexer/btc/blk_reader.h"
#include "indexer/pipeline/memory_budget.h"

namespace ariadne::pipeline {

struct IndexProgress {
  uint64_t blocks_done = 0;   // applied in this run
  uint64_t blocks_total = 0;  // to apply in this run
  uint64_t txs = 0;
  uint64_t bytes = 0;
  int32_t height = -1;
  double seconds = 0;
};

struct BtcIndexOptions {
  // Blk files and/or Bitcoin Core blocks folders (blk?????.dat in number order, xor.dat).
  std::vector<std::filesystem::path> inputs;
  // Default unset: folders use their xor.dat, files are read as they are.
  std::optional<btc::XorKey> xor_key;
  // Default 0 (no budget): the sizes below are used as they are. Set (`ariadne index --memory-mb`,
  // whose default is 4 GiB): the caches, commit size and read queue are sized by PlanMemory
  // (memory_budget.h) for the chain being applied, and the sizes below that are set override
  // the plan (expert settings). The store's own shares (block cache, memtables) are set when it
  // is opened (SplitStoreShares).
  uint64_t memory_budget_bytes = 0;
  // Default unset: 250,000 without a budget. Transactions per commit at most (a kill loses at most
  // this much work).
  std::optional<uint64_t> commit_txs;
  // Default unset: 40 M entries (~1.6 GiB) without a budget. Address ids kept in memory.
  std::optional<size_t> address_cache_entries;
  // Default unset: 8 M without a budget. Transactions with unspent outputs kept in memory.
  std::optional<size_t> prevout_cache_txs;
  // Default 64 MiB without a budget: bytes of blocks buffered between the reader thread and the
  // main thread (at least one block).
  std::optional<size_t> queue_bytes;
  // Default none: called once the memory plan is made (before the first block is applied).
  std::function<void(const MemoryPlan&)> on_memory_plan;
  // Default none: called about five times a second while blocks are applied, and once at the end.
  std::function<void(const IndexProgress&)> progress;
  // Default none: receive every transaction and add rows to every commit (e.g. clustering). The
  // graph files beside the store (graph_files_observer.h) are always kept, before these.
  std::vector<store::IndexObserver*> observers;
  // Default none: when set, the run checks it after each block and, once it is true, commits what
  // it applied and returns OK (a commit boundary: `ariadne index --follow` on SIGINT/SIGTERM).
  const std::atomic<bool>* stop = nullptr;
};

// Where the indexer found what it looked up (DESIGN.md "Scale": how the caches hold as the chain
// outgrows them).
struct LookupCounters {
  uint64_t address_lookups = 0;      // output addresses resolved to an AddrId
  uint64_t address_cache_hits = 0;   // found in the address cache
  uint64_t address_store_reads = 0;  // looked up in the store
  uint64_t address_store_found = 0;  // of which existed
  uint64_t prevout_lookups = 0;      // inputs resolved
  uint64_t prevout_cache_hits = 0;   // found in the prevout cache
  uint64_t prevout_store_reads = 0;  // read from the store
};

struct IndexResult {
  uint64_t blocks_found = 0;  // new block records found in the files in this run
  uint64_t blocks_applied = 0;
  uint64_t blocks_rewound = 0;
  uint64_t txs = 0;
  uint64_t inputs = 0;
  uint64_t outputs = 0;
  uint64_t bytes = 0;  // serialised block bytes applied
  uint64_t new_addresses = 0;
  uint64_t stale_blocks = 0;        // known blocks off the best chain
  uint64_t unconnected_blocks = 0;  // known blocks whose ancestry is missing
  int32_t tip_height = -1;
  BlockHash tip_hash;
  double seconds = 0;
  double prepare_seconds = 0;  // of which loading, scanning, rewinding and preparing the caches
  LookupCounters lookups;
  MemoryPlan memory_plan;  // how the run sized its caches, batches and queue
  // The address and prevout caches saved by the last run were read (a run whose blocks are small
  // beside them starts with empty caches instead: BtcRun::kCacheReadRatio).
  bool caches_loaded = false;
  std::vector<std::string> warnings;
};

// Indexes the inputs into `store` (opened read-write). Every header is checked when it is scanned,
// and every block_index row when it is loaded (header_rules.h); a refused block never joins the
// block tree, loses its row, and its record is read (and refused) again by the next run.
// Out: *result, also on error: what was done before it (the tip, blocks_applied and txs are what
// the store holds, e.g. after a commit failed on a full disk).
// Returns: OK, or the first error: DATA_LOSS naming file and offset for a corrupt or foreign
// (wrong magic) record or block, or naming file, offset, block hash and rule for a refused header
// (blocks before it are indexed and committed), FAILED_PRECONDITION when a file shrank since an
// earlier run, NOT_FOUND for a missing input, UNAVAILABLE for a commit that could not be written
// (nothing is committed after it).
absl::Status IndexBitcoin(store::Store* store, const BtcIndexOptions& options, IndexResult* result);

// An index run kept open between rounds (`ariadne index --follow`): the store's block tree and
// file table, the caches, the address filter, the observers (options.observers, and the graph
// files') and the committer are loaded once, so that a round costs the blocks it applies and
// their commit, not a run's start-up. Each round commits like a run (the tip and counters with
// the rows), so a kill at any moment leaves what a fresh run resumes from; the caches, the filter
// and the observers' files beside the store are saved by Close (a killed session's are rebuilt
// or replayed by the next run, as after a killed run).
class BtcIndexSession {
 public:
  // Args: store opened read-write, outliving the session; options.inputs unused (see Round).
  BtcIndexSession(store::Store* store, const BtcIndexOptions& options);
  ~BtcIndexSession();  // Close()
  BtcIndexSession(const BtcIndexSession&) = delete;
  BtcIndexSession& operator=(const BtcIndexSession&) = delete;

  // Scans what `inputs` gained since the last round and applies and commits the new blocks of the
  // best chain. A reorg is rewound (the observers' rows and in-memory state with the blocks) and
  // its branch applied in the same round, so it costs its depth, not a run's start-up. A round
  // that finds no valid chain applies nothing and sets *needs_full_run: the caller closes the
  // session and runs IndexBitcoin, then opens a new session.
  // Out: *result for this round (as IndexBitcoin's); *needs_full_run.
  // Returns: as IndexBitcoin. After an error the session's memory may be ahead of the store:
  // close it and open a new one.
  absl::Status Round(const std::vector<std::filesystem::path>& inputs, IndexResult* result,
                     bool* needs_full_run);
  // Saves the caches, the filter and the observers' files beside the store for the next run.
  // Returns: warnings (a save that failed costs the next run a rebuild, nothing more).
  std::vector<std::string> Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ariadne::pipeline

#endif  // ARIADNE_INDEXER_PIPELINE_BTC_INDEXER_H_
