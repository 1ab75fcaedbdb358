// Everything a server answers from: the store, and the backend of its chain (engine/query) built
// over it when it is opened.
#ifndef ARIADNE_ENGINE_SERVICE_ENGINE_H_
#define ARIADNE_ENGINE_SERVICE_ENGINE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/query/chain_backend.h"
#include "engine/store/store.h"

namespace ariadne::service {

class Engine {
 public:
  // Builds the backend of an open store's chain (engine/backends/registry.h). What is missing (a
  // store without clustering) is a warning: those queries then answer FAILED_PRECONDITION.
  static absl::StatusOr<std::unique_ptr<Engine>> Load(std::unique_ptr<store::Store> store);
  // Builds the engine of `store`, a newer view of the store `previous` was built from (a replica
  // that caught up with the indexer); the backend reuses what did not change
  // (ChainBackend::Refreshed). `previous` is not changed: requests may still be answering from it.
  // Returns: Load()'s errors.
  static absl::StatusOr<std::unique_ptr<Engine>> Refresh(const Engine& previous,
                                                         std::unique_ptr<store::Store> store);

  const store::Store& store() const { return *store_; }
  store::Store* mutable_store() { return store_.get(); }
  const query::ChainBackend& backend() const { return *backend_; }
  const std::vector<std::string>& warnings() const { return backend_->warnings(); }
  double load_seconds() const { return load_seconds_; }

 private:
  Engine() = default;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<query::ChainBackend> backend_;  // reads store_: declared after it
  double load_seconds_ = 0;
};

// Where the service takes the engine it answers from. A request holds the snapshot it got for its
// whole life, so a source may swap in a newer engine (a replica catching up with the indexer)
// while older requests finish on the old one: shared ownership is the point here.
class EngineSource {
 public:
  virtual ~EngineSource() = default;
  // Returns: the current engine, or null while none is loaded yet (requests get UNAVAILABLE).
  virtual std::shared_ptr<const Engine> Get() const = 0;
};

// A source that always answers from one engine.
class FixedEngineSource : public EngineSource {
 public:
  explicit FixedEngineSource(std::shared_ptr<const Engine> engine) : engine_(std::move(engine)) {}
  std::shared_ptr<const Engine> Get() const override { return engine_; }

 private:
  std::shared_ptr<const Engine> engine_;
};

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_ENGINE_H_
