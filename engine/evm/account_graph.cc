#include "engine/evm/account_graph.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/store/codec.h"
#include "engine/store/evm_store.h"

namespace ariadne::account {

using store::Cf;

namespace {

// Iterates a family in key order, calling fn(key, value); stops at the first error.
template <typename Fn>
absl::Status Scan(const store::Store& store, Cf cf, Fn fn) {
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.handle(cf)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::Status s = fn(std::string_view(it->key().data(), it->key().size()),
                        std::string_view(it->value().data(), it->value().size()));
    if (!s.ok()) return s;
  }
  return store::FromRocks(it->status(), absl::StrCat("reading ", std::string(store::CfName(cf))));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Graph>> Graph::Load(const store::Store& store) {
  auto state = store::ReadEvmState(store);
  if (!state.ok()) return state.status();
  std::unique_ptr<Graph> g(new Graph());
  g->addresses_.reserve(state->account_count);
  absl::Status s = Scan(store, Cf::kEvmAccount, [&](std::string_view k, std::string_view v) {
    if (k.size() != store::kAccountIdBytes || store::GetBE(k.data(), 4) != g->addresses_.size()) {
      return absl::DataLossError(absl::StrCat("account ", g->addresses_.size(), " is missing"));
    }
    auto row = store::DecodeEvmAccountRow(v);
    if (!row.ok()) return row.status();
    if (row->address.IsZero()) g->zero_account_ = static_cast<uint32_t>(g->addresses_.size());
    g->addresses_.push_back(row->address);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (g->addresses_.size() != state->account_count) {
    return absl::DataLossError(absl::StrCat("the store has ", g->addresses_.size(),
                                            " accounts, its state counts ", state->account_count));
  }
  if (absl::Status a = store::ReadEvmAssets(store, &g->assets_); !a.ok()) return a;
  if (g->assets_.empty()) g->assets_.push_back(store::EvmAssetRow());
  s = Scan(store, Cf::kEvmBlock, [&](std::string_view k, std::string_view v) {
    auto row = store::DecodeEvmBlockRow(v);
    if (!row.ok() || k.size() != 8) return absl::DataLossError("corrupt evm_block row");
    g->blocks_.emplace_back(store::GetBE(k.data(), 8), row->timestamp);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  g->tx_block_.reserve(state->tx_count);
  s = Scan(store, Cf::kEvmTx, [&](std::string_view k, std::string_view v) {
    auto row = store::DecodeEvmTxRow(v);
    if (!row.ok()) return row.status();
    const uint64_t prev = g->tx_first_transfer_.empty() ? 0 : g->tx_first_transfer_.back();
    if (store::GetBE(k.data(), 5) != g->tx_block_.size() || row->from >= g->account_count() ||
        row->first_transfer < prev || row->first_transfer > state->transfer_count) {
      return absl::DataLossError(absl::StrCat("transaction ", g->tx_block_.size(), " is corrupt"));
    }
    g->tx_block_.push_back(row->block);
    g->tx_sender_.push_back(row->from);
    g->tx_fee_.push_back(row->fee);
    g->tx_status_.push_back(row->status);
    g->tx_first_transfer_.push_back(row->first_transfer);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  g->tx_first_transfer_.push_back(state->transfer_count);
  const uint64_t n = state->transfer_count;
  g->tr_from_.reserve(n);
  g->tr_to_.reserve(n);
  g->tr_asset_.reserve(n);
  g->tr_tx_.reserve(n);
  g->tr_kind_.reserve(n);
  g->tr_amount_.reserve(n);
  s = Scan(store, Cf::kEvmTransfer, [&](std::string_view k, std::string_view v) {
    auto row = store::DecodeEvmTransferRow(v);
    if (!row.ok()) return row.status();
    if (store::GetBE(k.data(), 5) != g->tr_from_.size() || row->from >= g->account_count() ||
        row->to >= g->account_count() || row->asset >= g->asset_count() ||
        row->tx >= g->tx_count()) {
      return absl::DataLossError(absl::StrCat("transfer ", g->tr_from_.size(), " is corrupt"));
    }
    g->tr_from_.push_back(row->from);
    g->tr_to_.push_back(row->to);
    g->tr_asset_.push_back(row->asset);
    g->tr_tx_.push_back(row->tx);
    g->tr_kind_.push_back(row->kind);
    g->tr_amount_.push_back(row->amount);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (g->tx_count() != state->tx_count || g->transfer_count() != state->transfer_count) {
    return absl::DataLossError(absl::StrCat("the store has ", g->tx_count(), " transactions and ",
                                            g->transfer_count(), " transfers, its state counts ",
                                            state->tx_count, " and ", state->transfer_count));
  }
  g->BuildAdjacency();
  return g;
}

uint64_t Graph::Timestamp(uint64_t block) const {
  auto it = std::lower_bound(blocks_.begin(), blocks_.end(), std::make_pair(block, uint64_t{0}));
  return it != blocks_.end() && it->first == block ? it->second : 0;
}

void Graph::BuildAdjacency() {
  const uint32_t accounts = account_count();
  // skip_fees: a fee transfer is not among its sender's outputs (the sender's side is its fee).
  auto build = [&](const std::vector<uint32_t>& owner, bool skip_fees,
                   std::vector<uint64_t>* offsets, std::vector<uint64_t>* targets) {
    auto skip = [&](uint64_t t) { return skip_fees && tr_kind_[t] == store::kEvmFeeTransfer; };
    offsets->assign(uint64_t{accounts} + 1, 0);
    for (uint64_t t = 0; t < owner.size(); ++t) {
      if (!skip(t)) (*offsets)[owner[t] + 1]++;
    }
    for (uint32_t i = 0; i < accounts; ++i) (*offsets)[i + 1] += (*offsets)[i];
    targets->resize((*offsets)[accounts]);
    std::vector<uint64_t> fill(offsets->begin(), offsets->end() - 1);
    for (uint64_t t = 0; t < owner.size(); ++t) {
      if (!skip(t)) (*targets)[fill[owner[t]]++] = t;
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
    if (!tx_fee_[t].IsZero()) fee_tx_[fill[tx_sender_[t]]++] = t;
  }
}

// ---- Builder

Graph::Builder::Builder() : g_(new Graph()) { g_->assets_.push_back(store::EvmAssetRow()); }

uint32_t Graph::Builder::AddAccount(const Address& a) {
  if (a.IsZero()) g_->zero_account_ = g_->account_count();
  g_->addresses_.push_back(a);
  return g_->account_count() - 1;
}

uint32_t Graph::Builder::AddAsset(store::AssetStandard standard, const Address& contract) {
  g_->assets_.push_back({standard, contract, 0});
  return g_->asset_count() - 1;
}

void Graph::Builder::AddBlock(uint64_t number, uint64_t timestamp) {
  g_->blocks_.emplace_back(number, timestamp);
}

uint64_t Graph::Builder::AddTx(uint64_t block, uint32_t sender, const U256& fee, uint8_t status) {
  g_->tx_block_.push_back(block);
  g_->tx_sender_.push_back(sender);
  g_->tx_fee_.push_back(fee);
  g_->tx_status_.push_back(status);
  g_->tx_first_transfer_.push_back(g_->transfer_count());
  return g_->tx_count() - 1;
}

uint64_t Graph::Builder::AddTransfer(uint32_t from, uint32_t to, uint32_t asset, const U256& amount,
                                     uint8_t kind) {
  g_->tr_from_.push_back(from);
  g_->tr_to_.push_back(to);
  g_->tr_asset_.push_back(asset);
  g_->tr_tx_.push_back(g_->tx_count() - 1);
  g_->tr_kind_.push_back(kind);
  g_->tr_amount_.push_back(amount);
  return g_->transfer_count() - 1;
}

std::unique_ptr<Graph> Graph::Builder::Finish() {
  g_->tx_first_transfer_.push_back(g_->transfer_count());
  g_->BuildAdjacency();
  return std::move(g_);
}

}  // namespace ariadne::account
