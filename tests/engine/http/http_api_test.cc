// The HTTP API (`ariadne serve --http`) through a real server: every route answers what gRPC
// answers, rendered as the CLI's --json renders it; errors carry the gRPC code's HTTP status and a
// {"code","message"} body; tokens, limits and the audit trail are the gateway's; bad HTTP is
// refused without harm.
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "absl/strings/str_cat.h"
#include "engine/http/api.h"
#include "engine/http/http_server.h"
#include "engine/http/query_string.h"
#include "engine/render/reply_json.h"
#include "engine/render/trace_json.h"
#include "engine/service/audit.h"
#include "engine/service/auth.h"
#include "tests/engine/service/hardening_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;

struct Answer {
  int status = 0;
  std::string body;
  std::string content_type;
};

// One GET (or another method) on a new connection.
Answer Request(int port, const std::string& target,
               std::vector<std::pair<std::string, std::string>> headers = {},
               beast::http::verb verb = beast::http::verb::get, const std::string& body = "") {
  boost::asio::io_context io;
  tcp::socket socket(io);
  socket.connect(
      tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)));
  beast::http::request<beast::http::string_body> req{verb, target, 11};
  req.set(beast::http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty()) {
    req.body() = body;
    req.prepare_payload();
  }
  beast::http::write(socket, req);
  beast::flat_buffer buffer;
  beast::http::response<beast::http::string_body> res;
  beast::error_code ec;
  beast::http::read(socket, buffer, res, ec);
  if (ec) return Answer{-1, ec.message(), ""};
  return Answer{static_cast<int>(res.result_int()), res.body(),
                std::string(res[beast::http::field::content_type])};
}

// Sends raw bytes and returns what comes back until the server closes.
std::string Raw(int port, const std::string& bytes) {
  const int fd = ConnectLoopback(port);
  if (fd < 0) return "";
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string Bearer(const char* token) { return absl::StrCat("Bearer ", token); }

class HttpApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(MakeTempDir("http-api"));
    auto chain = MakeTestChain(*dir_, 60, 20);
    ASSERT_THAT(chain, IsOk());
    chain_ = new TestChain(*std::move(chain));
    std::string out;
    ASSERT_EQ(RunAriadne({"recluster", "--db", chain_->db.string()}, &out), 0) << out;
    auto tokens = service::TokenTable::Load(WriteTokenFile(*dir_));
    ASSERT_THAT(tokens, IsOk());
    tokens_ = new service::TokenTable(*std::move(tokens));
  }
  static void TearDownTestSuite() {
    delete tokens_;
    delete chain_;
    delete dir_;
  }

  // Starts a server (with `options`) and the HTTP front on it.
  void Start(service::ServerOptions options, http::HttpOptions http_options = {}) {
    auto server = TestServer::Start(chain_->db, options);
    ASSERT_THAT(server, IsOk());
    server_ = *std::move(server);
    api_ =
        std::make_shared<http::ApiHandler>(server_->server().InProcessChannel(), absl::Seconds(30));
    auto started = http::HttpServer::Start(
        http_options, [api = api_](const http::HttpRequest& r) { return api->Handle(r); });
    ASSERT_THAT(started, IsOk());
    http_ = *std::move(started);
  }
  void TearDown() override {
    if (http_ != nullptr) http_->Shutdown();
  }
  int port() const { return http_->port(); }

  static inline std::filesystem::path* dir_ = nullptr;
  static inline TestChain* chain_ = nullptr;
  static inline service::TokenTable* tokens_ = nullptr;
  std::unique_ptr<TestServer> server_;
  std::shared_ptr<http::ApiHandler> api_;
  std::unique_ptr<http::HttpServer> http_;
};

