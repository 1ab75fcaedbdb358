// The gRPC service on an EVM store, through a real server on loopback: the scenario chain
// (tests/indexer/evm/evm_scenario.h) indexed, its exchange labelled and its clusters built, then
// every RPC with numbers worked out by hand: per-asset summaries, history, transactions, traces
// under the three models, paths, exposure, clusters and their evidence, EIP-55 display and the
// error codes of bad and unknown input.
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "engine/core/eip55.h"
#include "heuristics/evm_clustering.h"
#include "indexer/evm/evm_indexer.h"
#include "indexer/tags/tag_import.h"
#include "tests/engine/service/service_harness.h"
#include "tests/indexer/evm/evm_scenario.h"
#include "tests/testutil.h"

namespace ariadne::evm {
namespace {

using ::ariadne::testing::MakeTempDir;
using ::ariadne::testing::ServiceHarness;

// Builds the scenario's store: indexed, E labelled as an exchange, clusters rebuilt.
absl::StatusOr<std::unique_ptr<store::Store>> ScenarioStore(const testing::Scenario& s,
                                                            const std::filesystem::path& dir) {
  if (absl::Status w = s.chain->WriteAll(dir / "chain"); !w.ok()) return w;
  store::StoreOptions o;
  o.create_if_missing = true;
  o.network = Network::kEthereum;
  auto st = store::Store::Open(dir / "db", o);
  if (!st.ok()) return st.status();
  EvmIndexOptions io;
  io.sources = {dir / "chain"};
  EvmIndexResult r;
  if (absl::Status i = IndexEvm(st->get(), io, &r); !i.ok()) return i;
  {
    std::ofstream tags(dir / "tags.csv");
    tags << "address,label,category,source\n"
         << ToLowerHexAddress(s.e.address) << ",Big Exchange,exchange,test\n";
  }
  auto t = tags::ImportTags(st->get(), {dir / "tags.csv"});
  if (!t.ok()) return t.status();
  auto c = heuristics::RebuildEvmClusters(st->get(), heuristics::EvmClusterParams());
  if (!c.ok()) return c.status();
  return st;
}

class EvmServiceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scenario_ = testing::MakeScenario().release();
    auto st = ScenarioStore(*scenario_, MakeTempDir("evm-service"));
    ASSERT_TRUE(st.ok()) << st.status();
    auto harness = ServiceHarness::Start(*std::move(st), MakeTempDir("evm-service-harness"),
                                         service::ServiceOptions());
    ASSERT_TRUE(harness.ok()) << harness.status();
    harness_ = harness->release();
    stub_ = harness_->stub();
  }
  static void TearDownTestSuite() {
    delete harness_;
    delete scenario_;
  }

  static std::string Eip55(const Address& a) { return ToChecksumAddress(a); }
  static std::string Lower(const Address& a) { return ToLowerHexAddress(a); }
  static const testing::Scenario& S() { return *scenario_; }

  static v1::AddressSummary Address(const std::string& a) {
    grpc::ClientContext ctx;
    v1::GetAddressRequest req;
    req.set_address(a);
    v1::AddressSummary r;
    grpc::Status s = stub_->GetAddress(&ctx, req, &r);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return r;
  }
  static std::vector<v1::TraceEvent> TraceEvents(const v1::TraceRequest& req,
                                                 grpc::Status* status) {
    grpc::ClientContext ctx;
    auto reader = stub_->Trace(&ctx, req);
    std::vector<v1::TraceEvent> out;
    v1::TraceEvent ev;
    while (reader->Read(&ev)) out.push_back(ev);
    *status = reader->Finish();
    return out;
  }
  // (node, reason, asset) -> tainted amount of a trace's endpoints.
  static std::map<std::tuple<std::string, std::string, std::string>, std::string> Ends(
      const std::vector<v1::TraceEvent>& events) {
    std::map<std::tuple<std::string, std::string, std::string>, std::string> out;
    for (const auto& e : events) {
      if (e.has_endpoint()) {
        out[{e.endpoint().node(), e.endpoint().reason(), e.endpoint().asset()}] =
            e.endpoint().tainted_amount();
      }
    }
    return out;
  }

