// `ariadne serve`: the gRPC server over a store, behind the gateway (authentication, roles, limits,
// audit trail), following the indexer as a read replica.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <optional>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "engine/http/api.h"
#include "engine/http/http_server.h"
#include "engine/http/web_app.h"
#include "engine/service/audit.h"
#include "engine/service/audit_signature.h"
#include "engine/service/auth.h"
#include "engine/service/connection_guard.h"
#include "engine/service/listen_address.h"
#include "engine/service/replica.h"
#include "engine/service/server.h"
#include "engine/service/watch_service.h"
#include "engine/watch/watch_store.h"
#include "engine/watch/webhook.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace ariadne::cli {
namespace {

constexpr char kUsage[] =
    "usage: ariadne serve --db DIR [--listen HOST:PORT]\n"
    "         [--token-file FILE] [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]\n"
    "         [--insecure] [--audit-log FILE [--audit-fsync] [--audit-key FILE]\n"
    "         [--audit-sign-every N]] [--require-case-id] [--rate-limit PER_SECOND[:BURST]]\n"
    "         [--max-calls N] [--max-calls-per-principal N] [--max-call-seconds S]\n"
    "         [--max-request-bytes N] [--max-connections N] [--handshake-timeout S]\n"
    "         [--catch-up-interval SECONDS] [--secondary-dir DIR] [--block-cache-mb N]\n"
    "         [--http HOST:PORT] [--watch-db DIR [--alert-webhook URL\n"
    "         [--alert-webhook-attempts N] [--alert-webhook-backoff-ms MS]]]\n"
    "\n"
    "  --listen            default 127.0.0.1:50051 (port 0: the system picks one, printed)\n"
    "  --token-file        bearer tokens, one `NAME ROLE SECRET` per line (ROLE analyst|admin);\n"
    "                      without it there is no authentication (loopback only)\n"
    "  --tls-*             TLS with this certificate and key; --tls-client-ca: mutual TLS\n"
    "  --insecure          allow listening beyond loopback without TLS and tokens\n"
    "  --audit-log         append a hash-chained record of every request (`ariadne audit verify`)\n"
    "  --audit-key         Ed25519 key signing the trail's heads into FILE.heads (default: the\n"
    "                      log's path + .key, created mode 0600 when missing)\n"
    "  --audit-sign-every  sign the head every N records (default 100), and at start and stop\n"
    "  --require-case-id   refuse queries without a case id (client --case-id)\n"
    "  --rate-limit        requests per second per principal (default: no limit)\n"
    "  --max-calls         calls in flight at once (default 256)\n"
    "  --max-calls-per-principal  calls in flight at once of one token (default 64; 0: no\n"
    "                      limit per token)\n"
    "  --max-call-seconds  the longest a call may run (default 300)\n"
    "  --max-request-bytes largest request message (default 1048576)\n"
    "  --max-connections   connections open at once (default 1000, at most half the file\n"
    "                      descriptor limit); more are closed when accepted\n"
    "  --handshake-timeout seconds a connection has to complete its TLS/HTTP/2 handshake\n"
    "                      (default 10)\n"
    "  --catch-up-interval look for the indexer's new commits this often (default 0.25; 0: open\n"
    "                      read-only and never follow)\n"
    "  --block-cache-mb    RocksDB block cache of the served store (default 256)\n"
    "  --http              also serve the JSON API (docs/http-api.md) on HOST:PORT (off by\n"
    "                      default; beyond loopback only with tokens and --insecure, behind a\n"
    "                      TLS proxy: the same tokens, roles, limits and audit trail as gRPC)\n"
    "  --watch-db          keep watchlists and alerts in this folder (its own RocksDB, created\n"
    "                      when missing; never the indexer's store): `ariadne watch`, `alerts`\n"
    "  --alert-webhook     POST each alert's JSON to this http:// URL, retried with backoff\n"
    "  --alert-webhook-attempts  attempts before a delivery is failed (default 20)\n"
    "  --alert-webhook-backoff-ms  the first wait between attempts, doubled each time up to 5\n"
    "                      minutes (default 1000)\n";

// Returns: the listen address with the port actually bound.
std::string BoundAddress(const std::string& listen, int port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || listen.rfind("unix", 0) == 0) return listen;
  return absl::StrCat(listen.substr(0, colon), ":", port);
}

