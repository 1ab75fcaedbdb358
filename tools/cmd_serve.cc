// `ariadne serve`: the gRPC server over a store, behind the gateway (authentication, roles, limits,
// audit trail), following the indexer as a read replica.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/service/audit.h"
#include "engine/service/auth.h"
#include "engine/service/replica.h"
#include "engine/service/server.h"
#include "engine/store/evm_store.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace ariadne::cli {
namespace {

constexpr char kUsage[] =
    "usage: ariadne serve --db DIR [--listen HOST:PORT]\n"
    "         [--token-file FILE] [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]\n"
    "         [--insecure] [--audit-log FILE [--audit-fsync]] [--require-case-id]\n"
    "         [--rate-limit PER_SECOND[:BURST]] [--max-calls N] [--max-call-seconds S]\n"
    "         [--max-request-bytes N] [--catch-up-interval SECONDS] [--secondary-dir DIR]\n"
    "         [--block-cache-mb N]\n"
    "\n"
    "  --listen            default 127.0.0.1:50051 (port 0: the system picks one, printed)\n"
    "  --token-file        bearer tokens, one `NAME ROLE SECRET` per line (ROLE analyst|admin);\n"
    "                      without it there is no authentication (loopback only)\n"
    "  --tls-*             TLS with this certificate and key; --tls-client-ca: mutual TLS\n"
    "  --insecure          allow listening beyond loopback without TLS and tokens\n"
    "  --audit-log         append a hash-chained record of every request (`ariadne audit verify`)\n"
    "  --require-case-id   refuse queries without a case id (client --case-id)\n"
    "  --rate-limit        requests per second per principal (default: no limit)\n"
    "  --max-calls         calls in flight at once (default 256)\n"
    "  --max-call-seconds  the longest a call may run (default 300)\n"
    "  --max-request-bytes largest request message (default 1048576)\n"
    "  --catch-up-interval look for the indexer's new commits this often (default 5; 0: open\n"
    "                      read-only and never follow)\n"
    "  --block-cache-mb    RocksDB block cache of the served store (default 256)\n";

// Returns: the listen address with the port actually bound.
std::string BoundAddress(const std::string& listen, int port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || listen.rfind("unix", 0) == 0) return listen;
  return absl::StrCat(listen.substr(0, colon), ":", port);
}

// An EVM store's banner: its own tip and counts, and what its indexer could not know.
void PrintEvmEngine(const std::string& db, const service::Engine& engine, bool first) {
  auto state = store::ReadEvmState(engine.store());
  if (!state.ok()) return;
  if (first) {
    for (const std::string& w : engine.warnings()) std::fprintf(stderr, "warning: %s\n", w.c_str());
    if (state->traces_counted && state->blocks_without_traces > 0) {
      std::fprintf(stderr,
                   "warning: %s of %s blocks were indexed without call traces: internal ETH "
                   "movements in them are absent\n",
                   FormatCount(state->blocks_without_traces).c_str(),
                   FormatCount(state->block_count).c_str());
    }
    std::printf(
        "serving %s (%s, chain id %llu, tip %lld, %s blocks, %s txs, %s transfers; "
        "loaded in %.1f s)\n",
        db.c_str(), std::string(Params(engine.store().network()).name).c_str(),
        static_cast<unsigned long long>(state->chain_id), static_cast<long long>(state->tip_number),
        FormatCount(state->block_count).c_str(), FormatCount(state->tx_count).c_str(),
        FormatCount(state->transfer_count).c_str(), engine.load_seconds());
  } else {
    std::printf("caught up with the indexer: tip %lld, %s txs (refreshed in %.1f s)\n",
                static_cast<long long>(state->tip_number), FormatCount(state->tx_count).c_str(),
                engine.load_seconds());
  }
  std::fflush(stdout);
}

