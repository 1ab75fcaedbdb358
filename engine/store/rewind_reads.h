// Batched reads for rewinding a block (the indexer's RewindTip): a rewound block touches thousands
// of rows at once, and one RocksDB call per row (a Get, or a fresh iterator per address) cost about
// 2 ms per rewound transaction on a 5M store, 25 times what indexing it costs. These read the rows
// of a block in key order: a range with one iterator, scattered keys with one sorted MultiGet, and
// the history of many addresses with one reused iterator.
#ifndef ARIADNE_ENGINE_STORE_REWIND_READS_H_
#define ARIADNE_ENGINE_STORE_REWIND_READS_H_

#include <span>
#include <vector>

#include "absl/status/status.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::store {

// Reads the transactions first .. first + count - 1 (a block's) with one iterator.
// Out: *rows: count rows, in TxNum order.
// Returns: DATA_LOSS naming the first missing TxNum when the range has a hole.
absl::Status ReadTxRange(const Store& store, TxNum first, uint64_t count, std::vector<TxRow>* rows);

// Reads scattered transactions with one MultiGet.
// Args: nums: ascending and distinct.
// Out: *rows: one row per number, in the same order.
// Returns: DATA_LOSS naming the TxNum when one is missing.
absl::Status MultiReadTx(const Store& store, std::span<const TxNum> nums, std::vector<TxRow>* rows);

// Reads the stats rows of many addresses with one MultiGet (a missing row reads as empty stats,
// as Store::ReadStats does).
// Args: ids: ascending and distinct.
// Out: *stats: one per id, in the same order.
absl::Status MultiReadStats(const Store& store, std::span<const AddrId> ids,
                            std::vector<AddrStats>* stats);

// For each address, its last history entry before `before` (what Store::ReadHistoryReverse with a
// limit of 1 answers), with one iterator for all of them.
// Args: ids: ascending and distinct.
// Out: *last: one per id; an invalid TxNum when the address has no entry before `before`.
absl::Status LastHistoryBefore(const Store& store, std::span<const AddrId> ids, TxNum before,
                               std::vector<TxNum>* last);

// Reads the address rows first .. end - 1 with one iterator.
// Out: *rows: end - first rows, in AddrId order.
// Returns: DATA_LOSS naming the first missing AddrId when the range has a hole.
absl::Status ReadAddressRange(const Store& store, AddrId first, AddrId end,
                              std::vector<AddrRow>* rows);

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_REWIND_READS_H_
