// The `ariadne` binary on EVM data: `index evm` (success line, incremental no-op, errors naming the
// file, exit codes) and the client commands against a real server on an EVM store (JSON shapes
// with 256-bit decimal amounts and EIP-55 addresses, readable output, the bad-checksum error).
#include <grpcpp/grpcpp.h>
#include <simdjson.h>

#include <cstdio>
#include <fstream>

#include "engine/core/eip55.h"
#include "heuristics/evm_clustering.h"
#include "indexer/tags/tag_import.h"
#include "tests/engine/service/hardening_util.h"
#include "tests/engine/service/service_harness.h"
#include "tests/indexer/evm/evm_scenario.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::evm {
namespace {

using ::ariadne::testing::CliRun;
using ::ariadne::testing::MakeTempDir;
using ::ariadne::testing::ReadFileText;
using ::ariadne::testing::RunCli;
using ::ariadne::testing::ServiceHarness;

using Output = CliRun;

class EvmCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(MakeTempDir("evm-cli"));
    scenario_ = testing::MakeScenario().release();
    ASSERT_TRUE(scenario_->chain->WriteAll(*dir_ / "chain").ok());
    {
      std::ofstream ex(*dir_ / "exchanges.txt");
      ex << "# exchange addresses\n" << ToChecksumAddress(scenario_->e.address) << "\n";
    }
    // The store is built by the binary itself.
    Output r = Ariadne({"index", "evm", "--source", (*dir_ / "chain").string(), "--db",
                        (*dir_ / "db").string(), "--exchanges", (*dir_ / "exchanges.txt").string()},
                       false);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    index_output_ = new std::string(r.out);
    index_errors_ = new std::string(r.err);
    // Labels after indexing, then the clusters rebuilt with them (index evm without a source).
    {
      std::ofstream tags(*dir_ / "tags.csv");
      tags << "address,label,category,source\n"
           << ToChecksumAddress(scenario_->e.address) << ",Big Exchange,exchange,case 7\n";
    }
    r = Ariadne({"tags", "import", (*dir_ / "tags.csv").string(), "--db", (*dir_ / "db").string()},
                false);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = Ariadne({"index", "evm", "--db", (*dir_ / "db").string()}, false);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_NE(r.out.find("1 deposit-address-reuse"), std::string::npos) << r.out;
    store::StoreOptions o;
    o.mode = store::StoreOptions::Mode::kReadOnly;
    auto st = store::Store::Open(*dir_ / "db", o);
    ASSERT_TRUE(st.ok()) << st.status();
    auto harness = ServiceHarness::Start(*std::move(st), *dir_, service::ServiceOptions());
    ASSERT_TRUE(harness.ok()) << harness.status();
    harness_ = harness->release();
  }
  static void TearDownTestSuite() {
    delete harness_;
    delete index_output_;
    delete index_errors_;
    delete scenario_;
    delete dir_;
  }

  // Runs the ariadne binary, against the harness's server when `with_server`.
  static Output Ariadne(std::vector<std::string> args, bool with_server = true) {
    return with_server ? harness_->Cli(std::move(args)) : RunCli(args, *dir_);
  }
  static const testing::Scenario& S() { return *scenario_; }

  static inline std::filesystem::path* dir_ = nullptr;
  static inline testing::Scenario* scenario_ = nullptr;
  static inline std::string* index_output_ = nullptr;
  static inline std::string* index_errors_ = nullptr;
  static inline ServiceHarness* harness_ = nullptr;
};

TEST_F(EvmCli, IndexEvmReportsWhatItStoredAndTheClusters) {
  EXPECT_NE(index_output_->find("indexed 6 blocks (0 already indexed) from 1 inputs: 15 txs, 29 "
                                "transfers, 8 logs, 1 approvals"),
            std::string::npos)
      << *index_output_;
  EXPECT_NE(index_output_->find("tip 105 " + HashHex(S().chain->BlockHash(105))),
            std::string::npos);
  EXPECT_NE(
      index_output_->find("1 deposit-address-reuse, 0 airdrop and 1 self-authorization links"),
      std::string::npos)
      << *index_output_;
}

TEST_F(EvmCli, IndexEvmTwiceIsANoOpAndBadInputNamesTheFile) {
  const auto db = *dir_ / "db2";
  Output r = Ariadne(
      {"index", "evm", "--source", (*dir_ / "chain").string(), "--db", db.string(), "--no-cluster"},
      false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Ariadne(
      {"index", "evm", "--source", (*dir_ / "chain").string(), "--db", db.string(), "--no-cluster"},
      false);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("indexed 0 blocks (6 already indexed)"), std::string::npos) << r.out;
  {
    std::ofstream bad(*dir_ / "broken.json");
    bad << "{\"jsonrpc\": \"2.0\", \"result\": [1, 2";
  }
  r = Ariadne({"index", "evm", "--source", (*dir_ / "broken.json").string(), "--db", db.string(),
               "--no-cluster"},
              false);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("DATA_LOSS"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("broken.json"), std::string::npos) << r.err;
  // A Bitcoin store is not an EVM store; the chain is fixed at creation.
  r = Ariadne({"index", "evm", "--source", (*dir_ / "chain").string(), "--db", db.string(),
               "--chain", "sepolia"},
              false);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("holds ethereum, not sepolia"), std::string::npos) << r.err;
  r = Ariadne({"index", "evm", "--db", db.string(), "--chain", "dogecoin"}, false);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown EVM chain 'dogecoin'"), std::string::npos) << r.err;
}

