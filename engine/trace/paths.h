// Paths of value between two addresses (or clusters): chains of transactions where each one spends
// an output the previous one created, from an output the source received to an output the target
// received. Found by breadth-first search from both ends at once; the shortest ones (fewest
// transactions) are returned.
#ifndef ARIADNE_ENGINE_TRACE_PATHS_H_
#define ARIADNE_ENGINE_TRACE_PATHS_H_

#include <cstdint>
#include <span>
#include <vector>

#include "engine/graph/tx_graph.h"
#include "engine/trace/path_options.h"

namespace ariadne::trace {

struct PathStep {
  TxNum tx;    // the transaction
  OutNum out;  // the output it created that the path continues with
};

using UtxoPaths = PathResult<PathStep>;

// Args: sources: outputs the source received; targets: outputs the target received.
UtxoPaths FindPaths(const graph::TxGraph& graph, std::span<const uint64_t> sources,
                    std::span<const uint64_t> targets, const PathOptions& options);

}  // namespace ariadne::trace

#endif  // ARIADNE_ENGINE_TRACE_PATHS_H_
