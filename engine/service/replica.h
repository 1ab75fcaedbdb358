// A read replica of a store: an EngineSource that serves while `ariadne index` appends to the same
// store. It opens the store as a RocksDB secondary instance, looks for what the indexer committed
// every `catch_up_interval`, and when the chain moved builds the next engine (Engine::Refresh) on
// a fresh view and swaps it in. Requests keep the engine they started with, so every answer comes
// from one consistent state of the store; the indexer's commits are atomic (tip marker and rows
// together), so a view never shows half a commit. A reorg takes several commits (rewinds, then
// the new branch, then the clusters' rebuild): while the store's meta/reorg marker is set, or its
// clustering is being rebuilt, the replica keeps the engine it has, so readers see the old tip
// until the new branch is complete.
//
// The first engine is built in the background: Open() returns as soon as the store is open, so
// the server can listen (health NOT_SERVING, queries UNAVAILABLE) while it loads.
#ifndef ARIADNE_ENGINE_SERVICE_REPLICA_H_
#define ARIADNE_ENGINE_SERVICE_REPLICA_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/service/engine.h"
#include "engine/store/store.h"

namespace ariadne::service {

struct ReplicaOptions {
  // Default 250 ms: how often to look for new commits of the indexer, so that a block committed by
  // `ariadne index --follow` is answered within a second (a look that finds nothing new costs one
  // RocksDB catch-up of the secondary: microseconds to a few milliseconds). Zero: open the store
  // read-only once and never follow it (the store must not be written while served).
  absl::Duration catch_up_interval = absl::Milliseconds(250);
  // Default empty: the secondary instances keep their info logs in a temporary directory, removed
  // at the end. Set: under this directory (one subdirectory per view).
  std::filesystem::path secondary_dir;
  // Default 256 MiB: RocksDB block cache of each view.
  size_t block_cache_bytes = size_t{256} << 20;
  // Default none: called (on the replica's thread) after each engine is swapped in, with the
  // engine and whether it is the first.
  std::function<void(const Engine& engine, bool first)> on_engine;
  // Default none: called when loading or catching up fails (the replica keeps serving the last
  // engine and retries at the next interval; a failed first load is retried too), and (with
  // FAILED_PRECONDITION, once per reason) when it holds its engine while the indexer reorganizes.
  std::function<void(const absl::Status& status)> on_error;
};

class ReplicaEngineSource final : public EngineSource {
 public:
  // Opens the store (the errors of Store::Open come back now) and starts building the first
  // engine in the background.
  static absl::StatusOr<std::unique_ptr<ReplicaEngineSource>> Open(const std::filesystem::path& db,
                                                                   ReplicaOptions options);
  // Stops following the store (Stop() without a time limit). Engines still held by requests stay
  // valid.
  ~ReplicaEngineSource() override;

  // Stops following the store and waits up to `timeout` for its thread, which may be in the middle
  // of loading an engine (that cannot be interrupted and may take minutes on a large store).
  // Returns: true when the thread ended; false when it is still loading: the caller should end the
  // process without destroying the source (its temporary directory is removed already).
  bool Stop(absl::Duration timeout) ABSL_LOCKS_EXCLUDED(mu_);

  std::shared_ptr<const Engine> Get() const override ABSL_LOCKS_EXCLUDED(mu_);
  // Blocks until an engine is loaded or `timeout` passed. Returns: whether one is.
  bool WaitLoaded(absl::Duration timeout) const ABSL_LOCKS_EXCLUDED(mu_);
  // Catches up now, on the calling thread (tests, an admin trigger).
  // Returns: true when a newer engine was swapped in; the error of catching up or loading.
  absl::StatusOr<bool> CatchUpNow() ABSL_LOCKS_EXCLUDED(step_mu_);
  // Returns: how many engines were swapped in so far (1 after the first load).
  uint64_t generation() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  ReplicaEngineSource() = default;
  // Opens a view of the store (a secondary instance, or read-only when not following).
  absl::StatusOr<std::unique_ptr<store::Store>> OpenView();
  // Returns: why the engine of `view` must not replace `current` yet (the indexer is in the middle
  // of a reorg or of rebuilding the clusters), or "" when it may.
  static std::string HoldReason(const store::Store& view, const Engine& current);
  // One step: the first load, or a catch-up. Returns: whether an engine was swapped in.
  absl::StatusOr<bool> Step() ABSL_EXCLUSIVE_LOCKS_REQUIRED(step_mu_);
  void Swap(std::unique_ptr<Engine> engine, const std::filesystem::path& view_dir)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(step_mu_);
  void Run();

  std::filesystem::path db_;
  ReplicaOptions options_;
  std::filesystem::path base_dir_;  // where the views' directories go
  bool remove_base_dir_ = false;

  absl::Mutex step_mu_;  // one step at a time
  // The view that is caught up to look for news; handed to the next engine when there is some.
  std::unique_ptr<store::Store> probe_ ABSL_GUARDED_BY(step_mu_);
  std::filesystem::path probe_dir_ ABSL_GUARDED_BY(step_mu_);
  uint64_t views_ ABSL_GUARDED_BY(step_mu_) = 0;
  std::string held_for_ ABSL_GUARDED_BY(step_mu_);  // the hold last reported to on_error

  mutable absl::Mutex mu_;
  std::shared_ptr<const Engine> engine_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool thread_done_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_REPLICA_H_
