// The gateway's direct answers (engine/service/direct_answers.h): the point questions answered in
// the gateway get the same answers, and the same errors, as when every call is forwarded to the
// query service, and only those questions are answered so.
#include <google/protobuf/util/message_differencer.h>

#include <functional>
#include <set>

#include "tests/engine/service/hardening_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

using google::protobuf::util::MessageDifferencer;

class GatewayDirectTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(MakeTempDir("gateway-direct"));
    auto chain = MakeTestChain(*dir_, 60, 20);
    ASSERT_THAT(chain, IsOk());
    chain_ = new TestChain(*std::move(chain));
  }
  static void TearDownTestSuite() {
    delete chain_;
    delete dir_;
  }

  void SetUp() override {
    service::ServerOptions o;
    auto direct = TestServer::Start(chain_->db, o);
    ASSERT_THAT(direct, IsOk());
    direct_ = *std::move(direct);
    o.direct_answers = false;
    auto forwarded = TestServer::Start(chain_->db, o);
    ASSERT_THAT(forwarded, IsOk());
    forwarded_ = *std::move(forwarded);
  }

  // Asks both servers the same unary question; expects the same status and the same answer.
  template <typename Req, typename Resp>
  void ExpectSame(const std::string& what,
                  std::function<grpc::Status(v1::Ariadne::Stub*, grpc::ClientContext*,
                                             const Req&, Resp*)>
                      call,
                  const Req& req, grpc::StatusCode want_code = grpc::StatusCode::OK) {
    Resp a, b;
    auto stub_a = direct_->Stub();
    auto stub_b = forwarded_->Stub();
    const grpc::Status sa = call(stub_a.get(), Ctx().get(), req, &a);
    const grpc::Status sb = call(stub_b.get(), Ctx().get(), req, &b);
    EXPECT_EQ(sa.error_code(), want_code) << what << ": " << sa.error_message();
    EXPECT_EQ(sa.error_code(), sb.error_code()) << what;
    EXPECT_EQ(sa.error_message(), sb.error_message()) << what;
    EXPECT_TRUE(MessageDifferencer::Equals(a, b))
        << what << "\ndirect:\n"
        << a.DebugString() << "forwarded:\n"
        << b.DebugString();
    ++asked_;
  }

  static inline std::filesystem::path* dir_ = nullptr;
  static inline TestChain* chain_ = nullptr;
  std::unique_ptr<TestServer> direct_, forwarded_;
  uint64_t asked_ = 0;
};

TEST_F(GatewayDirectTest, PointQuestionsGetTheForwardedAnswersAndErrors) {
  auto status = [](v1::Ariadne::Stub* s, grpc::ClientContext* c, const v1::GetStatusRequest& r,
                   v1::ChainStatus* out) { return s->GetStatus(c, r, out); };
  auto address = [](v1::Ariadne::Stub* s, grpc::ClientContext* c,
                    const v1::GetAddressRequest& r,
                    v1::AddressSummary* out) { return s->GetAddress(c, r, out); };
  auto tx = [](v1::Ariadne::Stub* s, grpc::ClientContext* c, const v1::GetTransactionRequest& r,
               v1::Transaction* out) { return s->GetTransaction(c, r, out); };
  auto cluster = [](v1::Ariadne::Stub* s, grpc::ClientContext* c,
                    const v1::GetClusterRequest& r,
                    v1::ClusterSummary* out) { return s->GetCluster(c, r, out); };

  ExpectSame<v1::GetStatusRequest, v1::ChainStatus>("status", status, {});
  ASSERT_GE(chain_->addresses.size(), 20u);
  std::set<std::string> txids;
  for (size_t i = 0; i < 20; ++i) {
    const std::string& addr = chain_->addresses[i * chain_->addresses.size() / 20];
    v1::GetAddressRequest a;
    a.set_address(addr);
    ExpectSame<v1::GetAddressRequest, v1::AddressSummary>("address " + addr, address, a);
    v1::GetClusterRequest c;
    c.set_address(addr);
    ExpectSame<v1::GetClusterRequest, v1::ClusterSummary>("cluster of " + addr, cluster, c);
    // The address's transactions, from the (always forwarded) history stream.
    v1::GetAddressHistoryRequest h;
    h.set_address(addr);
    h.set_limit(3);
    auto ctx = Ctx();
    auto reader = forwarded_->Stub()->GetAddressHistory(ctx.get(), h);
    v1::HistoryEntry e;
    while (reader->Read(&e)) txids.insert(e.txid());
    ASSERT_TRUE(reader->Finish().ok());
  }
  ASSERT_GE(txids.size(), 20u);
  for (const std::string& txid : txids) {
    v1::GetTransactionRequest t;
    t.set_txid(txid);
    ExpectSame<v1::GetTransactionRequest, v1::Transaction>("tx " + txid, tx, t);
  }

  // Errors: the same code and message either way.
  v1::GetAddressRequest bad;
  bad.set_address("not-an-address");
  ExpectSame<v1::GetAddressRequest, v1::AddressSummary>("bad address", address, bad,
                                                        grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetTransactionRequest no_tx;
  no_tx.set_txid(std::string(64, 'a'));
  ExpectSame<v1::GetTransactionRequest, v1::Transaction>("unknown txid", tx, no_tx,
                                                         grpc::StatusCode::NOT_FOUND);
  v1::GetClusterRequest no_cluster;
  no_cluster.set_cluster_id(4'000'000'000u);
  ExpectSame<v1::GetClusterRequest, v1::ClusterSummary>("unknown cluster", cluster, no_cluster,
                                                        grpc::StatusCode::NOT_FOUND);

  EXPECT_EQ(direct_->server().gateway().counters().direct, asked_);
  EXPECT_EQ(forwarded_->server().gateway().counters().direct, 0u);
}

TEST_F(GatewayDirectTest, StreamsAndGraphWalksAreForwarded) {
  auto stub = direct_->Stub();
  v1::TraceRequest t;
  t.set_seed(chain_->addresses[3]);
  t.set_hops(2);
  auto ctx = Ctx();
  auto reader = stub->Trace(ctx.get(), t);
  v1::TraceEvent ev;
  int events = 0;
  while (reader->Read(&ev)) ++events;
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_GT(events, 0);
  v1::ExplainRequest e;
  e.set_from(chain_->addresses[3]);
  e.set_to(chain_->addresses[4]);
  v1::ExplainReply er;
  (void)stub->Explain(Ctx().get(), e, &er);
  v1::PathsRequest p;
  p.set_from(chain_->addresses[3]);
  p.set_to(chain_->addresses[4]);
  v1::PathsReply pr;
  (void)stub->FindPaths(Ctx().get(), p, &pr);
  EXPECT_EQ(direct_->server().gateway().counters().direct, 0u);
  EXPECT_EQ(direct_->server().gateway().counters().calls, 3u);
}

}  // namespace
}  // namespace ariadne::testing
