// `ariadne index evm --rpc URL [--follow]`: index an Ethereum node's chain over JSON-RPC
// (evm_rpc_client.h) into an EVM store, once up to the node's head or following it.
//
// Each round asks the node's head (eth_blockNumber), fetches the next blocks after the store's tip
// in batches (with receipts and call traces), applies them (evm_indexer.h) and commits every
// commit_txs transactions and whenever it has caught up, so a stop or a kill loses nothing
// committed and a new run resumes at the tip.
//
// Reorganisations are found by parent hash: a fetched block that does not extend the tip, or a
// node whose block at our tip (or whose head, when it is below our tip) is not ours, starts a
// walk back comparing the store's block hashes with the node's until they agree (the fork point);
// the blocks above it are rewound (EvmIndexer::Rewind, one atomic commit) and the node's branch is
// indexed. Undo records are kept for the last undo_blocks blocks: a deeper reorg is
// FAILED_PRECONDITION.
//
// Errors: a one-shot run ends at the first error, after committing the blocks applied before it.
// A following run retries errors the node can explain (UNAVAILABLE: the node down or restarting;
// NOT_FOUND or DATA_LOSS: a block that changed between the requests of a batch, i.e. a reorg in
// flight) with a backoff doubling up to 30 s, and ends at others.
#ifndef ARIADNE_INDEXER_EVM_EVM_RPC_INDEX_H_
#define ARIADNE_INDEXER_EVM_EVM_RPC_INDEX_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/store/evm_commit.h"
#include "engine/store/store.h"
#include "indexer/evm/evm_indexer.h"
#include "indexer/evm/evm_rpc_client.h"

namespace ariadne::evm {

struct EvmRpcIndexOptions {
  EvmRpcOptions rpc;
  // Default false: return once caught up with the node's head. True: follow until `stop`.
  bool follow = false;
  // Default 1 s: the wait between polls that found nothing new (following).
  std::chrono::milliseconds poll_interval{1000};
  // Default 20: blocks fetched per round trip (each with its receipts and traces).
  uint32_t blocks_per_request = 20;
  // Default 100,000: transactions per commit (also committed whenever caught up).
  uint64_t commit_txs = 100'000;
  // Default 20 M: account ids kept in memory.
  size_t account_cache_entries = 20'000'000;
  // Default 128: blocks kept rewindable (undo records); the deepest reorg followed.
  uint32_t undo_blocks = 128;
  // Default none: stop after this block (a one-shot run up to it).
  std::optional<uint64_t> to_block;
  // Default true: verify hashes, senders and roots as the dump reader does (json_rpc.h).
  bool verify = true;
  // Default none: the run ends (OK) at the next block batch once it is true (SIGINT/SIGTERM).
  const std::atomic<bool>* stop = nullptr;
  // Default none: called about five times a second and when caught up.
  std::function<void(const EvmIndexProgress&)> progress;
  // Default none: given every commit's rows (the EVM clustering); must outlive the run.
  std::vector<store::EvmIndexObserver*> observers;
  // Default none: called after each rewind is committed with the fork point; returns the observers
  // for the rest of the run (the clustering, rebuilt for the rewound store).
  std::function<absl::StatusOr<std::vector<store::EvmIndexObserver*>>(uint64_t fork)> on_rewind;
  // Default none: called for each error a following run tries again, before waiting.
  std::function<void(const absl::Status&)> on_retry;
};

// Indexes the node's chain into `store` (an EVM store opened read-write).
// Out: *result (also on error: what was done); *stats: the node's requests and time.
// Returns: OK when caught up (one-shot) or stopped; the first error not retried (see above).
absl::Status IndexEvmRpc(store::Store* store, const EvmRpcIndexOptions& options,
                         EvmIndexResult* result, EvmRpcStats* stats);

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_EVM_RPC_INDEX_H_
