// Attacks on the audit trail, kept as tests (issue 20): a log cut at a record boundary (it used to
// verify, and a restarted server continued the shorter chain), a log rewritten and re-chained
// whole, forged or edited signed heads, and refused or oversized calls recorded without what they
// asked about.
#include <sys/stat.h>

#include <fstream>

#include "absl/strings/str_split.h"
#include "engine/service/audit.h"
#include "engine/service/audit_signature.h"
#include "engine/service/auth.h"
#include "tests/engine/service/hardening_util.h"
#include "tests/hostile/hostile_server_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> Lines(const std::filesystem::path& p) {
  std::vector<std::string> out = absl::StrSplit(ReadFileText(p), '\n', absl::SkipEmpty());
  return out;
}

void WriteLines(const std::filesystem::path& p, const std::vector<std::string>& lines) {
  std::ofstream out(p, std::ios::trunc);
  for (const std::string& l : lines) out << l << "\n";
}

int Verify(const std::vector<std::string>& args, std::string* out) {
  std::vector<std::string> all = {"audit", "verify"};
  all.insert(all.end(), args.begin(), args.end());
  return RunAriadne(all, out);
}

class HostileAuditTest : public HostileChainTest {};

TEST_F(HostileAuditTest, ACutOrRewrittenLogFailsVerificationWithoutAKnownHead) {
  const std::filesystem::path log = *dir_ / "audit.log";
  const std::filesystem::path heads = service::HeadsPath(log);
  std::string server_key;
  {
    auto serve = ServeProcess::Start(
        {"--db", chain_->db.string(), "--audit-log", log.string(), "--audit-sign-every", "2"});
    ASSERT_THAT(serve, IsOk());
    ASSERT_TRUE((*serve)->WaitForOutput("serving ", 30)) << (*serve)->Output();
    const std::string out = (*serve)->Output();
    const size_t at = out.find("by Ed25519 key ");
    ASSERT_NE(at, std::string::npos) << out;
    server_key = out.substr(at + 15, 64);
    for (int i = 0; i < 5; ++i) {
      auto stub = v1::Ariadne::NewStub(
          grpc::CreateChannel((*serve)->address(), grpc::InsecureChannelCredentials()));
      v1::GetAddressRequest req;
      req.set_address(chain_->addresses[i]);
      v1::AddressSummary r;
      ASSERT_TRUE(stub->GetAddress(Ctx().get(), req, &r).ok());
    }
    EXPECT_EQ((*serve)->Stop(), 0);
  }
  struct stat st;
  ASSERT_EQ(::stat((log.string() + ".key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the signing key is readable by others";
  std::string out;
  ASSERT_EQ(Verify({log.string(), "--public-key", server_key}, &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("ok: 5 records"));
  EXPECT_THAT(out, HasSubstr("signed: 4 heads match, the last at record 5, by Ed25519 key " +
                             server_key + " (the expected key)"));
  const std::vector<std::string> records = Lines(log);
  const std::vector<std::string> signed_heads = Lines(heads);
  ASSERT_EQ(records.size(), 5u);

  // Cut at a record boundary: a valid shorter chain, but its heads say there was more.
  WriteLines(log, {records[0], records[1], records[2]});
  EXPECT_EQ(Verify({log.string()}, &out), 1);
  EXPECT_THAT(out, HasSubstr("ends at record 3 but the head signed at"));
  EXPECT_THAT(out, HasSubstr("covers record 4: records were removed from its end"));
  // ... and a server does not continue the shorter chain.
  EXPECT_EQ(RunWithTmpdir({"serve", "--db", chain_->db.string(), "--listen", "127.0.0.1:0",
                           "--audit-log", log.string()},
                          EmptyDir(*dir_ / "tmp"), &out),
            1);
  EXPECT_THAT(out, HasSubstr("DATA_LOSS: audit log " + log.string() + " ends at record 3"));
  EXPECT_THAT(out, HasSubstr("records were removed from its end"));

  // Rewritten whole and re-chained: five valid records of queries nobody made.
  std::filesystem::remove(log);
  {
    auto forged = service::AuditLog::Open(log, {});
    ASSERT_THAT(forged, IsOk());
    for (int i = 0; i < 5; ++i) {
      service::AuditRecord r;
      r.time = absl::Now();
      r.principal = "anonymous";
      r.role = "admin";
      r.method = "/ariadne.v1.Ariadne/GetAddress";
      r.subject = {{"address", chain_->addresses[10 + i]}};
      r.rows = 1;
      ASSERT_THAT((*forged)->Append(r), IsOk());
    }
  }
  EXPECT_THAT(service::VerifyAuditLog(log), IsOk()) << "the forged chain is not valid";
  EXPECT_EQ(Verify({log.string()}, &out), 1);
  EXPECT_THAT(out, HasSubstr("DATA_LOSS"));
  EXPECT_THAT(out, HasSubstr("the log was rewritten"));

  // Heads re-signed with another key: they pass only until the server's key is asked for.
  {
    auto other = service::AuditKey::LoadOrCreate(*dir_ / "forger.key");
    ASSERT_THAT(other, IsOk());
    auto chain = service::VerifyAuditLog(log);
    ASSERT_THAT(chain, IsOk());
    std::ofstream(heads, std::ios::trunc)
        << (*other)->SignHead(0, std::string(64, '0'), absl::Now(), "start")
        << (*other)->SignHead(chain->records, chain->head, absl::Now(), "stop");
    EXPECT_EQ(Verify({log.string()}, &out), 0) << out;
    EXPECT_THAT(out, Not(HasSubstr(server_key)));
    EXPECT_EQ(Verify({log.string(), "--public-key", server_key}, &out), 1);
    EXPECT_THAT(out,
                HasSubstr("signed by key " + (*other)->public_hex() + ", not by " + server_key));
  }

  // An edited head, and a deleted heads file.
  std::vector<std::string> edited = signed_heads;
  const size_t h = edited[1].find("\"head\":\"") + 8;
  edited[1][h] = edited[1][h] == 'a' ? 'b' : 'a';
  WriteLines(heads, edited);
  WriteLines(log, records);
  EXPECT_EQ(Verify({log.string()}, &out), 1);
  EXPECT_THAT(out, HasSubstr("line 2: the signature does not verify"));
  std::filesystem::remove(heads);
  EXPECT_EQ(Verify({log.string()}, &out), 1);
  EXPECT_THAT(out, HasSubstr("no signed heads file " + heads.string()));
  EXPECT_EQ(Verify({log.string(), "--unsigned"}, &out), 0) << out;
}

TEST(AuditKeyTest, AKeyOthersCanReadIsRefused) {
  const std::filesystem::path dir = MakeTempDir("audit-key");
  const std::filesystem::path key = dir / "open.key";
  ASSERT_THAT(service::AuditKey::LoadOrCreate(key), IsOk());
  std::filesystem::permissions(key, std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  EXPECT_THAT(service::AuditKey::LoadOrCreate(key),
              StatusIsWithMessage(absl::StatusCode::kFailedPrecondition, "chmod 600"));
  std::ofstream(dir / "not-ed25519.key") << "-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                         << "-----END PRIVATE KEY-----\n";
  std::filesystem::permissions(dir / "not-ed25519.key", std::filesystem::perms::owner_read,
                               std::filesystem::perm_options::replace);
  EXPECT_THAT(
      service::AuditKey::LoadOrCreate(dir / "not-ed25519.key"),
      StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "not an unencrypted Ed25519"));
}

// Returns: the audit records whose method ends with `method`.
std::vector<std::string> RecordsOf(const std::filesystem::path& log, const std::string& method) {
  std::vector<std::string> out;
  for (const std::string& l : Lines(log)) {
    if (l.find("\"method\":\"/ariadne.v1.Ariadne/" + method + "\"") != std::string::npos) {
      out.push_back(l);
    }
  }
  return out;
}

// Refused calls used to be recorded with an empty subject, and an oversized request as CANCELLED
// "the client sent no request": the record now says what was asked and why it was refused.
TEST_F(HostileAuditTest, RefusedAndOversizedCallsKeepTheirSubjectAndReason) {
  const std::filesystem::path log = *dir_ / "refused.log";
  auto audit = service::AuditLog::Open(log, {});
  ASSERT_THAT(audit, IsOk());
  auto tokens = service::TokenTable::Load(WriteTokenFile(*dir_));
  ASSERT_THAT(tokens, IsOk());
  service::ServerOptions o;
  o.gateway.tokens = &*tokens;
  o.gateway.audit = audit->get();
  o.gateway.rate_limit.per_second = 0.01;
  o.gateway.rate_limit.burst = 1;
  o.max_request_bytes = 4096;
  auto server = TestServer::Start(chain_->db, o);
  ASSERT_THAT(server, IsOk());
  auto stub = (*server)->Stub();
  v1::AddressSummary r;
  v1::GetAddressRequest req;
  req.set_address(chain_->addresses[1]);
  EXPECT_EQ(stub->GetAddress(Ctx().get(), req, &r).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(stub->GetAddress(Ctx(kAliceToken).get(), req, &r).ok());
  req.set_address(chain_->addresses[2]);
  EXPECT_EQ(stub->GetAddress(Ctx(kAliceToken).get(), req, &r).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  req.set_address(std::string(6000, '1'));
  grpc::Status big = stub->GetAddress(Ctx(kBobToken).get(), req, &r);
  EXPECT_EQ(big.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(big.error_message(), HasSubstr("more than the server's limit of 4096"));
  server->reset();

  const std::vector<std::string> records = RecordsOf(log, "GetAddress");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_THAT(records[0], HasSubstr("\"principal\":\"(unauthenticated)\""));
  EXPECT_THAT(records[0], HasSubstr("\"subject\":{\"address\":\"" + chain_->addresses[1] + "\"}"));
  EXPECT_THAT(records[0], HasSubstr("\"status\":\"UNAUTHENTICATED\""));
  EXPECT_THAT(records[2], HasSubstr("\"principal\":\"alice\""));
  EXPECT_THAT(records[2], HasSubstr("\"subject\":{\"address\":\"" + chain_->addresses[2] + "\"}"));
  EXPECT_THAT(records[2], HasSubstr("\"status\":\"RESOURCE_EXHAUSTED\""));
  EXPECT_THAT(records[2], HasSubstr("rate limit"));
  EXPECT_THAT(records[3], HasSubstr("\"principal\":\"bob\""));
  EXPECT_THAT(records[3],
              HasSubstr("\"subject\":{\"address\":\"" + std::string(256, '1') + "...\"}"));
  EXPECT_THAT(records[3], HasSubstr("\"error\":\"the request is 6003 bytes, more than the "
                                    "server's limit of 4096 (--max-request-bytes)\""));
}

}  // namespace
}  // namespace ariadne::testing
