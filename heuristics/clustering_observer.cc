#include "heuristics/clustering_observer.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/store/codec.h"
#include "heuristics/cluster_rows.h"
#include "heuristics/clustering.h"
#include "rocksdb/write_batch.h"

namespace ariadne::heuristics {
namespace {

using store::Cf;

rocksdb::Slice ToSlice(const std::string& s) { return rocksdb::Slice(s.data(), s.size()); }

}  // namespace

absl::StatusOr<std::unique_ptr<ClusteringObserver>> ClusteringObserver::Create(
    store::Store* store, const ClusteringObserverOptions& options) {
  std::unique_ptr<ClusteringObserver> o(new ClusteringObserver());
  o->store_ = store;
  o->options_ = options;
  ASSIGN_OR_RETURN(store::ChainState state, store->ReadState());
  auto meta = ReadClusterMeta(*store);
  if (absl::IsNotFound(meta.status()) && state.tx_count == 0) {
    o->meta_.gen = 0;
    o->meta_.policy = DefaultPolicy().ToSpec();
    return o;
  }
  if (!meta.ok() && !absl::IsNotFound(meta.status())) return meta.status();
  if (!meta.ok() || meta->processed_txs != state.tx_count) {
    // No clustering yet (an index built without one) or an interrupted one: rebuild it.
    ClusteringPolicy policy = DefaultPolicy();
    if (meta.ok()) {
      ASSIGN_OR_RETURN(policy, ParsePolicy(meta->policy));
    }
    RETURN_IF_ERROR(
        Recluster(store, policy, {}, kDefaultEvidenceChunk, options.undo_blocks).status());
    ASSIGN_OR_RETURN(meta, ReadClusterMeta(*store));
  }
  o->meta_ = *meta;
  o->processed_ = meta->processed_txs;
  return o;
}

absl::Status ClusteringObserver::OpenFiles(bool replay) {
  tried_files_ = true;
  ASSIGN_OR_RETURN(store::ChainState state, store_->ReadState());
  ASSIGN_OR_RETURN(ClusteringPolicy policy, ParsePolicy(meta_.policy));
  bool valid = false;
  ASSIGN_OR_RETURN(file_, ClusterFile::Open(FilesDir(), state, meta_, policy, &builder_, &valid));
  loaded_from_files_ = valid;
  if (!valid) {
    if (!replay) {
      builder_.reset();
      file_.reset();
      return absl::OkStatus();
    }
    if (state.tx_count > 0) RETURN_IF_ERROR(LoadClusteringInto(*store_, builder_.get()));
  }
  builder_->EnableJournal(options_.journal_blocks);
  changed_ = !valid;  // a replayed union-find must be written at the run's end
  return file_->MarkDirty();
}

absl::Status ClusteringObserver::EnsureLoaded() {
  if (builder_ != nullptr || needs_rebuild_) return absl::OkStatus();
  if (options_.files) return OpenFiles(true);
  ASSIGN_OR_RETURN(store::ChainState state, store_->ReadState());
  if (state.tx_count == 0) {
    ASSIGN_OR_RETURN(ClusteringPolicy policy, ParsePolicy(meta_.policy));
    builder_ = std::make_unique<ClusterBuilder>(policy);
  } else {
    ASSIGN_OR_RETURN(builder_, LoadClustering(*store_));
  }
  builder_->EnableJournal(options_.journal_blocks);
  return absl::OkStatus();
}

uint64_t ClusteringObserver::MappedBytes() const {
  return file_ != nullptr ? file_->mapped_bytes() : 0;
}

absl::Status ClusteringObserver::OnRunEnd(const store::ChainState& durable) {
  if (builder_ == nullptr || file_ == nullptr || needs_rebuild_ || builder_->failed() ||
      processed_ != durable.tx_count) {
    return absl::OkStatus();  // left dirty: the next run replays the rows
  }
  return file_->Save(*builder_, durable, meta_, changed_);
}

const ClusterCounters& ClusteringObserver::counters() const {
  static const ClusterCounters kNone;
  return builder_ != nullptr ? builder_->counters() : kNone;
}

absl::StatusOr<uint64_t> ClusteringObserver::Prepare(uint64_t addresses_at_end) {
  if (needs_rebuild_) return 0;
  RETURN_IF_ERROR(EnsureLoaded());
  const uint64_t n = std::min<uint64_t>(addresses_at_end, UINT32_MAX);
  if (!builder_->union_find().Reserve(static_cast<uint32_t>(n))) {
    return absl::ResourceExhaustedError(absl::StrCat("no room for the clustering's union-find of ",
                                                     n, " addresses beside the store"));
  }
  // The maps grow with the clusters and candidates, roughly in proportion to the addresses, and a
  // hash table that doubles holds its old and new arrays for a moment: count them twice.
  const uint64_t now = std::max<uint64_t>(builder_->union_find().size(), 1);
  const double growth = static_cast<double>(std::max(n, now)) / static_cast<double>(now);
  const uint64_t maps =
      static_cast<uint64_t>(2 * growth * static_cast<double>(builder_->MapBytes()));
  // The union-find counts when it is on the heap; mapped, it is reported by MappedBytes.
  const uint64_t uf = file_ != nullptr ? 0 : n * graph::UnionFind::BytesPerElement();
  return uf + maps + (uint64_t{16} << 20);
}

void ClusteringObserver::OnTx(const store::ResolvedTx& tx) {
  if (needs_rebuild_) return;  // rebuilt from the store once indexing ends
  if (builder_ == nullptr) {
    if (load_status_.ok()) load_status_ = EnsureLoaded();
    if (!load_status_.ok()) return;  // reported by the next OnCommit
  }
  if (static_cast<int64_t>(tx.height) != tip_height_) {
    tip_height_ = tx.height;
    block_first_.emplace_back(tx.height, tx.num.value());
    while (block_first_.size() > options_.undo_blocks + 1) block_first_.pop_front();
  }
  builder_->Process(tx);
  changed_ = true;
  ++processed_;
}

absl::StatusOr<TxNum> ClusteringObserver::FirstTxNum(uint32_t height) const {
  for (const auto& [h, first] : block_first_) {
    if (h == height) return TxNum(first);
  }
  ASSIGN_OR_RETURN(store::BlockRow row, store_->ReadBlock(height));
  return TxNum(row.first_txnum);
}

absl::Status ClusteringObserver::OnCommit(store::CommitBatch* batch) {
  if (needs_rebuild_) return absl::OkStatus();
  RETURN_IF_ERROR(load_status_);
  if (builder_ == nullptr) return absl::OkStatus();  // nothing applied
  if (builder_->failed()) {
    return absl::ResourceExhaustedError(
        "the clustering's union-find could not grow (no room on disk beside the store?)");
  }
  PutEvidence(*builder_, meta_.gen, &current_tx_, &index_in_tx_, batch);
  meta_.unions += builder_->evidence().size();
  builder_->ClearEvidence();
  // Pending candidates: rows for those added and still pending, deletions for those added in an
  // earlier commit and resolved since.
  absl::flat_hash_set<uint64_t> added(builder_->pending_added().begin(),
                                      builder_->pending_added().end());
  for (const ConsumedPending& c : builder_->pending_removed()) {
    if (added.erase(c.key) == 0) {
      batch->Delete(Cf::kClusterPending, store::PendingKey(meta_.gen, c.key));
    }
  }
  for (uint64_t key : added) {
    auto it = builder_->pending().find(key);
    if (it != builder_->pending().end()) {
      batch->Put(Cf::kClusterPending, store::PendingKey(meta_.gen, key),
                 store::EncodePending(ToRow(it->second)));
    }
  }
  // Undo rows for the spends of the last undo_blocks blocks; older ones leave the window.
  const uint32_t from_height = UndoFromHeight(tip_height_, options_.undo_blocks);
  TxNum keep_from(0);
  if (from_height > 0) {
    ASSIGN_OR_RETURN(keep_from, FirstTxNum(from_height));
  }
  PutUndo(*builder_, meta_.gen, keep_from, &undo_spend_, &undo_index_, batch);
  PruneUndo(meta_.gen, options_.undo_blocks, from_height, keep_from, batch);
  builder_->ClearPendingChanges();
  meta_.processed_txs = processed_;
  batch->Put(Cf::kMeta, store::kMetaCluster, store::EncodeClusterMeta(meta_));
  return absl::OkStatus();
}

absl::Status ClusteringObserver::OnRewind(const store::Store& store, uint32_t height,
                                          const store::BlockRow& block,
                                          rocksdb::WriteBatch* batch) {
  // The union-find is rewound in memory through its journal when the files beside the store hold
  // the clustering of the store as it is (before this run's first rewind); otherwise it is loaded
  // once the rows are rewound.
  if (builder_ == nullptr && !tried_files_ && options_.files && !needs_rebuild_) {
    RETURN_IF_ERROR(OpenFiles(false));
  }
  block_first_.clear();
  current_tx_ = TxNum();
  index_in_tx_ = 0;
  undo_spend_ = TxNum();
  undo_index_ = 0;
  tip_height_ = static_cast<int64_t>(height) - 1;
  if (needs_rebuild_) return absl::OkStatus();
  const TxNum first(block.first_txnum), end(block.first_txnum + block.tx_count);
  processed_ = first.value();
  meta_.processed_txs = processed_;
  // Undo rows exist for the blocks of the window below the tip the rewinds started from, in stores
  // of this generation that keep them.
  auto undo_meta = store.ReadMeta(store::kMetaClusterUndo);
  absl::StatusOr<store::ClusterUndoMeta> undo =
      undo_meta.ok() ? store::DecodeClusterUndoMeta(*undo_meta) : undo_meta.status();
  if (!undo.ok() && !absl::IsNotFound(undo.status())) return undo.status();
  if (!undo.ok() || undo->gen != meta_.gen || height < undo->from_height) {
    // Rebuilt once the run ends; marked invalid now, so that a kill before the rebuild cannot leave
    // a stale clustering that looks current.
    needs_rebuild_ = true;
    builder_.reset();
    file_.reset();
    meta_.processed_txs = store::ClusterMeta::kInvalidProcessed;
    batch->Put(store.handle(Cf::kMeta), ToSlice(std::string(store::kMetaCluster)),
               ToSlice(store::EncodeClusterMeta(meta_)));
    return absl::OkStatus();
  }
  if (builder_ != nullptr && !builder_->RewindTo(height - 1)) {
    builder_.reset();  // beyond the journal: loaded from the rows later
    file_.reset();
  }
  if (builder_ != nullptr) ++journal_rewinds_;
  changed_ = true;
  const uint8_t gen = meta_.gen;
  rocksdb::ReadOptions ro;
  // The block's unions.
  const std::string ev_lo = store::EvidenceKey(gen, first, 0);
  const std::string ev_hi = store::EvidenceKey(gen, end, 0);
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.handle(Cf::kEvidence)));
  uint64_t unions = 0;
  for (it->Seek(ToSlice(ev_lo)); it->Valid() && it->key().compare(ToSlice(ev_hi)) < 0; it->Next()) {
    ++unions;
  }
  RETURN_IF_ERROR(store::FromRocks(it->status(), "reading the rewound block's evidence"));
  if (unions > meta_.unions)
    return absl::DataLossError("evidence rows exceed meta/cluster's count");
  meta_.unions -= unions;
  batch->DeleteRange(store.handle(Cf::kEvidence), ToSlice(ev_lo), ToSlice(ev_hi));
  // The candidates its transactions added.
  const std::string pe_lo = store::PendingKey(gen, first.value() << 24);
  const std::string pe_hi = store::PendingKey(gen, end.value() << 24);
  if (builder_ != nullptr) {
    std::unique_ptr<rocksdb::Iterator> pi(
        store.db()->NewIterator(ro, store.handle(Cf::kClusterPending)));
    for (pi->Seek(ToSlice(pe_lo)); pi->Valid() && pi->key().compare(ToSlice(pe_hi)) < 0;
         pi->Next()) {
      builder_->ErasePending(store::GetBE(pi->key().data() + 1, 8));
    }
    RETURN_IF_ERROR(store::FromRocks(pi->status(), "reading the rewound block's candidates"));
  }
  batch->DeleteRange(store.handle(Cf::kClusterPending), ToSlice(pe_lo), ToSlice(pe_hi));
  // The candidates its spends consumed, when their paying transaction stays.
  const std::string un_lo = store::ClusterUndoKey(gen, first, 0);
  const std::string un_hi = store::ClusterUndoKey(gen, end, 0);
  std::unique_ptr<rocksdb::Iterator> ui(
      store.db()->NewIterator(ro, store.handle(Cf::kClusterUndo)));
  for (ui->Seek(ToSlice(un_lo)); ui->Valid() && ui->key().compare(ToSlice(un_hi)) < 0; ui->Next()) {
    ASSIGN_OR_RETURN(store::UndoPendingRow u, store::DecodeUndoPending(std::string_view(
                                                  ui->value().data(), ui->value().size())));
    if ((u.key >> 24) >= first.value()) continue;
    batch->Put(store.handle(Cf::kClusterPending), ToSlice(store::PendingKey(gen, u.key)),
               ToSlice(store::EncodePending(u.pending)));
    if (builder_ != nullptr) builder_->RestorePending(u.key, FromRow(u.pending));
  }
  RETURN_IF_ERROR(store::FromRocks(ui->status(), "reading the rewound block's undo rows"));
  batch->DeleteRange(store.handle(Cf::kClusterUndo), ToSlice(un_lo), ToSlice(un_hi));
  batch->Put(store.handle(Cf::kMeta), ToSlice(std::string(store::kMetaCluster)),
             ToSlice(store::EncodeClusterMeta(meta_)));
  ++blocks_rewound_;
  return absl::OkStatus();
}

absl::Status ClusteringObserver::Finish(store::Store* store) {
  if (!needs_rebuild_) return absl::OkStatus();
  ASSIGN_OR_RETURN(ClusteringPolicy policy, ParsePolicy(meta_.policy));
  RETURN_IF_ERROR(
      Recluster(store, policy, {}, kDefaultEvidenceChunk, options_.undo_blocks).status());
  ASSIGN_OR_RETURN(meta_, ReadClusterMeta(*store));
  processed_ = meta_.processed_txs;
  needs_rebuild_ = false;
  // The next run loads the rebuilt clustering from its rows (the files beside the store are stale).
  builder_.reset();
  file_.reset();
  return absl::OkStatus();
}

}  // namespace ariadne::heuristics