TEST_F(HttpApiTest, EveryRouteAnswersWhatGrpcAnswersRenderedAsTheCliRendersIt) {
  Start({});
  auto stub = server_->Stub();
  const std::string a = chain_->addresses[3];
  const std::string b = chain_->addresses[4];

  v1::ChainStatus status;
  ASSERT_TRUE(stub->GetStatus(Ctx().get(), {}, &status).ok());
  Answer got = Request(port(), "/api/v1/status");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.content_type, "application/json");
  EXPECT_EQ(got.body, render::StatusJson(status));

  v1::GetAddressRequest ar;
  ar.set_address(a);
  v1::AddressSummary summary;
  ASSERT_TRUE(stub->GetAddress(Ctx().get(), ar, &summary).ok());
  got = Request(port(), "/api/v1/address/" + a);
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, render::AddressJson(summary));
  EXPECT_NE(got.body.find(a), std::string::npos);

  // The CLI's --json prints the same bytes (and a newline).
  std::string cli;
  ASSERT_EQ(RunAriadne({"address", a, "--json", "--server", server_->address()}, &cli), 0) << cli;
  EXPECT_EQ(cli, got.body + "\n");

  // The history, one page.
  got = Request(port(), "/api/v1/address/" + a + "/history?limit=2");
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body.rfind("{\"entries\":[{\"txid\":", 0), 0u) << got.body;

  // A transaction of that history.
  const std::string txid = got.body.substr(got.body.find("\"txid\":\"") + 8, 64);
  v1::GetTransactionRequest tr;
  tr.set_txid(txid);
  v1::Transaction tx;
  ASSERT_TRUE(stub->GetTransaction(Ctx().get(), tr, &tx).ok());
  got = Request(port(), "/api/v1/tx/" + txid);
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, render::TxJson(tx));

  v1::GetClusterRequest cr;
  cr.set_address(a);
  v1::ClusterSummary cluster;
  ASSERT_TRUE(stub->GetCluster(Ctx().get(), cr, &cluster).ok());
  got = Request(port(), "/api/v1/cluster/" + a);
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, render::ClusterJson(cluster));
  got = Request(port(), absl::StrCat("/api/v1/cluster/cluster:", cluster.cluster_id()));
  EXPECT_EQ(got.body, render::ClusterJson(cluster));

  // why between two members of that cluster (itself and itself when it has one member).
  v1::ExplainRequest er;
  er.set_from(a);
  er.set_to(a);
  v1::ExplainReply why;
  ASSERT_TRUE(stub->Explain(Ctx().get(), er, &why).ok());
  got = Request(port(), "/api/v1/why?a=" + a + "&b=" + a);
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, render::WhyJson(why));

  v1::TraceRequest t;
  t.set_seed(a);
  t.set_hops(2);
  t.set_taint("poison");
  t.set_direction(v1::TraceRequest::BACKWARD);
  t.add_stop_at("exchange");
  t.add_stop_at("mixer");
  render::CollectedTrace trace;
  {
    auto ctx = Ctx();
    auto reader = stub->Trace(ctx.get(), t);
    v1::TraceEvent ev;
    while (reader->Read(&ev)) render::Collect(ev, &trace);
    ASSERT_TRUE(reader->Finish().ok());
  }
  std::string want;
  render::WriteTraceJson(trace, &want);
  got = Request(port(), "/api/v1/trace?seed=" + a +
                            "&direction=backward&hops=2&taint=poison&stop_at=exchange,mixer");
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, want);
  EXPECT_GT(trace.edges.size(), 0u);

  // The same trace aggregated by pair of nodes, and as its summary alone.
  t.set_shape(v1::TraceRequest::AGGREGATED);
  render::CollectedTrace flows;
  flows.shape = t.shape();
  {
    auto ctx = Ctx();
    auto reader = stub->Trace(ctx.get(), t);
    v1::TraceEvent ev;
    while (reader->Read(&ev)) render::Collect(ev, &flows);
    ASSERT_TRUE(reader->Finish().ok());
  }
  want.clear();
  render::WriteTraceJson(flows, &want);
  got = Request(port(), "/api/v1/trace?seed=" + a +
                            "&direction=backward&hops=2&taint=poison&stop_at=exchange,mixer"
                            "&shape=aggregated");
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, want);
  EXPECT_NE(got.body.find("\"flows\":[{"), std::string::npos) << got.body;
  got = Request(port(), "/api/v1/trace?seed=" + a + "&shape=summary");
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body.find("\"nodes\""), std::string::npos) << got.body;
  EXPECT_NE(got.body.find("\"node_count\""), std::string::npos) << got.body;

  // Neighbours: a one-hop aggregated trace, its largest flows only.
  got = Request(port(), "/api/v1/neighbours?node=" + a + "&direction=backward&limit=1");
  EXPECT_EQ(got.status, 200) << got.body;
  size_t n_flows = 0;
  for (size_t at = got.body.find("\"from\":"); at != std::string::npos;
       at = got.body.find("\"from\":", at + 1)) {
    ++n_flows;
  }
  EXPECT_EQ(n_flows, 1u) << got.body;
  EXPECT_NE(got.body.find("\"to\":\"" + a + "\""), std::string::npos) << got.body;

  v1::PathsRequest pr;
  pr.set_from(a);
  pr.set_to(b);
  pr.set_max_hops(4);
  pr.set_max_paths(10);
  v1::PathsReply paths;
  ASSERT_TRUE(stub->FindPaths(Ctx().get(), pr, &paths).ok());
  got = Request(port(), "/api/v1/paths?from=" + a + "&to=" + b + "&max_hops=4");
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, render::PathsJson(pr, paths));

  v1::ExposureRequest xr;
  xr.set_address(a);
  xr.set_hops(2);
  xr.set_taint("haircut");
  v1::ExposureReply exposure;
  ASSERT_TRUE(stub->GetExposure(Ctx().get(), xr, &exposure).ok());
  got = Request(port(), "/api/v1/exposure?subject=" + a + "&hops=2");
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, render::ExposureJson(exposure));
}

