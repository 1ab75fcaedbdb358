// RocksDB merge operator of the evm_totals column family: per (account, asset) flows are written as
// deltas (256-bit sums that saturate, counters, min first block, max last block), so the EVM
// indexer never reads a total before updating it.
#ifndef ARIADNE_ENGINE_STORE_EVM_TOTALS_MERGE_H_
#define ARIADNE_ENGINE_STORE_EVM_TOTALS_MERGE_H_

#include <memory>

#include "rocksdb/merge_operator.h"

namespace ariadne::store {

// Returns: the operator to register on the evm_totals column family.
std::shared_ptr<rocksdb::MergeOperator> NewEvmTotalsMergeOperator();

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_EVM_TOTALS_MERGE_H_
