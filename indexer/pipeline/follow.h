// Following a node: poll a block source (block_source.h) and index what it brought, round after
// round, until asked to stop. Each round is an index round through the caller's `index` (the
// command's: a round of one open BtcIndexSession, or a whole IndexBitcoin run for a reorg): it
// scans what the files gained since the last round, rewinds a branch the node left, applies the new
// blocks and commits them with the tip, so a stop (or a kill) between rounds, or the commit
// boundary a stopping round ends at, leaves the store exactly resumable.
//
// A round that fails in a way the node's writing can explain (DATA_LOSS: a record read while Core
// was writing it; FAILED_PRECONDITION: a file pruned or shortened; NOT_FOUND: a file gone between
// the listing and the read; UNAVAILABLE: the node or the disk) is reported and tried again at the
// next poll, with a backoff that doubles up to 30 s; other errors end the loop.
#ifndef ARIADNE_INDEXER_PIPELINE_FOLLOW_H_
#define ARIADNE_INDEXER_PIPELINE_FOLLOW_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "indexer/pipeline/block_source.h"
#include "indexer/pipeline/btc_indexer.h"

namespace ariadne::pipeline {

struct FollowRound {
  uint64_t number = 0;      // 1 for the first round
  absl::Status status;      // of the source's poll or of the index run
  IndexResult result;       // of the index run (empty when the poll failed)
  bool will_retry = false;  // the status is one the loop tries again
};

struct FollowOptions {
  // Default 200 ms: how long to wait between polls that found nothing new.
  std::chrono::milliseconds poll_interval{200};
  // Default false: follow until `stop`. True: return once the source has nothing new (a one-shot
  // run over a node's RPC), and return the first error instead of retrying it.
  bool until_caught_up = false;
  // Required unless until_caught_up: the loop ends (OK) once it is true, after the round in
  // progress (which itself stops at a commit boundary when BtcIndexOptions::stop is the same flag).
  const std::atomic<bool>* stop = nullptr;
  // Required: one index run over `inputs` (the source's) into the store; fills *result.
  std::function<absl::Status(const std::vector<std::filesystem::path>& inputs, IndexResult* result)>
      index;
  // Default none: called after each round (an index run, or a failed poll).
  std::function<void(const FollowRound& round)> on_round;
  // Default none: called each time the loop is about to wait (nothing new, or a round to try
  // again); tests drive the node's writing from here, one step per call.
  std::function<void()> on_wait;
};

struct FollowResult {
  uint64_t rounds = 0;  // index runs
  uint64_t blocks_applied = 0;
  uint64_t blocks_rewound = 0;
  int32_t tip_height = -1;  // after the last index run
  BlockHash tip_hash;
};

// Follows `source` until options.stop is set (or, with until_caught_up, until it has nothing new).
// Returns: OK when stopped (or caught up); the first error that is not retried.
absl::Status Follow(BlockSource* source, const FollowOptions& options, FollowResult* result);

// Returns: whether the loop tries an error of a round again (see the file comment).
bool IsRetriedFollowError(const absl::Status& status);

}  // namespace ariadne::pipeline

#endif  // ARIADNE_INDEXER_PIPELINE_FOLLOW_H_
