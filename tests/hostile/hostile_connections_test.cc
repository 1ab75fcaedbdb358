// Attacks on `ariadne serve`'s connections and calls, kept as tests (issue 20): running it out of
// file descriptors (its listener used to stop for good: "Failed accept4: Too many open files"),
// connections that never complete a handshake, and one principal taking every call slot.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "engine/service/auth.h"
#include "engine/service/connection_guard.h"
#include "tests/engine/service/hardening_util.h"
#include "tests/hostile/hostile_server_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

using ::testing::HasSubstr;

class HostileConnectionsTest : public HostileChainTest {};

// Returns: a TCP connection to the server at 127.0.0.1:PORT that has sent nothing, or -1.
int Connect(const std::string& address) {
  return ConnectLoopback(std::stoi(address.substr(address.rfind(':') + 1)));
}

// Returns: whether the server closed `fd` (reads what it sent until the end of the stream) within
// `seconds`.
bool ClosedByServer(int fd, double seconds) {
  const auto end = std::chrono::steady_clock::now() +
                   std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  char buf[4096];
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) return true;  // end of stream, or reset
  }
  return false;
}

// Returns: the soft and hard "Max open files" of a process.
std::pair<std::string, std::string> OpenFilesLimit(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream fields(line.substr(14));
    std::string soft, hard;
    fields >> soft >> hard;
    return {soft, hard};
  }
  return {"", ""};
}

