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

ReplicaEngineSource::~ReplicaEngineSource() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
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
    if (loaded && !follow) {
      mu_.Await(absl::Condition(&stopping));
      return;
    }
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping), retry)) return;
  }
}

}  // namespace ariadne::service
