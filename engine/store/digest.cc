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
  struct LiveClustering {
    std::optional<uint8_t> gen;  // of its evidence rows' first key byte
    std::string meta;            // its meta row with generation 0
  };
  auto live_of = [&](std::string_view meta_key) {
    LiveClustering live;
    std::string v;
    if (store.db()->Get(ro, store.handle(Cf::kMeta), std::string(meta_key), &v).ok()) {
      auto meta = DecodeClusterMeta(v, meta_key);
      if (meta.ok()) {
        live.gen = meta->gen;
        meta->gen = 0;
        live.meta = EncodeClusterMeta(*meta);
      }
    }
    return live;
  };
  const LiveClustering btc = live_of(kMetaCluster);
  const LiveClustering evm = live_of(kMetaEvmCluster);  // an EVM store's (evm_evidence rows)
  std::optional<std::string> undo_meta;                 // meta/cluster_undo without its generation
  {
    std::string v;
    if (store.db()->Get(ro, store.handle(Cf::kMeta), std::string(kMetaClusterUndo), &v).ok()) {
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
      if (cf == Cf::kMeta && key == kMetaCluster && btc.gen.has_value()) value = btc.meta;
      if (cf == Cf::kMeta && key == kMetaEvmCluster && evm.gen.has_value()) value = evm.meta;
      if (cf == Cf::kMeta && key == kMetaClusterUndo && undo_meta.has_value()) value = *undo_meta;
      const LiveClustering* live = cf == Cf::kEvmEvidence                             ? &evm
                                   : cf == Cf::kEvidence || cf == Cf::kClusterPending ? &btc
                                                                                      : nullptr;
      if (live != nullptr && !key.empty()) {
        if (live->gen.has_value() && static_cast<uint8_t>(key[0]) != *live->gen) continue;
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
