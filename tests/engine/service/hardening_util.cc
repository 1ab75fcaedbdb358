#include "tests/engine/service/hardening_util.h"

#include <fcntl.h>
#include <grpcpp/generic/generic_stub.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/store/store.h"
#include "tests/engine/service/service_harness.h"
#include "tests/indexer/pipeline/index_test_util.h"

namespace ariadne::testing {
namespace {

std::string Quote(const std::string& s) { return ShellQuote(s); }

}  // namespace

int RunAriadne(const std::vector<std::string>& args, std::string* output) {
  std::string cmd = Quote(AriadneBinary().string());
  for (const std::string& a : args) cmd += " " + Quote(a);
  return RunCommand(cmd + " 2>&1", output);
}

absl::StatusOr<TestChain> MakeTestChain(const std::filesystem::path& dir, int blocks,
                                        int txs_per_block, bool index) {
  TestChain c;
  c.dir = dir;
  c.db = dir / "db";
  std::string out;
  if (RunAriadne({"gen", "--out", (dir / "chain").string(), "--blocks", std::to_string(blocks),
                  "--seed", "8", "--txs-per-block", std::to_string(txs_per_block)},
                 &out) != 0) {
    return absl::InternalError("ariadne gen failed: " + out);
  }
  c.blk = dir / "chain" / "blocks" / "blk00000.dat";
  if (!std::filesystem::exists(c.blk)) return absl::InternalError("no blk00000.dat");
  std::ifstream truth(dir / "chain" / "truth" / "addresses.csv");
  std::string line;
  std::getline(truth, line);  // header
  while (std::getline(truth, line)) {
    c.addresses.push_back(std::string(line.substr(0, line.find(','))));
  }
  if (index && RunAriadne({"index", "btc", "--blocks", (dir / "chain" / "blocks").string(), "--db",
                           c.db.string(), "--network", "regtest"},
                          &out) != 0) {
    return absl::InternalError("ariadne index failed: " + out);
  }
  return c;
}

absl::Status CopyBlkPrefix(const std::filesystem::path& from, const std::filesystem::path& to,
                           int blocks) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary);
  for (int i = 0; i < blocks; ++i) {
    char head[8];
    if (!in.read(head, 8)) return absl::InternalError("the blk file has fewer blocks");
    uint32_t size;
    std::memcpy(&size, head + 4, 4);  // little-endian on the machines we run
    std::string block(size, '\0');
    if (!in.read(block.data(), size)) return absl::InternalError("truncated blk file");
    out.write(head, 8);
    out.write(block.data(), size);
  }
  return out.good() ? absl::OkStatus() : absl::InternalError("cannot write " + to.string());
}

int ConnectLoopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::filesystem::path WriteTokenFile(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / "tokens";
  std::ofstream out(path);
  out << "# name role secret\n"
      << "alice analyst " << kAliceToken << "\n"
      << "bob   analyst " << kBobToken << "   # second analyst\n\n"
      << "root  admin   " << kRootToken << "\n";
  out.close();
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return path;
}

absl::Status MakeTestCertificates(const std::filesystem::path& dir) {
  std::ofstream(dir / "san.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
  const std::string d = Quote(dir.string());
  const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  const std::string cmd =
      absl::StrCat("cd ", d, " && openssl req -x509 ", key,
                   " -keyout ca.key -out ca.pem -days 2 -subj /CN=ariadne-test-ca 2>/dev/null",
                   " && openssl req ", key,
                   " -keyout server.key -out server.csr -subj /CN=localhost 2>/dev/null",
                   " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial",
                   " -out server.pem -days 2 -extfile san.ext 2>/dev/null", " && openssl req ", key,
                   " -keyout client.key -out client.csr -subj /CN=analyst 2>/dev/null",
                   " && openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial",
                   " -out client.pem -days 2 2>/dev/null");
  if (std::system(cmd.c_str()) != 0) return absl::UnavailableError("openssl failed: " + cmd);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<TestServer>> TestServer::Start(const std::filesystem::path& db,
                                                              service::ServerOptions options) {
  auto source = LoadEngineSource(db);
  if (!source.ok()) return source.status();
  std::unique_ptr<TestServer> t(new TestServer());
  t->source_ = *std::move(source);
  options.listen = "127.0.0.1:0";
  auto server = service::AriadneServer::Start(t->source_.get(), options);
  if (!server.ok()) return server.status();
  t->server_ = *std::move(server);
  t->server_->SetServing(true);
  return t;
}

TestServer::~TestServer() {
  if (server_ != nullptr) server_->Shutdown(absl::Seconds(1));
}

std::unique_ptr<v1::Ariadne::Stub> TestServer::Stub() const {
  return v1::Ariadne::NewStub(grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
}

std::unique_ptr<grpc::ClientContext> Ctx(const std::string& token, const std::string& case_id,
                                         double seconds) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000)));
  if (!token.empty()) ctx->AddMetadata("authorization", "Bearer " + token);
  if (!case_id.empty()) ctx->AddMetadata("x-case-id", case_id);
  return ctx;
}

