// Paths of value between accounts: chains of transfers where each one leaves the account the
// previous one arrived at, later in chain order (time-respecting), from a source account to a
// target account. Found breadth-first by number of transfers; an account is visited again at a
// later hop only when it is reached earlier in time than before (the Pareto front of hops and
// arrival), so no shortest time-respecting path is missed. The zero address is not walked through
// (mints and burns are not paths).
#ifndef ARIADNE_ENGINE_TRACE_ACCOUNT_PATHS_H_
#define ARIADNE_ENGINE_TRACE_ACCOUNT_PATHS_H_

#include <span>

#include "engine/graph/account_graph.h"
#include "engine/trace/path_options.h"

namespace ariadne::trace {

using AccountPaths = PathResult<TransferNum>;  // each path: its transfers, from the source side

AccountPaths FindAccountPaths(const graph::AccountGraph& graph, std::span<const uint32_t> sources,
                              std::span<const uint32_t> targets, const PathOptions& options);

}  // namespace ariadne::trace

#endif  // ARIADNE_ENGINE_TRACE_ACCOUNT_PATHS_H_
