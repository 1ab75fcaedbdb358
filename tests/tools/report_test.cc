// `ariadne report CASE.json --out DIR` against a real server on a generated, labelled and
// clustered chain: the HTML holds each seed's narrative, picture and hops, the store's tip and
// digest, the audit head, the labels with their sources and the why chains; the PDF is printed
// when Chromium is there; bad case files are refused naming what is wrong.
#include <fstream>

#include "absl/strings/str_cat.h"
#include "engine/service/audit.h"
#include "tests/engine/service/hardening_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

class ReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(MakeTempDir("report"));
    auto chain = MakeTestChain(*dir_, 80, 25);
    ASSERT_THAT(chain, IsOk());
    chain_ = new TestChain(*std::move(chain));
    std::string out;
    ASSERT_EQ(RunAriadne({"tags", "import", (chain_->dir / "chain" / "truth" / "tags.csv").string(),
                          "--db", chain_->db.string()},
                         &out),
              0)
        << out;
    ASSERT_EQ(RunAriadne({"recluster", "--db", chain_->db.string()}, &out), 0) << out;
  }
  static void TearDownTestSuite() {
    delete chain_;
    delete dir_;
  }
  static void Write(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p) << text;
  }
  static inline std::filesystem::path* dir_ = nullptr;
  static inline TestChain* chain_ = nullptr;
};

TEST_F(ReportTest, WritesTheCourtReportOfACase) {
  // The trafficking scenario's published collector address is the first seed.
  std::ifstream scenarios(chain_->dir / "chain" / "truth" / "scenarios.csv");
  std::string line, seed;
  while (std::getline(scenarios, line)) {
    if (line.find(",seed,") != std::string::npos) {
      seed = line.substr(line.find(",seed,") + 6);
      seed = seed.substr(0, seed.find(','));
      break;
    }
  }
  ASSERT_FALSE(seed.empty());
  const std::filesystem::path audit_path = *dir_ / "audit.log";
  auto log = service::AuditLog::Open(audit_path, {});
  ASSERT_THAT(log, IsOk());
  service::ServerOptions o;
  o.gateway.audit = log->get();
  auto server = TestServer::Start(chain_->db, o);
  ASSERT_THAT(server, IsOk());

  const std::filesystem::path case_path = *dir_ / "case.json";
  Write(case_path, absl::StrCat(R"({"id": "CASE-R1", "title": "Collector <address>", "seeds": [")",
                                seed, R"(", "cluster:0"], "notes": [{"target": ")", seed,
                                R"(", "text": "reported by victims"}], "court": {"x": 1}})"));
  // A folder name with a quote and a space: nothing goes through a shell.
  const std::filesystem::path out = *dir_ / "the analyst's report";
  std::string printed;
  ASSERT_EQ(RunAriadne({"report", case_path.string(), "--out", out.string(), "--server",
                        (*server)->address(), "--db", chain_->db.string(), "--audit-log",
                        audit_path.string()},
                       &printed),
            0)
      << printed;
  EXPECT_NE(printed.find("2 seeds (0 not usable)"), std::string::npos) << printed;
  const std::string html = ReadFileText(out / "report.html");
  v1::ChainStatus status;
  ASSERT_TRUE((*server)->Stub()->GetStatus(Ctx().get(), {}, &status).ok());
  std::string digest;
  ASSERT_EQ(RunAriadne({"db", "digest", "--db", chain_->db.string()}, &digest), 0);
  for (const std::string& want : {
           std::string("Case CASE-R1: Collector &lt;address&gt;"),  // escaped
           status.tip_hash(),
           absl::StrCat("Following "),
           std::string("reached labelled entities"),
           std::string("<svg"),
           std::string("Every hop"),
           std::string("reported by victims"),
           std::string("simulated public tags (ariadne gen)"),  // a label's source
           std::string("How to re-check"),
       }) {
    EXPECT_NE(html.find(want), std::string::npos) << want;
  }
  // The digest is the store's: `ariadne db digest` prints the same total.
  const size_t at = html.find("store digest</th><td><code>");
  ASSERT_NE(at, std::string::npos);
  const std::string in_report = html.substr(at + 27, 64);
  EXPECT_NE(digest.find(in_report), std::string::npos) << in_report << "\n" << digest;
  // The audit head is the trail's (the report's own queries are in it).
  EXPECT_NE(html.find("records, " + audit_path.string()), std::string::npos);
  // Every hop row names a 64-hex txid.
  EXPECT_NE(html.find("<tr><td>1</td><td><code>"), std::string::npos);
  if (std::filesystem::exists("/usr/bin/chromium")) {
    const std::string pdf = ReadFileText(out / "report.pdf");
    EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u);
    EXPECT_GT(pdf.size(), 10000u);
  } else {
    std::printf("no /usr/bin/chromium: the PDF is not checked\n");
  }
}

TEST_F(ReportTest, RefusesBadCaseFilesNamingTheField) {
  auto server = TestServer::Start(chain_->db, {});
  ASSERT_THAT(server, IsOk());
  struct Case {
    std::string text;
    std::string message;
  };
  for (const Case& c : {
           Case{"{not json", "not JSON"},
           Case{"[1, 2]", "one JSON object"},
           Case{R"({"title": "t", "seeds": ["a"]})", "\"id\" is missing"},
           Case{R"({"id": "c", "title": 7, "seeds": ["a"]})",
                "\"title\" is missing or not a string"},
           Case{R"({"id": "c", "title": "t"})", "\"seeds\" is missing"},
           Case{R"({"id": "c", "title": "t", "seeds": ["a", 3]})", "seed 2 is not"},
           Case{R"({"id": "c", "title": "t", "seeds": []})", "no seeds"},
           Case{R"({"id": "c", "title": "t", "seeds": ["a"], "notes": [{"target": "a"}]})",
                "note 1 needs"},
       }) {
    const std::filesystem::path p = *dir_ / "bad.json";
    Write(p, c.text);
    std::string printed;
    EXPECT_NE(RunAriadne({"report", p.string(), "--out", (*dir_ / "bad").string(), "--server",
                          (*server)->address(), "--no-pdf"},
                         &printed),
              0)
        << c.text;
    EXPECT_NE(printed.find(c.message), std::string::npos) << c.text << "\n" << printed;
  }
  std::string printed;
  EXPECT_NE(
      RunAriadne({"report", (*dir_ / "missing.json").string(), "--out", (*dir_ / "bad").string()},
                 &printed),
      0);
  EXPECT_NE(printed.find("cannot read the case file"), std::string::npos) << printed;
  // A seed the chain never saw is reported as not usable; the others go on.
  const std::filesystem::path p = *dir_ / "mixed.json";
  Write(p, absl::StrCat(R"({"id": "c", "title": "t", "seeds": ["notanaddress", ")",
                        chain_->addresses[3], R"("]})"));
  ASSERT_EQ(RunAriadne({"report", p.string(), "--out", (*dir_ / "mixed").string(), "--server",
                        (*server)->address(), "--no-pdf"},
                       &printed),
            0)
      << printed;
  EXPECT_NE(printed.find("2 seeds (1 not usable)"), std::string::npos) << printed;
  EXPECT_NE(ReadFileText(*dir_ / "mixed" / "report.html").find("Not usable"), std::string::npos);
}

}  // namespace
}  // namespace ariadne::testing
