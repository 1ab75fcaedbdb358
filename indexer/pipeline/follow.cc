#include "indexer/pipeline/follow.h"

#include <algorithm>

#include "engine/core/stop_flag.h"

namespace ariadne::pipeline {
bool IsRetriedFollowError(const absl::Status& status) {
  return absl::IsDataLoss(status) || absl::IsFailedPrecondition(status) ||
         absl::IsNotFound(status) || absl::IsUnavailable(status);
}

absl::Status Follow(BlockSource* source, const FollowOptions& options, FollowResult* result) {
  *result = FollowResult();
  if (!options.index) return absl::InvalidArgumentError("Follow: no index function");
  if (!options.until_caught_up && options.stop == nullptr) {
    return absl::InvalidArgumentError("Follow: no stop flag");
  }
  const std::chrono::milliseconds max_backoff(30'000);
  std::chrono::milliseconds backoff = options.poll_interval;
  bool retry = false;  // the last round failed: run again even when the source saw no change
  uint64_t number = 0;
  while (!StopRequested(options.stop)) {
    FollowRound round;
    absl::StatusOr<bool> changed = source->Poll();
    if (changed.ok() && (*changed || retry)) {
      round.status = options.index(source->inputs(), &round.result);
      ++result->rounds;
      result->blocks_applied += round.result.blocks_applied;
      result->blocks_rewound += round.result.blocks_rewound;
      result->tip_height = round.result.tip_height;
      result->tip_hash = round.result.tip_hash;
    } else if (!changed.ok()) {
      round.status = changed.status();
    } else {
      if (options.until_caught_up) return absl::OkStatus();
      if (options.on_wait) options.on_wait();
      WaitUnlessStopped(options.stop, options.poll_interval);
      continue;
    }
    round.number = ++number;
    round.will_retry = !options.until_caught_up && IsRetriedFollowError(round.status);
    if (options.on_round) options.on_round(round);
    if (round.status.ok()) {
      retry = false;
      backoff = options.poll_interval;
      continue;  // poll again at once: the node may have written more meanwhile
    }
    if (!round.will_retry) return round.status;
    retry = true;
    if (options.on_wait) options.on_wait();
    WaitUnlessStopped(options.stop, backoff);
    backoff = std::min(backoff * 2, max_backoff);
  }
  return absl::OkStatus();
}

}  // namespace ariadne::pipeline
