#include "indexer/pipeline/reorg_marker.h"

#include <string>

#include "engine/core/status_macros.h"
#include "engine/store/codec.h"

namespace ariadne::pipeline {
namespace {

rocksdb::Slice MetaKey() {
  return rocksdb::Slice(store::kMetaReorg.data(), store::kMetaReorg.size());
}

}  // namespace

absl::StatusOr<std::optional<int32_t>> MarkReorg(store::Store* store,
                                                 const store::ChainState& state, int32_t fork) {
  auto existing = store->ReadMeta(store::kMetaReorg);
  if (existing.ok()) {
    if (existing->size() < 4) return absl::DataLossError("meta/reorg is shorter than 4 bytes");
    return static_cast<int32_t>(store::GetBE(existing->data(), 4));
  }
  if (!absl::IsNotFound(existing.status())) return existing.status();
  if (state.tip_height <= fork) return std::nullopt;
  std::string value;
  store::PutBE32(&value, static_cast<uint32_t>(state.tip_height));
  value.append(reinterpret_cast<const char*>(state.tip_hash.data()), BlockHash::kSize);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  RETURN_IF_ERROR(
      store::FromRocks(store->db()->Put(wo, store->handle(store::Cf::kMeta), MetaKey(), value),
                       "marking the reorg"));
  return state.tip_height;
}

absl::Status ClearReorg(store::Store* store) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return store::FromRocks(store->db()->Delete(wo, store->handle(store::Cf::kMeta), MetaKey()),
                          "clearing the reorg marker");
}

}  // namespace ariadne::pipeline
