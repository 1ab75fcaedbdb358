// What an EVM commit adds, decoded, for the consumers that keep derived state in the same atomic
// commit as the chain rows (the EVM clustering): the account-model counterpart of IndexObserver.
#ifndef ARIADNE_ENGINE_STORE_EVM_COMMIT_H_
#define ARIADNE_ENGINE_STORE_EVM_COMMIT_H_

#include <cstdint>
#include <span>
#include <utility>

#include "absl/status/status.h"
#include "engine/store/evm_schema.h"

namespace ariadne::store {

class CommitBatch;

// The rows of one commit, in id order: each kind continues where the store's state before the
// commit ended (accounts from its account_count, and so on).
struct EvmCommitRows {
  std::span<const Address> accounts;                      // the new accounts' addresses
  std::span<const EvmAssetRow> assets;                    // the new assets
  std::span<const std::pair<uint64_t, uint64_t>> blocks;  // (number, timestamp), ascending
  std::span<const EvmTxRow> txs;
  std::span<const EvmTransferRow> transfers;
  std::span<const std::pair<uint64_t, EvmApprovalRow>> approvals;  // (TxNum, row), chain order
};

// Receives every commit of `ariadne index evm` before it is written, and adds its own rows.
class EvmIndexObserver {
 public:
  virtual ~EvmIndexObserver() = default;
  // Adds the rows derived from `rows` to `batch` (which holds them and the new state).
  virtual absl::Status OnCommit(const EvmCommitRows& rows, CommitBatch* batch) = 0;
};

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_EVM_COMMIT_H_
