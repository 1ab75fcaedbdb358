// The run's caches: sized by the memory budget, loaded from and saved beside the store (btc_run.h).
#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/store/codec.h"
#include "indexer/pipeline/btc_run.h"

namespace ariadne::pipeline {

absl::Status BtcRun::PlanMemoryUse(uint64_t addresses_at_end) {
  uint64_t observer_bytes = 0, mapped_bytes = 0;
  for (store::IndexObserver* o : observers_) {
    ASSIGN_OR_RETURN(uint64_t bytes, o->Prepare(addresses_at_end));
    observer_bytes += bytes;
    mapped_bytes += o->MappedBytes();
  }
  if (options_.memory_budget_bytes > 0) {
    ChainFacts facts;
    facts.addresses_at_end = addresses_at_end;
    facts.blocks_at_end = tree_.size();
    facts.observer_bytes = observer_bytes;
    facts.mapped_bytes = mapped_bytes;
    plan_ = PlanMemory(options_.memory_budget_bytes, facts);
  } else {
    plan_ = MemoryPlan();
    plan_.observer_bytes = observer_bytes;
    plan_.mapped_bytes = mapped_bytes;
    plan_.address_cache_entries = 40'000'000;
    plan_.prevout_cache_txs = 8'000'000;
    plan_.commit_txs = 250'000;
    plan_.read_queue_bytes = size_t{64} << 20;
  }
  // Expert settings override the plan.
  if (options_.address_cache_entries) plan_.address_cache_entries = *options_.address_cache_entries;
  if (options_.prevout_cache_txs) plan_.prevout_cache_txs = *options_.prevout_cache_txs;
  if (options_.commit_txs) plan_.commit_txs = *options_.commit_txs;
  if (options_.queue_bytes) plan_.read_queue_bytes = *options_.queue_bytes;
  addr_cache_.set_capacity(plan_.address_cache_entries);
  prevout_cache_.set_capacity(plan_.prevout_cache_txs);
  plan_.filter_bytes = addr_filter_->bytes();
  result_->memory_plan = plan_;
  if (options_.on_memory_plan) options_.on_memory_plan(plan_);
  return absl::OkStatus();
}

absl::Status BtcRun::PrepareCaches(uint64_t bytes_to_apply, const store::ChainState& at_start,
                                   bool whatever_the_size) {
  addr_cache_.Clear();
  prevout_cache_.Clear();
  // The filter is sized for the addresses the run may add: about one per 200 bytes of blocks
  // (generated chains ~250, mainnet ~480).
  const uint64_t expected = state_.addr_count + bytes_to_apply / 200 + 1024;
  // A rewind removes addresses, never adds one: the filter of the state the run started from
  // has no false negative for the rewound store (the rewound blocks' addresses cost a lookup).
  absl::StatusOr<std::unique_ptr<AddressFilter>> filter =
      AddressFilter::Load(FilterPath(), at_start);
  if (!filter.ok()) {
    if (!absl::IsNotFound(filter.status())) {
      result_->warnings.push_back(
          absl::StrCat(filter.status().message(), "; rebuilt from the address index"));
    }
    filter = state_.addr_count == 0 ? std::make_unique<AddressFilter>(expected)
                                    : AddressFilter::FromStore(*store_, expected);
    if (!filter.ok()) return filter.status();
  }
  addr_filter_ = *std::move(filter);
  // The caches as the last run left them, when they describe the store as it is and the run is
  // long enough to repay reading them: a run of a few blocks makes fewer store lookups than the
  // caches hold entries (a cron run of one block on the 5M store read 395 MB of caches to save
  // about 10,000 lookups), so it starts empty and fills from the store as it goes.
  std::error_code ec;
  uint64_t saved_bytes = 0;
  for (const char* name : {"address.cache", "prevout.cache"}) {
    const uintmax_t size = std::filesystem::file_size(CachePath(name), ec);
    if (!ec) saved_bytes += size;
  }
  result_->caches_loaded = whatever_the_size || bytes_to_apply >= saved_bytes / kCacheReadRatio;
  const std::string binding = store::EncodeState(state_);
  if (result_->caches_loaded) {
    for (absl::Status loaded : {addr_cache_.Load(CachePath("address.cache"), binding),
                                prevout_cache_.Load(CachePath("prevout.cache"), binding)}) {
      if (!loaded.ok() && !absl::IsNotFound(loaded) && !absl::IsFailedPrecondition(loaded)) {
        result_->warnings.push_back(absl::StrCat(loaded.message(), "; starting empty"));
      }
    }
  }
  RETURN_IF_ERROR(PlanMemoryUse(expected));
  if (state_.tx_count == 0) {
    addr_cache_.set_complete(true);
    prevout_cache_.set_complete(true);
    return absl::OkStatus();
  }
  // Resuming: the cache fills as addresses are met again, and the filter answers for new ones
  // (preloading every address cost more than the lookups it saved: 10 s at 9.7M addresses).
  return absl::OkStatus();
}
void BtcRun::SaveForNextRun(uint64_t blocks_applied) {
  // The filter holds every address of the store (and those of blocks rewound or not committed,
  // which only cost a lookup): it is valid for the state the store holds now.
  absl::StatusOr<store::ChainState> durable = store_->ReadState();
  if (durable.ok() && addr_filter_ != nullptr && blocks_applied > 0) {
    absl::Status saved = addr_filter_->Save(FilterPath(), *durable);
    // The caches hold exactly what the store holds once every block applied is committed.
    if (saved.ok() && *durable == state_ && !caches_dirty_) {
      const std::string binding = store::EncodeState(state_);
      saved = addr_cache_.Save(CachePath("address.cache"), binding);
      if (saved.ok()) saved = prevout_cache_.Save(CachePath("prevout.cache"), binding);
    }
    if (!saved.ok()) result_->warnings.push_back(std::string(saved.message()));
  }
  for (store::IndexObserver* o : observers_) {
    absl::Status saved = durable.ok() ? o->OnRunEnd(*durable) : durable.status();
    if (!saved.ok()) result_->warnings.push_back(std::string(saved.message()));
  }
}

}  // namespace ariadne::pipeline
