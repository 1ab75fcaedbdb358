// Authentication and roles: the token file, bearer tokens (UNAUTHENTICATED), the role table
// (PERMISSION_DENIED), TLS and mutual TLS, and the refusal to listen beyond loopback unprotected.
#include <grpcpp/generic/generic_stub.h>

#include <future>

#include "engine/service/auth.h"
#include "engine/service/server.h"
#include "tests/engine/service/hardening_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

using service::Role;
using service::TokenTable;

TEST(TokenFileTest, ParsesNamesRolesAndComments) {
  auto t = TokenTable::Parse(
      "# comment\n\n  alice analyst 0123456789abcdef0123 # trailing\nops admin "
      "ffffffffffffffffffff\r\n");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->size(), 2u);
  auto p = t->Authenticate("Bearer ffffffffffffffffffff");
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->name, "ops");
  EXPECT_EQ(p->role, Role::kAdmin);
  p = t->Authenticate("bearer 0123456789abcdef0123");
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->name, "alice");
  EXPECT_EQ(p->role, Role::kAnalyst);
}

TEST(TokenFileTest, RejectsBadLinesWithoutEchoingSecrets) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : {
           Case{"alice analyst", "expected `NAME ROLE SECRET`"},
           Case{"alice boss 0123456789abcdef0123", "role 'boss'"},
           Case{"alice analyst short", "must be 16-256"},
           Case{"al/ice analyst 0123456789abcdef0123", "name must be"},
           Case{"a analyst 0123456789abcdef0123\na admin 0123456789abcdefXXXX", "is repeated"},
           Case{"a analyst 0123456789abcdef0123\nb admin 0123456789abcdef0123", "used twice"},
           Case{"# nothing\n", "no token"},
       }) {
    auto t = TokenTable::Parse(c.text);
    EXPECT_THAT(t, StatusIsWithMessage(absl::StatusCode::kInvalidArgument, c.message)) << c.text;
    EXPECT_EQ(std::string(t.status().message()).find("0123456789abcdef"), std::string::npos);
  }
}

TEST(TokenFileTest, MissingBadAndUnknownTokensAreUnauthenticated) {
  auto t = TokenTable::Parse("alice analyst 0123456789abcdef0123");
  ASSERT_THAT(t, IsOk());
  for (const char* header :
       {"", "0123456789abcdef0123", "Basic 0123456789abcdef0123", "Bearer 0123456789abcdef012",
        "Bearer 0123456789abcdef01234", "Bearer ", "Bearer 0123456789abcdef0124"}) {
    auto p = t->Authenticate(header);
    EXPECT_THAT(p, StatusIs(absl::StatusCode::kUnauthenticated)) << header;
    EXPECT_EQ(std::string(p.status().message()).find("0123456789abcdef"), std::string::npos);
  }
}

TEST(RoleTableTest, AnalystsQueryAdminsAlsoAdminister) {
  EXPECT_EQ(service::RequiredRole("/ariadne.v1.Ariadne/Trace"), Role::kAnalyst);
  EXPECT_EQ(service::RequiredRole("/ariadne.v1.Ariadne/GetStatus"), Role::kAnalyst);
  EXPECT_EQ(service::RequiredRole("/ariadne.v1.Admin/Reload"), Role::kAdmin);
  EXPECT_EQ(service::RequiredRole("/other.Service/Method"), Role::kAdmin);
  service::Principal analyst{"alice", Role::kAnalyst}, admin{"root", Role::kAdmin};
  EXPECT_THAT(service::Authorize(analyst, "/ariadne.v1.Ariadne/Trace"), IsOk());
  EXPECT_THAT(service::Authorize(admin, "/ariadne.v1.Ariadne/Trace"), IsOk());
  EXPECT_THAT(service::Authorize(admin, "/ariadne.v1.Admin/Reload"), IsOk());
  EXPECT_THAT(service::Authorize(analyst, "/ariadne.v1.Admin/Reload"),
              StatusIsWithMessage(absl::StatusCode::kPermissionDenied, "needs the admin role"));
}