void PrintEngine(const std::string& db, const service::Engine& engine, bool first) {
  // The chain-neutral status: tip and transactions of either chain model.
  auto status = engine.backend().Status();
  if (!status.ok()) return;
  const graph::ClusterIndex* clusters = engine.backend().clusters();
  if (first) {
    for (const std::string& w : engine.warnings()) std::fprintf(stderr, "warning: %s\n", w.c_str());
    // An EVM store: what its indexer could not know.
    if (status->blocks_without_traces > 0) {
      std::fprintf(stderr,
                   "warning: %s of %s blocks were indexed without call traces: internal ETH "
                   "movements in them are absent\n",
                   FormatCount(static_cast<uint64_t>(status->blocks_without_traces)).c_str(),
                   FormatCount(status->block_count).c_str());
    }
    std::printf(
        "serving %s (%s, tip %d, %s txs, %s clusters, %s labelled addresses; loaded in "
        "%.2f s)\n",
        db.c_str(), status->network.c_str(), status->tip_height,
        FormatCount(status->tx_count).c_str(),
        clusters ? FormatCount(clusters->cluster_count()).c_str() : "no",
        FormatCount(engine.backend().labels().labelled_members()).c_str(), engine.load_seconds());
  } else {
    std::printf("caught up with the indexer: tip %d, %s txs (refreshed in %.3f s)\n",
                status->tip_height, FormatCount(status->tx_count).c_str(), engine.load_seconds());
  }
  std::fflush(stdout);
}

