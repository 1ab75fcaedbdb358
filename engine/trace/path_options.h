// What a search for paths of value is asked, and what it answers, in either chain model: paths.h
// walks transactions of a UTXO chain, account_paths.h transfers between accounts.
#ifndef ARIADNE_ENGINE_TRACE_PATH_OPTIONS_H_
#define ARIADNE_ENGINE_TRACE_PATH_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "engine/core/types.h"

namespace ariadne::trace {

struct PathOptions {
  uint32_t max_hops = 6;          // default 6 steps (transactions, or transfers)
  size_t max_paths = 10;          // default 10: the paths returned at most
  size_t max_visits = 2'000'000;  // default: visits before giving up (truncated)
  std::optional<AssetId> asset;   // account chains: default any asset (each step may be another)
  std::function<bool()> cancelled;
};

template <typename Step>
struct PathResult {
  std::vector<std::vector<Step>> paths;  // each from the source side to the target side
  uint32_t hops = 0;                     // steps per path (0: none found)
  bool truncated = false;
  bool cancelled = false;
};

}  // namespace ariadne::trace

#endif  // ARIADNE_ENGINE_TRACE_PATH_OPTIONS_H_
