// `ariadne serve`: the gRPC server over a store.
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "engine/service/ariadne_service.h"
#include "engine/service/engine.h"
#include "engine/store/store.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace ariadne::cli {
namespace {

constexpr char kUsage[] = "usage: ariadne serve --db DIR [--listen HOST:PORT]\n";

}  // namespace

int RunServe(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {{"db", true}, {"listen", true}});
  if (!args.ok()) return PrintError(args.status());
  if (!args->Has("db")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string listen = args->GetOr("listen", "127.0.0.1:50051");

  // SIGINT/SIGTERM are taken by a waiting thread, so every other thread must block them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  auto store = store::Store::Open(*args->Get("db"), so);
  if (!store.ok()) return PrintError(store.status());
  auto engine = service::Engine::Load(*std::move(store));
  if (!engine.ok()) return PrintError(engine.status());
  std::shared_ptr<const service::Engine> shared = *std::move(engine);
  for (const std::string& w : shared->warnings()) {
    std::fprintf(stderr, "warning: %s\n", w.c_str());
  }
  auto state = shared->store().ReadState();
  if (!state.ok()) return PrintError(state.status());

  service::FixedEngineSource source(shared);
  service::AriadneService svc(&source, service::ServiceOptions());
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&svc);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return PrintError(absl::UnavailableError("cannot listen on " + listen));
  }
  server->GetHealthCheckService()->SetServingStatus(true);
  const graph::ClusterIndex* clusters = shared->clusters();
  std::printf(
      "serving %s (%s, tip %d, %s txs, %s clusters, %s labelled addresses; loaded in "
      "%.1f s) on %s\n",
      args->Get("db")->c_str(), std::string(Params(shared->store().network()).name).c_str(),
      state->tip_height, FormatCount(state->tx_count).c_str(),
      clusters ? FormatCount(clusters->cluster_count()).c_str() : "no",
      FormatCount(shared->labels().labelled_addresses()).c_str(), shared->load_seconds(),
      listen.c_str());
  std::fflush(stdout);

  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::fprintf(stderr, "shutting down (signal %d)\n", sig);
    server->GetHealthCheckService()->SetServingStatus(false);
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  });
  server->Wait();
  waiter.join();
  return 0;
}

}  // namespace ariadne::cli