TEST(ListenPolicyTest, BeyondLoopbackNeedsTlsAndTokensOrInsecure) {
  for (const char* local :
       {"127.0.0.1:50051", "localhost:1", "[::1]:2", "unix:/tmp/a.sock", "127.1.2.3:0"}) {
    EXPECT_THAT(service::CheckListenPolicy(local, false, false, false), IsOk()) << local;
  }
  for (const char* remote : {"0.0.0.0:50051", "[::]:50051", "10.0.0.5:1", "example.org:443"}) {
    EXPECT_THAT(service::CheckListenPolicy(remote, false, false, false),
                StatusIsWithMessage(absl::StatusCode::kFailedPrecondition, "--insecure"))
        << remote;
    EXPECT_THAT(service::CheckListenPolicy(remote, true, false, false),
                StatusIsWithMessage(absl::StatusCode::kFailedPrecondition, "--token-file"));
    EXPECT_THAT(service::CheckListenPolicy(remote, false, true, false),
                StatusIsWithMessage(absl::StatusCode::kFailedPrecondition, "TLS"));
    EXPECT_THAT(service::CheckListenPolicy(remote, true, true, false), IsOk());
    EXPECT_THAT(service::CheckListenPolicy(remote, false, false, true), IsOk());
  }
}

class AuthServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(MakeTempDir("auth"));
    auto chain = MakeTestChain(*dir_, 60, 20);
    ASSERT_THAT(chain, IsOk());
    chain_ = new TestChain(*std::move(chain));
    auto tokens = TokenTable::Load(WriteTokenFile(*dir_));
    ASSERT_THAT(tokens, IsOk());
    tokens_ = new TokenTable(*std::move(tokens));
  }
  static void TearDownTestSuite() {
    delete tokens_;
    delete chain_;
    delete dir_;
  }
  static service::ServerOptions Options() {
    service::ServerOptions o;
    o.gateway.tokens = tokens_;
    return o;
  }
  static inline std::filesystem::path* dir_ = nullptr;
  static inline TestChain* chain_ = nullptr;
  static inline TokenTable* tokens_ = nullptr;
};

grpc::Status GetStatus(v1::Ariadne::Stub* stub, const std::string& token,
                       v1::ChainStatus* out = nullptr) {
  v1::ChainStatus r;
  return stub->GetStatus(Ctx(token).get(), v1::GetStatusRequest(), out ? out : &r);
}

