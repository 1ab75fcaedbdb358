// The consistency check of the families a Bitcoin store keeps beside its chain rows: the
// clustering (meta/cluster, evidence, cluster_pending) and the labels. Every row is decoded and
// its references are checked: address ids below the address count, transaction numbers below the
// transaction count, generations those of meta/cluster, label keys that match their rows.
#ifndef ARIADNE_ENGINE_STORE_CHECK_CLUSTERS_H_
#define ARIADNE_ENGINE_STORE_CHECK_CLUSTERS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "engine/store/check.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::store {

// Args: snapshot: the view the rest of the check reads; state: the store's state in it.
// Out: report: the row counts and, at most `max_problems`, the problems (family and key named).
// Returns: OK; DATA_LOSS naming the family and the last key read when RocksDB finds corrupt data
//          (e.g. a checksum mismatch in a table file).
absl::Status CheckClusterRows(const Store& store, const rocksdb::Snapshot* snapshot,
                              const ChainState& state, size_t max_problems, CheckReport* report);

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_CHECK_CLUSTERS_H_
