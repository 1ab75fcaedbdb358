// Attacks on EVM indexing by someone who can write the JSON-RPC dumps it reads, kept as tests
// (issue 20, item 8): a dump of another chain, and receipt fields no root covers (gasUsed,
// effectiveGasPrice) rewritten to change fees. Each is refused with an error naming the file, the
// block, the transaction and both values, and nothing of the input is stored.
#include <fstream>

#include "engine/store/evm_store.h"
#include "indexer/evm/evm_indexer.h"
#include "tests/engine/service/hardening_util.h"
#include "tests/indexer/evm/evm_scenario.h"
#include "tests/testutil.h"

namespace ariadne::evm {
namespace {

using ::ariadne::testing::MakeTempDir;
using ::ariadne::testing::ReadFileText;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::unique_ptr<store::Store> OpenStore(const fs::path& db, Network network) {
  store::StoreOptions o;
  o.create_if_missing = true;
  o.network = network;
  auto s = store::Store::Open(db, o);
  EXPECT_THAT(s, IsOk());
  return s.ok() ? *std::move(s) : nullptr;
}

absl::Status Index(store::Store* s, const fs::path& source, EvmIndexResult* r = nullptr) {
  EvmIndexOptions o;
  o.sources = {source};
  EvmIndexResult ignored;
  return IndexEvm(s, o, r != nullptr ? r : &ignored);
}

int64_t Tip(const store::Store& s) {
  auto state = store::ReadEvmState(s);
  EXPECT_THAT(state, IsOk());
  return state.ok() ? state->tip_number : -2;
}

// Replaces the first `from` in the file by `to`.
void Rewrite(const fs::path& file, const std::string& from, const std::string& to) {
  std::string text = ReadFileText(file);
  const size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << file;
  text.replace(at, from.size(), to);
  std::ofstream(file, std::ios::binary) << text;
}

// One block (100) of chain `chain_id`: a signed EIP-155 payment with its receipt.
fs::path WriteOneBlockChain(const fs::path& dir, uint64_t chain_id) {
  testing::ChainWriter w(chain_id, 100);
  const testing::Key alice = testing::MakeKey("alice");
  w.BeginBlock(1'700'000'000);
  testing::TxSpec t;
  t.from = &alice;
  t.to = testing::MakeKey("bob").address;
  t.value = testing::Ether(1);
  w.AddTx(t);
  w.EndBlock();
  EXPECT_THAT(w.WriteAll(dir), IsOk());
  return dir;
}

TEST(HostileEvm, ADumpOfAnotherChainIsRefusedNamingFileBlockAndBothChainIds) {
  const fs::path dir = MakeTempDir("hostile-evm-chain");
  // A local development chain (chain id 31337) under the default chain, mainnet.
  const fs::path devnet = WriteOneBlockChain(dir / "devnet", 31337);
  auto mainnet = OpenStore(dir / "mainnet-db", Network::kEthereum);
  absl::Status s = Index(mainnet.get(), devnet);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(s.message(), HasSubstr("eth_getBlockByNumber_0x64.json: block 100"));
  EXPECT_THAT(s.message(), HasSubstr("signed for chain id 31337"));
  EXPECT_THAT(s.message(), HasSubstr("ethereum (chain id 1)"));
  EXPECT_EQ(Tip(*mainnet), -1) << "nothing of the dump is stored";

  // A mainnet dump under --chain sepolia.
  auto scenario = testing::MakeScenario();
  ASSERT_THAT(scenario->chain->WriteAll(dir / "mainnet"), IsOk());
  auto sepolia = OpenStore(dir / "sepolia-db", Network::kSepolia);
  s = Index(sepolia.get(), dir / "mainnet");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(s.message(), HasSubstr("eth_getBlockByNumber_0x64.json: block 100"));
  EXPECT_THAT(s.message(), HasSubstr("signed for chain id 1,"));
  EXPECT_THAT(s.message(), HasSubstr("sepolia (chain id 11155111)"));
  EXPECT_EQ(Tip(*sepolia), -1);
  // The matching chain indexes.
  EXPECT_THAT(Index(mainnet.get(), dir / "mainnet"), IsOk());
}

TEST(HostileEvm, TheCommandRefusesAMainnetDumpUnderChainSepolia) {
  const fs::path dir = MakeTempDir("hostile-evm-chain-cli");
  const fs::path dump = WriteOneBlockChain(dir / "dump", 1);
  std::string out;
  EXPECT_EQ(::ariadne::testing::RunAriadne({"index", "evm", "--source", dump.string(), "--db",
                                            (dir / "db").string(), "--chain", "sepolia"},
                                           &out),
            1)
      << out;
  EXPECT_THAT(out, HasSubstr("FAILED_PRECONDITION"));
  EXPECT_THAT(out, HasSubstr("eth_getBlockByNumber_0x64.json: block 100"));
  EXPECT_THAT(out, HasSubstr("chain id 1,"));
  EXPECT_THAT(out, HasSubstr("chain id 11155111"));
  EXPECT_EQ(::ariadne::testing::RunAriadne(
                {"index", "evm", "--source", dump.string(), "--db", (dir / "db2").string()}, &out),
            0)
      << out;
}

TEST(HostileEvm, AReceiptGasUsedTenTimesTooHighIsRefused) {
  const fs::path dir = MakeTempDir("hostile-evm-gas");
  auto scenario = testing::MakeScenario();
  ASSERT_THAT(scenario->chain->Write(dir / "dump", 100, 100), IsOk());
  // The first receipt (A mints TKN, 60,000 gas): gasUsed x10. The receipts root covers only
  // cumulativeGasUsed, so every root still verifies.
  const fs::path receipts = dir / "dump" / "eth_getBlockReceipts_0x64.json";
  Rewrite(receipts, "\"gasUsed\":\"0xea60\"", "\"gasUsed\":\"0x927c0\"");
  auto db = OpenStore(dir / "db", Network::kEthereum);
  absl::Status s = Index(db.get(), dir / "dump");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(s.message(), HasSubstr("eth_getBlockReceipts_0x64.json: block 100: transaction 0 (" +
                                     HashHex(scenario->mint) + ")"));
  EXPECT_THAT(s.message(), HasSubstr("receipt gasUsed 600000 differs from 60000"));
  EXPECT_EQ(Tip(*db), -1);
}

TEST(HostileEvm, AReceiptEffectiveGasPriceTenTimesTooHighIsRefused) {
  const fs::path dir = MakeTempDir("hostile-evm-price");
  auto scenario = testing::MakeScenario();
  ASSERT_THAT(scenario->chain->Write(dir / "dump", 100, 100), IsOk());
  const fs::path receipts = dir / "dump" / "eth_getBlockReceipts_0x64.json";
  Rewrite(receipts, "\"effectiveGasPrice\":\"0x3b9aca00\"",
          "\"effectiveGasPrice\":\"0x2540be400\"");
  auto db = OpenStore(dir / "db", Network::kEthereum);
  absl::Status s = Index(db.get(), dir / "dump");
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(s.message(), HasSubstr("eth_getBlockReceipts_0x64.json: block 100: transaction 0"));
  EXPECT_THAT(s.message(),
              HasSubstr("receipt effectiveGasPrice 10000000000 differs from 1000000000"));
  EXPECT_EQ(Tip(*db), -1);
}

}  // namespace
}  // namespace ariadne::evm
