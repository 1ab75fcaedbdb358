#include "engine/service/replica.h"

#include <stdlib.h>

#include <system_error>

#include "absl/strings/str_cat.h"

namespace ariadne::service {

absl::StatusOr<std::unique_ptr<ReplicaEngineSource>> ReplicaEngineSource::Open(
    const std::filesystem::path& db, ReplicaOptions options) {
  std::unique_ptr<ReplicaEngineSource> r(new ReplicaEngineSource());
  r->db_ = db;
  r->options_ = std::move(options);
  if (r->options_.secondary_dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ariadne-replica-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) {
      return absl::UnavailableError("cannot create a temporary directory for the replica");
    }
    r->base_dir_ = tmpl;
    r->remove_base_dir_ = true;
  } else {
    r->base_dir_ = r->options_.secondary_dir;
    std::error_code ec;
    std::filesystem::create_directories(r->base_dir_, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot create ", r->base_dir_.string(), ": ", ec.message()));
    }
  }
  {
    absl::MutexLock lock(&r->step_mu_);
    auto view = r->OpenView();
    if (!view.ok()) return view.status();
    r->probe_ = *std::move(view);
  }
  r->thread_ = std::thread([p = r.get()] { p->Run(); });
  return r;
}

bool ReplicaEngineSource::Stop(absl::Duration timeout) {
  if (!thread_.joinable()) return true;  // never started (Open failed), or stopped already
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    auto done = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return thread_done_; };
    if (!mu_.AwaitWithTimeout(absl::Condition(&done), timeout)) {
      if (remove_base_dir_) {
        std::error_code ec;
        std::filesystem::remove_all(base_dir_, ec);
      }
      return false;
    }
  }
  if (thread_.joinable()) thread_.join();
  return true;
}

ReplicaEngineSource::~ReplicaEngineSource() {
  Stop(absl::InfiniteDuration());
  {
    absl::MutexLock lock(&step_mu_);
    probe_.reset();
  }
  {
    absl::MutexLock lock(&mu_);
    engine_.reset();
  }
  if (remove_base_dir_) {
    std::error_code ec;
    std::filesystem::remove_all(base_dir_, ec);
  }
}

std::shared_ptr<const Engine> ReplicaEngineSource::Get() const {
  absl::MutexLock lock(&mu_);
  return engine_;
}

bool ReplicaEngineSource::WaitLoaded(absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto loaded = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return engine_ != nullptr; };
  return mu_.AwaitWithTimeout(absl::Condition(&loaded), timeout);
}

uint64_t ReplicaEngineSource::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

absl::StatusOr<std::unique_ptr<store::Store>> ReplicaEngineSource::OpenView() {
  store::StoreOptions so;
  const bool follow = options_.catch_up_interval > absl::ZeroDuration();
  so.mode = follow ? store::StoreOptions::Mode::kSecondary : store::StoreOptions::Mode::kReadOnly;
  so.block_cache_bytes = options_.block_cache_bytes;
  probe_dir_ = base_dir_ / absl::StrCat("view-", ++views_);
  so.secondary_dir = probe_dir_.string();
  return store::Store::Open(db_, so);
}

absl::StatusOr<bool> ReplicaEngineSource::CatchUpNow() {
  absl::MutexLock lock(&step_mu_);
  return Step();
}

absl::StatusOr<bool> ReplicaEngineSource::Step() {
  if (probe_ == nullptr) {
    auto view = OpenView();  // opening a secondary instance catches it up
    if (!view.ok()) return view.status();
    probe_ = *std::move(view);
  } else {
    absl::Status s = probe_->CatchUp();
    if (!s.ok()) {
      probe_.reset();  // start again from a fresh view next time
      return s;
    }
  }
  const std::shared_ptr<const Engine> current = Get();
  if (current != nullptr) {
    // Any commit of the indexer (blocks, clusters, labels) moves the sequence number.
    if (probe_->db()->GetLatestSequenceNumber() ==
        current->store().db()->GetLatestSequenceNumber()) {
      return false;
    }
    std::string hold = HoldReason(*probe_, *current);
    if (!hold.empty()) {
      if (hold != held_for_ && options_.on_error) {
        options_.on_error(absl::FailedPreconditionError(hold));
      }
      held_for_ = std::move(hold);
      // Look again from a fresh view: a secondary caught up across the indexer's mix of logged
      // writes (rewinds, the marker) and ingested tables can keep showing a logged row that an
      // ingested table replaced (its memtable is read first).
      probe_.reset();
      std::error_code ec;
      std::filesystem::remove_all(probe_dir_, ec);
      return false;
    }
    held_for_.clear();
  }
  if (current == nullptr && probe_->ReadMeta(store::kMetaReorg).ok() && options_.on_error) {
    options_.on_error(absl::FailedPreconditionError(
        "the store is in the middle of a reorg (the indexer has not committed the new branch "
        "yet): serving it as it is"));
  }
  const std::filesystem::path dir = probe_dir_;
  auto engine = current == nullptr ? Engine::Load(std::move(probe_))
                                   : Engine::Refresh(*current, std::move(probe_));
  if (!engine.ok()) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return engine.status();
  }
  Swap(*std::move(engine), dir);
  return true;
}

std::string ReplicaEngineSource::HoldReason(const store::Store& view, const Engine& current) {
  auto reorg = view.ReadMeta(store::kMetaReorg);
  if (reorg.ok()) {
    auto state = current.store().ReadState();
    return absl::StrCat("the indexer is switching to another branch: serving tip ",
                        state.ok() ? state->tip_height : -1, " until it commits the new one");
  }
  if (current.backend().clusters() != nullptr) {
    auto meta = view.ReadMeta(store::kMetaCluster);
    if (meta.ok()) {
      auto decoded = store::DecodeClusterMeta(*meta);
      if (decoded.ok() && decoded->processed_txs == store::ClusterMeta::kInvalidProcessed) {
        return "the indexer is rebuilding the clusters: serving the previous ones until it is "
               "done";
      }
    }
  }
  return "";
}

void ReplicaEngineSource::Swap(std::unique_ptr<Engine> engine, const std::filesystem::path& dir) {
  // The view's directory goes when the last request using the engine is done with it.
  std::shared_ptr<const Engine> shared(engine.release(), [dir](const Engine* e) {
    delete e;
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  });
  bool first;
  {
    absl::MutexLock lock(&mu_);
    first = engine_ == nullptr;
    engine_ = shared;
    ++generation_;
  }
  if (options_.on_engine) options_.on_engine(*shared, first);
}

void ReplicaEngineSource::Run() {
  const bool follow = options_.catch_up_interval > absl::ZeroDuration();
  const absl::Duration retry = follow ? options_.catch_up_interval : absl::Seconds(5);
  for (;;) {
    absl::StatusOr<bool> step;
    {
      absl::MutexLock lock(&step_mu_);
      step = Step();
    }
    if (!step.ok() && options_.on_error) options_.on_error(step.status());
    const bool loaded = Get() != nullptr;
    absl::MutexLock lock(&mu_);
    auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stop_; };
    if ((loaded && !follow) || mu_.AwaitWithTimeout(absl::Condition(&stopping), retry)) {
      if (loaded && !follow) mu_.Await(absl::Condition(&stopping));
      thread_done_ = true;
      return;
    }
  }
}

}  // namespace ariadne::service
