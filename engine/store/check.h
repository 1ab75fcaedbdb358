// A consistency check of a store: recomputes what can be derived from the transaction rows
// (history, per-address totals, the UTXO totals, id continuity, the indexes) and compares it
// with what is stored; decodes and checks the clustering and label rows (check_clusters.h). Memory:
// about 13 bytes per output, 20 per transaction and 60 per address.
#ifndef ARIADNE_ENGINE_STORE_CHECK_H_
#define ARIADNE_ENGINE_STORE_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/store/store.h"

namespace ariadne::store {

struct CheckReport {
  uint64_t blocks = 0;
  uint64_t txs = 0;
  uint64_t inputs = 0;
  uint64_t outputs = 0;
  uint64_t addresses = 0;
  uint64_t history_rows = 0;
  uint64_t utxo_count = 0;
  int64_t utxo_value = 0;
  uint64_t evidence_rows = 0;
  uint64_t pending_rows = 0;
  uint64_t stale_cluster_rows = 0;  // evidence and pending rows of another generation (ignored)
  uint64_t label_rows = 0;
  std::vector<std::string> problems;  // empty when consistent
  bool ok() const { return problems.empty(); }
};

// Returns: the report (problems listed, at most `max_problems`); an error when the store cannot be
// read: DATA_LOSS naming the family (and the last key read) when RocksDB finds corrupt data.
absl::StatusOr<CheckReport> CheckStore(const Store& store, size_t max_problems = 50);

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_CHECK_H_
