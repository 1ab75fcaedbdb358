// Shared pieces of the service-hardening tests: a synthetic chain indexed into a store (no
// reference data needed), an in-process hardened server, `ariadne` child processes (serve, index),
// test certificates, and small gRPC helpers.
#ifndef ARIADNE_TESTS_SERVICE_HARDENING_UTIL_H_
#define ARIADNE_TESTS_SERVICE_HARDENING_UTIL_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/service/engine.h"
#include "engine/service/server.h"
#include "proto/ariadne.grpc.pb.h"

namespace ariadne::testing {

// Runs `ariadne ARGS...` to completion. Returns: its exit code (-1 when it could not run).
// Out: *output: its stdout and stderr, when not null.
int RunAriadne(const std::vector<std::string>& args, std::string* output = nullptr);

// A synthetic chain (`ariadne gen`) in `dir`/chain/blocks/blk00000.dat with its truth, indexed
// into `dir`/db. Args: blocks, txs_per_block: the chain's shape.
struct TestChain {
  std::filesystem::path dir;
  std::filesystem::path blk;  // the one blk file
  std::filesystem::path db;
  std::vector<std::string> addresses;  // addresses of the truth file, in its order
};
absl::StatusOr<TestChain> MakeTestChain(const std::filesystem::path& dir, int blocks,
                                        int txs_per_block, bool index = true);

// Copies the first `blocks` records of a blk file. Returns: INTERNAL when it has fewer.
absl::Status CopyBlkPrefix(const std::filesystem::path& from, const std::filesystem::path& to,
                           int blocks);

// Returns: a TCP connection to 127.0.0.1:`port` that has sent nothing; -1 when it cannot connect.
int ConnectLoopback(int port);

// A token file with alice (analyst), bob (analyst) and root (admin); the secrets are below.
inline constexpr char kAliceToken[] = "alice-secret-0123456789abcdef";
inline constexpr char kBobToken[] = "bob-secret-0123456789abcdef01";
inline constexpr char kRootToken[] = "root-secret-0123456789abcdef0";
std::filesystem::path WriteTokenFile(const std::filesystem::path& dir);

// Test PKI made with the openssl command: a CA, a server certificate for localhost/127.0.0.1 and
// a client certificate, all in `dir` (ca.pem, server.pem, server.key, client.pem, client.key).
// Returns: UNAVAILABLE when openssl is missing or fails.
absl::Status MakeTestCertificates(const std::filesystem::path& dir);

// An in-process hardened server over a fixed engine.
class TestServer {
 public:
  // Loads the engine of `db` (read-only) and starts an AriadneServer on 127.0.0.1:0.
  static absl::StatusOr<std::unique_ptr<TestServer>> Start(const std::filesystem::path& db,
                                                           service::ServerOptions options);
  ~TestServer();
  std::string address() const { return "127.0.0.1:" + std::to_string(server_->port()); }
  service::AriadneServer& server() { return *server_; }
  std::shared_ptr<const service::Engine> engine() const { return source_->Get(); }
  // Returns: a plaintext stub to this server.
  std::unique_ptr<v1::Ariadne::Stub> Stub() const;

 private:
  std::unique_ptr<service::FixedEngineSource> source_;
  std::unique_ptr<service::AriadneServer> server_;
};

// A context with a deadline, and a bearer token and case id when not empty.
std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token = "",
                                         const std::string& case_id = "", double seconds = 10);

// Returns: the health status ("SERVING", "NOT_SERVING", or the call's error) of `service`.
std::string Health(const std::shared_ptr<grpc::Channel>& channel, const std::string& service = "");

// How to start an `ariadne` child process.
struct SpawnOptions {
  // Default 0: the test's own limit. Set: the child's RLIMIT_NOFILE, soft (and hard, unless
  // nofile_hard is set too), as `ulimit -n N` would.
  uint64_t nofile = 0;
  uint64_t nofile_hard = 0;
  // Environment variables set in the child (e.g. TMPDIR).
  std::vector<std::pair<std::string, std::string>> env;
};

// An `ariadne serve` child process; killed (SIGTERM, then SIGKILL) when destroyed.
class ServeProcess {
 public:
  // Starts `ariadne serve --listen 127.0.0.1:0 ARGS...` and waits for its "listening on" line.
  static absl::StatusOr<std::unique_ptr<ServeProcess>> Start(const std::vector<std::string>& args);
  // Starts `ariadne ARGS...` (no --listen added, no waiting).
  static absl::StatusOr<std::unique_ptr<ServeProcess>> Spawn(const std::vector<std::string>& args,
                                                             const SpawnOptions& options);
  // Waits for the "listening on" line and takes the address from it. Returns: whether it came.
  bool WaitListening(double seconds);
  ~ServeProcess();
  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }
  // Returns: true when the process is still running.
  bool Alive();
  // Returns: the resident set size in KiB (0 when unknown).
  long RssKib() const;
  // Sends SIGTERM and waits. Returns: the exit status, and the output so far in *output.
  int Stop(std::string* output = nullptr);
  // Sends `signal` to the process.
  void Signal(int signal);
  // Waits for the process to end, at most `seconds` (then kills it).
  // Returns: its exit code; 128 + the signal that ended it; -1 when it was still running.
  int WaitExit(double seconds);
  // Returns: what the process printed so far (stdout and stderr).
  std::string Output();
  // Waits until the output contains `text`. Returns: whether it did within `seconds`.
  bool WaitForOutput(const std::string& text, double seconds);

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string output_;
  std::string address_;
};

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_SERVICE_HARDENING_UTIL_H_