  static inline testing::Scenario* scenario_ = nullptr;
  static inline ServiceHarness* harness_ = nullptr;
  static inline v1::Ariadne::Stub* stub_ = nullptr;  // harness_'s
};

TEST_F(EvmServiceTest, StatusReportsTheChainAndItsCounts) {
  grpc::ClientContext ctx;
  v1::ChainStatus r;
  ASSERT_TRUE(stub_->GetStatus(&ctx, v1::GetStatusRequest(), &r).ok());
  EXPECT_EQ(r.network(), "ethereum");
  EXPECT_EQ(r.chain_id(), 1u);
  EXPECT_EQ(r.tip_height(), 105);
  EXPECT_EQ(r.tip_hash(), HashHex(S().chain->BlockHash(105)));
  EXPECT_EQ(r.block_count(), 6u);
  EXPECT_EQ(r.tx_count(), 15u);
  // 13 native and token transfers, 1 internal, and each transaction's fee to the miner.
  EXPECT_EQ(r.transfer_count(), 29u);
  EXPECT_EQ(r.asset_count(), 3u);           // ETH, TKN, NFT
  EXPECT_EQ(r.blocks_without_traces(), 5);  // only block 104 has call traces
}

TEST_F(EvmServiceTest, TheMinerIsFoundWithTheFeesItReceived) {
  const v1::AddressSummary r = Address(Lower(S().miner.address));
  EXPECT_EQ(r.address(), Eip55(S().miner.address));
  EXPECT_EQ(r.tx_count(), 15u);
  ASSERT_EQ(r.assets_size(), 1);
  EXPECT_EQ(r.assets(0).asset(), "ETH");
  EXPECT_EQ(r.assets(0).received(), "546000000000000");
  EXPECT_EQ(r.assets(0).balance(), "546000000000000");
}

TEST_F(EvmServiceTest, AddressSummaryGivesEveryAssetAs256BitDecimals) {
  const v1::AddressSummary r = Address(Lower(S().b.address));
  EXPECT_EQ(r.address(), Eip55(S().b.address));  // shown in EIP-55 form
  EXPECT_EQ(r.type(), "account");
  EXPECT_EQ(r.tx_count(), 6u);
  EXPECT_EQ(r.first_seen_height(), 100);
  EXPECT_EQ(r.last_seen_height(), 105);
  ASSERT_EQ(r.assets_size(), 2);
  const v1::AssetBalance& eth = r.assets(0);
  EXPECT_EQ(eth.asset(), "ETH");
  EXPECT_EQ(eth.standard(), "native");
  EXPECT_EQ(eth.received(), "15000000000000000000");
  EXPECT_EQ(eth.sent(), "6000000000000000000");
  EXPECT_EQ(eth.fees(), "72000000000000");
  EXPECT_EQ(eth.balance(), "8999928000000000000");
  EXPECT_EQ(eth.received_count(), 2u);
  EXPECT_EQ(eth.sent_count(), 1u);
  const v1::AssetBalance& tkn = r.assets(1);
  EXPECT_EQ(tkn.asset(), Eip55(S().token));
  EXPECT_EQ(tkn.standard(), "erc20");
  EXPECT_TRUE(tkn.fungible());
  EXPECT_EQ(tkn.received(), "1000");
  EXPECT_EQ(tkn.sent(), "600");
  EXPECT_EQ(tkn.balance(), "400");
  EXPECT_EQ(tkn.first_block(), 101);
  EXPECT_EQ(tkn.last_block(), 102);
}

