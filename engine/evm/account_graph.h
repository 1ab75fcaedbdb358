// The account-model transfer graph of an EVM store, in memory: what the trace, paths, exposure and
// the EVM heuristics walk. Built at server start from the evm_* rows (or by hand in tests).
//
// Layout (dense ids, arrays, no per-node objects):
//   accounts   address (20 bytes) per AccountId
//   txs        block, sender, fee (256-bit), status, first TransferNum per TxNum
//   transfers  from, to, asset, TxNum, kind, amount (256-bit) per TransferNum (chain order)
//   adjacency  per account, the TransferNums it sent and received, and the TxNums it paid fees
//              for, ascending (CSR: offsets + targets)
// Memory: about 21 bytes per account, 57 per transaction and 70 per transfer.
#ifndef ARIADNE_ENGINE_EVM_ACCOUNT_GRAPH_H_
#define ARIADNE_ENGINE_EVM_ACCOUNT_GRAPH_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/evm_types.h"
#include "engine/core/u256.h"
#include "engine/store/evm_schema.h"
#include "engine/store/store.h"

namespace ariadne::account {

using evm::Address;
using evm::U256;

inline constexpr uint32_t kNoAccount = UINT32_MAX;

class Graph {
 public:
  // Returns: the graph of everything the store holds; DATA_LOSS for inconsistent rows.
  static absl::StatusOr<std::unique_ptr<Graph>> Load(const store::Store& store);

  // Builds a graph by hand (tests, heuristics on crafted data). Accounts, assets, txs and
  // transfers are numbered in the order added; txs and transfers must come in chain order.
  class Builder {
   public:
    Builder();
    uint32_t AddAccount(const Address& a);
    // Returns: the AssetId (asset 0, ether, exists from the start).
    uint32_t AddAsset(store::AssetStandard standard, const Address& contract);
    void AddBlock(uint64_t number, uint64_t timestamp);
    // Args: block: must be a block added (the latest). Returns: the TxNum.
    uint64_t AddTx(uint64_t block, uint32_t sender, const U256& fee, uint8_t status = 0);
    // Adds a transfer of the latest tx. Returns: the TransferNum.
    uint64_t AddTransfer(uint32_t from, uint32_t to, uint32_t asset, const U256& amount,
                         uint8_t kind = 0);
    std::unique_ptr<Graph> Finish();

   private:
    std::unique_ptr<Graph> g_;
  };

  uint32_t account_count() const { return static_cast<uint32_t>(addresses_.size()); }
  uint32_t asset_count() const { return static_cast<uint32_t>(assets_.size()); }
  uint64_t tx_count() const { return tx_block_.size(); }
  uint64_t transfer_count() const { return tr_from_.size(); }

  const Address& AccountAddress(uint32_t a) const { return addresses_[a]; }
  const store::EvmAssetRow& Asset(uint32_t id) const { return assets_[id]; }
  // Returns: the AccountId of the zero address (mints come from it, burns go to it), or
  // kNoAccount.
  uint32_t zero_account() const { return zero_account_; }

  uint32_t From(uint64_t t) const { return tr_from_[t]; }
  uint32_t To(uint64_t t) const { return tr_to_[t]; }
  uint32_t AssetOf(uint64_t t) const { return tr_asset_[t]; }
  uint64_t TxOf(uint64_t t) const { return tr_tx_[t]; }
  uint8_t Kind(uint64_t t) const { return tr_kind_[t]; }
  const U256& Amount(uint64_t t) const { return tr_amount_[t]; }

  uint64_t Block(uint64_t tx) const { return tx_block_[tx]; }
  uint32_t Sender(uint64_t tx) const { return tx_sender_[tx]; }
  const U256& Fee(uint64_t tx) const { return tx_fee_[tx]; }
  uint8_t Status(uint64_t tx) const { return tx_status_[tx]; }
  // Returns: the transfers of a transaction, [FirstTransfer(tx), FirstTransfer(tx + 1)).
  uint64_t FirstTransfer(uint64_t tx) const { return tx_first_transfer_[tx]; }
  uint64_t TransferBlock(uint64_t t) const { return tx_block_[tr_tx_[t]]; }
  // Returns: the block's timestamp (0 for a block not indexed).
  uint64_t Timestamp(uint64_t block) const;

  // Returns: the transfers an account sent / received, ascending.
  std::span<const uint64_t> Out(uint32_t a) const {
    return {out_.data() + out_offsets_[a], out_.data() + out_offsets_[a + 1]};
  }
  std::span<const uint64_t> In(uint32_t a) const {
    return {in_.data() + in_offsets_[a], in_.data() + in_offsets_[a + 1]};
  }
  // Returns: the transactions whose fee the account paid, ascending.
  std::span<const uint64_t> FeesPaid(uint32_t a) const {
    return {fee_tx_.data() + fee_offsets_[a], fee_tx_.data() + fee_offsets_[a + 1]};
  }

 private:
  Graph() = default;
  void BuildAdjacency();

  std::vector<Address> addresses_;
  std::vector<store::EvmAssetRow> assets_;
  uint32_t zero_account_ = kNoAccount;
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
  std::vector<uint64_t> out_offsets_, out_, in_offsets_, in_, fee_offsets_, fee_tx_;
};

}  // namespace ariadne::account

#endif  // ARIADNE_ENGINE_EVM_ACCOUNT_GRAPH_H_
