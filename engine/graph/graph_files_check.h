// `ariadne db check` for the graph files: every record against the row it mirrors.
#ifndef ARIADNE_ENGINE_GRAPH_GRAPH_FILES_CHECK_H_
#define ARIADNE_ENGINE_GRAPH_GRAPH_FILES_CHECK_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "engine/store/store.h"

namespace ariadne::graph {

struct GraphFilesReport {
  bool present = false;  // false: the store has no graph files (indexed before them)
  uint64_t txs = 0, outputs = 0, inputs = 0, addresses = 0, long_names = 0;
  // Spent-by entries a stopped run set past the committed transactions (reset by the next run).
  uint64_t uncommitted_spends = 0;
};

// Reads every tx and addr row and compares the files with them: each transaction's record
// (where its outputs and inputs start, its txid), each output (value, address, type), each input
// (the output it spends) and that output's spent-by, no spent-by set by a transaction that is not
// committed, each address's key.
// Returns: DATA_LOSS naming the file and the record at the first difference, or (from opening
// them) a file that is missing, shorter than meta/graph_files says or with a bad header.
absl::StatusOr<GraphFilesReport> CheckGraphFiles(const store::Store& store);

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_GRAPH_FILES_CHECK_H_
