#include "tests/engine/service/service_harness.h"

#include <sys/wait.h>

#include <cstdio>

#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {

absl::StatusOr<std::unique_ptr<service::FixedEngineSource>> LoadEngineSource(
    std::unique_ptr<store::Store> store) {
  auto engine = service::Engine::Load(std::move(store));
  if (!engine.ok()) return engine.status();
  return std::make_unique<service::FixedEngineSource>(*std::move(engine));
}

absl::StatusOr<std::unique_ptr<service::FixedEngineSource>> LoadEngineSource(
    const std::filesystem::path& db) {
  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  auto store = store::Store::Open(db, so);
  if (!store.ok()) return store.status();
  return LoadEngineSource(*std::move(store));
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

int RunCommand(const std::string& command, std::string* output) {
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return -1;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int status = ::pclose(p);
  if (output != nullptr) *output = std::move(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

absl::StatusOr<std::unique_ptr<ServiceHarness>> ServiceHarness::Start(
    std::unique_ptr<store::Store> store, const std::filesystem::path& scratch,
    service::ServiceOptions options) {
  std::unique_ptr<ServiceHarness> h(new ServiceHarness());
  h->scratch_ = scratch;
  auto source = LoadEngineSource(std::move(store));
  if (!source.ok()) return source.status();
  h->source_ = *std::move(source);
  h->service_ = std::make_unique<service::AriadneService>(h->source_.get(), options);
  grpc::ServerBuilder b;
  int port = 0;
  b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  b.RegisterService(h->service_.get());
  h->server_ = b.BuildAndStart();
  if (h->server_ == nullptr || port == 0) return absl::UnavailableError("the server did not start");
  h->address_ = "127.0.0.1:" + std::to_string(port);
  h->stub_ =
      v1::Ariadne::NewStub(grpc::CreateChannel(h->address_, grpc::InsecureChannelCredentials()));
  return h;
}

ServiceHarness::~ServiceHarness() {
  if (server_ != nullptr) server_->Shutdown();
}

CliRun RunCli(const std::vector<std::string>& args, const std::filesystem::path& scratch) {
  std::string cmd = ShellQuote(AriadneBinary().string());
  for (const std::string& a : args) cmd += " " + ShellQuote(a);
  const std::filesystem::path err_file = scratch / "stderr.txt";
  cmd += " 2>" + ShellQuote(err_file.string());
  CliRun r;
  r.exit_code = RunCommand(cmd, &r.out);
  r.err = ReadFileText(err_file);
  return r;
}

CliRun ServiceHarness::Cli(std::vector<std::string> args, bool with_server) const {
  if (with_server) args.insert(args.end(), {"--server", address_});
  return RunCli(args, scratch_);
}

}  // namespace ariadne::testing
