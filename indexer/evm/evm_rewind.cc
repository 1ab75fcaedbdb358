// EvmIndexer's undo records and Rewind (evm_undo.h): how a reorganised EVM chain is taken back to
// the fork point, at the cost of the blocks taken out.
#include <rocksdb/db.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "engine/store/evm_store.h"
#include "indexer/evm/evm_indexer.h"
#include "indexer/evm/evm_undo.h"

namespace ariadne::evm {

using store::Cf;

absl::StatusOr<std::optional<store::EvmTotals>> EvmIndexer::StoredTotals(uint64_t key) const {
  const std::string k = TotalsRowKey(key);
  std::string v;
  rocksdb::Status s = store_->db()->Get(rocksdb::ReadOptions(), store_->handle(Cf::kEvmTotals),
                                        rocksdb::Slice(k.data(), k.size()), &v);
  if (s.IsNotFound()) return std::optional<store::EvmTotals>();
  if (!s.ok()) {
    return absl::InternalError(
        absl::StrCat("reading evm_totals of account ", key >> 32, ": ", s.ToString()));
  }
  ASSIGN_OR_RETURN(store::EvmTotals t, store::DecodeEvmTotals(v));
  return std::optional<store::EvmTotals>(t);
}

absl::StatusOr<std::optional<store::EvmTotals>*> EvmIndexer::OverlayTotals(uint64_t key) {
  auto it = totals_overlay_.find(key);
  if (it == totals_overlay_.end()) {
    ASSIGN_OR_RETURN(std::optional<store::EvmTotals> stored, StoredTotals(key));
    it = totals_overlay_.emplace(key, stored).first;
  }
  return &it->second;
}

void EvmIndexer::MergeDelta(const Delta& d, std::optional<store::EvmTotals>* t) {
  if (!t->has_value()) *t = store::EvmTotals();
  store::MergeEvmTotals(EvmTotalsDelta(d.what, d.block, d.amount), &**t);
}

absl::Status EvmIndexer::RebuildOverlay(size_t deltas) {
  totals_overlay_.clear();
  for (size_t i = 0; i < deltas; ++i) {
    ASSIGN_OR_RETURN(std::optional<store::EvmTotals> * t, OverlayTotals(deltas_[i].key));
    MergeDelta(deltas_[i], t);
  }
  overlay_valid_ = true;
  return absl::OkStatus();
}

absl::Status EvmIndexer::RecordUndo(uint64_t number, const store::EvmChainState& before,
                                    size_t first_delta) {
  if (!overlay_valid_) RETURN_IF_ERROR(RebuildOverlay(first_delta));
  EvmBlockUndo u;
  u.before = before;
  u.hist = undo_hist_;
  std::vector<uint64_t> keys;
  keys.reserve(deltas_.size() - first_delta);
  for (size_t i = first_delta; i < deltas_.size(); ++i) keys.push_back(deltas_[i].key);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  u.totals.reserve(keys.size());
  // Every key with pending deltas is in the overlay: a key that is not holds what the store holds.
  for (uint64_t key : keys) {
    ASSIGN_OR_RETURN(std::optional<store::EvmTotals> * t, OverlayTotals(key));
    u.totals.push_back({key, *t});
  }
  for (size_t i = first_delta; i < deltas_.size(); ++i) {
    MergeDelta(deltas_[i], &totals_overlay_[deltas_[i].key]);
  }
  pending_undo_.emplace_back(number, EncodeEvmBlockUndo(u));
  return absl::OkStatus();
}

absl::Status EvmIndexer::Rewind(uint64_t fork_number) {
  RETURN_IF_ERROR(Commit());
  const int64_t tip = state_.tip_number;
  if (tip < 0 || static_cast<int64_t>(fork_number) >= tip) return absl::OkStatus();
  const uint64_t depth = static_cast<uint64_t>(tip) - fork_number;
  // The undo records of the blocks above the fork, lowest first (gaps have none and no row).
  std::vector<std::pair<uint64_t, EvmBlockUndo>> undos;
  for (uint64_t n = fork_number + 1; n <= static_cast<uint64_t>(tip); ++n) {
    const std::string key = EvmUndoKey(n);
    std::string v;
    rocksdb::Status s = store_->db()->Get(rocksdb::ReadOptions(), store_->handle(Cf::kMeta),
                                          rocksdb::Slice(key.data(), key.size()), &v);
    if (s.IsNotFound()) {
      auto row = store::ReadEvmBlock(*store_, n);
      if (absl::IsNotFound(row.status())) continue;  // a gap
      return absl::FailedPreconditionError(absl::StrCat(
          "the chain reorganised below block ", fork_number + 1, " (depth ", depth,
          "), but indexed block ", n,
          " has no undo record: the store keeps undo data for the last ", undo_blocks_,
          " blocks of an RPC run (--undo-blocks) and none for blocks indexed from files; index "
          "the new branch into a new store"));
    }
    if (!s.ok()) {
      return absl::InternalError(
          absl::StrCat("reading the undo record of block ", n, ": ", s.ToString()));
    }
    ASSIGN_OR_RETURN(EvmBlockUndo u, DecodeEvmBlockUndo(v, n));
    undos.emplace_back(n, std::move(u));
  }
  if (undos.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "rewinding to block ", fork_number, ": no indexed block above it has an undo record"));
  }
  const store::EvmChainState before = undos.front().second.before;
  const store::EvmChainState& now = state_;
  store::CommitBatch& b = batch_;

  // Totals: each row as it was before the lowest block that touched it.
  absl::flat_hash_map<uint64_t, const std::optional<store::EvmTotals>*> first;
  for (const auto& [n, u] : undos) {
    for (const EvmBlockUndo::Totals& t : u.totals) first.try_emplace(t.key, &t.before);
  }
  for (const auto& [key, value] : first) {
    const std::string k = TotalsRowKey(key);
    if (value->has_value()) {
      b.Put(Cf::kEvmTotals, k, store::EncodeEvmTotals(**value));
    } else {
      b.Delete(Cf::kEvmTotals, k);
    }
  }
  for (const auto& [n, u] : undos) {
    for (const auto& [account, tx] : u.hist) b.Delete(Cf::kEvmHist, store::EvmHistKey(account, tx));
    b.Delete(Cf::kMeta, EvmUndoKey(n));
  }
  // Transactions (and their hash index and approvals), transfers, accounts, assets and blocks:
  // every id at or above the counters before the lowest block taken out.
  for (uint64_t t = before.tx_count; t < now.tx_count; ++t) {
    ASSIGN_OR_RETURN(store::EvmTxRow row, store::ReadEvmTx(*store_, t));
    b.Delete(Cf::kEvmTxHash, store::EvmTxHashKey(row.hash, TxNum(t)));
  }
  if (before.tx_count < now.tx_count) {
    b.DeleteRange(Cf::kEvmTx, store::EvmTxKey(before.tx_count), store::EvmTxKey(now.tx_count));
    b.DeleteRange(Cf::kEvmApproval, store::EvmApprovalKey(before.tx_count, 0),
                  store::EvmApprovalKey(now.tx_count, 0));
  }
  if (before.transfer_count < now.transfer_count) {
    b.DeleteRange(Cf::kEvmTransfer, store::EvmTransferKey(before.transfer_count),
                  store::EvmTransferKey(now.transfer_count));
  }
  for (uint32_t a = before.account_count; a < now.account_count; ++a) {
    ASSIGN_OR_RETURN(store::EvmAccountRow row, store::ReadEvmAccount(*store_, a));
    b.Delete(Cf::kEvmAccountKey, store::EvmAccountKeyIndexKey(row.address));
  }
  if (before.account_count < now.account_count) {
    b.DeleteRange(Cf::kEvmAccount, store::EvmAccountKey(before.account_count),
                  store::EvmAccountKey(now.account_count));
  }
  if (before.asset_count < now.asset_count) {
    b.DeleteRange(Cf::kEvmAsset, store::EvmAssetKey(before.asset_count),
                  store::EvmAssetKey(now.asset_count));
  }
  b.DeleteRange(Cf::kEvmBlock, store::EvmBlockKey(fork_number + 1),
                store::EvmBlockKey(static_cast<uint64_t>(tip) + 1));
  b.Put(Cf::kMeta, store::kMetaEvmState, store::EncodeEvmState(before));
  absl::Status s = committer_->Commit(&b);
  if (!s.ok()) {
    b.Clear();
    return s;
  }

  // The in-memory state follows the store.
  state_ = committed_ = before;
  accounts_.clear();
  new_accounts_.clear();
  store_had_accounts_ = state_.account_count > 0;
  for (size_t i = state_.asset_count; i < asset_keys_.size(); ++i) assets_.erase(asset_keys_[i]);
  asset_keys_.resize(std::min<size_t>(asset_keys_.size(), state_.asset_count));
  totals_overlay_.clear();
  overlay_valid_ = true;
  ++result_.reorgs;
  result_.blocks_rewound += undos.size();
  result_.tip_number = state_.tip_number;
  result_.tip_hash = state_.tip_hash;
  return absl::OkStatus();
}

}  // namespace ariadne::evm
