// Evaluates watches over the blocks a served chain gained since each watch was last evaluated,
// through the chain-neutral queries of engine/query (history, members, transactions, and the
// tracer behind ChainBackend::Trace), and commits the alerts to the watch store.
//
// Rules (docs/alerts.md):
//   moves          the subject (an address, every member of a cluster, or an outpoint) sends or
//                  receives in the block: one alert per (watch, block) with the transactions and
//                  the values; with min_value, only movements of at least that much.
//   reaches:C:N    value tainted from the subject (forward trace, haircut model, N hops, stopping
//                  at addresses labelled C) arrives at an address labelled C in the block: one
//                  alert per (watch, block) with each arrival's path and its taint.
// Reorgs: each watch keeps the hash of the last block it evaluated, and the store the hashes of
// the blocks evaluated; when the served chain no longer holds them the watch goes back to the
// fork and evaluates the new branch. An alert is keyed by (watch, height, block hash): blocks of
// the new branch are new blocks (new alerts); a block evaluated twice (a restart between the
// evaluation and its commit cannot happen, the commit is atomic; a rewind to a fork below blocks
// that come back unchanged can) raises nothing twice.
#ifndef ARIADNE_ENGINE_WATCH_EVALUATOR_H_
#define ARIADNE_ENGINE_WATCH_EVALUATOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/query/chain_backend.h"
#include "engine/watch/watch.h"
#include "engine/watch/watch_store.h"

namespace ariadne::watch {

struct BlockInfo {
  std::string hash;  // empty when the chain cannot say (then reorgs are not detected)
  uint32_t time = 0;
};

// The served chain, as the evaluator sees it: one consistent snapshot.
struct ChainView {
  const query::ChainBackend* backend = nullptr;
  int32_t tip_height = -1;
  // Returns: the active chain's block at a height <= tip_height.
  std::function<absl::StatusOr<BlockInfo>(int32_t height)> block;
};

struct EvaluatorOptions {
  // Default 10000: members of a cluster subject evaluated (beyond: the alert says truncated).
  uint32_t max_cluster_members = 10'000;
  // Default 100000: edges of a reaches trace (beyond: the alert says truncated).
  uint32_t max_trace_edges = 100'000;
  // Default 500: blocks evaluated per commit (a long catch-up commits in steps).
  int32_t blocks_per_commit = 500;
  // Default false: alerts are raised with delivery "off". True (a webhook is configured): they
  // are raised "pending" and the server delivers them.
  bool deliver = false;
};

class Evaluator {
 public:
  // Args: store: must outlive the evaluator.
  Evaluator(WatchStore* store, EvaluatorOptions options) : store_(store), options_(options) {}

  // Checks a new watch's subject against the chain and sets where its evaluation starts (the
  // tip). Returns: INVALID_ARGUMENT / NOT_FOUND naming the subject that is malformed or never
  // seen; FAILED_PRECONDITION for a cluster subject on a store without clustering.
  absl::Status Prepare(const ChainView& chain, Watch* watch) const;

  // Evaluates every watch up to the chain's tip and commits.
  // Returns: the alerts raised, in id order; the first error (watches after it wait for the next
  // run).
  absl::StatusOr<std::vector<Alert>> Run(const ChainView& chain, const query::CancelFn& cancelled);

  // Evaluates one watch over blocks [from, to] without committing (tests, the bench).
  absl::StatusOr<std::vector<Alert>> Evaluate(const ChainView& chain, const Watch& watch,
                                              int32_t from, int32_t to,
                                              const query::CancelFn& cancelled) const;

 private:
  // Returns: the first height the watch has not evaluated on the chain's branch (after a reorg,
  // the fork + 1), rewinding it in the store when the branch changed.
  absl::StatusOr<int32_t> StartOf(const ChainView& chain, const Watch& watch);
  absl::Status Moves(const ChainView& chain, const Watch& watch, int32_t from, int32_t to,
                     const query::CancelFn& cancelled, std::vector<Alert>* out) const;
  absl::Status Reaches(const ChainView& chain, const Watch& watch, int32_t from, int32_t to,
                       const query::CancelFn& cancelled, std::vector<Alert>* out) const;

  WatchStore* store_;
  EvaluatorOptions options_;
};

}  // namespace ariadne::watch

#endif  // ARIADNE_ENGINE_WATCH_EVALUATOR_H_