TEST_F(HttpApiTest, ErrorsCarryTheCodesHttpStatusAndAJsonBody) {
  Start({});
  const std::string a = chain_->addresses[3];
  struct Case {
    std::string target;
    int status;
    std::string code;
    std::string message;
  };
  for (const Case& c : {
           Case{"/api/v1/address/notanaddress", 400, "INVALID_ARGUMENT", "invalid address"},
           Case{"/api/v1/address/bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", 404, "NOT_FOUND",
                "never appeared"},
           Case{"/api/v1/tx/" + std::string(64, '0'), 404, "NOT_FOUND", ""},
           Case{"/api/v1/nothing", 404, "NOT_FOUND", "no such route"},
           Case{"/elsewhere", 404, "NOT_FOUND", "no such route"},
           Case{"/api/v1/address", 404, "NOT_FOUND", "/api/v1/address/{argument}"},
           Case{"/api/v1/status/x", 404, "NOT_FOUND", "no such route"},
           Case{"/api/v1/trace", 400, "INVALID_ARGUMENT", "missing query parameter 'seed'"},
           Case{"/api/v1/trace?seed=" + a + "&hops=x", 400, "INVALID_ARGUMENT",
                "parameter hops='x' is not an integer from 1 to 50"},
           Case{"/api/v1/trace?seed=" + a + "&hops=51", 400, "INVALID_ARGUMENT", "from 1 to 50"},
           Case{"/api/v1/trace?seed=" + a + "&direction=sideways", 400, "INVALID_ARGUMENT",
                "direction"},
           Case{"/api/v1/trace?seed=" + a + "&taint=magic", 400, "INVALID_ARGUMENT", "magic"},
           Case{"/api/v1/trace?seed=" + a + "&through_coinjoins=maybe", 400, "INVALID_ARGUMENT",
                "not true or false"},
           Case{"/api/v1/trace?seed=" + a + "&max_edges=2000000", 400, "INVALID_ARGUMENT",
                "max_edges"},
           Case{"/api/v1/paths?from=" + a, 400, "INVALID_ARGUMENT", "'to'"},
           Case{"/api/v1/paths?from=" + a + "&to=" + a + "&by=wallet", 400, "INVALID_ARGUMENT",
                "by must be"},
           Case{"/api/v1/why?a=" + a, 400, "INVALID_ARGUMENT", "'b'"},
           Case{"/api/v1/trace?seed=" + a + "&shape=tree", 400, "INVALID_ARGUMENT", "shape"},
           Case{"/api/v1/neighbours", 400, "INVALID_ARGUMENT", "'node'"},
           Case{"/api/v1/neighbours?node=" + a + "&limit=0", 400, "INVALID_ARGUMENT", "limit"},
           Case{"/api/v1/exposure?subject=" + a + "&hops=0", 400, "INVALID_ARGUMENT", "hops"},
           Case{"/api/v1/address/%zz", 400, "INVALID_ARGUMENT", "percent escape"},
           Case{"/api/v1/address/a%00b", 400, "INVALID_ARGUMENT", "NUL"},
       }) {
    const Answer got = Request(port(), c.target);
    EXPECT_EQ(got.status, c.status) << c.target << " " << got.body;
    EXPECT_EQ(got.content_type, "application/json") << c.target;
    EXPECT_EQ(got.body.rfind("{\"code\":\"" + c.code + "\",\"message\":\"", 0), 0u)
        << c.target << " " << got.body;
    EXPECT_NE(got.body.find(c.message), std::string::npos) << c.target << " " << got.body;
  }
  const Answer post = Request(port(), "/api/v1/status", {}, beast::http::verb::post);
  EXPECT_EQ(post.status, 405) << post.body;
}