std::string Health(const std::shared_ptr<grpc::Channel>& channel, const std::string& service) {
  // grpc.health.v1.HealthCheckRequest {string service = 1;}, by hand.
  std::string req;
  if (!service.empty()) {
    req.push_back(0x0a);
    req.push_back(static_cast<char>(service.size()));
    req += service;
  }
  grpc::Slice slice(req);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) { done.set_value(s); });
  grpc::Status s = done.get_future().get();
  if (!s.ok()) return "error " + std::to_string(s.error_code()) + ": " + s.error_message();
  std::vector<grpc::Slice> slices;
  (void)response.Dump(&slices);
  std::string bytes;
  for (const grpc::Slice& sl : slices) {
    bytes.append(reinterpret_cast<const char*>(sl.begin()), sl.size());
  }
  // HealthCheckResponse {ServingStatus status = 1;}: 1 SERVING, 2 NOT_SERVING.
  const int status = bytes.size() >= 2 && bytes[0] == 0x08 ? bytes[1] : 0;
  return status == 1 ? "SERVING" : status == 2 ? "NOT_SERVING" : "UNKNOWN";
}

absl::StatusOr<std::unique_ptr<ServeProcess>> ServeProcess::Start(
    const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"serve", "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto p = Spawn(argv, {});
  if (!p.ok()) return p.status();
  if (!(*p)->WaitListening(30)) {
    return absl::UnavailableError("ariadne serve did not start: " + (*p)->Output());
  }
  return p;
}

absl::StatusOr<std::unique_ptr<ServeProcess>> ServeProcess::Spawn(
    const std::vector<std::string>& args, const SpawnOptions& options) {
  int fds[2];
  if (::pipe(fds) != 0) return absl::InternalError("pipe");
  std::vector<std::string> argv = {AriadneBinary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError("fork");
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::close(fds[0]);
    ::close(fds[1]);
    if (options.nofile > 0) {
      rlimit rl;
      rl.rlim_cur = options.nofile;
      rl.rlim_max = options.nofile_hard > 0 ? options.nofile_hard : options.nofile;
      if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) ::_exit(126);
    }
    for (const auto& [name, value] : options.env) ::setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> cargs;
    for (std::string& a : argv) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    ::execv(cargs[0], cargs.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  std::unique_ptr<ServeProcess> p(new ServeProcess());
  p->pid_ = pid;
  p->out_fd_ = fds[0];
  ::fcntl(p->out_fd_, F_SETFL, ::fcntl(p->out_fd_, F_GETFL) | O_NONBLOCK);
  return p;
}

bool ServeProcess::WaitListening(double seconds) {
  if (!WaitForOutput("listening on ", seconds)) return false;
  const std::string out = Output();
  const size_t at = out.find("listening on ") + 13;
  address_ = out.substr(at, out.find(' ', at) - at);
  return true;
}

ServeProcess::~ServeProcess() {
  if (pid_ > 0 && Alive()) {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 100 && Alive(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (Alive()) ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) ::close(out_fd_);
}

bool ServeProcess::Alive() {
  if (pid_ <= 0) return false;
  int status;
  const pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -pid_;  // reaped
    return false;
  }
  return r == 0;
}

long ServeProcess::RssKib() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

std::string ServeProcess::Output() {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(out_fd_, buf, sizeof(buf));
    if (n <= 0) break;
    output_.append(buf, static_cast<size_t>(n));
  }
  return output_;
}

bool ServeProcess::WaitForOutput(const std::string& text, double seconds) {
  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  while (std::chrono::steady_clock::now() < end) {
    if (Output().find(text) != std::string::npos) return true;
    pollfd pfd{out_fd_, POLLIN, 0};
    ::poll(&pfd, 1, 50);
  }
  return Output().find(text) != std::string::npos;
}

void ServeProcess::Signal(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

int ServeProcess::WaitExit(double seconds) {
  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  while (pid_ > 0) {
    int status;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -pid_;
      Output();
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() >= end) return -1;
    Output();  // keep the pipe drained
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

int ServeProcess::Stop(std::string* output) {
  int status = -1;
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, &status, 0);
    pid_ = -pid_;
  }
  if (output != nullptr) *output = Output();
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace ariadne::testing
