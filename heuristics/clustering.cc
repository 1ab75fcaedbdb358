#include "heuristics/clustering.h"

#include <chrono>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/store/codec.h"
#include "engine/store/replay.h"

namespace ariadne::heuristics {
namespace {

using store::Cf;

store::EvidenceRow ToRow(const Evidence& e, TxNum at) {
  return {e.a, e.b, static_cast<uint8_t>(e.kind), e.rule, e.tx, at};
}
Evidence FromRow(const store::EvidenceRow& r) {
  return {r.a, r.b, static_cast<EvidenceKind>(r.kind), r.rule, r.tx};
}
store::PendingRow ToRow(const PendingChange& p) {
  return {p.anchor, p.change, p.rule, p.version, p.locktime_set};
}

// Appends the builder's evidence rows, keyed by the transaction that made each union, with
// per-transaction indexes continuing from *at / *index.
void PutEvidence(const ClusterBuilder& b, uint8_t gen, TxNum* at, uint32_t* index,
                 store::CommitBatch* batch) {
  for (size_t i = 0; i < b.evidence().size(); ++i) {
    const TxNum made = b.evidence_at()[i];
    if (made != *at) {
      *at = made;
      *index = 0;
    }
    batch->Put(Cf::kEvidence, store::EvidenceKey(gen, made, (*index)++),
               store::EncodeEvidence(ToRow(b.evidence()[i], made)));
  }
}

std::string GenPrefix(uint8_t gen) { return std::string(1, static_cast<char>(gen)); }

// Restores the pending change candidates of generation `gen` into *builder.
absl::Status RestorePendingRows(const store::Store& store, uint8_t gen, ClusterBuilder* builder) {
  rocksdb::ReadOptions ro;
  const std::string prefix = GenPrefix(gen);
  std::unique_ptr<rocksdb::Iterator> pi(
      store.db()->NewIterator(ro, store.handle(Cf::kClusterPending)));
  for (pi->Seek(prefix); pi->Valid() && pi->key()[0] == prefix[0]; pi->Next()) {
    if (pi->key().size() != 9) return absl::DataLossError("corrupt cluster_pending key");
    ASSIGN_OR_RETURN(store::PendingRow p, store::DecodePending(std::string_view(
                                              pi->value().data(), pi->value().size())));
    builder->RestorePending(store::GetBE(pi->key().data() + 1, 8),
                            {p.anchor, p.change, p.rule, p.version, p.locktime_set});
  }
  return store::FromRocks(pi->status(), "reading pending change candidates");
}

}  // namespace

absl::StatusOr<store::ClusterMeta> ReadClusterMeta(const store::Store& store) {
  auto v = store.ReadMeta(store::kMetaCluster);
  if (!v.ok()) return v.status();
  return store::DecodeClusterMeta(*v);
}

absl::StatusOr<std::unique_ptr<ClusterBuilder>> LoadClustering(const store::Store& store) {
  ASSIGN_OR_RETURN(store::ClusterMeta meta, ReadClusterMeta(store));
  ASSIGN_OR_RETURN(store::ChainState state, store.ReadState());
  if (meta.processed_txs != state.tx_count) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the stored clustering covers ",
        meta.processed_txs == store::ClusterMeta::kInvalidProcessed ? 0 : meta.processed_txs,
        " of ", state.tx_count, " transactions: run `ariadne recluster`"));
  }
  ASSIGN_OR_RETURN(ClusteringPolicy policy, ParsePolicy(meta.policy));
  auto builder = std::make_unique<ClusterBuilder>(policy);
  builder->union_find().Grow(state.addr_count);
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = false;
  const std::string prefix = GenPrefix(meta.gen);
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.handle(Cf::kEvidence)));
  for (it->Seek(prefix); it->Valid() && it->key()[0] == prefix[0]; it->Next()) {
    ASSIGN_OR_RETURN(
        store::EvidenceRow row,
        store::DecodeEvidence(std::string_view(it->key().data(), it->key().size()),
                              std::string_view(it->value().data(), it->value().size())));
    builder->Replay(FromRow(row));
  }
  RETURN_IF_ERROR(store::FromRocks(it->status(), "reading evidence"));
  RETURN_IF_ERROR(RestorePendingRows(store, meta.gen, builder.get()));
  return builder;
}

absl::StatusOr<std::vector<store::EvidenceRow>> SettledLinks(
    const store::Store& store, std::span<const store::EvidenceRow> stored) {
  ASSIGN_OR_RETURN(store::ClusterMeta meta, ReadClusterMeta(store));
  ASSIGN_OR_RETURN(ClusteringPolicy policy, ParsePolicy(meta.policy));
  std::vector<store::EvidenceRow> rows;
  if (policy.defer == ClusteringPolicy::Defer::kOff) return rows;
  ASSIGN_OR_RETURN(store::ChainState state, store.ReadState());
  auto builder = std::make_unique<ClusterBuilder>(policy);
  builder->union_find().Grow(state.addr_count);
  for (const store::EvidenceRow& row : stored) builder->Replay(FromRow(row));
  RETURN_IF_ERROR(RestorePendingRows(store, meta.gen, builder.get()));
  builder->SettlePending();
  rows.reserve(builder->evidence().size());
  for (const Evidence& e : builder->evidence()) rows.push_back(ToRow(e, e.tx));
  return rows;
}