TEST_F(AuthServerTest, MissingOrBadTokenIsUnauthenticatedGoodTokenAnswers) {
  auto server = TestServer::Start(chain_->db, Options());
  ASSERT_THAT(server, IsOk());
  auto stub = (*server)->Stub();
  EXPECT_EQ(GetStatus(stub.get(), "").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GetStatus(stub.get(), "not-a-token-at-all-xyz").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", std::string("Basic ") + kAliceToken);
    v1::ChainStatus r;
    EXPECT_EQ(stub->GetStatus(&ctx, v1::GetStatusRequest(), &r).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  v1::ChainStatus status;
  ASSERT_TRUE(GetStatus(stub.get(), kAliceToken, &status).ok());
  EXPECT_EQ(status.tip_height(), 59);
  EXPECT_TRUE(GetStatus(stub.get(), kRootToken).ok());

  // Streaming methods are guarded the same way, before any answer is sent.
  v1::GetAddressHistoryRequest req;
  req.set_address(chain_->addresses[0]);
  for (const char* token : {"", "wrong-token-wrong-token"}) {
    auto ctx = Ctx(token);
    auto reader = stub->GetAddressHistory(ctx.get(), req);
    v1::HistoryEntry e;
    EXPECT_FALSE(reader->Read(&e));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  auto ctx = Ctx(kBobToken);
  auto reader = stub->GetAddressHistory(ctx.get(), req);
  v1::HistoryEntry e;
  int rows = 0;
  while (reader->Read(&e)) ++rows;
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_GT(rows, 0);
  EXPECT_EQ((*server)->server().gateway().counters().unauthenticated, 5u);
}

// Calls `method` with an empty request through a generic stub.
grpc::Status CallGeneric(const std::string& address, const std::string& method,
                         const std::string& token) {
  grpc::GenericStub stub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  auto ctx = Ctx(token);
  grpc::ByteBuffer request, response;
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
  std::promise<grpc::Status> done;
  stub.UnaryCall(ctx.get(), method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) { done.set_value(s); });
  return done.get_future().get();
}

TEST_F(AuthServerTest, AdminMethodsNeedTheAdminRole) {
  auto server = TestServer::Start(chain_->db, Options());
  ASSERT_THAT(server, IsOk());
  const std::string addr = (*server)->address();
  // No admin method exists yet: an analyst is refused before the method is even looked up, an
  // admin reaches the (missing) method.
  grpc::Status s = CallGeneric(addr, "/ariadne.v1.Admin/Reload", kAliceToken);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(s.error_message().find("alice"), std::string::npos);
  EXPECT_EQ(CallGeneric(addr, "/ariadne.v1.Admin/Reload", kRootToken).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(CallGeneric(addr, "/ariadne.v1.Admin/Reload", "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // Every query method is open to analysts (the service answers, here for an empty request).
  EXPECT_TRUE(CallGeneric(addr, "/ariadne.v1.Ariadne/GetStatus", kAliceToken).ok());
  EXPECT_EQ(CallGeneric(addr, "/ariadne.v1.Ariadne/GetAddress", kAliceToken).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(CallGeneric(addr, "/ariadne.v1.Ariadne/NoSuchMethod", kAliceToken).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ((*server)->server().gateway().counters().permission_denied, 1u);
}

TEST_F(AuthServerTest, WithoutTokenFileLoopbackCallersAreAnonymous) {
  service::ServerOptions o;
  auto server = TestServer::Start(chain_->db, o);
  ASSERT_THAT(server, IsOk());
  EXPECT_TRUE(GetStatus((*server)->Stub().get(), "").ok());
  EXPECT_TRUE(GetStatus((*server)->Stub().get(), "anything-goes-here").ok());
}

TEST_F(AuthServerTest, ListeningBeyondLoopbackUnprotectedIsRefused) {
  service::FixedEngineSource none(nullptr);
  service::ServerOptions o;
  o.listen = "0.0.0.0:0";
  EXPECT_THAT(service::AriadneServer::Start(&none, o),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  o.insecure = true;
  auto server = service::AriadneServer::Start(&none, o);
  ASSERT_THAT(server, IsOk());
  (*server)->Shutdown(absl::ZeroDuration());
}

std::string ReadAll(const std::filesystem::path& p) { return ReadFileText(p); }

TEST_F(AuthServerTest, TlsAndMutualTls) {
  const std::filesystem::path pki = *dir_ / "pki";
  std::filesystem::create_directories(pki);
  absl::Status made = MakeTestCertificates(pki);
  if (!made.ok()) GTEST_SKIP() << made;
  auto tls = service::LoadTlsMaterial(pki / "server.pem", pki / "server.key", "");
  ASSERT_THAT(tls, IsOk());
  EXPECT_THAT(service::LoadTlsMaterial(pki / "missing.pem", pki / "server.key", ""),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(service::LoadTlsMaterial(pki / "server.csr.none", pki / "server.key", ""),
              StatusIs(absl::StatusCode::kNotFound));

  grpc::SslCredentialsOptions client;
  client.pem_root_certs = ReadAll(pki / "ca.pem");
  auto tls_stub = [&](const std::string& address, const grpc::SslCredentialsOptions& opts) {
    return v1::Ariadne::NewStub(grpc::CreateChannel(address, grpc::SslCredentials(opts)));
  };
  {
    service::ServerOptions o = Options();
    o.tls = *tls;
    auto server = TestServer::Start(chain_->db, o);
    ASSERT_THAT(server, IsOk());
    const std::string addr = "localhost:" + std::to_string((*server)->server().port());
    EXPECT_TRUE(GetStatus(tls_stub(addr, client).get(), kAliceToken).ok());
    EXPECT_EQ(GetStatus(tls_stub(addr, client).get(), "").error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    // A plaintext client cannot talk to a TLS server; nor can one that does not trust its CA.
    EXPECT_EQ(GetStatus((*server)->Stub().get(), kAliceToken).error_code(),
              grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(
        GetStatus(tls_stub(addr, grpc::SslCredentialsOptions()).get(), kAliceToken).error_code(),
        grpc::StatusCode::UNAVAILABLE);
  }
  {
    service::ServerOptions o = Options();
    auto mtls = service::LoadTlsMaterial(pki / "server.pem", pki / "server.key", pki / "ca.pem");
    ASSERT_THAT(mtls, IsOk());
    o.tls = *mtls;
    auto server = TestServer::Start(chain_->db, o);
    ASSERT_THAT(server, IsOk());
    const std::string addr = "localhost:" + std::to_string((*server)->server().port());
    // Without a client certificate the handshake fails.
    EXPECT_EQ(GetStatus(tls_stub(addr, client).get(), kAliceToken).error_code(),
              grpc::StatusCode::UNAVAILABLE);
    grpc::SslCredentialsOptions with_cert = client;
    with_cert.pem_cert_chain = ReadAll(pki / "client.pem");
    with_cert.pem_private_key = ReadAll(pki / "client.key");
    EXPECT_TRUE(GetStatus(tls_stub(addr, with_cert).get(), kAliceToken).ok());
    EXPECT_EQ(GetStatus(tls_stub(addr, with_cert).get(), "").error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
}

// The command line: `ariadne serve` refuses 0.0.0.0 without protection, client commands send
// --token and --case-id, TLS flags work end to end.
TEST_F(AuthServerTest, ServeAndClientCommands) {
  std::string out;
  EXPECT_EQ(RunAriadne({"serve", "--db", chain_->db.string(), "--listen", "0.0.0.0:0"}, &out), 1);
  EXPECT_NE(out.find("refusing to listen on 0.0.0.0:0"), std::string::npos) << out;

  const std::filesystem::path tokens = WriteTokenFile(*dir_);
  auto serve = ServeProcess::Start({"--db", chain_->db.string(), "--token-file", tokens.string()});
  ASSERT_THAT(serve, IsOk());
  ASSERT_TRUE((*serve)->WaitForOutput("serving ", 30)) << (*serve)->Output();
  const std::string server = (*serve)->address();
  EXPECT_EQ(RunAriadne({"status", "--server", server}, &out), 1);
  EXPECT_NE(out.find("UNAUTHENTICATED"), std::string::npos) << out;
  EXPECT_EQ(RunAriadne({"status", "--server", server, "--token", kAliceToken, "--json"}, &out), 0)
      << out;
  EXPECT_NE(out.find("\"tip_height\""), std::string::npos) << out;
  EXPECT_EQ(RunAriadne({"address", chain_->addresses[0], "--server", server, "--token", kBobToken,
                        "--case-id", "CASE-42"},
                       &out),
            0)
      << out;
  EXPECT_EQ((*serve)->Stop(&out), 0);
  EXPECT_NE(out.find("shutting down"), std::string::npos) << out;

  const std::filesystem::path pki = *dir_ / "pki-cli";
  std::filesystem::create_directories(pki);
  if (!MakeTestCertificates(pki).ok()) GTEST_SKIP() << "no openssl";
  auto tls = ServeProcess::Start({"--db", chain_->db.string(), "--token-file", tokens.string(),
                                  "--tls-cert", (pki / "server.pem").string(), "--tls-key",
                                  (pki / "server.key").string(), "--tls-client-ca",
                                  (pki / "ca.pem").string()});
  ASSERT_THAT(tls, IsOk());
  ASSERT_TRUE((*tls)->WaitForOutput("serving ", 30)) << (*tls)->Output();
  EXPECT_NE((*tls)->Output().find("mutual TLS"), std::string::npos);
  const std::string port = (*tls)->address().substr((*tls)->address().rfind(':'));
  EXPECT_EQ(RunAriadne({"status", "--server", "localhost" + port, "--token", kAliceToken,
                        "--tls-ca", (pki / "ca.pem").string(), "--tls-cert",
                        (pki / "client.pem").string(), "--tls-key", (pki / "client.key").string()},
                       &out),
            0)
      << out;
  EXPECT_EQ(RunAriadne({"status", "--server", "localhost" + port, "--token", kAliceToken,
                        "--tls-ca", (pki / "ca.pem").string()},
                       &out),
            1);
}

}  // namespace
}  // namespace ariadne::testing
