// Paths of value between two addresses (or clusters): chains of transactions where each one spends
// an output the previous one created, from an output the source received to an output the target
// received. Found by breadth-first search from both ends at once; the shortest ones (fewest
// transactions) are returned.
#ifndef ARIADNE_ENGINE_TRACE_PATHS_H_
#define ARIADNE_ENGINE_TRACE_PATHS_H_

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "engine/graph/tx_graph.h"

namespace ariadne::trace {

struct PathOptions {
  uint32_t max_hops = 6;          // default 6 transactions
  size_t max_paths = 10;          // default 10
  size_t max_visits = 2'000'000;  // default: outputs visited before giving up (truncated)
  std::function<bool()> cancelled;
};

struct PathStep {
  TxNum tx;    // the transaction
  OutNum out;  // the output it created that the path continues with
};

struct PathResult {
  std::vector<std::vector<PathStep>> paths;  // each from the source side to the target side
  uint32_t hops = 0;                         // transactions per path (0: none found)
  bool truncated = false;
  bool cancelled = false;
};

// Args: sources: outputs the source received; targets: outputs the target received.
PathResult FindPaths(const graph::TxGraph& graph, std::span<const uint64_t> sources,
                     std::span<const uint64_t> targets, const PathOptions& options);

}  // namespace ariadne::trace

#endif  // ARIADNE_ENGINE_TRACE_PATHS_H_