// How the server is asked to stop: a signal, or a fatal error of the engine's first load.
class StopRequest {
 public:
  void Set(int signal, absl::Status status) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    if (set_) return;
    set_ = true;
    signal_ = signal;
    status_ = std::move(status);
  }
  // Blocks until Set(). Returns: the status (OK for a signal); *signal: the signal, or 0.
  absl::Status Wait(int* signal) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&set_));
    *signal = signal_;
    return status_;
  }

 private:
  absl::Mutex mu_;
  bool set_ ABSL_GUARDED_BY(mu_) = false;
  int signal_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

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
                                 {"audit-key", true},
                                 {"audit-sign-every", true},
                                 {"require-case-id", false},
                                 {"rate-limit", true},
                                 {"max-calls", true},
                                 {"max-calls-per-principal", true},
                                 {"max-connections", true},
                                 {"handshake-timeout", true},
                                 {"max-call-seconds", true},
                                 {"max-request-bytes", true},
                                 {"catch-up-interval", true},
                                 {"block-cache-mb", true},
                                 {"secondary-dir", true},
                                 {"http", true},
                                 {"watch-db", true},
                                 {"alert-webhook", true},
                                 {"alert-webhook-attempts", true},
                                 {"alert-webhook-backoff-ms", true}});
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
  // Connections and store files share the descriptor limit: take all the system allows.
  const uint64_t file_limit = service::RaiseFileLimit();

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
  std::optional<service::ListenAddress> http_address;
  if (auto http = args->Get("http")) {
    // No TLS of its own: beyond loopback it needs tokens and --insecure (a TLS proxy in front).
    absl::Status http_policy =
        service::CheckListenPolicy(*http, /*tls=*/false, tokens.has_value(), options.insecure);
    if (!http_policy.ok()) return PrintError(http_policy);
    auto address = service::ParseListenAddress(*http);
    if (!address.ok()) return PrintError(address.status());
    if (address->kind != service::ListenAddress::Kind::kTcp) {
      return PrintError(absl::InvalidArgumentError("--http takes HOST:PORT, not a unix socket"));
    }
    absl::Status can = service::CheckCanListen(*address, *http);
    if (!can.ok()) return PrintError(can);
    http_address = *std::move(address);
  }
  // The address is checked before the store opens: a bad port, a host that does not resolve, a
  // missing socket folder or a port in use end the command at once.
  {
    auto address = service::ParseListenAddress(options.listen);
    if (!address.ok()) return PrintError(address.status());
    absl::Status can = service::CheckCanListen(*address, options.listen);
    if (!can.ok()) return PrintError(can);
  }

  // Audit trail, its heads signed with the server's key.
  std::unique_ptr<service::AuditKey> audit_key;
  std::unique_ptr<service::AuditLog> audit;
  if (auto path = args->Get("audit-log")) {
    service::AuditOptions ao;
    ao.fsync = args->Has("audit-fsync");
    auto every = args->GetInt("audit-sign-every", 100, 1, int64_t{1} << 40);
    if (!every.ok()) return PrintError(every.status());
    ao.sign_every = static_cast<uint64_t>(*every);
    const std::string key_path = args->GetOr("audit-key", *path + ".key");
    bool created = false;
    auto key = service::AuditKey::LoadOrCreate(key_path, &created);
    if (!key.ok()) return PrintError(key.status());
    audit_key = *std::move(key);
    ao.key = audit_key.get();
    auto log = service::AuditLog::Open(*path, ao);
    if (!log.ok()) return PrintError(log.status());
    audit = *std::move(log);
    options.gateway.audit = audit.get();
    std::printf("audit trail %s: heads signed into %s by Ed25519 key %s (%s%s)\n", path->c_str(),
                service::HeadsPath(*path).c_str(), audit_key->public_hex().c_str(),
                key_path.c_str(), created ? ", created now" : "");
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
  auto per_principal = args->GetInt("max-calls-per-principal", 64, 0, 100'000);
  if (!per_principal.ok()) return PrintError(per_principal.status());
  options.gateway.max_calls_per_principal = static_cast<int>(*per_principal);
  auto max_connections = args->GetInt("max-connections", 1000, 1, 1'000'000);
  if (!max_connections.ok()) return PrintError(max_connections.status());
  options.max_connections = static_cast<int>(*max_connections);
  if (options.max_connections > service::ConnectionBudget(file_limit)) {
    std::fprintf(stderr,
                 "warning: at most %d connections (--max-connections %d): the file descriptor "
                 "limit is %llu (raise it: ulimit -n, systemd LimitNOFILE=)\n",
                 service::ConnectionBudget(file_limit), options.max_connections,
                 static_cast<unsigned long long>(file_limit));
  }
  auto handshake = args->GetDouble("handshake-timeout", 10);
  if (!handshake.ok()) return PrintError(handshake.status());
  if (*handshake <= 0) {
    return PrintError(absl::InvalidArgumentError("--handshake-timeout must be positive"));
  }
  options.handshake_timeout = absl::Seconds(*handshake);
  auto max_seconds = args->GetDouble("max-call-seconds", 300);
  if (!max_seconds.ok()) return PrintError(max_seconds.status());
  if (*max_seconds <= 0) {
    return PrintError(absl::InvalidArgumentError("--max-call-seconds must be positive"));
  }
  options.gateway.max_call_time = absl::Seconds(*max_seconds);
  auto max_request = args->GetInt("max-request-bytes", 1 << 20, 1024, 1 << 30);
  if (!max_request.ok()) return PrintError(max_request.status());
  options.max_request_bytes = static_cast<int>(*max_request);
  auto interval = args->GetDouble("catch-up-interval", 0.25);
  if (!interval.ok()) return PrintError(interval.status());
  if (*interval < 0) {
    return PrintError(absl::InvalidArgumentError("--catch-up-interval must be 0 or more"));
  }

  // Watchlists: their own store, the webhook.
  std::unique_ptr<watch::WatchStore> watch_store;
  service::WatcherOptions watcher_options;
  if ((args->Has("alert-webhook") || args->Has("alert-webhook-attempts") ||
       args->Has("alert-webhook-backoff-ms")) &&
      !args->Has("watch-db")) {
    return PrintError(
        absl::InvalidArgumentError("--alert-webhook and its options need --watch-db DIR"));
  }
  if (auto url = args->Get("alert-webhook")) {
    auto parsed = watch::ParseWebhookUrl(*url);
    if (!parsed.ok()) return PrintError(parsed.status());
    watcher_options.webhook = *parsed;
  }
  auto attempts = args->GetInt("alert-webhook-attempts", 20, 1, 1000);
  if (!attempts.ok()) return PrintError(attempts.status());
  watcher_options.webhook_attempts = static_cast<uint32_t>(*attempts);
  auto backoff = args->GetInt("alert-webhook-backoff-ms", 1000, 1, 3'600'000);
  if (!backoff.ok()) return PrintError(backoff.status());
  watcher_options.webhook_backoff = absl::Milliseconds(*backoff);
  if (auto dir = args->Get("watch-db")) {
    if (std::filesystem::absolute(*dir).lexically_normal() ==
        std::filesystem::absolute(db).lexically_normal()) {
      return PrintError(absl::InvalidArgumentError(
          "--watch-db must be a folder of its own, not the indexer's store (--db)"));
    }
    auto opened = watch::WatchStore::Open(*dir);
    if (!opened.ok()) return PrintError(opened.status());
    watch_store = *std::move(opened);
  }
  std::atomic<service::Watcher*> watcher_ptr{nullptr};

  // SIGINT, SIGTERM and SIGHUP (the terminal went away) are taken by a waiting thread, so every
  // other thread must block them: each one shuts the server down cleanly (the audit trail's stop
  // head signed, the temporary folder removed).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A closed stdout (the terminal or pipe went away) must not kill the server before its shutdown.
  std::signal(SIGPIPE, SIG_IGN);
  StopRequest stop;

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
    if (service::Watcher* w = watcher_ptr.load()) w->Notify();
  };
  ro.on_error = [&loaded, &stop](const absl::Status& s) {
    // A store that cannot be read (a corrupt table) will not load by waiting: give up.
    if (!loaded && absl::IsDataLoss(s)) {
      stop.Set(0, absl::DataLossError(absl::StrCat("cannot load the store: ", s.message())));
      return;
    }
    std::fprintf(stderr, "warning: %s\n", std::string(s.message()).c_str());
  };
  auto source = service::ReplicaEngineSource::Open(db, ro);
  if (!source.ok()) return PrintError(source.status());

  // The engine loads on another thread: when the command ends before it is loaded, that thread is
  // abandoned (a load cannot be interrupted) and the process exits without waiting for it.
  auto finish = [&](int code) {
    if (audit != nullptr) (void)audit->Close();
    if (!(*source)->Stop(absl::Seconds(1))) {
      std::fflush(stdout);
      std::fflush(stderr);
      std::_Exit(code);
    }
    return code;
  };
  std::unique_ptr<service::Watcher> watcher;
  if (watch_store != nullptr) {
    watcher = std::make_unique<service::Watcher>(watch_store.get(), source->get(), audit.get(),
                                                 watcher_options);
    watcher_ptr = watcher.get();
    options.watcher = watcher.get();
    std::printf("watchlists in %s (alerts %s)\n", args->Get("watch-db")->c_str(),
                watcher_options.webhook ? ("to " + *args->Get("alert-webhook")).c_str()
                                        : "on the stream only, no webhook");
  }
  // Stops the watcher before the engine's source and the audit trail it uses.
  auto stop_watcher = [&] {
    watcher_ptr = nullptr;
    watcher.reset();
  };
  auto server = service::AriadneServer::Start(source->get(), options);
  if (!server.ok()) {
    stop_watcher();
    return finish(PrintError(server.status()));
  }
  server_ptr = server->get();
  if (loaded) (*server)->SetServing(true);
  std::printf(
      "listening on %s (%s, %s, audit trail %s%s, at most %d connections)\n",
      BoundAddress(options.listen, (*server)->port()).c_str(),
      !options.tls                     ? "plaintext"
      : options.tls->client_ca.empty() ? "TLS"
                                       : "mutual TLS",
      tokens ? absl::StrCat(tokens->size(), " token(s)").c_str() : "no authentication",
      audit ? audit->path().c_str() : "off",
      options.gateway.rate_limit.per_second > 0
          ? absl::StrCat(", ", options.gateway.rate_limit.per_second, " requests/s each").c_str()
          : "",
      (*server)->max_connections());
  std::unique_ptr<http::HttpServer> http_server;
  if (http_address.has_value()) {
    http::HttpOptions ho;
    ho.host = http_address->host;
    ho.port = http_address->port;
    auto api = std::make_shared<http::ApiHandler>((*server)->InProcessChannel(),
                                                  options.gateway.max_call_time);
    auto started = http::HttpServer::Start(ho, [api](const http::HttpRequest& r) {
      // The JSON API under /api/, the workspace's files everywhere else.
      return r.target.rfind("/api/", 0) == 0 ? api->Handle(r) : http::ServeWebApp(r);
    });
    if (!started.ok()) {
      (*server)->Shutdown(absl::ZeroDuration());
      stop_watcher();
      return finish(PrintError(started.status()));
    }
    http_server = *std::move(started);
    std::printf(
        "http on http://%s:%d/ (the workspace; the JSON API under /api/v1/)\n",
        ho.host.find(':') != std::string::npos ? ("[" + ho.host + "]").c_str() : ho.host.c_str(),
        http_server->port());
  }
  std::fflush(stdout);

  std::thread waiter([&stop, &signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    stop.Set(sig, absl::OkStatus());
  });
  int sig = 0;
  const absl::Status reason = stop.Wait(&sig);
  if (sig != 0) std::fprintf(stderr, "shutting down (signal %d)\n", sig);
  if (http_server != nullptr) http_server->Shutdown();
  (*server)->Shutdown(absl::Seconds(5));
  (*server)->Wait();
  if (sig == 0) pthread_kill(waiter.native_handle(), SIGTERM);  // wakes its sigwait
  waiter.join();
  server_ptr = nullptr;
  server->reset();
  stop_watcher();
  if (audit != nullptr) {
    absl::Status closed = audit->Close();
    if (!closed.ok()) std::fprintf(stderr, "warning: %s\n", std::string(closed.message()).c_str());
    const service::AuditChain chain = audit->chain();
    std::fprintf(stderr, "audit trail %s: %llu records, head %s (signed)\n", audit->path().c_str(),
                 static_cast<unsigned long long>(chain.records), chain.head.c_str());
  }
  return finish(reason.ok() ? 0 : PrintError(reason));
}

}  // namespace ariadne::cli
