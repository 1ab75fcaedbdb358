// The transfer graph of an account-model (EVM) store in memory: what the account trace, paths,
// exposure and the EVM heuristics walk. Built at server start from the evm_* rows, extended with
// the rows of each commit while indexing (the EVM clustering keeps its clusters incrementally), or
// by hand in tests. The account-model counterpart of TxGraph.
//
// Layout (dense ids, arrays, no per-node objects):
//   accounts   address (20 bytes) per AccountId
//   txs        block, sender, fee (256-bit), status, first TransferNum per TxNum
//   transfers  from, to, asset, TxNum, kind, amount (256-bit) per TransferNum (chain order)
//   adjacency  per account, the TransferNums it sent and received, and the TxNums it paid fees
//              for, ascending (CSR: offsets + targets)
// Memory: about 21 bytes per account, 57 per transaction and 70 per transfer.
#ifndef ARIADNE_ENGINE_GRAPH_ACCOUNT_GRAPH_H_
#define ARIADNE_ENGINE_GRAPH_ACCOUNT_GRAPH_H_

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/evm_types.h"
#include "engine/core/types.h"
#include "engine/core/u256.h"
#include "engine/store/evm_schema.h"
#include "engine/store/store.h"

namespace ariadne::graph {

using evm::Address;
using evm::U256;

// Rows to append to a graph: what one commit of the indexer adds, in id order.
struct AccountRows {
  std::span<const Address> accounts;                      // the next AccountIds
  std::span<const store::EvmAssetRow> assets;             // the next AssetIds
  std::span<const std::pair<uint64_t, uint64_t>> blocks;  // (number, timestamp), ascending
  std::span<const store::EvmTxRow> txs;                   // the next TxNums
  std::span<const store::EvmTransferRow> transfers;       // the next TransferNums
};

class AccountGraph {
 public:
  // Returns: the graph of everything the store holds; DATA_LOSS for inconsistent rows.
  static absl::StatusOr<std::unique_ptr<AccountGraph>> Load(const store::Store& store);

  // Appends rows (the next ids of each kind) and rebuilds the adjacency.
  // Returns: INVALID_ARGUMENT when a row names an id the graph does not have.
  absl::Status Append(const AccountRows& rows);

  // Builds a graph by hand (tests, heuristics on crafted data). Accounts, assets, txs and
  // transfers are numbered in the order added; txs and transfers must come in chain order.
  class Builder {
   public:
    Builder();
    AccountId AddAccount(const Address& a);
    // Returns: the AssetId (asset 0, ether, exists from the start).
    AssetId AddAsset(store::AssetStandard standard, const Address& contract);
    void AddBlock(uint64_t number, uint64_t timestamp);
    // Args: block: must be a block added (the latest). Returns: the TxNum.
    TxNum AddTx(uint64_t block, AccountId sender, const U256& fee, uint8_t status = 0);
    // Adds a transfer of the latest tx. Returns: the TransferNum.
    TransferNum AddTransfer(AccountId from, AccountId to, AssetId asset, const U256& amount,
                            uint8_t kind = 0);
    std::unique_ptr<AccountGraph> Finish();

   private:
    std::unique_ptr<AccountGraph> g_;
  };

  uint32_t account_count() const { return static_cast<uint32_t>(addresses_.size()); }
  uint32_t asset_count() const { return static_cast<uint32_t>(assets_.size()); }
  uint64_t tx_count() const { return tx_block_.size(); }
  uint64_t transfer_count() const { return tr_from_.size(); }

  const Address& AccountAddress(AccountId a) const { return addresses_[a.value()]; }
  const store::EvmAssetRow& Asset(AssetId id) const { return assets_[id.value()]; }
  // Returns: the AccountId of the zero address (mints come from it, burns go to it), or an
  // invalid id.
  AccountId zero_account() const { return zero_account_; }

  AccountId From(TransferNum t) const { return AccountId(tr_from_[t.value()]); }
  AccountId To(TransferNum t) const { return AccountId(tr_to_[t.value()]); }
  AssetId AssetOf(TransferNum t) const { return AssetId(tr_asset_[t.value()]); }
  TxNum TxOf(TransferNum t) const { return TxNum(tr_tx_[t.value()]); }
  uint8_t Kind(TransferNum t) const { return tr_kind_[t.value()]; }
  const U256& Amount(TransferNum t) const { return tr_amount_[t.value()]; }

  uint64_t Block(TxNum tx) const { return tx_block_[tx.value()]; }
  AccountId Sender(TxNum tx) const { return AccountId(tx_sender_[tx.value()]); }
  const U256& Fee(TxNum tx) const { return tx_fee_[tx.value()]; }
  uint8_t Status(TxNum tx) const { return tx_status_[tx.value()]; }
  // Returns: the first transfer of a transaction: its transfers are
  //          [FirstTransfer(tx), FirstTransfer(tx + 1)).
  TransferNum FirstTransfer(TxNum tx) const { return TransferNum(tx_first_transfer_[tx.value()]); }
  uint64_t TransferBlock(TransferNum t) const { return tx_block_[tr_tx_[t.value()]]; }
  // Returns: the block's timestamp (0 for a block not indexed).
  uint64_t Timestamp(uint64_t block) const;

  // Returns: the transfers an account sent / received, ascending.
  std::span<const TransferNum> Out(AccountId a) const {
    return {out_.data() + out_offsets_[a.value()], out_.data() + out_offsets_[a.value() + 1]};
  }
  std::span<const TransferNum> In(AccountId a) const {
    return {in_.data() + in_offsets_[a.value()], in_.data() + in_offsets_[a.value() + 1]};
  }
  // Returns: the transactions whose fee the account paid, ascending.
  std::span<const TxNum> FeesPaid(AccountId a) const {
    return {fee_tx_.data() + fee_offsets_[a.value()], fee_tx_.data() + fee_offsets_[a.value() + 1]};
  }

 private:
  AccountGraph() = default;
  void AddAccountRow(const Address& a);
  void AddTxRow(uint64_t block, uint32_t sender, const U256& fee, uint8_t status,
                uint64_t first_transfer);
  void AddTransferRow(uint32_t from, uint32_t to, uint32_t asset, uint64_t tx, uint8_t kind,
                      const U256& amount);
  void BuildAdjacency();

  std::vector<Address> addresses_;
  std::vector<store::EvmAssetRow> assets_;
  AccountId zero_account_;
  std::vector<std::pair<uint64_t, uint64_t>> blocks_;  // (number, timestamp), ascending
  std::vector<uint64_t> tx_block_;
  std::vector<uint32_t> tx_sender_;
  std::vector<U256> tx_fee_;
  std::vector<uint8_t> tx_status_;
  std::vector<uint64_t> tx_first_transfer_;  // per tx + 1
  std::vector<uint32_t> tr_from_, tr_to_, tr_asset_;
  std::vector<uint64_t> tr_tx_;
  std::vector<uint8_t> tr_kind_;
  std::vector<U256> tr_amount_;
  std::vector<uint64_t> out_offsets_, in_offsets_, fee_offsets_;
  std::vector<TransferNum> out_, in_;
  std::vector<TxNum> fee_tx_;
};

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_ACCOUNT_GRAPH_H_