namespace {

// BuildClusters, handing the evidence to `flush` whenever it holds `chunk` unions (and leaving the
// rest in the builder).
absl::StatusOr<ReclusterResult> Build(const store::Store& store, const ClusteringPolicy& policy,
                                      std::unique_ptr<ClusterBuilder>* out,
                                      std::function<void(uint64_t, uint64_t)> progress,
                                      size_t chunk,
                                      const std::function<absl::Status(ClusterBuilder*)>& flush) {
  auto start = std::chrono::steady_clock::now();
  auto builder = std::make_unique<ClusterBuilder>(policy);
  ASSIGN_OR_RETURN(store::ChainState state, store.ReadState());
  builder->union_find().Grow(state.addr_count);
  store::ReplayOptions ro;
  ro.progress = std::move(progress);
  absl::Status flushed;
  RETURN_IF_ERROR(store::ReplayTransactions(store, ro, [&](const store::ResolvedTx& tx) {
    builder->Process(tx);
    if (flush && flushed.ok() && builder->evidence().size() >= chunk) {
      flushed = flush(builder.get());
    }
  }));
  RETURN_IF_ERROR(flushed);
  ReclusterResult r;
  r.counters = builder->counters();
  graph::UnionFind& uf = builder->union_find();
  r.addresses = uf.size();
  for (uint32_t a = 0; a < uf.size(); ++a) {
    if (uf.SetId(a) == a) {
      ++r.clusters;
      r.largest_cluster = std::max<uint64_t>(r.largest_cluster, builder->ClusterSize(a));
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (out != nullptr) *out = std::move(builder);
  return r;
}

}  // namespace

absl::StatusOr<ReclusterResult> BuildClusters(const store::Store& store,
                                              const ClusteringPolicy& policy,
                                              std::unique_ptr<ClusterBuilder>* out,
                                              std::function<void(uint64_t, uint64_t)> progress) {
  return Build(store, policy, out, std::move(progress), 0, {});
}

absl::StatusOr<ReclusterResult> Recluster(store::Store* store, const ClusteringPolicy& policy,
                                          std::function<void(uint64_t, uint64_t)> progress,
                                          size_t evidence_chunk) {
  store::ClusterMeta meta;
  auto old = ReadClusterMeta(*store);
  const bool had_old = old.ok();
  meta.gen = had_old ? static_cast<uint8_t>(old->gen + 1) : 0;
  meta.policy = policy.ToSpec();
  // Rows of this generation left by an interrupted earlier rebuild would collide: clear them.
  rocksdb::WriteBatch clear;
  const std::string lo = GenPrefix(meta.gen), hi = GenPrefix(static_cast<uint8_t>(meta.gen + 1));
  for (Cf cf : {Cf::kEvidence, Cf::kClusterPending}) {
    if (meta.gen == 255) {
      clear.DeleteRange(store->handle(cf), lo, std::string(9, '\xff') + "\xff");
    } else {
      clear.DeleteRange(store->handle(cf), lo, hi);
    }
  }
  RETURN_IF_ERROR(store::FromRocks(store->db()->Write(rocksdb::WriteOptions(), &clear),
                                   "clearing a stale clustering generation"));
  ASSIGN_OR_RETURN(auto committer,
                   store::Committer::Create(store, store->dir() / "ingest-staging"));

  // The new generation's evidence is written in chunks while it is built (memory stays bounded
  // whatever the chain's size); readers ignore it until the meta row names its generation, which
  // the last commit writes.
  store::CommitBatch batch;
  TxNum tx;
  uint32_t index = 0;
  auto flush = [&](ClusterBuilder* b) -> absl::Status {
    meta.unions += b->evidence().size();
    PutEvidence(*b, meta.gen, &tx, &index, &batch);
    b->ClearEvidence();
    return committer->Commit(&batch);
  };
  std::unique_ptr<ClusterBuilder> builder;
  ASSIGN_OR_RETURN(ReclusterResult r, Build(*store, policy, &builder, std::move(progress),
                                            std::max<size_t>(1, evidence_chunk), flush));
  ASSIGN_OR_RETURN(store::ChainState state, store->ReadState());
  meta.processed_txs = state.tx_count;
  meta.unions += builder->evidence().size();
  PutEvidence(*builder, meta.gen, &tx, &index, &batch);
  for (const auto& [key, p] : builder->pending()) {
    batch.Put(Cf::kClusterPending, store::PendingKey(meta.gen, key),
              store::EncodePending(ToRow(p)));
  }
  batch.Put(Cf::kMeta, store::kMetaCluster, store::EncodeClusterMeta(meta));
  RETURN_IF_ERROR(committer->Commit(&batch));
  // The new generation is live: drop the old one's rows.
  if (had_old && old->gen != meta.gen) {
    rocksdb::WriteBatch drop;
    const std::string olo = GenPrefix(old->gen);
    const std::string ohi =
        old->gen == 255 ? std::string(10, '\xff') : GenPrefix(static_cast<uint8_t>(old->gen + 1));
    for (Cf cf : {Cf::kEvidence, Cf::kClusterPending})
      drop.DeleteRange(store->handle(cf), olo, ohi);
    RETURN_IF_ERROR(store::FromRocks(store->db()->Write(rocksdb::WriteOptions(), &drop),
                                     "dropping the previous clustering"));
  }
  return r;
}

absl::StatusOr<std::unique_ptr<ClusteringObserver>> ClusteringObserver::Create(
    store::Store* store) {
  std::unique_ptr<ClusteringObserver> o(new ClusteringObserver());
  ASSIGN_OR_RETURN(store::ChainState state, store->ReadState());
  auto meta = ReadClusterMeta(*store);
  if (absl::IsNotFound(meta.status()) && state.tx_count == 0) {
    o->meta_.gen = 0;
    o->meta_.policy = DefaultPolicy().ToSpec();
    o->builder_ = std::make_unique<ClusterBuilder>(DefaultPolicy());
    return o;
  }
  if (!meta.ok() && !absl::IsNotFound(meta.status())) return meta.status();
  if (!meta.ok() || meta->processed_txs != state.tx_count) {
    // No clustering yet (an index built without one) or an interrupted one: rebuild it.
    ClusteringPolicy policy = DefaultPolicy();
    if (meta.ok()) {
      ASSIGN_OR_RETURN(policy, ParsePolicy(meta->policy));
    }
    RETURN_IF_ERROR(Recluster(store, policy).status());
    ASSIGN_OR_RETURN(meta, ReadClusterMeta(*store));
  }
  o->meta_ = *meta;
  o->processed_ = meta->processed_txs;
  ASSIGN_OR_RETURN(o->builder_, LoadClustering(*store));
  return o;
}

void ClusteringObserver::OnTx(const store::ResolvedTx& tx) {
  if (needs_rebuild_) return;  // rebuilt from the store once indexing ends
  builder_->Process(tx);
  ++processed_;
}

absl::Status ClusteringObserver::OnCommit(store::CommitBatch* batch) {
  if (needs_rebuild_) return absl::OkStatus();
  PutEvidence(*builder_, meta_.gen, &current_tx_, &index_in_tx_, batch);
  meta_.unions += builder_->evidence().size();
  builder_->ClearEvidence();
  // Pending candidates: rows for those added and still pending, deletions for those added in an
  // earlier commit and resolved since.
  absl::flat_hash_set<uint64_t> added(builder_->pending_added().begin(),
                                      builder_->pending_added().end());
  for (uint64_t key : builder_->pending_removed()) {
    if (added.erase(key) == 0) {
      batch->Delete(Cf::kClusterPending, store::PendingKey(meta_.gen, key));
    }
  }
  for (uint64_t key : added) {
    auto it = builder_->pending().find(key);
    if (it != builder_->pending().end()) {
      batch->Put(Cf::kClusterPending, store::PendingKey(meta_.gen, key),
                 store::EncodePending(ToRow(it->second)));
    }
  }
  builder_->ClearPendingChanges();
  meta_.processed_txs = processed_;
  batch->Put(Cf::kMeta, store::kMetaCluster, store::EncodeClusterMeta(meta_));
  return absl::OkStatus();
}

absl::Status ClusteringObserver::OnRewind(store::Store* store, int32_t new_tip_height) {
  // Unions cannot be undone: mark the stored clustering invalid now (so that a kill before the
  // rebuild cannot leave a stale one that looks current) and rebuild once indexing ends.
  needs_rebuild_ = true;
  meta_.processed_txs = store::ClusterMeta::kInvalidProcessed;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return store::FromRocks(
      store->db()->Put(wo, store->handle(Cf::kMeta), std::string(store::kMetaCluster),
                       store::EncodeClusterMeta(meta_)),
      "invalidating the clustering");
}

absl::Status ClusteringObserver::Finish(store::Store* store) {
  if (!needs_rebuild_) return absl::OkStatus();
  ASSIGN_OR_RETURN(ClusteringPolicy policy, ParsePolicy(meta_.policy));
  RETURN_IF_ERROR(Recluster(store, policy).status());
  ASSIGN_OR_RETURN(meta_, ReadClusterMeta(*store));
  ASSIGN_OR_RETURN(builder_, LoadClustering(*store));
  processed_ = meta_.processed_txs;
  needs_rebuild_ = false;
  return absl::OkStatus();
}

}  // namespace ariadne::heuristics
