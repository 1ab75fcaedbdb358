#include "engine/store/digest.h"

#include <memory>

#include "engine/core/hash.h"
#include "engine/store/codec.h"

namespace ariadne::store {

absl::StatusOr<StoreDigest> ComputeDigest(const Store& store) {
  StoreDigest out;
  Sha256Hasher total;
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  const rocksdb::Snapshot* snap = store.db()->GetSnapshot();
  ro.snapshot = snap;
  for (int i = 0; i < kNumCfs; ++i) {
    Cf cf = static_cast<Cf>(i);
    Sha256Hasher h;
    std::string lens;
    StoreDigest::Family& fam = out.families[i];
    std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.handle(cf)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view key(it->key().data(), it->key().size());
      if (cf == Cf::kMeta && key.rfind(kMetaFilePrefix, 0) == 0) continue;
      lens.clear();
      PutVarint(&lens, it->key().size());
      h.Write(reinterpret_cast<const uint8_t*>(lens.data()), lens.size());
      h.Write(reinterpret_cast<const uint8_t*>(it->key().data()), it->key().size());
      lens.clear();
      PutVarint(&lens, it->value().size());
      h.Write(reinterpret_cast<const uint8_t*>(lens.data()), lens.size());
      h.Write(reinterpret_cast<const uint8_t*>(it->value().data()), it->value().size());
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