TEST_F(HttpApiTest, TokensRolesLimitsAndTheAuditTrailAreTheGateways) {
  const std::filesystem::path log_path = *dir_ / "http-audit.log";
  auto log = service::AuditLog::Open(log_path, {});
  ASSERT_THAT(log, IsOk());
  service::ServerOptions o;
  o.gateway.tokens = tokens_;
  o.gateway.audit = log->get();
  o.gateway.rate_limit.per_second = 0.5;
  o.gateway.rate_limit.burst = 2;
  Start(o);
  const std::string target = "/api/v1/address/" + chain_->addresses[3];

  Answer got = Request(port(), target);
  EXPECT_EQ(got.status, 401) << got.body;
  EXPECT_NE(got.body.find("UNAUTHENTICATED"), std::string::npos);
  got = Request(port(), target, {{"Authorization", "Bearer not-a-token-of-this-server"}});
  EXPECT_EQ(got.status, 401) << got.body;

  got = Request(port(), target,
                {{"Authorization", Bearer(kAliceToken)}, {"X-Ariadne-Case", "CASE-HTTP-1"}});
  EXPECT_EQ(got.status, 200) << got.body;
  // The burst of 2 is spent (the refused call above did not take from alice's bucket); the next
  // is over the rate.
  got = Request(port(), target, {{"Authorization", Bearer(kAliceToken)}});
  EXPECT_EQ(got.status, 200) << got.body;
  got = Request(port(), target, {{"Authorization", Bearer(kAliceToken)}});
  EXPECT_EQ(got.status, 429) << got.body;
  EXPECT_NE(got.body.find("rate limit"), std::string::npos) << got.body;

  ASSERT_THAT((*log)->Close(), IsOk());
  const std::string audit = ReadFileText(log_path);
  // The record names alice, the case and the HTTP client (not the in-process channel).
  const size_t at = audit.find("CASE-HTTP-1");
  ASSERT_NE(at, std::string::npos) << audit;
  const std::string line =
      audit.substr(audit.rfind('\n', at) + 1, audit.find('\n', at) - audit.rfind('\n', at) - 1);
  EXPECT_NE(line.find("\"alice\""), std::string::npos) << line;
  EXPECT_NE(line.find("http+ipv4:127.0.0.1:"), std::string::npos) << line;
  EXPECT_NE(line.find(chain_->addresses[3]), std::string::npos) << line;
  EXPECT_NE(audit.find("(unauthenticated)"), std::string::npos);
}

