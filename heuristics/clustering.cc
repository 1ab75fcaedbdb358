#include "heuristics/clustering.h"

#include <chrono>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/store/codec.h"
#include "engine/store/replay.h"
#include "heuristics/cluster_rows.h"

namespace ariadne::heuristics {
namespace {

using store::Cf;

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
    builder->RestorePending(store::GetBE(pi->key().data() + 1, 8), FromRow(p));
  }
  return store::FromRocks(pi->status(), "reading pending change candidates");
}

}  // namespace

absl::StatusOr<store::ClusterMeta> ReadClusterMeta(const store::Store& store) {
  auto v = store.ReadMeta(store::kMetaCluster);
  if (!v.ok()) return v.status();
  return store::DecodeClusterMeta(*v);
}

absl::Status LoadClusteringInto(const store::Store& store, ClusterBuilder* builder) {
  ASSIGN_OR_RETURN(store::ClusterMeta meta, ReadClusterMeta(store));
  ASSIGN_OR_RETURN(store::ChainState state, store.ReadState());
  if (meta.processed_txs != state.tx_count) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the stored clustering covers ",
        meta.processed_txs == store::ClusterMeta::kInvalidProcessed ? 0 : meta.processed_txs,
        " of ", state.tx_count, " transactions: run `ariadne recluster`"));
  }
  if (!builder->union_find().Grow(state.addr_count)) {
    return absl::ResourceExhaustedError("no room for the clustering's union-find");
  }
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = false;
  ro.readahead_size = 2 << 20;
  ro.fill_cache = false;
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
  if (builder->failed()) {
    return absl::ResourceExhaustedError("no room for the clustering's union-find");
  }
  return RestorePendingRows(store, meta.gen, builder);
}

