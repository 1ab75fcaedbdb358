#include "engine/graph/account_graph.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/store/codec.h"
#include "engine/store/evm_store.h"
#include "engine/store/scan.h"

namespace ariadne::graph {

using store::Cf;

absl::StatusOr<std::unique_ptr<AccountGraph>> AccountGraph::Load(const store::Store& store) {
  ASSIGN_OR_RETURN(const store::EvmChainState state, store::ReadEvmState(store));
  std::unique_ptr<AccountGraph> g(new AccountGraph());
  g->addresses_.reserve(state.account_count);
  RETURN_IF_ERROR(store::ScanRows(store, Cf::kEvmAccount, "", [&](auto k, auto v) {
    if (k.size() != store::kAccountIdBytes || store::GetBE(k.data(), 4) != g->addresses_.size()) {
      return absl::DataLossError(absl::StrCat("account ", g->addresses_.size(), " is missing"));
    }
    ASSIGN_OR_RETURN(const store::EvmAccountRow row, store::DecodeEvmAccountRow(v));
    g->AddAccountRow(row.address);
    return absl::OkStatus();
  }));
  if (g->addresses_.size() != state.account_count) {
    return absl::DataLossError(absl::StrCat("the store has ", g->addresses_.size(),
                                            " accounts, its state counts ", state.account_count));
  }
  RETURN_IF_ERROR(store::ReadEvmAssets(store, &g->assets_));
  if (g->assets_.empty()) g->assets_.push_back(store::EvmAssetRow());
  RETURN_IF_ERROR(store::ScanRows(store, Cf::kEvmBlock, "", [&](auto k, auto v) {
    auto row = store::DecodeEvmBlockRow(v);
    if (!row.ok() || k.size() != 8) return absl::DataLossError("corrupt evm_block row");
    g->blocks_.emplace_back(store::GetBE(k.data(), 8), row->timestamp);
    return absl::OkStatus();
  }));
  g->tx_block_.reserve(state.tx_count);
  RETURN_IF_ERROR(store::ScanRows(store, Cf::kEvmTx, "", [&](auto k, auto v) {
    ASSIGN_OR_RETURN(const store::EvmTxRow row, store::DecodeEvmTxRow(v));
    const uint64_t prev = g->tx_first_transfer_.empty() ? 0 : g->tx_first_transfer_.back();
    if (store::GetBE(k.data(), 5) != g->tx_block_.size() || row.from >= g->account_count() ||
        row.first_transfer < prev || row.first_transfer > state.transfer_count) {
      return absl::DataLossError(absl::StrCat("transaction ", g->tx_block_.size(), " is corrupt"));
    }
    g->AddTxRow(row.block, row.from, row.fee, row.status, row.first_transfer);
    return absl::OkStatus();
  }));
  g->tx_first_transfer_.push_back(state.transfer_count);
  const uint64_t n = state.transfer_count;
  g->tr_from_.reserve(n);
  g->tr_to_.reserve(n);
  g->tr_asset_.reserve(n);
  g->tr_tx_.reserve(n);
  g->tr_kind_.reserve(n);
  g->tr_amount_.reserve(n);
  RETURN_IF_ERROR(store::ScanRows(store, Cf::kEvmTransfer, "", [&](auto k, auto v) {
    ASSIGN_OR_RETURN(const store::EvmTransferRow row, store::DecodeEvmTransferRow(v));
    if (store::GetBE(k.data(), 5) != g->tr_from_.size() || row.from >= g->account_count() ||
        row.to >= g->account_count() || row.asset >= g->asset_count() || row.tx >= g->tx_count()) {
      return absl::DataLossError(absl::StrCat("transfer ", g->tr_from_.size(), " is corrupt"));
    }
    g->AddTransferRow(row.from, row.to, row.asset, row.tx, row.kind, row.amount);
    return absl::OkStatus();
  }));
  if (g->tx_count() != state.tx_count || g->transfer_count() != state.transfer_count) {
    return absl::DataLossError(absl::StrCat("the store has ", g->tx_count(), " transactions and ",
                                            g->transfer_count(), " transfers, its state counts ",
                                            state.tx_count, " and ", state.transfer_count));
  }
  g->BuildAdjacency();
  return g;
}

absl::Status AccountGraph::Append(const AccountRows& rows) {
  for (const Address& a : rows.accounts) AddAccountRow(a);
  assets_.insert(assets_.end(), rows.assets.begin(), rows.assets.end());
  for (const auto& b : rows.blocks) {
    if (!blocks_.empty() && b.first <= blocks_.back().first) {
      return absl::InvalidArgumentError(absl::StrCat("block ", b.first, " is not after the last"));
    }
    blocks_.push_back(b);
  }
  tx_first_transfer_.pop_back();  // the end of the last transaction's transfers comes again below
  for (const store::EvmTxRow& t : rows.txs) {
    if (t.from >= account_count() || t.first_transfer < transfer_count()) {
      return absl::InvalidArgumentError(
          absl::StrCat("transaction ", tx_count(), " is out of order"));
    }
    AddTxRow(t.block, t.from, t.fee, t.status, t.first_transfer);
  }
  for (const store::EvmTransferRow& t : rows.transfers) {
    if (t.from >= account_count() || t.to >= account_count() || t.asset >= asset_count() ||
        t.tx >= tx_count()) {
      return absl::InvalidArgumentError(
          absl::StrCat("transfer ", transfer_count(), " names an unknown id"));
    }
    AddTransferRow(t.from, t.to, t.asset, t.tx, t.kind, t.amount);
  }
  tx_first_transfer_.push_back(transfer_count());
  BuildAdjacency();
  return absl::OkStatus();
}

uint64_t AccountGraph::Timestamp(uint64_t block) const {
  auto it = std::lower_bound(blocks_.begin(), blocks_.end(), std::make_pair(block, uint64_t{0}));
  return it != blocks_.end() && it->first == block ? it->second : 0;
}

void AccountGraph::AddAccountRow(const Address& a) {
  if (a.IsZero()) zero_account_ = AccountId(account_count());
  addresses_.push_back(a);
}

void AccountGraph::AddTxRow(uint64_t block, uint32_t sender, const U256& fee, uint8_t status,
                            uint64_t first_transfer) {
  tx_block_.push_back(block);
  tx_sender_.push_back(sender);
  tx_fee_.push_back(fee);
  tx_status_.push_back(status);
  tx_first_transfer_.push_back(first_transfer);
}

void AccountGraph::AddTransferRow(uint32_t from, uint32_t to, uint32_t asset, uint64_t tx,
                                  uint8_t kind, const U256& amount) {
  tr_from_.push_back(from);
  tr_to_.push_back(to);
  tr_asset_.push_back(asset);
  tr_tx_.push_back(tx);
  tr_kind_.push_back(kind);
  tr_amount_.push_back(amount);
}

void AccountGraph::BuildAdjacency() {
  const uint32_t accounts = account_count();
  // skip_fees: a fee transfer is not among its sender's outputs (the sender's side is its fee).
  auto build = [&](const std::vector<uint32_t>& owner, bool skip_fees,
                   std::vector<uint64_t>* offsets, std::vector<TransferNum>* targets) {
    auto skip = [&](uint64_t t) { return skip_fees && tr_kind_[t] == store::kEvmFeeTransfer; };
    offsets->assign(uint64_t{accounts} + 1, 0);
    for (uint64_t t = 0; t < owner.size(); ++t) {
      if (!skip(t)) (*offsets)[owner[t] + 1]++;
    }
    for (uint32_t i = 0; i < accounts; ++i) (*offsets)[i + 1] += (*offsets)[i];
    targets->resize((*offsets)[accounts]);
    std::vector<uint64_t> fill(offsets->begin(), offsets->end() - 1);
    for (uint64_t t = 0; t < owner.size(); ++t) {
      if (!skip(t)) (*targets)[fill[owner[t]]++] = TransferNum(t);
    }
  };
  build(tr_from_, /*skip_fees=*/true, &out_offsets_, &out_);
  build(tr_to_, /*skip_fees=*/false, &in_offsets_, &in_);
  // Fees: only transactions with a fee (zero-fee ones, as in hand-made chains, pay nothing).
  fee_offsets_.assign(uint64_t{accounts} + 1, 0);
  for (uint64_t t = 0; t < tx_count(); ++t) {
    if (!tx_fee_[t].IsZero()) fee_offsets_[tx_sender_[t] + 1]++;
  }
  for (uint32_t i = 0; i < accounts; ++i) fee_offsets_[i + 1] += fee_offsets_[i];
  fee_tx_.resize(fee_offsets_[accounts]);
  std::vector<uint64_t> fill(fee_offsets_.begin(), fee_offsets_.end() - 1);
  for (uint64_t t = 0; t < tx_count(); ++t) {
    if (!tx_fee_[t].IsZero()) fee_tx_[fill[tx_sender_[t]]++] = TxNum(t);
  }
}

// ---- Builder

AccountGraph::Builder::Builder() : g_(new AccountGraph()) {
  g_->assets_.push_back(store::EvmAssetRow());
}

AccountId AccountGraph::Builder::AddAccount(const Address& a) {
  g_->AddAccountRow(a);
  return AccountId(g_->account_count() - 1);
}

AssetId AccountGraph::Builder::AddAsset(store::AssetStandard standard, const Address& contract) {
  g_->assets_.push_back({standard, contract, 0});
  return AssetId(g_->asset_count() - 1);
}

void AccountGraph::Builder::AddBlock(uint64_t number, uint64_t timestamp) {
  g_->blocks_.emplace_back(number, timestamp);
}

TxNum AccountGraph::Builder::AddTx(uint64_t block, AccountId sender, const U256& fee,
                                   uint8_t status) {
  g_->AddTxRow(block, sender.value(), fee, status, g_->transfer_count());
  return TxNum(g_->tx_count() - 1);
}

TransferNum AccountGraph::Builder::AddTransfer(AccountId from, AccountId to, AssetId asset,
                                               const U256& amount, uint8_t kind) {
  g_->AddTransferRow(from.value(), to.value(), asset.value(), g_->tx_count() - 1, kind, amount);
  return TransferNum(g_->transfer_count() - 1);
}

std::unique_ptr<AccountGraph> AccountGraph::Builder::Finish() {
  g_->tx_first_transfer_.push_back(g_->transfer_count());
  g_->BuildAdjacency();
  return std::move(g_);
}

}  // namespace ariadne::graph
