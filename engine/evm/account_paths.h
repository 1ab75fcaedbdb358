// Paths of value between accounts: chains of transfers where each one leaves the account the
// previous one arrived at, later in chain order (time-respecting), from a source account to a
// target account. Found breadth-first by number of transfers; an account is visited again at a
// later hop only when it is reached earlier in time than before (the Pareto front of hops and
// arrival), so no shortest time-respecting path is missed. The zero address is not walked through
// (mints and burns are not paths).
#ifndef ARIADNE_ENGINE_EVM_ACCOUNT_PATHS_H_
#define ARIADNE_ENGINE_EVM_ACCOUNT_PATHS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "engine/evm/account_graph.h"

namespace ariadne::account {

struct PathOptions {
  uint32_t max_hops = 6;          // default 6 transfers
  size_t max_paths = 10;          // default 10
  size_t max_visits = 2'000'000;  // default: (account, arrival) visits before giving up
  std::optional<uint32_t> asset;  // default: any asset (each step may be another)
  std::function<bool()> cancelled;
};

struct PathResult {
  std::vector<std::vector<uint64_t>> paths;  // TransferNums, from the source side
  uint32_t hops = 0;                         // transfers per path (0: none found)
  bool truncated = false;
  bool cancelled = false;
};

PathResult FindPaths(const Graph& graph, std::span<const uint32_t> sources,
                     std::span<const uint32_t> targets, const PathOptions& options);

}  // namespace ariadne::account

#endif  // ARIADNE_ENGINE_EVM_ACCOUNT_PATHS_H_
