#include "indexer/evm/evm_indexer.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "engine/core/eip55.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "engine/store/codec.h"
#include "engine/store/evm_store.h"
#include "indexer/evm/block_builder.h"
#include "indexer/evm/era1.h"
#include "indexer/evm/evm_sources.h"
#include "indexer/evm/evm_undo.h"
#include "indexer/evm/json_rpc.h"
#include "indexer/evm/rlp_block.h"

namespace ariadne::evm {

using store::AssetStandard;
using store::Cf;

namespace {

constexpr uint8_t kReceived = 0, kSent = 1, kFee = 2, kTx = 3;
static_assert(static_cast<uint8_t>(TransferKind::kFee) == store::kEvmFeeTransfer);

uint8_t ProvenanceBits(const BlockProvenance& p) {
  return (p.has_receipts ? 1 : 0) | (p.has_traces ? 2 : 0) | (p.hash_verified ? 4 : 0) |
         (p.tx_root_verified ? 8 : 0) | (p.receipt_root_verified ? 16 : 0) |
         (p.senders_verified ? 32 : 0);
}

AssetStandard StandardOf(TransferKind k) {
  switch (k) {
    case TransferKind::kErc20:
      return AssetStandard::kErc20;
    case TransferKind::kErc721:
      return AssetStandard::kErc721;
    case TransferKind::kErc1155:
      return AssetStandard::kErc1155;
    default:
      return AssetStandard::kNative;
  }
}

// True and *out for an ABI word holding an address (upper 12 bytes zero).
bool WordToAddress(const H256& word, Address* out) {
  for (int i = 0; i < 12; ++i) {
    if (word.data()[i] != 0) return false;
  }
  *out = Address::FromBytes(word.data() + 12);
  return true;
}

}  // namespace

ChainConfig ChainConfigOf(Network network) {
  return network == Network::kSepolia ? ChainConfig::Sepolia() : ChainConfig::Mainnet();
}

struct EvmIndexer::Mark {
  store::CommitBatch::Mark batch;
  std::array<size_t, 5> pending{};
  store::EvmChainState state;
  size_t deltas = 0;
  size_t new_accounts = 0;
  size_t assets = 0;
  size_t pending_blocks = 0;
  size_t pending_undo = 0;
  EvmIndexResult result;
};

EvmIndexer::~EvmIndexer() = default;

absl::StatusOr<std::unique_ptr<EvmIndexer>> EvmIndexer::Create(
    store::Store* store, size_t account_cache_entries,
    std::vector<store::EvmIndexObserver*> observers) {
  if (!IsEvm(store->network())) {
    return absl::FailedPreconditionError(absl::StrCat(
        "store at ", store->dir().string(), " holds ", AV(Params(store->network()).name),
        " (Bitcoin): index EVM chains into a store of their own"));
  }
  std::unique_ptr<EvmIndexer> ix(new EvmIndexer(store, account_cache_entries));
  ix->observers_ = std::move(observers);
  ASSIGN_OR_RETURN(ix->state_, store::ReadEvmState(*store));
  if (ix->state_.chain_id != EvmChainId(store->network())) {
    return absl::FailedPreconditionError(
        absl::StrCat("store state has chain id ", ix->state_.chain_id, ", the store's chain ",
                     AV(Params(store->network()).name), " has ", EvmChainId(store->network())));
  }
  ix->committed_ = ix->state_;
  if (!ix->state_.traces_counted) {
    // Written by a build that did not count them: count from the block rows (written with the
    // next commit).
    RETURN_IF_ERROR(store::CountEvmBlocksWithoutTraces(*store, &ix->state_.blocks_without_traces));
    ix->state_.traces_counted = true;
  }
  ix->store_had_accounts_ = ix->state_.account_count > 0;
  std::vector<store::EvmAssetRow> assets;
  RETURN_IF_ERROR(store::ReadEvmAssets(*store, &assets));
  if (assets.empty()) assets.push_back(store::EvmAssetRow());  // ether, written at the first commit
  if (assets.size() != ix->state_.asset_count) {
    return absl::DataLossError(absl::StrCat(
        "the store has ", assets.size(), " asset rows, its state counts ", ix->state_.asset_count));
  }
  for (uint32_t i = 0; i < assets.size(); ++i) {
    AssetKey k{assets[i].contract, static_cast<uint8_t>(assets[i].standard)};
    ix->asset_keys_.push_back(k);
    if (i > 0) ix->assets_.emplace(k, i);
  }
  ASSIGN_OR_RETURN(ix->committer_,
                   store::Committer::Create(store, store->dir() / "evm-ingest-staging"));
  ix->result_.tip_number = ix->state_.tip_number;
  ix->result_.tip_hash = ix->state_.tip_hash;
  return ix;
}

std::unique_ptr<EvmIndexer::Mark> EvmIndexer::GetMark() const {
  auto m = std::make_unique<Mark>();
  m->batch = batch_.GetMark();
  m->pending = pending_.Sizes();
  m->state = state_;
  m->deltas = deltas_.size();
  m->new_accounts = new_accounts_.size();
  m->assets = asset_keys_.size();
  m->pending_blocks = pending_blocks_.size();
  m->pending_undo = pending_undo_.size();
  m->result = result_;
  return m;
}

void EvmIndexer::Rollback(const Mark& m) {
  batch_.Rollback(m.batch);
  pending_.Resize(m.pending);
  state_ = m.state;
  deltas_.resize(m.deltas);
  for (size_t i = m.new_accounts; i < new_accounts_.size(); ++i) accounts_.erase(new_accounts_[i]);
  new_accounts_.resize(m.new_accounts);
  for (size_t i = m.assets; i < asset_keys_.size(); ++i) assets_.erase(asset_keys_[i]);
  asset_keys_.resize(m.assets);
  pending_blocks_.resize(m.pending_blocks);
  pending_undo_.resize(m.pending_undo);
  // The overlay is rebuilt from the pending deltas left (at the next block's undo).
  overlay_valid_ = false;
  std::vector<std::string> warnings = std::move(result_.warnings);
  result_ = m.result;
  result_.warnings = std::move(warnings);
}

absl::StatusOr<uint32_t> EvmIndexer::Account(const Address& a, uint64_t block, bool contract) {
  if (auto it = accounts_.find(a); it != accounts_.end()) return it->second;
  if (store_had_accounts_) {
    auto id = store::FindEvmAccount(*store_, a);
    if (id.ok()) {
      accounts_.emplace(a, *id);
      return *id;
    }
    if (!absl::IsNotFound(id.status())) return id.status();
  }
  if (state_.account_count == UINT32_MAX) {
    return absl::ResourceExhaustedError("more than 2^32 - 1 accounts: AccountIds are 32 bits");
  }
  const uint32_t id = state_.account_count++;
  accounts_.emplace(a, id);
  new_accounts_.push_back(a);
  batch_.Put(Cf::kEvmAccount, store::EvmAccountKey(id),
             store::EncodeEvmAccountRow({a, block, contract}));
  std::string v;
  store::PutBE32(&v, id);
  batch_.Put(Cf::kEvmAccountKey, store::EvmAccountKeyIndexKey(a), v);
  ++result_.new_accounts;
  return id;
}

uint32_t EvmIndexer::Asset(const Address& contract, AssetStandard standard, uint64_t block) {
  if (standard == AssetStandard::kNative) return store::kEtherAsset;
  const AssetKey k{contract, static_cast<uint8_t>(standard)};
  if (auto it = assets_.find(k); it != assets_.end()) return it->second;
  const uint32_t id = state_.asset_count++;
  assets_.emplace(k, id);
  asset_keys_.push_back(k);
  batch_.Put(Cf::kEvmAsset, store::EvmAssetKey(id),
             store::EncodeEvmAssetRow({standard, contract, block}));
  if (!observers_.empty()) pending_.assets.push_back({standard, contract, block});
  ++result_.new_assets;
  return id;
}

absl::StatusOr<std::optional<EvmBlockHash>> EvmIndexer::IndexedHash(uint64_t number) const {
  auto pending = std::lower_bound(pending_blocks_.begin(), pending_blocks_.end(),
                                  std::make_pair(number, EvmBlockHash()),
                                  [](const auto& a, const auto& b) { return a.first < b.first; });
  if (pending != pending_blocks_.end() && pending->first == number) return pending->second;
  auto row = store::ReadEvmBlock(*store_, number);
  if (absl::IsNotFound(row.status())) return std::optional<EvmBlockHash>();
  if (!row.ok()) return row.status();
  return std::optional<EvmBlockHash>(row->hash);
}

absl::Status EvmIndexer::Apply(const EvmBlock& block, std::string_view source) {
  const int64_t tip = state_.tip_number;
  const uint64_t n = block.number;
  if (tip >= 0 && n <= static_cast<uint64_t>(tip)) {
    ASSIGN_OR_RETURN(std::optional<EvmBlockHash> have, IndexedHash(n));
    if (have.has_value() && *have == block.hash) {
      ++result_.blocks_skipped;
      return absl::OkStatus();
    }
    if (have.has_value()) {
      return absl::FailedPreconditionError(
          absl::StrCat(AV(source), ": block ", n, " has hash ", HashHex(block.hash),
                       " but the store holds ", HashHex(*have),
                       " at that number: the chain reorganised (files carry no undo data: "
                       "follow the node with `index evm --rpc`, which rewinds reorgs, or index "
                       "the new branch into a new store)"));
    }
    return absl::FailedPreconditionError(
        absl::StrCat(AV(source), ": block ", n, " is below the store's tip ", tip,
                     " and not indexed: blocks must be added in increasing number order"));
  }
  if (tip >= 0 && n == static_cast<uint64_t>(tip) + 1 && block.parent_hash != state_.tip_hash) {
    return absl::FailedPreconditionError(
        absl::StrCat(AV(source), ": block ", n, " has parent ", HashHex(block.parent_hash),
                     ", not the indexed block ", tip, " (", HashHex(state_.tip_hash),
                     "): the chain reorganised (`index evm --rpc` rewinds reorgs; files "
                     "cannot)"));
  }
  const store::EvmChainState undo_before = state_;
  undo_hist_.clear();
  if (tip >= 0 && n > static_cast<uint64_t>(tip) + 1) {
    ++state_.gaps;
    ++result_.gaps;
  }
  const auto mark = batch_.GetMark();
  const auto pending_before = pending_.Sizes();
  const store::EvmChainState before = state_;
  const size_t deltas_before = deltas_.size();
  const size_t accounts_before = new_accounts_.size();
  const size_t assets_before = asset_keys_.size();

  store::EvmBlockRow row;
  row.hash = block.hash;
  row.parent_hash = block.parent_hash;
  row.timestamp = block.timestamp;
  row.miner = block.miner;
  row.first_tx = state_.tx_count;
  row.tx_count = static_cast<uint32_t>(block.txs.size());
  row.first_transfer = state_.transfer_count;
  row.transfer_count = static_cast<uint32_t>(block.transfers.size());
  row.log_count = static_cast<uint32_t>(block.logs.size());
  row.gas_used = block.gas_used;
  row.provenance = ProvenanceBits(block.provenance);
  size_t next_transfer = 0;
  absl::Status s;
  for (const EvmTx& tx : block.txs) {
    s = ApplyTx(block, tx, &next_transfer);
    if (!s.ok()) break;
  }
  if (s.ok() && next_transfer != block.transfers.size()) {
    s = absl::DataLossError(
        absl::StrCat(AV(source), ": block ", n, ": a transfer names transaction ",
                     block.transfers[next_transfer].tx_index, " of ", block.txs.size()));
  }
  if (s.ok() && undo_blocks_ > 0) s = RecordUndo(n, undo_before, deltas_before);
  if (!s.ok()) {
    batch_.Rollback(mark);
    pending_.Resize(pending_before);
    state_ = before;
    deltas_.resize(deltas_before);
    for (size_t i = accounts_before; i < new_accounts_.size(); ++i)
      accounts_.erase(new_accounts_[i]);
    new_accounts_.resize(accounts_before);
    for (size_t i = assets_before; i < asset_keys_.size(); ++i) assets_.erase(asset_keys_[i]);
    asset_keys_.resize(assets_before);
    return s;
  }
  batch_.Put(Cf::kEvmBlock, store::EvmBlockKey(n), store::EncodeEvmBlockRow(row));
  state_.tip_number = static_cast<int64_t>(n);
  state_.tip_hash = block.hash;
  ++state_.block_count;
  state_.log_count += block.logs.size();
  pending_blocks_.emplace_back(n, block.hash);
  if (!observers_.empty()) pending_.blocks.emplace_back(n, block.timestamp);
  ++result_.blocks_applied;
  result_.txs += block.txs.size();
  result_.transfers += block.transfers.size();
  result_.logs += block.logs.size();
  if (!block.provenance.has_receipts) ++result_.blocks_without_receipts;
  if (!block.txs.empty() && !block.provenance.has_traces) {
    ++state_.blocks_without_traces;
    ++result_.blocks_without_traces;
  }
  result_.tip_number = state_.tip_number;
  result_.tip_hash = state_.tip_hash;
  return absl::OkStatus();
}

absl::Status EvmIndexer::ApplyTx(const EvmBlock& block, const EvmTx& tx, size_t* next_transfer) {
  const uint64_t num = state_.tx_count++;
  const uint64_t b = block.number;
  store::EvmTxRow r;
  r.hash = tx.hash;
  r.block = b;
  r.index = tx.index;
  r.type = static_cast<uint8_t>(tx.type);
  r.status = static_cast<uint8_t>(tx.status);
  ASSIGN_OR_RETURN(r.from, Account(tx.from, b, false));
  touched_.clear();
  touched_.push_back(r.from);
  if (tx.to.has_value()) {
    r.has_to = true;
    ASSIGN_OR_RETURN(r.to, Account(*tx.to, b, false));
    touched_.push_back(r.to);
  }
  if (tx.created_contract.has_value()) {
    r.has_created = true;
    // A failed creation leaves no code at the address: it is not typed contract.
    ASSIGN_OR_RETURN(r.created, Account(*tx.created_contract, b, tx.status != TxStatus::kFailed));
    touched_.push_back(r.created);
  }
  // Contracts created by internal calls (known from traces).
  for (const CreatedContract& c : block.created) {
    if (c.tx_index != tx.index) continue;
    ASSIGN_OR_RETURN(const uint32_t id, Account(c.address, b, true));
    touched_.push_back(id);
  }
  r.nonce = tx.nonce;
  r.value = tx.value;
  r.fee = tx.fee_paid;
  r.gas_used = tx.gas_used;
  r.effective_gas_price = tx.effective_gas_price;
  r.first_transfer = state_.transfer_count;
  r.log_count = tx.log_count;
  r.selector = tx.selector;

  // Transfers of this transaction (block.transfers is ordered by transaction index).
  size_t& j = *next_transfer;
  while (j < block.transfers.size() && block.transfers[j].tx_index == tx.index) {
    const Transfer& t = block.transfers[j++];
    store::EvmTransferRow tr;
    tr.kind = static_cast<uint8_t>(t.kind);
    ASSIGN_OR_RETURN(tr.from, Account(t.from, b, false));
    ASSIGN_OR_RETURN(tr.to, Account(t.to, b, false));
    const AssetStandard standard = StandardOf(t.kind);
    if (standard != AssetStandard::kNative) {
      // The token contract is an account too (it may receive and send like any other).
      RETURN_IF_ERROR(Account(t.asset, b, true).status());
    }
    tr.asset = Asset(t.asset, standard, b);
    tr.amount = t.amount;
    tr.token_id = t.token_id;
    tr.tx = num;
    tr.log_index = t.log_index;
    row_.clear();
    store::EncodeEvmTransferRow(tr, &row_);
    batch_.Put(Cf::kEvmTransfer, store::EvmTransferKey(state_.transfer_count++), row_);
    if (!observers_.empty()) pending_.transfers.push_back(tr);
    const uint64_t asset = tr.asset;
    deltas_.push_back({uint64_t{tr.to} << 32 | asset, kReceived, b, t.amount});
    // The sender's side of the fee transfer is in its fee (below), not in what it sent.
    if (t.kind != TransferKind::kFee) {
      deltas_.push_back({uint64_t{tr.from} << 32 | asset, kSent, b, t.amount});
    }
    touched_.push_back(tr.from);
    touched_.push_back(tr.to);
  }
  r.transfer_count = static_cast<uint32_t>(state_.transfer_count - r.first_transfer);
  if (!tx.fee_paid.IsZero()) {
    deltas_.push_back({uint64_t{r.from} << 32 | store::kEtherAsset, kFee, b, tx.fee_paid});
    deltas_.push_back({uint64_t{r.from} << 32 | store::kAccountTotalsAsset, kFee, b, tx.fee_paid});
  }

  // Approval logs (a failed transaction has no logs).
  for (uint32_t l = tx.first_log; l < tx.first_log + tx.log_count && l < block.logs.size(); ++l) {
    const EvmLog& log = block.logs[l];
    if (log.topic_count < 3 || log.topics[0] != ApprovalTopic()) continue;
    Address owner, spender;
    if (!WordToAddress(log.topics[1], &owner) || !WordToAddress(log.topics[2], &spender)) continue;
    store::EvmApprovalRow ar;
    AssetStandard standard;
    if (log.topic_count == 3 && log.data_size == 32) {
      standard = AssetStandard::kErc20;
      ar.value = U256::FromWord(block.LogData(log).data());
    } else if (log.topic_count == 4 && log.data_size == 0) {
      standard = AssetStandard::kErc721;
      ar.value = U256::FromWord(log.topics[3].data());
    } else {
      continue;
    }
    ASSIGN_OR_RETURN(ar.owner, Account(owner, b, false));
    ASSIGN_OR_RETURN(ar.spender, Account(spender, b, false));
    RETURN_IF_ERROR(Account(log.address, b, true).status());
    ar.asset = Asset(log.address, standard, b);
    batch_.Put(Cf::kEvmApproval, store::EvmApprovalKey(num, log.log_index),
               store::EncodeEvmApprovalRow(ar));
    if (!observers_.empty()) pending_.approvals.emplace_back(num, ar);
    ++state_.approval_count;
    ++result_.approvals;
  }

  // History: every account the transaction touches, once.
  std::sort(touched_.begin(), touched_.end());
  touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
  for (uint32_t a : touched_) {
    batch_.Put(Cf::kEvmHist, store::EvmHistKey(a, num), {});
    if (undo_blocks_ > 0) undo_hist_.emplace_back(a, num);
    deltas_.push_back({uint64_t{a} << 32 | store::kAccountTotalsAsset, kTx, b, U256()});
  }
  row_.clear();
  store::EncodeEvmTxRow(r, &row_);
  batch_.Put(Cf::kEvmTx, store::EvmTxKey(num), row_);
  if (!observers_.empty()) pending_.txs.push_back(r);
  batch_.Put(Cf::kEvmTxHash, store::EvmTxHashKey(tx.hash, TxNum(num)), {});
  return absl::OkStatus();
}

absl::Status EvmIndexer::Commit() {
  if (state_ == committed_) return absl::OkStatus();
  if (committed_.block_count == 0 && committed_.asset_count == 1) {
    batch_.Put(Cf::kEvmAsset, store::EvmAssetKey(store::kEtherAsset),
               store::EncodeEvmAssetRow(store::EvmAssetRow()));
  }
  // Totals: one merge operand per (account, asset) of the batch.
  std::sort(deltas_.begin(), deltas_.end(),
            [](const Delta& a, const Delta& b) { return a.key < b.key; });
  for (size_t i = 0; i < deltas_.size();) {
    store::EvmTotals t;
    const uint64_t key = deltas_[i].key;
    for (; i < deltas_.size() && deltas_[i].key == key; ++i) {
      const Delta& d = deltas_[i];
      store::MergeEvmTotals(EvmTotalsDelta(d.what, d.block, d.amount), &t);
    }
    batch_.Merge(Cf::kEvmTotals, TotalsRowKey(key), store::EncodeEvmTotals(t));
  }
  if (undo_blocks_ > 0 && state_.tip_number >= 0) {
    // Undo records of the last undo_blocks_ blocks: the new ones in the window, and the committed
    // ones that fell out of it deleted.
    const int64_t window = std::max<int64_t>(0, state_.tip_number - undo_blocks_ + 1);
    for (const auto& [number, record] : pending_undo_) {
      if (static_cast<int64_t>(number) >= window) {
        batch_.Put(Cf::kMeta, EvmUndoKey(number), record);
      }
    }
    if (committed_.tip_number >= 0) {
      const int64_t from = std::max<int64_t>(0, committed_.tip_number - undo_blocks_ + 1);
      const int64_t to = std::min<int64_t>(committed_.tip_number, window - 1);
      for (int64_t n = from; n <= to; ++n) {
        batch_.Delete(Cf::kMeta, EvmUndoKey(static_cast<uint64_t>(n)));
      }
    }
  }
  batch_.Put(Cf::kMeta, store::kMetaEvmState, store::EncodeEvmState(state_));
  if (!observers_.empty()) {
    store::EvmCommitRows rows;
    rows.accounts = new_accounts_;
    rows.assets = pending_.assets;
    rows.blocks = pending_.blocks;
    rows.txs = pending_.txs;
    rows.transfers = pending_.transfers;
    rows.approvals = pending_.approvals;
    for (store::EvmIndexObserver* o : observers_) RETURN_IF_ERROR(o->OnCommit(rows, &batch_));
  }
  absl::Status s = committer_->Commit(&batch_);
  if (!s.ok()) return s;
  pending_.Resize({0, 0, 0, 0, 0});
  committed_ = state_;
  deltas_.clear();
  new_accounts_.clear();
  pending_blocks_.clear();
  pending_undo_.clear();
  totals_overlay_.clear();
  overlay_valid_ = true;
  store_had_accounts_ = state_.account_count > 0;
  if (accounts_.size() > cache_limit_) accounts_.clear();  // every entry is durable now
  return absl::OkStatus();
}

absl::Status IndexEvm(store::Store* store, const EvmIndexOptions& options, EvmIndexResult* result) {
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&start] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  auto indexer = EvmIndexer::Create(store, options.account_cache_entries, options.observers);
  if (!indexer.ok()) return indexer.status();
  EvmIndexer& ix = **indexer;
  auto finish = [&](absl::Status s) {
    *result = ix.result();
    result->seconds = seconds();
    return s;
  };
  auto units = PlanSources(options.sources);
  if (!units.ok()) return finish(units.status());

