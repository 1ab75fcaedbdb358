// Typed reads of an EVM store's rows (evm_schema.h): the account-model counterpart of the Bitcoin
// reads on Store.
#ifndef ARIADNE_ENGINE_STORE_EVM_STORE_H_
#define ARIADNE_ENGINE_STORE_EVM_STORE_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/store/evm_schema.h"
#include "engine/store/store.h"

namespace ariadne::store {

// The largest TxNum an EVM key can hold: "from the newest" for ReadEvmHistory in reverse.
inline constexpr uint64_t kMaxEvmTxNum = (uint64_t{1} << 40) - 1;

// Returns: the EVM state (a fresh state with the store's chain id when nothing was indexed);
//          FAILED_PRECONDITION when the store is not of an EVM chain; DATA_LOSS when corrupt.
absl::StatusOr<EvmChainState> ReadEvmState(const Store& store);
// Returns: the AccountId of an address; NOT_FOUND when it never appeared in an indexed transfer
//          or transaction.
absl::StatusOr<uint32_t> FindEvmAccount(const Store& store, const Address& address);
absl::StatusOr<EvmAccountRow> ReadEvmAccount(const Store& store, uint32_t id);
// Returns: the TxNum of a transaction hash (the newest, should a hash repeat); NOT_FOUND naming it.
absl::StatusOr<uint64_t> FindEvmTx(const Store& store, const evm::EvmTxHash& hash);
absl::StatusOr<EvmTxRow> ReadEvmTx(const Store& store, uint64_t n);
// Returns: the block row; NOT_FOUND when the block is not indexed.
absl::StatusOr<EvmBlockRow> ReadEvmBlock(const Store& store, uint64_t number);
// Out: *count = the indexed blocks with transactions whose provenance has no call traces.
// Returns: OK, or DATA_LOSS for a corrupt block row.
absl::Status CountEvmBlocksWithoutTraces(const Store& store, uint64_t* count);
// Out: *out = the transfers [first, first + count) in order (cleared first).
absl::Status ReadEvmTransfers(const Store& store, uint64_t first, uint64_t count,
                              std::vector<EvmTransferRow>* out);
// Out: *out = every totals row of the account as (AssetId, totals), ascending AssetId; the account
//      row (kAccountTotalsAsset) last.
absl::Status ReadEvmTotals(const Store& store, uint32_t account,
                           std::vector<std::pair<uint32_t, EvmTotals>>* out);
// Appends up to `limit` TxNums of the account's history starting at `from` (ascending, or
// descending when `reverse`, from <= `from`).
// Returns: the TxNum to continue from, or UINT64_MAX when the history is exhausted.
absl::StatusOr<uint64_t> ReadEvmHistory(const Store& store, uint32_t account, uint64_t from,
                                        size_t limit, bool reverse, std::vector<uint64_t>* out);
// Out: *out = every asset row, indexed by AssetId (row 0 is ether).
absl::Status ReadEvmAssets(const Store& store, std::vector<EvmAssetRow>* out);

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_EVM_STORE_H_