absl::StatusOr<std::unique_ptr<ClusterBuilder>> LoadClustering(const store::Store& store) {
  ASSIGN_OR_RETURN(store::ClusterMeta meta, ReadClusterMeta(store));
  ASSIGN_OR_RETURN(ClusteringPolicy policy, ParsePolicy(meta.policy));
  auto builder = std::make_unique<ClusterBuilder>(policy);
  RETURN_IF_ERROR(LoadClusteringInto(store, builder.get()));
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

absl::StatusOr<std::vector<store::EvidenceRow>> SettledLinksOver(
    const store::Store& store, const std::function<uint32_t(uint32_t)>& cluster_of,
    const std::function<uint32_t(uint32_t)>& size) {
  ASSIGN_OR_RETURN(store::ClusterMeta meta, ReadClusterMeta(store));
  ASSIGN_OR_RETURN(ClusteringPolicy policy, ParsePolicy(meta.policy));
  std::vector<store::EvidenceRow> rows;
  if (policy.defer == ClusteringPolicy::Defer::kOff) return rows;
  // The pending candidates in key order, as SettlePending takes them, linked over the given
  // clusters as ClusterBuilder::Link guards change links.
  ASSIGN_OR_RETURN(const std::vector<graph::PendingEdge> pending,
                   graph::ReadPendingEdges(store, meta.gen, 0, kSpendTimeMask));
  for (uint32_t i : graph::SettleEdges(pending, cluster_of, size, policy.guard_size)) {
    const graph::PendingEdge& p = pending[i];
    store::EvidenceRow row;
    row.a = p.anchor;
    row.b = p.change;
    row.kind = static_cast<uint8_t>(EvidenceKind::kChangeUnspent);
    row.rule = p.rule;
    row.tx = p.tx();
    row.at = row.tx;
    rows.push_back(row);
  }
  return rows;
}

graph::SettleParams SettleParamsOf(const ClusteringPolicy& policy) {
  graph::SettleParams p;
  p.settles = policy.defer != ClusteringPolicy::Defer::kOff;
  if (!p.settles) return p;
  p.guard = policy.guard_size;
  p.skip_rules = kSpendTimeMask;
  p.kind = static_cast<uint8_t>(EvidenceKind::kChangeUnspent);
  return p;
}

namespace {

// BuildClusters, calling `after_tx` after every transaction (to write and clear what the builder
// collected: evidence, consumed candidates).
absl::StatusOr<ReclusterResult> Build(
    const store::Store& store, const ClusteringPolicy& policy, std::unique_ptr<ClusterBuilder>* out,
    std::function<void(uint64_t, uint64_t)> progress,
    const std::function<absl::Status(ClusterBuilder*)>& after_tx) {
  auto start = std::chrono::steady_clock::now();
  auto builder = std::make_unique<ClusterBuilder>(policy);
  ASSIGN_OR_RETURN(store::ChainState state, store.ReadState());
  builder->union_find().Grow(state.addr_count);
  store::ReplayOptions ro;
  ro.progress = std::move(progress);
  absl::Status flushed;
  RETURN_IF_ERROR(store::ReplayTransactions(store, ro, [&](const store::ResolvedTx& tx) {
    builder->Process(tx);
    if (flushed.ok()) flushed = after_tx(builder.get());
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
  return Build(store, policy, out, std::move(progress), [](ClusterBuilder* b) {
    // Evidence stays with the builder (the caller's), added and consumed candidates do not.
    if (b->pending_removed().size() + b->pending_added().size() >= 65536) {
      b->ClearPendingChanges();
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<ReclusterResult> Recluster(store::Store* store, const ClusteringPolicy& policy,
                                          std::function<void(uint64_t, uint64_t)> progress,
                                          size_t evidence_chunk, uint32_t undo_blocks,
                                          const BeforeLive& before_live) {
  store::ClusterMeta meta;
  auto old = ReadClusterMeta(*store);
  const bool had_old = old.ok();
  meta.gen = had_old ? static_cast<uint8_t>(old->gen + 1) : 0;
  meta.policy = policy.ToSpec();
  // Rows of this generation left by an interrupted earlier rebuild would collide: clear them.
  rocksdb::WriteBatch clear;
  const std::string lo = GenPrefix(meta.gen), hi = GenPrefix(static_cast<uint8_t>(meta.gen + 1));
  for (Cf cf : {Cf::kEvidence, Cf::kClusterPending, Cf::kClusterUndo}) {
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
  TxNum tx, spend;
  uint32_t index = 0;
  uint16_t undo_index = 0;
  // Undo rows of the consumed candidates are kept for the spends of the last undo_blocks blocks,
  // as the indexer keeps them (clustering_observer.h).
  ASSIGN_OR_RETURN(store::ChainState state, store->ReadState());
  const uint32_t from_height = UndoFromHeight(state.tip_height, undo_blocks);
  TxNum keep_from(0);
  if (from_height > 0) {
    ASSIGN_OR_RETURN(store::BlockRow first, store->ReadBlock(from_height));
    keep_from = TxNum(first.first_txnum);
  }
  const size_t chunk = std::max<size_t>(1, evidence_chunk);
  auto flush = [&](ClusterBuilder* b) -> absl::Status {
    if (!b->pending_removed().empty() || b->pending_added().size() >= 65536) {
      PutUndo(*b, meta.gen, keep_from, &spend, &undo_index, &batch);
      b->ClearPendingChanges();
    }
    if (b->evidence().size() < chunk) return absl::OkStatus();
    meta.unions += b->evidence().size();
    PutEvidence(*b, meta.gen, &tx, &index, &batch);
    b->ClearEvidence();
    return committer->Commit(&batch);
  };
  std::unique_ptr<ClusterBuilder> builder;
  ASSIGN_OR_RETURN(ReclusterResult r, Build(*store, policy, &builder, std::move(progress), flush));
  meta.processed_txs = state.tx_count;
  meta.unions += builder->evidence().size();
  PutEvidence(*builder, meta.gen, &tx, &index, &batch);
  PutUndo(*builder, meta.gen, keep_from, &spend, &undo_index, &batch);
  PruneUndo(meta.gen, undo_blocks, from_height, keep_from, &batch);
  for (const auto& [key, p] : builder->pending()) {
    batch.Put(Cf::kClusterPending, store::PendingKey(meta.gen, key),
              store::EncodePending(ToRow(p)));
  }
  if (before_live) {
    // The rows first (still invisible: their generation is not live), so that before_live reads
    // every union of the generation; then what it adds, with the meta row.
    RETURN_IF_ERROR(committer->Commit(&batch));
    RETURN_IF_ERROR(before_live(meta, &batch));
  }
  batch.Put(Cf::kMeta, store::kMetaCluster, store::EncodeClusterMeta(meta));
  RETURN_IF_ERROR(committer->Commit(&batch));
  // The new generation is live: drop the old one's rows.
  if (had_old && old->gen != meta.gen) {
    rocksdb::WriteBatch drop;
    const std::string olo = GenPrefix(old->gen);
    const std::string ohi =
        old->gen == 255 ? std::string(10, '\xff') : GenPrefix(static_cast<uint8_t>(old->gen + 1));
    for (Cf cf : {Cf::kEvidence, Cf::kClusterPending, Cf::kClusterUndo}) {
      drop.DeleteRange(store->handle(cf), olo, ohi);
    }
    RETURN_IF_ERROR(store::FromRocks(store->db()->Write(rocksdb::WriteOptions(), &drop),
                                     "dropping the previous clustering"));
  }
  return r;
}

}  // namespace ariadne::heuristics