void PrintEngine(const std::string& db, const service::Engine& engine, bool first) {
  if (IsEvm(engine.store().network())) return PrintEvmEngine(db, engine, first);
  auto state = engine.store().ReadState();
  if (!state.ok()) return;
  const graph::ClusterIndex* clusters = engine.clusters();
  if (first) {
    for (const std::string& w : engine.warnings()) std::fprintf(stderr, "warning: %s\n", w.c_str());
    std::printf(
        "serving %s (%s, tip %d, %s txs, %s clusters, %s labelled addresses; loaded in "
        "%.1f s)\n",
        db.c_str(), std::string(Params(engine.store().network()).name).c_str(), state->tip_height,
        FormatCount(state->tx_count).c_str(),
        clusters ? FormatCount(clusters->cluster_count()).c_str() : "no",
        FormatCount(engine.labels().labelled_addresses()).c_str(), engine.load_seconds());
  } else {
    std::printf("caught up with the indexer: tip %d, %s txs (refreshed in %.1f s)\n",
                state->tip_height, FormatCount(state->tx_count).c_str(), engine.load_seconds());
  }
  std::fflush(stdout);
}

}  // namespace

int RunServe(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {{"db", true},
                                 {"listen", true},
                                 {"token-file", true},
                                 {"tls-cert", true},
                                 {"tls-key", true},
                                 {"tls-client-ca", true},
                                 {"insecure", false},
                                 {"audit-log", true},
                                 {"audit-fsync", false},
                                 {"require-case-id", false},
                                 {"rate-limit", true},
                                 {"max-calls", true},
                                 {"max-call-seconds", true},
                                 {"max-request-bytes", true},
                                 {"catch-up-interval", true},
                                 {"block-cache-mb", true},
                                 {"secondary-dir", true}});
  if (!args.ok()) return PrintError(args.status());
  if (!args->Has("db") || !args->positionals().empty() ||
      args->Has("tls-cert") != args->Has("tls-key") ||
      (args->Has("tls-client-ca") && !args->Has("tls-cert"))) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string db = *args->Get("db");
  service::ServerOptions options;
  options.listen = args->GetOr("listen", "127.0.0.1:50051");
  options.insecure = args->Has("insecure");

  // Authentication.
  std::optional<service::TokenTable> tokens;
  if (auto path = args->Get("token-file")) {
    auto t = service::TokenTable::Load(*path);
    if (!t.ok()) return PrintError(t.status());
    struct stat st;
    if (::stat(path->c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      std::fprintf(stderr, "warning: token file %s is readable by other users (chmod 600 it)\n",
                   path->c_str());
    }
    tokens = *std::move(t);
    options.gateway.tokens = &*tokens;
  }
  if (args->Has("tls-cert")) {
    auto tls = service::LoadTlsMaterial(*args->Get("tls-cert"), *args->Get("tls-key"),
                                        args->GetOr("tls-client-ca", ""));
    if (!tls.ok()) return PrintError(tls.status());
    options.tls = *std::move(tls);
  }
  absl::Status policy = service::CheckListenPolicy(options.listen, options.tls.has_value(),
                                                   tokens.has_value(), options.insecure);
  if (!policy.ok()) return PrintError(policy);

  // Audit trail.
  std::unique_ptr<service::AuditLog> audit;
  if (auto path = args->Get("audit-log")) {
    service::AuditOptions ao;
    ao.fsync = args->Has("audit-fsync");
    auto log = service::AuditLog::Open(*path, ao);
    if (!log.ok()) return PrintError(log.status());
    audit = *std::move(log);
    options.gateway.audit = audit.get();
  }
  options.gateway.require_case_id = args->Has("require-case-id");

  // Limits.
  if (auto rate = args->Get("rate-limit")) {
    std::vector<std::string> parts = absl::StrSplit(*rate, ':');
    double per_second = 0, burst = 0;
    if (parts.size() > 2 || !absl::SimpleAtod(parts[0], &per_second) || per_second <= 0 ||
        (parts.size() == 2 && (!absl::SimpleAtod(parts[1], &burst) || burst < 1))) {
      return PrintError(absl::InvalidArgumentError(
          absl::StrCat("--rate-limit '", *rate, "': expected PER_SECOND[:BURST], e.g. 20:40")));
    }
    options.gateway.rate_limit.per_second = per_second;
    options.gateway.rate_limit.burst = burst;
  }
  auto max_calls = args->GetInt("max-calls", 256, 1, 100'000);
  if (!max_calls.ok()) return PrintError(max_calls.status());
  options.gateway.max_concurrent_calls = static_cast<int>(*max_calls);
  auto max_seconds = args->GetDouble("max-call-seconds", 300);
  if (!max_seconds.ok()) return PrintError(max_seconds.status());
  if (*max_seconds <= 0) {
    return PrintError(absl::InvalidArgumentError("--max-call-seconds must be positive"));
  }
  options.gateway.max_call_time = absl::Seconds(*max_seconds);
  auto max_request = args->GetInt("max-request-bytes", 1 << 20, 1024, 1 << 30);
  if (!max_request.ok()) return PrintError(max_request.status());
  options.max_request_bytes = static_cast<int>(*max_request);
  auto interval = args->GetDouble("catch-up-interval", 5);
  if (!interval.ok()) return PrintError(interval.status());
  if (*interval < 0) {
    return PrintError(absl::InvalidArgumentError("--catch-up-interval must be 0 or more"));
  }

  // SIGINT/SIGTERM are taken by a waiting thread, so every other thread must block them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The store opens now (its errors end the command); the engine loads in the background while
  // the server already listens and answers health checks (NOT_SERVING until loaded).
  std::atomic<service::AriadneServer*> server_ptr{nullptr};
  std::atomic<bool> loaded{false};
  service::ReplicaOptions ro;
  ro.catch_up_interval = absl::Seconds(*interval);
  ro.secondary_dir = args->GetOr("secondary-dir", "");
  auto cache_mb = args->GetInt("block-cache-mb", 256, 8, int64_t{1} << 20);
  if (!cache_mb.ok()) return PrintError(cache_mb.status());
  ro.block_cache_bytes = static_cast<size_t>(*cache_mb) << 20;
  ro.on_engine = [&](const service::Engine& engine, bool first) {
    PrintEngine(db, engine, first);
    loaded = true;
    if (service::AriadneServer* s = server_ptr.load()) s->SetServing(true);
  };
  ro.on_error = [](const absl::Status& s) {
    std::fprintf(stderr, "warning: %s\n", std::string(s.message()).c_str());
  };
  auto source = service::ReplicaEngineSource::Open(db, ro);
  if (!source.ok()) return PrintError(source.status());

  auto server = service::AriadneServer::Start(source->get(), options);
  if (!server.ok()) return PrintError(server.status());
  server_ptr = server->get();
  if (loaded) (*server)->SetServing(true);
  std::printf(
      "listening on %s (%s, %s, audit trail %s%s)\n",
      BoundAddress(options.listen, (*server)->port()).c_str(),
      !options.tls                     ? "plaintext"
      : options.tls->client_ca.empty() ? "TLS"
                                       : "mutual TLS",
      tokens ? absl::StrCat(tokens->size(), " token(s)").c_str() : "no authentication",
      audit ? audit->path().c_str() : "off",
      options.gateway.rate_limit.per_second > 0
          ? absl::StrCat(", ", options.gateway.rate_limit.per_second, " requests/s each").c_str()
          : "");
  std::fflush(stdout);

  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    std::fprintf(stderr, "shutting down (signal %d)\n", sig);
    (*server)->Shutdown(absl::Seconds(5));
  });
  (*server)->Wait();
  waiter.join();
  server_ptr = nullptr;
  if (audit != nullptr) {
    const service::AuditChain chain = audit->chain();
    std::fprintf(stderr, "audit trail %s: %llu records, head %s\n", audit->path().c_str(),
                 static_cast<unsigned long long>(chain.records), chain.head.c_str());
  }
  return 0;
}

}  // namespace ariadne::cli
