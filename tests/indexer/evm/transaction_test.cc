// ethereum/tests TransactionTests: for every vector and every fork it lists, a valid transaction
// decodes, passes the fork's rules, and has the expected hash, sender and intrinsic gas; an invalid
// one is rejected by the decoder or by the fork's rules. Plus real signed transactions from
// go-ethereum's tracer tests (sender == the trace's "from").
#include "indexer/evm/transaction.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <map>

#include "engine/core/eip55.h"
#include "engine/core/hex.h"
#include "indexer/evm/tx_rules.h"
#include "tests/testutil.h"

namespace ariadne::evm {
namespace {

using ::ariadne::testing::TestData;

struct Counts {
  int vectors = 0;
  int valid_checks = 0;
  int invalid_checks = 0;
};

TEST(TransactionTests, AllVectorsAcrossForks) {
  REQUIRE_TESTDATA();
  const auto root = TestData("ethereum-tests/TransactionTests");
  std::map<std::string, Counts> per_dir;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 200u);
  simdjson::dom::parser parser;
  for (const auto& f : files) {
    const std::string dir = f.parent_path().filename().string();
    simdjson::dom::element doc = parser.load(f.string()).value();
    for (auto [name, test] : doc.get_object()) {
      SCOPED_TRACE(f.filename().string() + " / " + std::string(name));
      ++per_dir[dir].vectors;
      const std::string_view txhex = test["txbytes"].get_string().value();
      auto bytes = HexDecode(txhex);
      Transaction tx;
      absl::Status decoded = bytes.ok() ? DecodeTransaction(*bytes, "vector", &tx) : bytes.status();
      for (auto [fork_name, result] : test["result"].get_object()) {
        SCOPED_TRACE(std::string(fork_name));
        auto fork = ParseFork(fork_name);
        ASSERT_THAT(fork, IsOk());
        simdjson::dom::element exc;
        if (result["exception"].get(exc) == simdjson::SUCCESS) {
          ++per_dir[dir].invalid_checks;
          if (!decoded.ok()) continue;
          EXPECT_FALSE(CheckTransactionRules(tx, *fork, 1).ok())
              << "accepted, expected " << exc.get_string().value();
          continue;
        }
        ++per_dir[dir].valid_checks;
        ASSERT_THAT(decoded, IsOk());
        EXPECT_THAT(CheckTransactionRules(tx, *fork, 1), IsOk());
        EXPECT_EQ(HashHex(tx.hash), result["hash"].get_string().value());
        auto sender = RecoverSender(tx);
        ASSERT_THAT(sender, IsOk());
        EXPECT_EQ(ToLowerHexAddress(*sender), result["sender"].get_string().value());
        const std::string_view ig = result["intrinsicGas"].get_string().value();
        EXPECT_EQ(U256(IntrinsicGas(tx, *fork)), *U256::FromHex(ig));
      }
    }
  }
  int total_valid = 0, total_invalid = 0, total_vectors = 0;
  for (const auto& [dir, c] : per_dir) {
    std::printf(
        "TransactionTests/%-12s %3d vectors, %4d valid fork checks, %4d invalid fork checks\n",
        dir.c_str(), c.vectors, c.valid_checks, c.invalid_checks);
    total_valid += c.valid_checks;
    total_invalid += c.invalid_checks;
    total_vectors += c.vectors;
  }
  EXPECT_EQ(total_vectors, 210);
  EXPECT_EQ(total_valid, 606);
  EXPECT_GT(total_invalid, 1500);
}

// go-ethereum's tracer tests hold real signed transactions (Ropsten, Goerli, mainnet, ...) with the
// sender in the expected trace.
TEST(TransactionTests, TracerTestTransactionsRecoverTheirSenders) {
  REQUIRE_TESTDATA();
  const auto root = TestData("go-ethereum/eth/tracers/internal/tracetest/testdata");
  simdjson::dom::parser parser;
  int checked = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".json") continue;
    simdjson::dom::element doc = parser.load(e.path().string()).value();
    std::string_view input, from;
    simdjson::dom::element result;
    if (doc["input"].get(input) != simdjson::SUCCESS) continue;
    if (doc["result"].get(result) != simdjson::SUCCESS || !result.is_object() ||
        result["from"].get(from) != simdjson::SUCCESS) {
      continue;
    }
    SCOPED_TRACE(e.path().string());
    auto bytes = HexDecode(input);
    ASSERT_THAT(bytes, IsOk());
    Transaction tx;
    ASSERT_THAT(DecodeTransaction(*bytes, "tracer input", &tx), IsOk());
    auto sender = RecoverSender(tx);
    ASSERT_THAT(sender, IsOk());
    EXPECT_EQ(ToLowerHexAddress(*sender), from);
    ++checked;
  }
  std::printf("tracer tests: %d real transactions' senders recovered\n", checked);
  EXPECT_EQ(checked, 40);
}

}  // namespace
}  // namespace ariadne::evm
