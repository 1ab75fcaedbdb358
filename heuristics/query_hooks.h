// The heuristics queries use at answer time (engine/query/hooks.h): CoinJoin detection for traces
// that stop at CoinJoins, the names of stored unions, and the links a deferring clustering policy
// makes in the served view. The service hands them to the backend when it opens a store.
#ifndef ARIADNE_HEURISTICS_QUERY_HOOKS_H_
#define ARIADNE_HEURISTICS_QUERY_HOOKS_H_

#include <memory>

#include "engine/query/hooks.h"

namespace ariadne::heuristics {

// Returns: the hooks (stateless; shared by every backend).
std::shared_ptr<const query::QueryHooks> MakeQueryHooks();

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_QUERY_HOOKS_H_
