// What `recluster` and `eval clusters` both print: a replay's progress and a clustering's counters.
#ifndef ARIADNE_TOOLS_RECLUSTER_REPORT_H_
#define ARIADNE_TOOLS_RECLUSTER_REPORT_H_

#include <cstdint>
#include <functional>

#include "heuristics/clustering.h"
#include "tools/progress.h"

namespace ariadne::cli {

// Returns: a replay progress callback that draws `bar` (transactions done, of total).
std::function<void(uint64_t, uint64_t)> ReplayProgress(ProgressBar* bar);
// Prints the addresses, clusters, unions and CoinJoins skipped of a clustering run.
void PrintCounters(const heuristics::ReclusterResult& r);

}  // namespace ariadne::cli

#endif  // ARIADNE_TOOLS_RECLUSTER_REPORT_H_
