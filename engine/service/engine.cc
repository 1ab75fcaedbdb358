#include "engine/service/engine.h"

#include <chrono>

#include "engine/backends/registry.h"
#include "engine/core/status_macros.h"
#include "heuristics/query_hooks.h"

namespace ariadne::service {

absl::StatusOr<std::unique_ptr<Engine>> Engine::Load(std::unique_ptr<store::Store> store) {
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Engine> e(new Engine());
  e->store_ = std::move(store);
  ASSIGN_OR_RETURN(e->backend_, backends::OpenBackend(*e->store_, heuristics::MakeQueryHooks()));
  e->load_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return e;
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Refresh(const Engine& previous,
                                                        std::unique_ptr<store::Store> store) {
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Engine> e(new Engine());
  e->store_ = std::move(store);
  ASSIGN_OR_RETURN(e->backend_, previous.backend().Refreshed(*e->store_));
  e->load_seconds_ =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return e;
}

}  // namespace ariadne::service
