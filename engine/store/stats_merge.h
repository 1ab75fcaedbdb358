// RocksDB merge operator of the stats column family: per-address totals are written as deltas
// (sums of counters, min of first height, max of last height), so the indexer never reads a
// total before updating it.
#ifndef ARIADNE_ENGINE_STORE_STATS_MERGE_H_
#define ARIADNE_ENGINE_STORE_STATS_MERGE_H_

#include <memory>

#include "rocksdb/merge_operator.h"

namespace ariadne::store {

// Returns: the operator to register on the stats column family.
std::shared_ptr<rocksdb::MergeOperator> NewStatsMergeOperator();

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_STATS_MERGE_H_
