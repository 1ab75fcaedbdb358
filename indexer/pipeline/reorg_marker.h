// The store's reorg marker (meta/reorg, docs/schema.md): set by the indexer before it rewinds the
// first block of a reorg, cleared when the new branch is committed, so that servers following the
// store (engine/service/replica.h) keep the old tip instead of serving each step of the switch.
#ifndef ARIADNE_INDEXER_PIPELINE_REORG_MARKER_H_
#define ARIADNE_INDEXER_PIPELINE_REORG_MARKER_H_

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::pipeline {

// Marks a reorg from `state`'s tip down to `fork`, unless one is marked already (an interrupted
// run: the first old tip stays).
// Returns: the height of the old tip the marker holds; nullopt when no reorg is in progress (the
// tip is at or below the fork and nothing is marked); the store's errors.
absl::StatusOr<std::optional<int32_t>> MarkReorg(store::Store* store,
                                                 const store::ChainState& state, int32_t fork);

// Deletes the marker (a synced write). Returns: the store's errors.
absl::Status ClearReorg(store::Store* store);

}  // namespace ariadne::pipeline

#endif  // ARIADNE_INDEXER_PIPELINE_REORG_MARKER_H_