  const ChainConfig chain = ChainConfigOf(store->network());
  EvmIndexProgress progress;
  progress.units_total = units->size();
  auto last_report = std::chrono::steady_clock::now();
  auto report = [&](bool force) {
    if (!options.progress) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_report < std::chrono::milliseconds(200)) return;
    last_report = now;
    const EvmIndexResult& r = ix.result();
    progress.blocks = r.blocks_applied;
    progress.txs = r.txs;
    progress.logs = r.logs;
    progress.tip = ix.state().tip_number;
    progress.seconds = seconds();
    options.progress(progress);
  };

  for (const SourceUnit& unit : *units) {
    const bool whole = unit.format == SourceFormat::kEra1;
    std::unique_ptr<EvmIndexer::Mark> mark = ix.GetMark();
    std::string current;
    auto on_block = [&](const EvmBlock& block) -> absl::Status {
      RETURN_IF_ERROR(ix.Apply(block, current));
      if (!whole && ix.pending_txs() >= options.commit_txs) {
        RETURN_IF_ERROR(ix.Commit());
        mark = ix.GetMark();
      }
      report(false);
      return absl::OkStatus();
    };
    absl::Status s;
    switch (unit.format) {
      case SourceFormat::kJsonRpc: {
        JsonDumpOptions o;
        o.chain = chain;
        current = unit.files.size() == 1 ? unit.files[0].string()
                                         : absl::StrCat(unit.files.size(), " JSON files from ",
                                                        unit.files[0].parent_path().string());
        s = ReadJsonRpcFiles(unit.files, o, on_block);
        break;
      }
      case SourceFormat::kPortal: {
        RlpBlockOptions o;
        o.chain = chain;
        current = unit.files[0].string();
        EvmBlock block;
        s = ReadPortalBlockFile(unit.files[0], o, &block);
        if (s.ok()) s = on_block(block);
        break;
      }
      case SourceFormat::kEra1: {
        Era1Options o;
        o.block.chain = chain;
        current = unit.files[0].string();
        auto summary = ReadEra1File(unit.files[0], o, on_block);
        s = summary.status();
        break;
      }
    }
    if (s.ok()) s = ix.Commit();
    if (!s.ok()) {
      ix.Rollback(*mark);
      // Name the file when the reader's message does not (JSON errors name the file only).
      if (s.message().find(unit.files[0].filename().string()) == std::string_view::npos &&
          s.message().find(current) == std::string_view::npos) {
        s = absl::Status(s.code(), absl::StrCat(current, ": ", AV(SV(s.message()))));
      }
      return finish(s);
    }
    ++progress.units_done;
    ++ix.mutable_result()->units;
    report(true);
  }
  if (ix.result().gaps > 0) {
    ix.mutable_result()->warnings.push_back(
        absl::StrCat(ix.result().gaps,
                     " block(s) follow a gap (not the next number after the indexed tip): "
                     "value moved in the missing blocks is not in the store"));
  }
  if (ix.result().blocks_without_receipts > 0) {
    ix.mutable_result()->warnings.push_back(
        absl::StrCat(ix.result().blocks_without_receipts,
                     " block(s) without receipts: their token transfers and transaction statuses "
                     "are unknown (native transfers only)"));
  }
  if (ix.result().blocks_without_traces > 0) {
    ix.mutable_result()->warnings.push_back(absl::StrCat(
        ix.result().blocks_without_traces,
        " block(s) with transactions have no call traces (parity trace_block or geth "
        "debug_traceBlockByNumber with the callTracer): internal ETH movements (value moved by "
        "contract calls) in them are absent from the store; `ariadne status` reports the count"));
  }
  return finish(absl::OkStatus());
}

}  // namespace ariadne::evm