TEST_F(HttpApiTest, BadHttpIsRefusedAndTheServerKeepsServing) {
  http::HttpOptions ho;
  ho.max_header_bytes = 2048;
  ho.max_connections = 2;
  ho.read_timeout = absl::Seconds(3);
  Start({}, ho);
  // Garbage, then a header over the limit, then a body over the limit.
  std::string reply = Raw(port(), "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_NE(reply.find("malformed HTTP request"), std::string::npos) << reply;
  reply =
      Raw(port(), "GET /api/v1/status HTTP/1.1\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;
  reply = Raw(port(), "POST /api/v1/status HTTP/1.1\r\nContent-Length: 99999999\r\n\r\nx");
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;
  // A client that connects and says nothing is dropped after the read timeout.
  reply = Raw(port(), "");
  EXPECT_EQ(reply, "");

  // Two silent connections hold the cap of 2: a third is told why and closed.
  // The server counts a connection once it has accepted it, which a loaded machine may delay: the
  // third is retried until both are counted (well inside the 3 s they may stay silent).
  const int c1 = ConnectLoopback(port());
  const int c2 = ConnectLoopback(port());
  const absl::Time deadline = absl::Now() + absl::Milliseconds(2000);
  do {
    absl::SleepFor(absl::Milliseconds(50));
    reply = Raw(port(), "GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n");
  } while (reply.rfind("HTTP/1.1 503", 0) != 0 && absl::Now() < deadline);
  EXPECT_EQ(reply.rfind("HTTP/1.1 503", 0), 0u) << reply;
  EXPECT_NE(reply.find("connections, its limit"), std::string::npos) << reply;
  ::close(c1);
  ::close(c2);
  // Once the server has seen them close, it serves again.
  int status = 0;
  for (int i = 0; i < 40 && status != 200; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    status = Request(port(), "/api/v1/status").status;
  }
  EXPECT_EQ(status, 200);
}

TEST_F(HttpApiTest, HeadAnswersTheHeadersOfGetWithoutTheBody) {
  Start({});
  const std::string got = Request(port(), "/api/v1/status").body;
  const std::string reply =
      Raw(port(), "HEAD /api/v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  EXPECT_NE(reply.find(absl::StrCat("Content-Length: ", got.size(), "\r\n")), std::string::npos)
      << reply;
  const size_t end = reply.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos) << reply;
  EXPECT_EQ(reply.size(), end + 4) << "a body after HEAD's headers: " << reply.substr(end);
}

TEST_F(HttpApiTest, ReportRouteWritesTheCourtReportOfAPostedCase) {
  Start({});
  auto stub = server_->Stub();
  const std::string a = chain_->addresses[3];
  v1::ChainStatus status;
  ASSERT_TRUE(stub->GetStatus(Ctx().get(), {}, &status).ok());
  v1::TraceRequest treq;
  treq.set_seed(a);
  treq.set_hops(2);
  treq.set_taint("haircut");
  for (const char* c : {"exchange", "mixer", "darknet_market", "gambling"}) treq.add_stop_at(c);
  auto context = Ctx();
  auto reader = stub->Trace(context.get(), treq);
  v1::TraceEvent ev;
  std::string first_txid;
  while (reader->Read(&ev)) {
    if (ev.has_edge() && first_txid.empty()) first_txid = ev.edge().txid();
  }
  ASSERT_TRUE(reader->Finish().ok());
  ASSERT_FALSE(first_txid.empty()) << a << " sends nothing: pick a seed that does";

  const std::string case_json = absl::StrCat(
      R"({"id": "CASE-H1", "title": "Collector <one>", "seeds": [")", a,
      R"("], "notes": [{"target": ")", a, R"(", "text": "from the victims"}], "extra": [1]})");
  Answer got = Request(port(), "/api/v1/report?hops=2", {{"X-Ariadne-Case", "CASE-H1"}},
                       beast::http::verb::post, case_json);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.content_type, "text/html; charset=utf-8");
  for (const std::string& want :
       {std::string("Collector &lt;one&gt;"), a, status.tip_hash(), first_txid,
        std::string("from the victims"), std::string("ariadne db digest")}) {
    EXPECT_NE(got.body.find(want), std::string::npos) << "missing " << want;
  }
  EXPECT_EQ(got.body.find("Collector <one>"), std::string::npos) << "the title is not escaped";

  // Bad cases and the wrong method are refused, naming why.
  got = Request(port(), "/api/v1/report", {}, beast::http::verb::post, "{not json");
  EXPECT_EQ(got.status, 400) << got.body;
  EXPECT_NE(got.body.find("the posted case: not JSON"), std::string::npos) << got.body;
  got = Request(port(), "/api/v1/report", {}, beast::http::verb::post,
                R"({"id": "x", "title": "t", "seeds": []})");
  EXPECT_EQ(got.status, 400) << got.body;
  EXPECT_NE(got.body.find("no seeds"), std::string::npos) << got.body;
  got = Request(port(), "/api/v1/report?hops=99", {}, beast::http::verb::post, case_json);
  EXPECT_EQ(got.status, 400) << got.body;
  EXPECT_NE(got.body.find("hops"), std::string::npos) << got.body;
  got = Request(port(), "/api/v1/report");
  EXPECT_EQ(got.status, 405) << got.body;
  EXPECT_NE(got.body.find("only POST"), std::string::npos) << got.body;
}