TEST_F(EvmServiceTest, FlowBalanceGoesNegativeForValueFromOutsideTheTransfers) {
  // C sent 5 ETH it never received on chain, got 1 ETH from a contract call (internal) and an NFT.
  const v1::AddressSummary r = Address(Eip55(S().c.address));
  ASSERT_EQ(r.assets_size(), 2);
  EXPECT_EQ(r.assets(0).received(), "1000000000000000000");
  EXPECT_EQ(r.assets(0).balance(), "-4000021000000000000");
  EXPECT_EQ(r.assets(1).asset(), Eip55(S().nft));
  EXPECT_EQ(r.assets(1).standard(), "erc721");
  EXPECT_FALSE(r.assets(1).fungible());
  EXPECT_EQ(r.assets(1).received(), "1");
  EXPECT_EQ(r.tx_count(), 4u);  // including the failed payment to it
}

TEST_F(EvmServiceTest, AddressesAreAcceptedInAnyCaseButAWrongChecksumIsInvalid) {
  std::string upper = Lower(S().b.address);
  for (size_t i = 2; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  EXPECT_EQ(Address(upper).address(), Eip55(S().b.address));
  // Flip the case of one letter of the checksummed form.
  std::string bad = Eip55(S().b.address);
  for (size_t i = 2; i < bad.size(); ++i) {
    if (std::isalpha(static_cast<unsigned char>(bad[i]))) {
      bad[i] = std::islower(static_cast<unsigned char>(bad[i])) ? std::toupper(bad[i])
                                                                : std::tolower(bad[i]);
      break;
    }
  }
  for (auto call : {0, 1, 2}) {
    grpc::ClientContext ctx;
    grpc::Status s;
    if (call == 0) {
      v1::GetAddressRequest req;
      req.set_address(bad);
      v1::AddressSummary r;
      s = stub_->GetAddress(&ctx, req, &r);
    } else if (call == 1) {
      v1::TraceRequest req;
      req.set_seed(bad);
      auto reader = stub_->Trace(&ctx, req);
      v1::TraceEvent ev;
      while (reader->Read(&ev)) {
      }
      s = reader->Finish();
    } else {
      v1::ExplainRequest req;
      req.set_from(bad);
      req.set_to(Eip55(S().a.address));
      v1::ExplainReply r;
      s = stub_->Explain(&ctx, req, &r);
    }
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << call;
    EXPECT_NE(s.error_message().find(bad), std::string::npos) << s.error_message();
    EXPECT_NE(s.error_message().find("EIP-55"), std::string::npos) << s.error_message();
  }
}

TEST_F(EvmServiceTest, UnknownAddressesAndTransactionsAreNotFound) {
  grpc::ClientContext c1;
  v1::GetAddressRequest req;
  req.set_address(Lower(testing::MakeKey("nobody").address));
  v1::AddressSummary r;
  grpc::Status s = stub_->GetAddress(&c1, req, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(s.error_message().find(Eip55(testing::MakeKey("nobody").address)), std::string::npos);
  grpc::ClientContext c2;
  v1::GetTransactionRequest treq;
  treq.set_txid("0x" + std::string(64, 'a'));
  v1::Transaction t;
  EXPECT_EQ(stub_->GetTransaction(&c2, treq, &t).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext c3;
  treq.set_txid("0x1234");
  EXPECT_EQ(stub_->GetTransaction(&c3, treq, &t).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(EvmServiceTest, HistoryListsTransactionsWithAmountsPerAssetAndFailures) {
  grpc::ClientContext ctx;
  v1::GetAddressHistoryRequest req;
  req.set_address(Eip55(S().b.address));
  auto reader = stub_->GetAddressHistory(&ctx, req);
  std::vector<v1::HistoryEntry> entries;
  v1::HistoryEntry e;
  while (reader->Read(&e)) entries.push_back(e);
  ASSERT_TRUE(reader->Finish().ok());
  ASSERT_EQ(entries.size(), 6u);
  EXPECT_EQ(entries[0].txid(), HashHex(S().a_b_eth));
  EXPECT_EQ(entries[0].block_height(), 100);
  ASSERT_EQ(entries[0].amounts_size(), 1);
  EXPECT_EQ(entries[0].amounts(0).asset(), "ETH");
  EXPECT_EQ(entries[0].amounts(0).received(), "10000000000000000000");
  EXPECT_EQ(entries[0].fee(), "0");  // A paid it
  EXPECT_EQ(entries[0].from(), Eip55(S().a.address));
  const v1::HistoryEntry& failed = entries[5];
  EXPECT_EQ(failed.txid(), HashHex(S().b_c_failed));
  EXPECT_EQ(failed.status(), "failed");
  EXPECT_EQ(failed.amounts_size(), 0);  // no value moved
  EXPECT_EQ(failed.fee(), "21000000000000");
  EXPECT_EQ(failed.cursor(), "");
  // Newest first, in pages of two.
  grpc::ClientContext c2;
  req.set_newest_first(true);
  req.set_limit(2);
  reader = stub_->GetAddressHistory(&c2, req);
  entries.clear();
  while (reader->Read(&e)) entries.push_back(e);
  ASSERT_TRUE(reader->Finish().ok());
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].txid(), HashHex(S().b_c_failed));
  EXPECT_FALSE(entries[1].cursor().empty());
}

TEST_F(EvmServiceTest, TransactionShowsItsTransfersIncludingInternalOnes) {
  grpc::ClientContext ctx;
  v1::GetTransactionRequest req;
  req.set_txid(HashHex(S().m_vault));
  v1::Transaction r;
  ASSERT_TRUE(stub_->GetTransaction(&ctx, req, &r).ok());
  ASSERT_TRUE(r.has_evm());
  const v1::EvmTransaction& x = r.evm();
  EXPECT_EQ(r.block_height(), 104);
  EXPECT_EQ(x.from(), Eip55(S().m.address));
  EXPECT_EQ(x.to(), Eip55(S().vault));
  EXPECT_EQ(x.value(), "3000000000000000000");
  EXPECT_EQ(x.fee(), "60000000000000");
  EXPECT_EQ(x.status(), "success");
  ASSERT_EQ(x.transfers_size(), 3);
  EXPECT_EQ(x.transfers(0).kind(), "fee");  // the priority fee, to the block's fee recipient
  EXPECT_EQ(x.transfers(0).from(), Eip55(S().m.address));
  EXPECT_EQ(x.transfers(0).to(), Eip55(S().miner.address));
  EXPECT_EQ(x.transfers(0).amount(), "60000000000000");
  EXPECT_EQ(x.transfers(1).kind(), "native");
  EXPECT_EQ(x.transfers(2).kind(), "internal");
  EXPECT_EQ(x.transfers(2).from(), Eip55(S().vault));
  EXPECT_EQ(x.transfers(2).to(), Eip55(S().c.address));
  EXPECT_EQ(x.transfers(2).amount(), "1000000000000000000");
  // A token transfer names its contract and log.
  grpc::ClientContext c2;
  req.set_txid(HashHex(S().a_c_nft));
  ASSERT_TRUE(stub_->GetTransaction(&c2, req, &r).ok());
  ASSERT_EQ(r.evm().transfers_size(), 2);
  EXPECT_EQ(r.evm().transfers(1).kind(), "erc721");
  EXPECT_EQ(r.evm().transfers(1).asset(), Eip55(S().nft));
  EXPECT_EQ(r.evm().transfers(1).token_id(), "7");
  EXPECT_EQ(r.evm().transfers(1).log_index(), 0);
}

TEST_F(EvmServiceTest, HaircutTraceOfEtherHasKnownNumbers) {
  // Seed: A's 10 ETH to B. B holds 15 (10 tainted): every outflow, fees included, is 2/3 tainted.
  v1::TraceRequest req;
  req.set_seed(HashHex(S().a_b_eth));
  req.set_taint("haircut");
  grpc::Status st;
  auto events = TraceEvents(req, &st);
  ASSERT_TRUE(st.ok()) << st.error_message();
  auto ends = Ends(events);
  const std::string b = Eip55(S().b.address), d = Eip55(S().d.address);
  EXPECT_EQ((ends[{b, "fee", "ETH"}]), "48000000000000");  // 2/3 of 30000 + 21000 + 21000 gwei
  EXPECT_EQ((ends[{b, "unspent", "ETH"}]), "5999952000000000000");
  EXPECT_EQ((ends[{d, "fee", "ETH"}]), "20000000000000");  // 4/6 of D's 30000 gwei fee
  EXPECT_EQ((ends[{d, "unspent", "ETH"}]), "3999980000000000000");
  const v1::TraceEdge* edge = nullptr;
  const v1::TraceSummary* sum = nullptr;
  for (const auto& e : events) {
    if (e.has_edge()) edge = &e.edge();
    if (e.has_summary()) sum = &e.summary();
  }
  ASSERT_NE(edge, nullptr);
  EXPECT_EQ(edge->from(), b);
  EXPECT_EQ(edge->to(), d);
  EXPECT_EQ(edge->txid(), HashHex(S().b_d_eth));
  EXPECT_EQ(edge->amount(), "6000000000000000000");
  EXPECT_EQ(edge->tainted_amount(), "4000000000000000000");
  EXPECT_EQ(edge->hop(), 1u);
  ASSERT_NE(sum, nullptr);
  ASSERT_EQ(sum->seed_amounts_size(), 1);
  EXPECT_EQ(sum->seed_amounts(0).amount(), "10000000000000000000");
  EXPECT_EQ(sum->edges(), 1u);
}

TEST_F(EvmServiceTest, TokenTraceStopsAtTheExchange) {
  v1::TraceRequest req;
  req.set_seed(Eip55(S().b.address));
  req.set_asset(Lower(S().token));
  req.add_stop_at("exchange");
  for (const char* model : {"haircut", "fifo", "poison"}) {
    req.set_taint(model);
    grpc::Status st;
    auto events = TraceEvents(req, &st);
    ASSERT_TRUE(st.ok()) << st.error_message();
    auto ends = Ends(events);
    const std::string tkn = Eip55(S().token);
    EXPECT_EQ((ends[{Eip55(S().e.address), "labelled", tkn}]), "600") << model;
    EXPECT_EQ((ends[{Eip55(S().b.address), "unspent", tkn}]), "400") << model;
    for (const auto& e : events) {
      if (e.has_endpoint() && e.endpoint().reason() == "labelled") {
        EXPECT_EQ(e.endpoint().hop(), 3u);
      }
      if (e.has_node() && e.node().id() == Eip55(S().e.address)) {
        ASSERT_EQ(e.node().labels_size(), 1);
        EXPECT_EQ(e.node().labels(0).category(), "exchange");
      }
    }
  }
  // Backward from the exchange: the 600 came from B's 1000, minted to A.
  v1::TraceRequest back;
  back.set_seed(Eip55(S().e.address));
  back.set_asset("0x" + Lower(S().token).substr(2));
  back.set_direction(v1::TraceRequest::BACKWARD);
  back.set_hops(5);
  grpc::Status st;
  auto ends = Ends(TraceEvents(back, &st));
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ((ends[{"0x0000000000000000000000000000000000000000", "minted", Eip55(S().token)}]),
            "600");
}

// Shapes on the account model: every address of the scenario as a seed, both directions, every
// model, by address and by cluster. The summary-only answer is the full stream's summary; the
// aggregated flows are its edges summed per (from, to, asset) in base units.
TEST_F(EvmServiceTest, TraceShapesSumTheStreamsTransfersPerPairOfNodesAndAsset) {
  size_t flows = 0;
  for (const testing::Key* k : {&S().a, &S().b, &S().c, &S().d, &S().m, &S().dep}) {
    for (auto direction : {v1::TraceRequest::FORWARD, v1::TraceRequest::BACKWARD}) {
      for (const char* model : {"haircut", "fifo", "poison"}) {
        for (bool by_cluster : {false, true}) {
          v1::TraceRequest req;
          req.set_seed(Eip55(k->address));
          req.set_direction(direction);
          req.set_taint(model);
          req.set_hops(5);
          req.set_by_cluster(by_cluster);
          const std::string what = req.ShortDebugString();
          grpc::Status st;
          const auto full = TraceEvents(req, &st);
          ASSERT_TRUE(st.ok()) << what << st.error_message();
          req.set_shape(v1::TraceRequest::SUMMARY);
          const auto only = TraceEvents(req, &st);
          ASSERT_TRUE(st.ok()) << what;
          ASSERT_EQ(only.size(), 1u) << what;
          EXPECT_EQ(only[0].summary().SerializeAsString(),
                    full.back().summary().SerializeAsString())
              << what;
          req.set_shape(v1::TraceRequest::AGGREGATED);
          const auto agg = TraceEvents(req, &st);
          ASSERT_TRUE(st.ok()) << what;
          EXPECT_EQ(agg.back().summary().SerializeAsString(),
                    full.back().summary().SerializeAsString())
              << what;
          std::map<std::tuple<std::string, std::string, std::string>,
                   std::tuple<U256, U256, std::set<std::string>, uint64_t>>
              want;
          for (const auto& e : full) {
            if (!e.has_edge()) continue;
            auto& [amount, tainted, txs, n] =
                want[{e.edge().from(), e.edge().to(), e.edge().asset()}];
            amount = *U256::Add(amount, *U256::FromDecimal(e.edge().amount()));
            tainted = *U256::Add(tainted, *U256::FromDecimal(e.edge().tainted_amount()));
            txs.insert(e.edge().txid());
            ++n;
          }
          size_t seen = 0;
          for (const auto& e : agg) {
            EXPECT_FALSE(e.has_edge()) << what;
            if (!e.has_flow()) continue;
            const v1::TraceFlow& f = e.flow();
            auto it = want.find({f.from(), f.to(), f.asset()});
            ASSERT_NE(it, want.end()) << what << " " << f.ShortDebugString();
            const auto& [amount, tainted, txs, n] = it->second;
            EXPECT_EQ(f.amount(), amount.ToDecimal()) << what;
            EXPECT_EQ(f.tainted_amount(), tainted.ToDecimal()) << what;
            EXPECT_EQ(f.transactions(), txs.size()) << what;
            EXPECT_EQ(f.edges(), n) << what;
            EXPECT_EQ(f.value(), 0) << what;
            ++seen;
          }
          EXPECT_EQ(seen, want.size()) << what;
          flows += seen;
        }
      }
    }
  }
  // The scenario moves each asset between two nodes once, so each flow here is one transfer;
  // sums of several are tested on hand-made edges (TraceFlows) and on a generated chain
  // (TraceShape).
  EXPECT_GT(flows, 0u);
}

TEST_F(EvmServiceTest, PathsFollowTransfersInTimeOrder) {
  grpc::ClientContext ctx;
  v1::PathsRequest req;
  req.set_from(Eip55(S().a.address));
  req.set_to(Eip55(S().e.address));
  v1::PathsReply r;
  ASSERT_TRUE(stub_->FindPaths(&ctx, req, &r).ok());
  EXPECT_EQ(r.hops(), 4u);       // A -> B -> D -> Dep -> E
  ASSERT_EQ(r.paths_size(), 2);  // Dep forwarded twice: TKN and ETH
  const v1::Path& p = r.paths(0);
  ASSERT_EQ(p.steps_size(), 4);
  EXPECT_EQ(p.steps(0).txid(), HashHex(S().a_b_eth));
  EXPECT_EQ(p.steps(1).txid(), HashHex(S().b_d_tkn));
  EXPECT_EQ(p.steps(2).to(), Eip55(S().dep.address));
  EXPECT_EQ(p.steps(3).to(), Eip55(S().e.address));
  EXPECT_EQ(p.steps(3).amount(), "600");
}

TEST_F(EvmServiceTest, ExposureSeesTheExchangeBehindTheDepositAddress) {
  grpc::ClientContext ctx;
  v1::ExposureRequest req;
  req.set_address(Eip55(S().d.address));
  v1::ExposureReply r;
  ASSERT_TRUE(stub_->GetExposure(&ctx, req, &r).ok());
  ASSERT_EQ(r.categories_size(), 1);
  EXPECT_EQ(r.categories(0).category(), "exchange");
  EXPECT_EQ(r.categories(0).asset(), Eip55(S().token));
  EXPECT_EQ(r.categories(0).sent_direct_amount(), "0");
  EXPECT_EQ(r.categories(0).sent_indirect_amount(), "600");
  ASSERT_EQ(r.entities_size(), 1);
  EXPECT_EQ(r.entities(0).entity(), "Big Exchange");
  // The deposit address pays the exchange directly.
  grpc::ClientContext c2;
  req.set_address(Eip55(S().dep.address));
  ASSERT_TRUE(stub_->GetExposure(&c2, req, &r).ok());
  std::map<std::string, std::string> direct;
  for (const auto& e : r.categories()) direct[e.asset()] = e.sent_direct_amount();
  EXPECT_EQ(direct["ETH"], "1990000000000000000");
  EXPECT_EQ(direct[Eip55(S().token)], "600");
}

TEST_F(EvmServiceTest, ClustersJoinDepositorsAndSelfAuthorizedSpendersWithEvidence) {
  // D and M paid the same deposit address; A approved M, which then moved A's tokens itself.
  grpc::ClientContext ctx;
  v1::GetClusterRequest req;
  req.set_address(Eip55(S().d.address));
  v1::ClusterSummary r;
  ASSERT_TRUE(stub_->GetCluster(&ctx, req, &r).ok());
  EXPECT_EQ(r.size(), 3u);
  EXPECT_EQ(r.cluster_id(), 0u);  // A is account 0
  EXPECT_NE(r.policy().find("deposit_window=7200"), std::string::npos);
  grpc::ClientContext c2;
  v1::ExplainRequest why;
  why.set_from(Eip55(S().a.address));
  why.set_to(Lower(S().d.address));
  v1::ExplainReply w;
  ASSERT_TRUE(stub_->Explain(&c2, why, &w).ok());
  ASSERT_EQ(w.links_size(), 2);
  EXPECT_EQ(w.links(0).heuristic(), "self_authorization:" + Eip55(S().token));
  EXPECT_EQ(w.links(0).from(), Eip55(S().a.address));
  EXPECT_EQ(w.links(0).to(), Eip55(S().m.address));
  EXPECT_EQ(w.links(0).txid(), HashHex(S().m_pulls_a));
  EXPECT_EQ(w.links(0).related_txid(), HashHex(S().approve));
  EXPECT_EQ(w.links(1).heuristic(), "deposit_address_reuse:" + Eip55(S().dep.address));
  EXPECT_EQ(w.links(1).via(), Eip55(S().dep.address));
  EXPECT_EQ(w.links(1).txid(), HashHex(S().m_dep_eth));
  EXPECT_EQ(w.links(1).related_txid(), HashHex(S().dep_e_tkn));
  EXPECT_EQ(w.links(1).block_height(), 104);
  // B is not in it.
  grpc::ClientContext c3;
  why.set_to(Eip55(S().b.address));
  EXPECT_EQ(stub_->Explain(&c3, why, &w).error_code(), grpc::StatusCode::NOT_FOUND);
  // Members, paged.
  grpc::ClientContext c4;
  v1::GetClusterMembersRequest mreq;
  mreq.set_cluster_id(0);
  auto reader = stub_->GetClusterMembers(&c4, mreq);
  std::vector<std::string> members;
  v1::ClusterMember m;
  while (reader->Read(&m)) members.push_back(m.address());
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(members, (std::vector<std::string>{Eip55(S().a.address), Eip55(S().m.address),
                                               Eip55(S().d.address)}));
}

}  // namespace
}  // namespace ariadne::evm
