// Replays the store's transactions in chain order as ResolvedTx, resolving every input through an
// in-memory table of outputs (13 bytes per output, 8 per transaction): what a re-clustering or any
// other whole-chain pass consumes, without re-reading blk files.
#ifndef ARIADNE_ENGINE_STORE_REPLAY_H_
#define ARIADNE_ENGINE_STORE_REPLAY_H_

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "engine/store/resolved_tx.h"
#include "engine/store/store.h"

namespace ariadne::store {

struct ReplayOptions {
  // Default: every transaction. Replay stops after this many.
  uint64_t max_txs = UINT64_MAX;
  // Default none: called every 100,000 transactions with (done, total).
  std::function<void(uint64_t, uint64_t)> progress;
};

// Calls `fn` for every transaction in chain order.
// Returns: DATA_LOSS for an inconsistent store (an input naming a missing output).
absl::Status ReplayTransactions(const Store& store, const ReplayOptions& options,
                                const std::function<void(const ResolvedTx&)>& fn);

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_REPLAY_H_