TEST(HttpStatusTest, EveryGrpcCodeHasItsHttpStatus) {
  using C = grpc::StatusCode;
  const std::pair<C, int> want[] = {
      {C::OK, 200},
      {C::CANCELLED, 499},
      {C::UNKNOWN, 500},
      {C::INVALID_ARGUMENT, 400},
      {C::DEADLINE_EXCEEDED, 504},
      {C::NOT_FOUND, 404},
      {C::ALREADY_EXISTS, 409},
      {C::PERMISSION_DENIED, 403},
      {C::RESOURCE_EXHAUSTED, 429},
      {C::FAILED_PRECONDITION, 400},
      {C::ABORTED, 409},
      {C::OUT_OF_RANGE, 400},
      {C::UNIMPLEMENTED, 501},
      {C::INTERNAL, 500},
      {C::UNAVAILABLE, 503},
      {C::DATA_LOSS, 500},
      {C::UNAUTHENTICATED, 401},
  };
  for (const auto& [code, status] : want) {
    EXPECT_EQ(http::HttpStatusOf(code), status) << http::CodeName(code);
  }
  EXPECT_EQ(http::CodeName(C::PERMISSION_DENIED), "PERMISSION_DENIED");
  EXPECT_EQ(http::CodeName(C::UNAUTHENTICATED), "UNAUTHENTICATED");
}

TEST(QueryStringTest, DecodesPathAndParameters) {
  auto t =
      http::Target::Parse("/api/v1/a%2Fb?x=1&y=a+b%21&x=2&stop_at=exchange,,mixer&stop_at=c&flag");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->path(), "/api/v1/a/b");
  EXPECT_EQ(t->Get("x"), "2");
  EXPECT_EQ(t->Get("y"), "a b!");
  EXPECT_EQ(t->GetList("stop_at"), (std::vector<std::string>{"exchange", "mixer", "c"}));
  EXPECT_TRUE(t->Has("flag"));
  EXPECT_EQ(t->Get("missing", "d"), "d");
  EXPECT_THAT(t->GetInt("x", 0, 0, 1), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(t->GetBool("y"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(http::Target::Parse("/a%2"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(http::Target::Parse("/a%"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(http::Target::Parse("/a?x=%G0"), StatusIs(absl::StatusCode::kInvalidArgument));
  // '+' is a space in the query only.
  auto plus = http::Target::Parse("/a+b?c=d+e");
  ASSERT_THAT(plus, IsOk());
  EXPECT_EQ(plus->path(), "/a+b");
  EXPECT_EQ(plus->Get("c"), "d e");
}

}  // namespace
}  // namespace ariadne::testing
