// The gRPC service through a real server on loopback: answers, paging, and error codes.
#include <grpcpp/grpcpp.h>

#include "tests/engine/service/service_harness.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

constexpr int64_t kCoin = 100'000'000;

class ServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!HaveTestData()) return;
    auto dir = MakeTempDir("service");
    auto s =
        IndexInto(dir / "db", {TestData("_derived/btc-mainnet-0-4521.blk")}, Network::kMainnet);
    ASSERT_TRUE(s.ok()) << s.status();
    service::ServiceOptions opts;
    opts.max_page = 50;
    auto harness = ServiceHarness::Start(*std::move(s), MakeTempDir("service-harness"), opts);
    ASSERT_TRUE(harness.ok()) << harness.status();
    harness_ = harness->release();
    stub_ = harness_->stub();
  }
  static void TearDownTestSuite() { delete harness_; }
  void SetUp() override { REQUIRE_TESTDATA(); }

  static inline ServiceHarness* harness_ = nullptr;
  static inline v1::Ariadne::Stub* stub_ = nullptr;  // harness_'s
};

TEST_F(ServiceTest, StatusReportsTipAndCounts) {
  grpc::ClientContext ctx;
  v1::ChainStatus r;
  ASSERT_TRUE(stub_->GetStatus(&ctx, v1::GetStatusRequest(), &r).ok());
  EXPECT_EQ(r.network(), "mainnet");
  EXPECT_EQ(r.tip_height(), 4521);
  EXPECT_EQ(r.tx_count(), 4583u);
  EXPECT_EQ(r.utxo_value(), 4521 * 50 * kCoin);  // the genesis output is not spendable
}

TEST_F(ServiceTest, AddressSummaryOfHalFinney) {
  grpc::ClientContext ctx;
  v1::GetAddressRequest req;
  req.set_address("1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3");
  v1::AddressSummary r;
  ASSERT_TRUE(stub_->GetAddress(&ctx, req, &r).ok());
  EXPECT_EQ(r.type(), "p2pk");
  EXPECT_EQ(r.received(), 10 * kCoin);
  EXPECT_EQ(r.balance(), 10 * kCoin);
  EXPECT_EQ(r.first_seen_height(), 170);
  EXPECT_EQ(r.tx_count(), 1u);
}

