#include "engine/store/digest.h"

#include <memory>
#include <optional>
#include <string>

#include "engine/core/hash.h"
#include "engine/store/codec.h"
#include "engine/store/evm_schema.h"

namespace ariadne::store {

absl::StatusOr<StoreDigest> ComputeDigest(const Store& store) {
  StoreDigest out;
  Sha256Hasher total;
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  const rocksdb::Snapshot* snap = store.db()->GetSnapshot();
  ro.snapshot = snap;
  // The clustering's generation is bookkeeping (it counts rebuilds): its rows are digested
  // without it, and rows of other generations (left by a replaced or interrupted rebuild, ignored
  // by readers) not at all.
  std::optional<uint8_t> live_gen;
  std::string cluster_meta;
  std::optional<std::string> undo_meta;  // meta/cluster_undo without its generation
  // The same for an EVM store's clustering (meta/evm/cluster, evm_evidence).
  std::optional<uint8_t> evm_live_gen;
  std::string evm_cluster_meta;
  {
    std::string v;
    rocksdb::Status g = store.db()->Get(ro, store.handle(Cf::kMeta), std::string(kMetaCluster), &v);
    if (g.ok()) {
      auto meta = DecodeClusterMeta(v);
      if (meta.ok()) {
        live_gen = meta->gen;
        meta->gen = 0;
        cluster_meta = EncodeClusterMeta(*meta);
      }
    }
    g = store.db()->Get(ro, store.handle(Cf::kMeta), std::string(kMetaEvmCluster), &v);
    if (g.ok()) {
      auto meta = DecodeClusterMeta(v, kMetaEvmCluster);
      if (meta.ok()) {
        evm_live_gen = meta->gen;
        meta->gen = 0;
        evm_cluster_meta = EncodeClusterMeta(*meta);
      }
    }
    g = store.db()->Get(ro, store.handle(Cf::kMeta), std::string(kMetaClusterUndo), &v);
    if (g.ok()) {
      auto meta = DecodeClusterUndoMeta(v);
      if (meta.ok()) {
        meta->gen = 0;
        undo_meta = EncodeClusterUndoMeta(*meta);
      }
    }
  }
  for (int i = 0; i < kNumCfs; ++i) {
    Cf cf = static_cast<Cf>(i);
    Sha256Hasher h;
    std::string lens;
    StoreDigest::Family& fam = out.families[i];
    std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.handle(cf)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view key(it->key().data(), it->key().size());
      std::string_view value(it->value().data(), it->value().size());
      if (cf == Cf::kMeta && key.rfind(kMetaFilePrefix, 0) == 0) continue;
      if (cf == Cf::kMeta && key == kMetaGraphFiles) continue;
      // The cluster files' lengths and generation (engine/graph/cluster_files.h): beside the
      // content, like the graph files'.
      if (cf == Cf::kMeta && key == "cluster_files") continue;
      if (cf == Cf::kMeta && key == kMetaCluster && live_gen.has_value()) value = cluster_meta;
      if (cf == Cf::kMeta && key == kMetaClusterUndo && undo_meta.has_value()) value = *undo_meta;
      if (cf == Cf::kMeta && key == kMetaEvmCluster && evm_live_gen.has_value()) {
        value = evm_cluster_meta;
      }
      if (cf == Cf::kEvmEvidence && !key.empty()) {
        if (evm_live_gen.has_value() && static_cast<uint8_t>(key[0]) != *evm_live_gen) continue;
        key.remove_prefix(1);
      }
      if ((cf == Cf::kEvidence || cf == Cf::kClusterPending) && !key.empty()) {
        if (live_gen.has_value() && static_cast<uint8_t>(key[0]) != *live_gen) continue;
        key.remove_prefix(1);
      }
      lens.clear();
      PutVarint(&lens, key.size());
      h.Write(reinterpret_cast<const uint8_t*>(lens.data()), lens.size());
      h.Write(reinterpret_cast<const uint8_t*>(key.data()), key.size());
      lens.clear();
      PutVarint(&lens, value.size());
      h.Write(reinterpret_cast<const uint8_t*>(lens.data()), lens.size());
      h.Write(reinterpret_cast<const uint8_t*>(value.data()), value.size());
      ++fam.rows;
    }
    absl::Status s = FromRocks(it->status(), "computing the digest");
    if (!s.ok()) {
      store.db()->ReleaseSnapshot(snap);
      return s;
    }
    h.Finish(fam.digest.data());
    std::string_view name = CfName(cf);
    total.Write(reinterpret_cast<const uint8_t*>(name.data()), name.size());
    total.Write(fam.digest.data(), 32);
  }
  store.db()->ReleaseSnapshot(snap);
  total.Finish(out.total.data());
  return out;
}

}  // namespace ariadne::store