TEST_F(EvmCli, AddressJsonGivesPerAssetDecimalsAndEip55) {
  Output r = Ariadne({"address", ToLowerHexAddress(S().b.address), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.out).value();
  EXPECT_EQ(std::string(doc["address"].get_string().value()), ToChecksumAddress(S().b.address));
  EXPECT_EQ(std::string(doc["type"].get_string().value()), "account");
  auto assets = doc["assets"].get_array().value();
  ASSERT_EQ(assets.size(), 2u);
  EXPECT_EQ(std::string(assets.at(0)["asset"].get_string().value()), "ETH");
  EXPECT_EQ(std::string(assets.at(0)["received"].get_string().value()), "15000000000000000000");
  EXPECT_EQ(std::string(assets.at(0)["balance"].get_string().value()), "8999928000000000000");
  EXPECT_EQ(std::string(assets.at(1)["asset"].get_string().value()), ToChecksumAddress(S().token));
  EXPECT_EQ(std::string(assets.at(1)["standard"].get_string().value()), "erc20");
  EXPECT_EQ(std::string(assets.at(1)["balance"].get_string().value()), "400");
  // Readable: ether in ETH.
  r = Ariadne({"address", ToChecksumAddress(S().b.address)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("15 ETH received (2 transfers)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("flow balance 8.999928 ETH"), std::string::npos) << r.out;
}

TEST_F(EvmCli, AWrongChecksumIsAnInvalidArgumentNamingTheAddress) {
  std::string bad = ToChecksumAddress(S().b.address);
  for (size_t i = 2; i < bad.size(); ++i) {
    if (std::isalpha(static_cast<unsigned char>(bad[i]))) {
      bad[i] ^= 0x20;  // flip one letter's case
      break;
    }
  }
  for (const char* cmd : {"address", "history", "trace", "exposure"}) {
    Output r = Ariadne({cmd, bad});
    EXPECT_EQ(r.exit_code, 1) << cmd;
    EXPECT_NE(r.err.find("INVALID_ARGUMENT"), std::string::npos) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find(bad), std::string::npos) << cmd << ": " << r.err;
    EXPECT_NE(r.err.find("EIP-55 checksum mismatch"), std::string::npos) << r.err;
  }
  Output r = Ariadne({"address", ToLowerHexAddress(testing::MakeKey("nobody").address)});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("NOT_FOUND"), std::string::npos) << r.err;
}

TEST_F(EvmCli, HistoryTxTraceAndWhyPrintTheEvmFields) {
  Output r = Ariadne({"history", ToChecksumAddress(S().b.address), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"status\":\"failed\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"received\":\"10000000000000000000\""), std::string::npos) << r.out;
  r = Ariadne({"tx", HashHex(S().m_vault), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(r.out).value();
  EXPECT_EQ(std::string(doc["fee"].get_string().value()), "60000000000000");
  EXPECT_EQ(doc["transfers"].get_array().value().size(), 3u);  // fee, native, internal
  r = Ariadne({"trace", HashHex(S().a_b_eth), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  doc = parser.parse(r.out).value();
  auto edges = doc["edges"].get_array().value();
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_EQ(std::string(edges.at(0)["tainted_amount"].get_string().value()), "4000000000000000000");
  EXPECT_EQ(std::string(edges.at(0)["asset"].get_string().value()), "ETH");
  r = Ariadne({"trace", ToChecksumAddress(S().b.address), "--asset", ToChecksumAddress(S().token),
               "--stop-at", "exchange"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("labelled         600 " + ToChecksumAddress(S().token)), std::string::npos)
      << r.out;
  r = Ariadne(
      {"why", ToChecksumAddress(S().a.address), ToChecksumAddress(S().d.address), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("self_authorization"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("deposit_address_reuse:" + ToChecksumAddress(S().dep.address)),
            std::string::npos)
      << r.out;
  r = Ariadne({"status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ethereum (chain id 1, account model)"), std::string::npos) << r.out;
  // Five of the six blocks came without call traces: status says what that loses.
  EXPECT_NE(r.out.find("traces        missing in 5 of 6 blocks: internal ETH movements"),
            std::string::npos)
      << r.out;
}

TEST_F(EvmCli, IndexEvmWarnsAboutBlocksWithoutCallTraces) {
  EXPECT_NE(index_errors_->find("warning: 5 block(s) with transactions have no call traces"),
            std::string::npos)
      << *index_errors_;
}

TEST_F(EvmCli, ServeAnnouncesTheEvmStoresTipAndTransactions) {
  auto serve = ::ariadne::testing::ServeProcess::Start({"--db", (*dir_ / "db").string()});
  ASSERT_THAT(serve, IsOk());
  ASSERT_TRUE((*serve)->WaitForOutput(" txs, ", 60)) << (*serve)->Output();
  const std::string out = (*serve)->Output();
  EXPECT_NE(out.find("(ethereum, tip 105, 15 txs, "), std::string::npos) << out;
  EXPECT_EQ(out.find("tip -1"), std::string::npos) << out;
}

}  // namespace
}  // namespace ariadne::evm
