// The one server fixture of the service and client tests: a store's engine served by
// AriadneService on loopback (or, for the hardening tests, the engine source alone), a stub to it,
// and the `ariadne` binary run against it.
#ifndef ARIADNE_TESTS_ENGINE_SERVICE_SERVICE_HARNESS_H_
#define ARIADNE_TESTS_ENGINE_SERVICE_SERVICE_HARNESS_H_

#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/service/ariadne_service.h"
#include "engine/service/engine.h"
#include "engine/store/store.h"
#include "proto/ariadne.grpc.pb.h"

namespace ariadne::testing {

// Returns: the engine of a store, as a source that always answers from it.
absl::StatusOr<std::unique_ptr<service::FixedEngineSource>> LoadEngineSource(
    std::unique_ptr<store::Store> store);
// Returns: the engine of the store in `db`, opened read-only, as a fixed source.
absl::StatusOr<std::unique_ptr<service::FixedEngineSource>> LoadEngineSource(
    const std::filesystem::path& db);

// Runs a shell command. Returns: its exit code (-1 when it could not run). Out: *output: what it
// printed on stdout.
int RunCommand(const std::string& command, std::string* output);
// Returns: `s` quoted for the shell.
std::string ShellQuote(const std::string& s);

// What a run of the `ariadne` binary printed.
struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `ariadne ARGS...`. Args: scratch: a folder for its stderr.
CliRun RunCli(const std::vector<std::string>& args, const std::filesystem::path& scratch);

class ServiceHarness {
 public:
  // Loads the engine of `store` and serves it on 127.0.0.1 at a free port.
  // Args: scratch: a folder for the binary's stderr.
  static absl::StatusOr<std::unique_ptr<ServiceHarness>> Start(
      std::unique_ptr<store::Store> store, const std::filesystem::path& scratch,
      service::ServiceOptions options = service::ServiceOptions());
  ~ServiceHarness();

  const std::string& address() const { return address_; }
  v1::Ariadne::Stub* stub() const { return stub_.get(); }
  const service::Engine& engine() const { return *source_->Get(); }

  // Runs `ariadne ARGS...`, with `--server` this server's address when `with_server`.
  CliRun Cli(std::vector<std::string> args, bool with_server = true) const;

 private:
  ServiceHarness() = default;
  std::filesystem::path scratch_;
  std::unique_ptr<service::FixedEngineSource> source_;
  std::unique_ptr<service::AriadneService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::Ariadne::Stub> stub_;
  std::string address_;
};

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_ENGINE_SERVICE_SERVICE_HARNESS_H_