// Under `ulimit -n 256`, 300 idle connections used to exhaust the descriptors; gRPC's listener
// then stopped accepting for good and every later call failed. Now connections over the cap
// (half the limit) are closed as they come, and once the clients go, calls are answered again.
TEST_F(HostileConnectionsTest, RunningOutOfDescriptorsDoesNotStopTheListener) {
  SpawnOptions so;
  so.nofile = 256;
  so.env = {{"TMPDIR", EmptyDir(*dir_ / "tmp").string()}};
  auto serve =
      ServeProcess::Spawn({"serve", "--db", chain_->db.string(), "--listen", "127.0.0.1:0"}, so);
  ASSERT_THAT(serve, IsOk());
  ASSERT_TRUE((*serve)->WaitListening(30)) << (*serve)->Output();
  EXPECT_THAT((*serve)->Output(), HasSubstr("at most 128 connections"));
  ASSERT_TRUE((*serve)->WaitForOutput("serving ", 30)) << (*serve)->Output();
  std::vector<int> idle;
  for (int i = 0; i < 300; ++i) {
    const int fd = Connect((*serve)->address());
    if (fd >= 0) idle.push_back(fd);
  }
  EXPECT_EQ(idle.size(), 300u);  // the kernel accepts into the backlog; the server sheds
  EXPECT_TRUE((*serve)->WaitForOutput("connection limit reached (128 open", 30))
      << (*serve)->Output();
  for (int fd : idle) ::close(fd);
  // The pressure is gone: the listener accepts again (the closed connections are noticed as the
  // server reads their end).
  grpc::Status s;
  for (int attempt = 0; attempt < 100; ++attempt) {
    s = StatusCall((*serve)->address());
    if (s.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(s.ok()) << s.error_code() << " " << s.error_message() << "\n" << (*serve)->Output();
  EXPECT_THAT((*serve)->Output(), ::testing::Not(HasSubstr("Failed accept4")));
  EXPECT_TRUE((*serve)->Alive());
}

TEST_F(HostileConnectionsTest, TheDescriptorLimitIsRaisedToTheHardLimit) {
  SpawnOptions so;
  so.nofile = 256;
  so.nofile_hard = 4096;
  auto serve =
      ServeProcess::Spawn({"serve", "--db", chain_->db.string(), "--listen", "127.0.0.1:0"}, so);
  ASSERT_THAT(serve, IsOk());
  ASSERT_TRUE((*serve)->WaitListening(30)) << (*serve)->Output();
  EXPECT_EQ(OpenFilesLimit((*serve)->pid()),
            std::make_pair(std::string("4096"), std::string("4096")));
  EXPECT_THAT((*serve)->Output(), HasSubstr("at most 1000 connections"));
  EXPECT_EQ(service::ConnectionBudget(256), 128);
  EXPECT_EQ(service::ConnectionBudget(4096), 2048);
  EXPECT_EQ(service::ConnectionBudget(10), 8);
}

// A connection that never completes its handshake (sends nothing, half an HTTP/2 preface, half a
// TLS ClientHello) is closed after --handshake-timeout, on both transports.
TEST_F(HostileConnectionsTest, ConnectionsThatNeverHandshakeAreClosedOnEveryTransport) {
  const std::filesystem::path pki = *dir_ / "pki";
  std::filesystem::create_directories(pki);
  ASSERT_THAT(MakeTestCertificates(pki), IsOk());
  const std::string tokens = WriteTokenFile(*dir_).string();
  for (bool tls : {false, true}) {
    std::vector<std::string> args = {"serve",    "--db",        chain_->db.string(),
                                     "--listen", "127.0.0.1:0", "--handshake-timeout",
                                     "1"};
    if (tls) {
      args.insert(args.end(), {"--tls-cert", (pki / "server.pem").string(), "--tls-key",
                               (pki / "server.key").string(), "--token-file", tokens});
    }
    auto serve = ServeProcess::Spawn(args, {});
    ASSERT_THAT(serve, IsOk());
    ASSERT_TRUE((*serve)->WaitListening(30)) << (*serve)->Output();
    std::vector<int> fds;
    for (int i = 0; i < 30; ++i) fds.push_back(Connect((*serve)->address()));
    // Partial handshakes: the first bytes of the HTTP/2 preface, of a TLS record.
    const std::string preface = "PRI * HTTP/2.0\r\n";
    const char client_hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
    for (int i = 0; i < 5; ++i) {
      ASSERT_GT(::send(fds[i], preface.data(), preface.size(), MSG_NOSIGNAL), 0);
      ASSERT_GT(::send(fds[5 + i], client_hello, sizeof(client_hello), MSG_NOSIGNAL), 0);
    }
    int closed = 0;
    for (int fd : fds) {
      closed += ClosedByServer(fd, 15) ? 1 : 0;
      ::close(fd);
    }
    EXPECT_EQ(closed, 30) << (tls ? "TLS" : "plaintext");
  }
}

// Opens `n` calls of `token` on one connection that never send their request: the server admits
// them and waits.
class PendingCalls {
 public:
  PendingCalls(const std::string& address, const std::string& token, int n) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection of its own
    stub_ = std::make_unique<grpc::GenericStub>(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
    for (int i = 0; i < n; ++i) {
      auto c = std::make_unique<Call>();
      c->ctx.AddMetadata("authorization", "Bearer " + token);
      c->call = stub_->PrepareCall(&c->ctx, "/ariadne.v1.Ariadne/GetStatus", &cq_);
      c->call->StartCall(c.get());
      calls_.push_back(std::move(c));
    }
    for (int i = 0; i < n; ++i) {
      void* tag;
      bool ok;
      cq_.Next(&tag, &ok);
    }
  }
  ~PendingCalls() {
    for (auto& c : calls_) c->ctx.TryCancel();
    for (auto& c : calls_) c->call->Finish(&c->status, c.get());
    void* tag;
    bool ok;
    for (size_t i = 0; i < calls_.size(); ++i) cq_.Next(&tag, &ok);
    cq_.Shutdown();
    while (cq_.Next(&tag, &ok)) {
    }
  }

 private:
  struct Call {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call;
    grpc::Status status;
  };
  grpc::CompletionQueue cq_;
  std::unique_ptr<grpc::GenericStub> stub_;
  std::vector<std::unique_ptr<Call>> calls_;
};

// 300 calls in flight from one analyst used to take all 256 call slots, and the admin's status
// call was refused. Each principal now has at most --max-calls-per-principal (64) of them.
TEST_F(HostileConnectionsTest, OneAnalystCannotTakeEveryCallSlot) {
  auto tokens = service::TokenTable::Load(WriteTokenFile(*dir_));
  ASSERT_THAT(tokens, IsOk());
  service::ServerOptions o;
  o.gateway.tokens = &*tokens;
  ASSERT_EQ(o.gateway.max_concurrent_calls, 256);
  ASSERT_EQ(o.gateway.max_calls_per_principal, 64);
  auto server = TestServer::Start(chain_->db, o);
  ASSERT_THAT(server, IsOk());
  const std::string address = (*server)->address();
  {
    // 100 streams per connection: three connections carry Alice's 300 calls.
    std::vector<std::unique_ptr<PendingCalls>> alice;
    for (int i = 0; i < 3; ++i) {
      alice.push_back(std::make_unique<PendingCalls>(address, kAliceToken, 100));
    }
    const auto& gateway = (*server)->server().gateway();
    for (int i = 0; i < 250 && gateway.counters().calls < 300; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(gateway.counters().calls, 300u);
    EXPECT_EQ(gateway.in_flight(), 64);
    EXPECT_EQ(gateway.counters().principal_busy, 236u);
    EXPECT_TRUE(StatusCall(address, kRootToken).ok()) << "the admin is starved";
    EXPECT_TRUE(StatusCall(address, kBobToken).ok()) << "another analyst is starved";
    grpc::Status refused = StatusCall(address, kAliceToken);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(refused.error_message(),
                HasSubstr("alice has 64 calls in flight, the limit per principal "
                          "(--max-calls-per-principal)"));
  }
  for (int i = 0; i < 250 && (*server)->server().gateway().in_flight() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(StatusCall(address, kAliceToken).ok()) << "Alice's slots did not come back";
}

}  // namespace
}  // namespace ariadne::testing