TEST_F(ServiceTest, UnknownAndMalformedAddressesHaveDistinctCodes) {
  v1::AddressSummary r;
  v1::GetAddressRequest req;
  req.set_address("1BitcoinEaterAddressDontSendf59kuE");
  grpc::ClientContext c1;
  grpc::Status s = stub_->GetAddress(&c1, req, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(s.error_message().find("1BitcoinEaterAddressDontSendf59kuE"), std::string::npos);
  for (const char* bad : {"", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "bc1qgarbage", "\x01\x02",
                          "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"}) {
    grpc::ClientContext c;
    req.set_address(bad);
    EXPECT_EQ(stub_->GetAddress(&c, req, &r).error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << bad;
  }
}

TEST_F(ServiceTest, TransactionResolvesInputsAndSpenders) {
  grpc::ClientContext ctx;
  v1::GetTransactionRequest req;
  req.set_txid("f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16");
  v1::Transaction r;
  ASSERT_TRUE(stub_->GetTransaction(&ctx, req, &r).ok());
  EXPECT_EQ(r.block_height(), 170);
  EXPECT_EQ(r.block_hash(), "00000000d1145790a8694403d4063f323d499e655c83426834d4ce2f8dd4a2ee");
  ASSERT_EQ(r.inputs_size(), 1);
  EXPECT_EQ(r.inputs(0).prev_txid(),
            "0437cd7f8525ceed2324359c2d0ba26006d92d856a9c20fa0241106ee5a597c9");
  EXPECT_EQ(r.inputs(0).address(), "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S");
  EXPECT_EQ(r.inputs(0).value(), 50 * kCoin);
  ASSERT_EQ(r.outputs_size(), 2);
  EXPECT_EQ(r.outputs(0).address(), "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3");
  EXPECT_TRUE(r.outputs(0).spent_by().empty());
  EXPECT_EQ(r.outputs(1).spent_by(),
            "a16f3ce4dd5deb92d98ef5cf8afeaf0775ebca408f708b2146c4fb42b41e14be");
  EXPECT_EQ(r.fee(), 0);
}

TEST_F(ServiceTest, UnknownAndMalformedTxids) {
  v1::Transaction r;
  v1::GetTransactionRequest req;
  grpc::ClientContext c1;
  req.set_txid(std::string(64, 'a'));
  grpc::Status s = stub_->GetTransaction(&c1, req, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(s.error_message().find(std::string(64, 'a')), std::string::npos);
  for (const std::string& bad : {std::string("zz"), std::string(64, 'g'), std::string(65, 'a')}) {
    grpc::ClientContext c;
    req.set_txid(bad);
    EXPECT_EQ(stub_->GetTransaction(&c, req, &r).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
}

// Reads a whole history page by page through the cursors.
std::vector<v1::HistoryEntry> ReadAll(v1::Ariadne::Stub* stub, const std::string& address,
                                      uint32_t page, bool newest_first) {
  std::vector<v1::HistoryEntry> all;
  std::string cursor;
  for (int pages = 0; pages < 1000; ++pages) {
    grpc::ClientContext ctx;
    v1::GetAddressHistoryRequest req;
    req.set_address(address);
    req.set_limit(page);
    req.set_cursor(cursor);
    req.set_newest_first(newest_first);
    auto reader = stub->GetAddressHistory(&ctx, req);
    v1::HistoryEntry e;
    size_t got = 0;
    while (reader->Read(&e)) {
      all.push_back(e);
      ++got;
    }
    EXPECT_TRUE(reader->Finish().ok());
    if (got == 0 || all.back().cursor().empty()) break;
    cursor = all.back().cursor();
  }
  return all;
}

TEST_F(ServiceTest, HistoryPagesJoinUpInBothDirections) {
  // Hal's early spending address: received 50, then a chain of payments.
  const std::string addr = "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S";
  auto whole = ReadAll(stub_, addr, 50, false);
  auto paged = ReadAll(stub_, addr, 2, false);
  auto reversed = ReadAll(stub_, addr, 3, true);
  ASSERT_GT(whole.size(), 3u);
  ASSERT_EQ(paged.size(), whole.size());
  ASSERT_EQ(reversed.size(), whole.size());
  for (size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(paged[i].txid(), whole[i].txid());
    EXPECT_EQ(reversed[whole.size() - 1 - i].txid(), whole[i].txid());
    if (i > 0) EXPECT_LE(whole[i - 1].block_height(), whole[i].block_height());
  }
  EXPECT_EQ(whole[0].block_height(), 9);
  EXPECT_EQ(whole[0].received(), 50 * kCoin);
  EXPECT_EQ(whole[1].txid(), "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16");
  EXPECT_EQ(whole[1].sent(), 50 * kCoin);
  EXPECT_EQ(whole[1].received(), 40 * kCoin);
  EXPECT_TRUE(whole.back().cursor().empty());
}

TEST_F(ServiceTest, HistoryLimitsAndBadCursors) {
  v1::GetAddressHistoryRequest req;
  req.set_address("12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S");
  req.set_limit(51);
  {
    grpc::ClientContext ctx;
    auto reader = stub_->GetAddressHistory(&ctx, req);
    v1::HistoryEntry e;
    EXPECT_FALSE(reader->Read(&e));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  req.set_limit(5);
  req.set_cursor("not-a-number");
  {
    grpc::ClientContext ctx;
    auto reader = stub_->GetAddressHistory(&ctx, req);
    v1::HistoryEntry e;
    EXPECT_FALSE(reader->Read(&e));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
}

// Streams a trace. Out: *summary; *edges: the edge events. Returns: the call's status.
grpc::Status StreamTrace(v1::Ariadne::Stub* stub, const v1::TraceRequest& req,
                         v1::TraceSummary* summary, int* edges) {
  grpc::ClientContext ctx;
  auto reader = stub->Trace(&ctx, req);
  v1::TraceEvent ev;
  *edges = 0;
  auto take = [&](const v1::TraceEvent& e) {
    if (e.has_edge()) ++*edges;
    if (e.has_summary()) *summary = e.summary();
  };
  while (reader->Read(&ev)) {
    if (ev.has_batch()) {
      for (const v1::TraceEvent& e : ev.batch().events()) take(e);
    } else {
      take(ev);
    }
  }
  return reader->Finish();
}

TEST_F(ServiceTest, AnUnknownDirectionIsInvalidArgumentNotForward) {
  v1::TraceRequest req;
  req.set_seed("12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S");
  req.set_direction(static_cast<v1::TraceRequest::Direction>(7));  // a newer client's value
  v1::TraceSummary sum;
  int edges = 0;
  grpc::Status s = StreamTrace(stub_, req, &sum, &edges);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("unknown direction 7"), std::string::npos) << s.error_message();
  EXPECT_EQ(edges, 0);
}

TEST_F(ServiceTest, ATraceNeverAnswersMoreEdgesThanItsLimit) {
  v1::TraceRequest req;
  req.set_seed("12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S");
  req.set_hops(10);
  req.set_events_per_message(64);
  v1::TraceSummary whole;
  int all_edges = 0;
  ASSERT_TRUE(StreamTrace(stub_, req, &whole, &all_edges).ok());
  ASSERT_FALSE(whole.truncated());
  ASSERT_GT(all_edges, 13);
  // Hal's coins move in transactions of two outputs or more: a limit that falls inside one
  // transaction's edges stops before that transaction, never after it.
  for (uint32_t limit : {1u, 2u, 3u, 5u, 8u, 13u}) {
    req.set_max_edges(limit);
    v1::TraceSummary sum;
    int edges = 0;
    ASSERT_TRUE(StreamTrace(stub_, req, &sum, &edges).ok());
    EXPECT_LE(edges, static_cast<int>(limit)) << limit;
    EXPECT_EQ(sum.edges(), static_cast<uint64_t>(edges));
    EXPECT_TRUE(sum.truncated()) << limit;
    EXPECT_GT(sum.tainted_by_reason().at("truncated"), 0) << limit;
  }
}

TEST_F(ServiceTest, MorePathsThanTheLimitAreRefusedNotCapped) {
  v1::PathsRequest req;
  req.set_from("12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S");
  req.set_to("1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3");
  req.set_max_paths(101);
  v1::PathsReply r;
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub_->FindPaths(&ctx, req, &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_NE(s.error_message().find("max_paths 101 above the limit of 100"), std::string::npos)
        << s.error_message();
  }
  req.set_max_paths(100);
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->FindPaths(&ctx, req, &r).ok());
  ASSERT_GE(r.paths_size(), 1);
  EXPECT_EQ(r.paths(0).steps(0).txid(),
            "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16");
}

}  // namespace
}  // namespace ariadne::testing
