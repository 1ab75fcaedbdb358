// Undo data of an indexed EVM block: what `EvmIndexer::Rewind` needs to take the block out of the
// store when the chain reorganises (indexer/evm/evm_indexer.h), kept for the last N blocks.
//
//   meta  evm/undo/<number u64 big-endian>  EvmBlockUndo
//
// The rows a block added are found from its undo record and the block, transaction and account
// rows themselves: the ids are dense and allocated in chain order, so everything at or above the
// counters of the state before the block (transactions, transfers, accounts, assets, approvals) is
// the block's or a later one's. What cannot be found from the rows is recorded: the state before
// the block (its counters), the history keys it wrote (one per account a transaction touched), and
// the value every totals row it touched had before it (absent: the row was new).
#ifndef ARIADNE_INDEXER_EVM_EVM_UNDO_H_
#define ARIADNE_INDEXER_EVM_EVM_UNDO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/store/evm_schema.h"

namespace ariadne::evm {

// The meta key prefix of the undo records; a record's key is the prefix and the number (BE64).
inline constexpr std::string_view kMetaEvmUndoPrefix = "evm/undo/";
std::string EvmUndoKey(uint64_t number);

struct EvmBlockUndo {
  store::EvmChainState before;                      // the state before the block
  std::vector<std::pair<uint32_t, uint64_t>> hist;  // (AccountId, TxNum) history keys written
  struct Totals {
    uint64_t key = 0;                        // AccountId << 32 | AssetId
    std::optional<store::EvmTotals> before;  // none: the row did not exist
  };
  std::vector<Totals> totals;
};

// Returns: the totals one delta of the indexer adds: `what` 0 received, 1 sent, 2 fee, 3 a
//          transaction (EvmIndexer's Delta), `amount` of it, in `block`.
store::EvmTotals EvmTotalsDelta(uint8_t what, uint64_t block, const store::U256& amount);

std::string EncodeEvmBlockUndo(const EvmBlockUndo& u);
// Returns: the record; DATA_LOSS naming the block when the bytes are not one.
absl::StatusOr<EvmBlockUndo> DecodeEvmBlockUndo(std::string_view v, uint64_t number);

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_EVM_UNDO_H_
