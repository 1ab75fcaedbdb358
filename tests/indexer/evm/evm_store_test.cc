// Indexing EVM block data into a store: the stored rows match ethereum-etl's expected exports and
// the decoder's model (portal blocks, era1 archives); a second run adds only new blocks and equals
// a fresh run; the same input twice is a no-op; garbage, truncated or reorganised input is refused
// with an error naming the file and place, and leaves the store as it was.
#include "engine/store/evm_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "engine/core/eip55.h"
#include "engine/store/digest.h"
#include "indexer/evm/era1.h"
#include "indexer/evm/evm_indexer.h"
#include "indexer/evm/rlp_block.h"
#include "tests/indexer/evm/etl_files.h"
#include "tests/indexer/evm/evm_scenario.h"
#include "tests/testutil.h"

namespace ariadne::evm {
namespace {

using ::ariadne::testing::MakeTempDir;
using ::ariadne::testing::ReadFileBytes;
using ::ariadne::testing::TestData;
using testing::kEtl;
using testing::ReadCsv;
using testing::ReadJsonLines;

std::unique_ptr<store::Store> OpenStore(const std::filesystem::path& db,
                                        Network network = Network::kEthereum) {
  store::StoreOptions o;
  o.create_if_missing = true;
  o.network = network;
  auto s = store::Store::Open(db, o);
  EXPECT_THAT(s, IsOk());
  return s.ok() ? *std::move(s) : nullptr;
}

absl::Status Index(store::Store* s, std::vector<std::filesystem::path> sources,
                   EvmIndexResult* result = nullptr, uint64_t commit_txs = 100'000) {
  EvmIndexOptions o;
  o.sources = std::move(sources);
  o.commit_txs = commit_txs;
  EvmIndexResult r;
  absl::Status st = IndexEvm(s, o, &r);
  if (result != nullptr) *result = r;
  return st;
}

store::StoreDigest Digest(const store::Store& s) {
  auto d = store::ComputeDigest(s);
  EXPECT_THAT(d, IsOk());
  return d.ok() ? *d : store::StoreDigest();
}

std::vector<std::filesystem::path> EtlFiles(const std::string& dir,
                                            const std::vector<std::string>& prefixes) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(TestData(kEtl + dir))) {
    for (const auto& p : prefixes) {
      if (e.path().filename().string().rfind(p, 0) == 0) out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string AccountHex(const store::Store& s, uint32_t id) {
  auto row = store::ReadEvmAccount(s, id);
  EXPECT_THAT(row, IsOk());
  return row.ok() ? ToLowerHexAddress(row->address) : "";
}

// Checks stored transactions against expected rows: the fields the store keeps.
void ExpectStoredTxs(const store::Store& s,
                     const std::vector<std::map<std::string, std::string>>& rows, int* fields) {
  for (const auto& row : rows) {
    SCOPED_TRACE(row.at("hash"));
    auto num = store::FindEvmTx(s, RetagHash<EvmTxHash>(*ParseH256(row.at("hash"))));
    ASSERT_THAT(num, IsOk());
    auto tx = store::ReadEvmTx(s, *num);
    ASSERT_THAT(tx, IsOk());
    auto check = [&](const char* col, const std::string& ours) {
      auto it = row.find(col);
      if (it == row.end()) return;
      EXPECT_EQ(ours, it->second) << col;
      ++*fields;
    };
    check("hash", HashHex(tx->hash));
    check("nonce", std::to_string(tx->nonce));
    check("block_number", std::to_string(tx->block));
    check("transaction_index", std::to_string(tx->index));
    check("from_address", AccountHex(s, tx->from));
    check("to_address", tx->has_to ? AccountHex(s, tx->to) : "");
    check("value", tx->value.ToDecimal());
    check("transaction_type", std::to_string(tx->type));
    check("receipt_gas_used", std::to_string(tx->gas_used));
    check("receipt_status", tx->status == 2 ? "" : tx->status == 0 ? "1" : "0");
    check("receipt_contract_address", tx->has_created ? AccountHex(s, tx->created) : "");
    check("receipt_effective_gas_price", tx->effective_gas_price.ToDecimal());
    if (auto it = row.find("block_hash"); it != row.end()) {
      auto block = store::ReadEvmBlock(s, tx->block);
      ASSERT_THAT(block, IsOk());
      EXPECT_EQ(HashHex(block->hash), it->second);
      ++*fields;
    }
    // The fee the sender paid: gas used times the price paid (no base fee in these blocks).
    if (row.count("receipt_gas_used") && row.count("gas_price") && !row.at("gas_price").empty()) {
      U256 fee;
      ASSERT_TRUE(U256::CheckedMul(*U256::FromDecimal(row.at("receipt_gas_used")),
                                   *U256::FromDecimal(row.at("gas_price")), &fee));
      EXPECT_EQ(tx->fee, fee);
      ++*fields;
    }
  }
}

// Token transfers: ethereum-etl lists every ERC-20/721 Transfer log; the store has their rows.
void ExpectStoredTokenTransfers(const store::Store& s,
                                const std::vector<std::map<std::string, std::string>>& rows,
                                int* fields) {
  std::vector<store::EvmTransferRow> transfers;
  for (const auto& row : rows) {
    auto num = store::FindEvmTx(s, RetagHash<EvmTxHash>(*ParseH256(row.at("transaction_hash"))));
    ASSERT_THAT(num, IsOk());
    auto tx = store::ReadEvmTx(s, *num);
    ASSERT_THAT(tx, IsOk());
    ASSERT_THAT(store::ReadEvmTransfers(s, tx->first_transfer, tx->transfer_count, &transfers),
                IsOk());
    const store::EvmTransferRow* found = nullptr;
    for (const auto& t : transfers) {
      if (std::to_string(t.log_index) == row.at("log_index")) found = &t;
    }
    ASSERT_NE(found, nullptr) << row.at("transaction_hash") << " log " << row.at("log_index");
    std::vector<store::EvmAssetRow> assets;
    ASSERT_THAT(store::ReadEvmAssets(s, &assets), IsOk());
    ASSERT_LT(found->asset, assets.size());
    EXPECT_EQ(ToLowerHexAddress(assets[found->asset].contract), row.at("token_address"));
    EXPECT_EQ(AccountHex(s, found->from), row.at("from_address"));
    EXPECT_EQ(AccountHex(s, found->to), row.at("to_address"));
    const U256& v = found->kind == 3 ? found->token_id : found->amount;
    EXPECT_EQ(v.ToDecimal(), row.at("value"));
    EXPECT_EQ(found->tx, *num);
    *fields += 6;
  }
}

TEST(EvmStore, EthereumEtlDumpsAreStoredAsTheExpectedExports) {
  REQUIRE_TESTDATA();
  auto dir = MakeTempDir("evm-etl");
  auto s = OpenStore(dir / "db");
  // Three separate dumps in one run: blocks 47218-47219 (no receipts), 483920 with its receipts,
  // 1755634-1755635 with receipts (gaps in between are allowed).
  std::vector<std::filesystem::path> files =
      EtlFiles("test_export_blocks_job/blocks_with_transactions", {"web3_response"});
  for (auto& f : EtlFiles("test_export_blocks_job/block_with_logs", {"web3_response"})) {
    files.push_back(f);
  }
  for (auto& f : EtlFiles("test_export_receipts_job/receipts_with_logs", {"web3_response"})) {
    files.push_back(f);
  }
  for (auto& f : EtlFiles(
           "test_stream/blocks_1755634_1755635",
           {"web3_response.eth_getBlockByNumber_0x", "web3_response.eth_getTransactionReceipt"})) {
    files.push_back(f);
  }
  EvmIndexResult r;
  ASSERT_THAT(Index(s.get(), files, &r), IsOk());
  EXPECT_EQ(r.blocks_applied, 5u);
  EXPECT_EQ(r.gaps, 2u);
  EXPECT_EQ(r.blocks_without_receipts, 2u);
  int fields = 0;
  ExpectStoredTxs(
      *s, ReadCsv("test_export_blocks_job/blocks_with_transactions/expected_transactions.csv"),
      &fields);
  ExpectStoredTxs(*s, ReadCsv("test_export_blocks_job/block_with_logs/expected_transactions.csv"),
                  &fields);
  // Receipts: status (pre-Byzantium: unknown), gas used, effective price.
  for (const auto& row :
       ReadCsv("test_export_receipts_job/receipts_with_logs/expected_receipts.csv")) {
    auto num = store::FindEvmTx(*s, RetagHash<EvmTxHash>(*ParseH256(row.at("transaction_hash"))));
    ASSERT_THAT(num, IsOk());
    auto tx = store::ReadEvmTx(*s, *num);
    ASSERT_THAT(tx, IsOk());
    EXPECT_EQ(std::to_string(tx->gas_used), row.at("gas_used"));
    EXPECT_EQ(tx->effective_gas_price.ToDecimal(), row.at("effective_gas_price"));
    EXPECT_EQ(tx->status, 2) << "pre-Byzantium receipts carry a state root, not a status";
    fields += 3;
  }
  ExpectStoredTokenTransfers(
      *s,
      ReadCsv("test_export_token_transfers_job/block_with_transfers/expected_token_transfers.csv"),
      &fields);
  const std::string stream = "test_stream/blocks_1755634_1755635/";
  ExpectStoredTxs(*s, ReadJsonLines(stream + "expected_transactions.json"), &fields);
  ExpectStoredTokenTransfers(*s, ReadJsonLines(stream + "expected_token_transfers.json"), &fields);
  // Logs: the stored per-transaction and per-block counts equal ethereum-etl's log rows.
  std::map<std::string, uint32_t> logs_per_tx;
  for (const auto& row : ReadJsonLines(stream + "expected_logs.json")) {
    ++logs_per_tx[row.at("transaction_hash")];
  }
  for (const auto& row : ReadCsv("test_export_receipts_job/receipts_with_logs/expected_logs.csv")) {
    ++logs_per_tx[row.at("transaction_hash")];
  }
  for (const auto& [hash, n] : logs_per_tx) {
    auto num = store::FindEvmTx(*s, RetagHash<EvmTxHash>(*ParseH256(hash)));
    ASSERT_THAT(num, IsOk());
    EXPECT_EQ(store::ReadEvmTx(*s, *num)->log_count, n) << hash;
    ++fields;
  }
  auto state = store::ReadEvmState(*s);
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->tip_number, 1755635);
  EXPECT_EQ(state->block_count, 5u);
  EXPECT_GT(fields, 80);
  std::printf("ethereum-etl: %d stored fields matched\n", fields);
}

TEST(EvmStore, PortalBlocksAreStoredAsDecoded) {
  REQUIRE_TESTDATA();
  auto dir = MakeTempDir("evm-portal");
  auto s = OpenStore(dir / "db");
  const auto data = TestData("portal-spec-tests/tests/mainnet/history/block_data");
  EvmIndexResult r;
  ASSERT_THAT(Index(s.get(), {data}, &r), IsOk());
  EXPECT_EQ(r.blocks_applied, 13u);
  EXPECT_EQ(r.txs, 1686u);
  EXPECT_EQ(r.logs, 14736u);
  std::vector<store::EvmAssetRow> assets;
  ASSERT_THAT(store::ReadEvmAssets(*s, &assets), IsOk());
  // Every decoded transaction and transfer is stored as the model has it.
  size_t checked = 0;
  std::vector<store::EvmTransferRow> transfers;
  for (const auto& e : std::filesystem::directory_iterator(data)) {
    EvmBlock block;
    ASSERT_THAT(ReadPortalBlockFile(e.path(), RlpBlockOptions(), &block), IsOk());
    auto row = store::ReadEvmBlock(*s, block.number);
    ASSERT_THAT(row, IsOk());
    EXPECT_EQ(row->hash, block.hash);
    EXPECT_EQ(row->tx_count, block.txs.size());
    EXPECT_EQ(row->log_count, block.logs.size());
    ASSERT_THAT(store::ReadEvmTransfers(*s, row->first_transfer, row->transfer_count, &transfers),
                IsOk());
    ASSERT_EQ(transfers.size(), block.transfers.size());
    for (size_t i = 0; i < transfers.size(); ++i) {
      const Transfer& t = block.transfers[i];
      EXPECT_EQ(AccountHex(*s, transfers[i].from), ToLowerHexAddress(t.from));
      EXPECT_EQ(AccountHex(*s, transfers[i].to), ToLowerHexAddress(t.to));
      EXPECT_EQ(transfers[i].amount, t.amount);
      EXPECT_EQ(transfers[i].kind, static_cast<uint8_t>(t.kind));
      EXPECT_EQ(assets[transfers[i].asset].contract, t.asset);
      ++checked;
    }
    for (const EvmTx& t : block.txs) {
      auto num = store::FindEvmTx(*s, t.hash);
      ASSERT_THAT(num, IsOk());
      auto tx = store::ReadEvmTx(*s, *num);
      EXPECT_EQ(tx->fee, t.fee_paid);
      EXPECT_EQ(AccountHex(*s, tx->from), ToLowerHexAddress(t.from));
      EXPECT_EQ(tx->status, static_cast<uint8_t>(t.status));
    }
  }
  EXPECT_EQ(checked, 14740u);  // 13,067 value and token transfers, 1,673 fees to the miners
}

TEST(EvmStore, Era1ArchivesIndexIntoASepoliaStore) {
  REQUIRE_TESTDATA();
  auto dir = MakeTempDir("evm-era1");
  auto s = OpenStore(dir / "db", Network::kSepolia);
  EvmIndexResult r;
  ASSERT_THAT(Index(s.get(),
                    {TestData("go-ethereum/core/rawdb/eradb/testdata/sepolia-00000-643a00f7.era1"),
                     TestData("go-ethereum/core/rawdb/eradb/testdata/sepolia-00021-b8814b14.era1")},
                    &r),
              IsOk());
  EXPECT_EQ(r.blocks_applied, 2u * 8192);
  EXPECT_EQ(r.txs, 93u);
  EXPECT_EQ(r.blocks_without_receipts, 0u);
  EXPECT_EQ(r.gaps, 1u);
  auto state = store::ReadEvmState(*s);
  EXPECT_EQ(state->chain_id, 11155111u);
  EXPECT_EQ(state->tip_number, 180223);
  auto genesis = store::ReadEvmBlock(*s, 0);
  ASSERT_THAT(genesis, IsOk());
  EXPECT_EQ(HashHex(genesis->hash),
            "0x25a5cc106eea7138acab33231d7160d69cb777ee0c2c553fcddf5138993e6dd9");
}

TEST(EvmStore, ASecondRunAddsOnlyNewBlocksAndEqualsAFreshRun) {
  auto scenario = testing::MakeScenario();
  auto dir = MakeTempDir("evm-incremental");
  const testing::ChainWriter& chain = *scenario->chain;
  ASSERT_THAT(chain.Write(dir / "part1", 100, 102), IsOk());
  ASSERT_THAT(chain.Write(dir / "part2", 103, 105), IsOk());
  ASSERT_THAT(chain.WriteAll(dir / "all"), IsOk());

  auto fresh = OpenStore(dir / "fresh");
  ASSERT_THAT(Index(fresh.get(), {dir / "all"}), IsOk());
  auto twice = OpenStore(dir / "twice");
  EvmIndexResult r1, r2;
  ASSERT_THAT(Index(twice.get(), {dir / "part1"}, &r1), IsOk());
  EXPECT_EQ(r1.blocks_applied, 3u);
  // The second run is given everything: the first three blocks are skipped.
  ASSERT_THAT(Index(twice.get(), {dir / "all"}, &r2), IsOk());
  EXPECT_EQ(r2.blocks_applied, 3u);
  EXPECT_EQ(r2.blocks_skipped, 3u);
  EXPECT_EQ(Digest(*fresh).total, Digest(*twice).total);

  // One transaction per commit gives the same store as one commit.
  auto small = OpenStore(dir / "small");
  ASSERT_THAT(Index(small.get(), {dir / "part1", dir / "part2"}, nullptr, /*commit_txs=*/1),
              IsOk());
  EXPECT_EQ(Digest(*fresh).total, Digest(*small).total);
}

TEST(EvmStore, TheSameInputTwiceIsANoOp) {
  auto scenario = testing::MakeScenario();
  auto dir = MakeTempDir("evm-noop");
  ASSERT_THAT(scenario->chain->WriteAll(dir / "chain"), IsOk());
  auto s = OpenStore(dir / "db");
  ASSERT_THAT(Index(s.get(), {dir / "chain"}), IsOk());
  const store::StoreDigest before = Digest(*s);
  EvmIndexResult r;
  ASSERT_THAT(Index(s.get(), {dir / "chain"}, &r), IsOk());
  EXPECT_EQ(r.blocks_applied, 0u);
  EXPECT_EQ(r.blocks_skipped, 6u);
  EXPECT_EQ(Digest(*s).total, before.total);
}

TEST(EvmStore, StoredTotalsAndHistoryOfTheScenario) {
  auto scenario = testing::MakeScenario();
  auto dir = MakeTempDir("evm-totals");
  ASSERT_THAT(scenario->chain->WriteAll(dir / "chain"), IsOk());
  auto s = OpenStore(dir / "db");
  ASSERT_THAT(Index(s.get(), {dir / "chain"}), IsOk());
  auto b = store::FindEvmAccount(*s, scenario->b.address);
  ASSERT_THAT(b, IsOk());
  std::vector<std::pair<uint32_t, store::EvmTotals>> totals;
  ASSERT_THAT(store::ReadEvmTotals(*s, *b, &totals), IsOk());
  ASSERT_EQ(totals.size(), 3u);  // ether, the token, the account row
  EXPECT_EQ(totals[0].first, store::kEtherAsset);
  EXPECT_EQ(totals[0].second.received, testing::Ether(15));
  EXPECT_EQ(totals[0].second.sent, testing::Ether(6));
  EXPECT_EQ(totals[0].second.fees.ToDecimal(), "72000000000000");  // 30000 + 21000 + 21000 gwei
  EXPECT_EQ(totals[0].second.received_count, 2u);
  EXPECT_EQ(totals[1].second.received, U256(1000));
  EXPECT_EQ(totals[1].second.sent, U256(600));
  EXPECT_EQ(totals[2].first, store::kAccountTotalsAsset);
  EXPECT_EQ(totals[2].second.tx_count, 6u);
  EXPECT_EQ(totals[2].second.first_block, 100u);
  EXPECT_EQ(totals[2].second.last_block, 105u);
  std::vector<uint64_t> history;
  auto next = store::ReadEvmHistory(*s, *b, 0, 100, false, &history);
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(*next, UINT64_MAX);
  EXPECT_EQ(history.size(), 6u);
  // The failed transaction moves nothing but is in the history with its fee.
  auto failed = store::FindEvmTx(*s, scenario->b_c_failed);
  ASSERT_THAT(failed, IsOk());
  EXPECT_EQ(history.back(), *failed);
  auto tx = store::ReadEvmTx(*s, *failed);
  EXPECT_EQ(tx->status, 1);
  EXPECT_EQ(tx->transfer_count, 1u);  // its fee, to the miner
  EXPECT_EQ(tx->fee.ToDecimal(), "21000000000000");
  // The internal transfer of the traced block is stored.
  auto vault_tx = store::ReadEvmTx(*s, *store::FindEvmTx(*s, scenario->m_vault));
  EXPECT_EQ(vault_tx->transfer_count, 3u);  // fee, native M -> Vault, internal Vault -> C
  auto state = store::ReadEvmState(*s);
  EXPECT_EQ(state->approval_count, 1u);
}

TEST(EvmStore, TheFeeRecipientIsCreditedWithThePriorityFeesAndFeesDoNotVanish) {
  auto scenario = testing::MakeScenario();
  auto dir = MakeTempDir("evm-miner");
  ASSERT_THAT(scenario->chain->WriteAll(dir / "chain"), IsOk());
  auto s = OpenStore(dir / "db");
  ASSERT_THAT(Index(s.get(), {dir / "chain"}), IsOk());
  auto miner = store::FindEvmAccount(*s, scenario->miner.address);
  ASSERT_THAT(miner, IsOk()) << "the fee recipient is an account of the store";
  std::vector<std::pair<uint32_t, store::EvmTotals>> totals;
  ASSERT_THAT(store::ReadEvmTotals(*s, *miner, &totals), IsOk());
  ASSERT_EQ(totals.size(), 2u);                                         // ether, the account row
  EXPECT_EQ(totals[0].second.received.ToDecimal(), "546000000000000");  // no base fee: all tips
  EXPECT_EQ(totals[0].second.received_count, 15u);
  EXPECT_TRUE(totals[0].second.sent.IsZero());
  EXPECT_EQ(totals[1].second.tx_count, 15u);
  // What every account paid in fees is what the miner received: nothing vanishes.
  auto state = store::ReadEvmState(*s);
  ASSERT_THAT(state, IsOk());
  U256 fees;
  for (uint32_t a = 0; a < state->account_count; ++a) {
    std::vector<std::pair<uint32_t, store::EvmTotals>> t;
    ASSERT_THAT(store::ReadEvmTotals(*s, a, &t), IsOk());
    for (const auto& [asset, x] : t) {
      if (asset == store::kEtherAsset) ASSERT_TRUE(U256::CheckedAdd(fees, x.fees, &fees));
    }
  }
  EXPECT_EQ(fees, totals[0].second.received);
  std::vector<uint64_t> history;
  ASSERT_THAT(store::ReadEvmHistory(*s, *miner, 0, 100, false, &history), IsOk());
  EXPECT_EQ(history.size(), 15u);
}

TEST(EvmStore, BlocksWithoutCallTracesAreCountedWarnedAboutAndRecountedForOldStores) {
  auto scenario = testing::MakeScenario();
  auto dir = MakeTempDir("evm-no-traces");
  ASSERT_THAT(scenario->chain->WriteAll(dir / "chain"), IsOk());
  auto s = OpenStore(dir / "db");
  EvmIndexResult r;
  ASSERT_THAT(Index(s.get(), {dir / "chain"}, &r), IsOk());
  // Only block 104 comes with a trace_block file.
  EXPECT_EQ(r.blocks_without_traces, 5u);
  std::string warnings;
  for (const std::string& w : r.warnings) warnings += w + "\n";
  EXPECT_THAT(warnings, ::testing::HasSubstr("5 block(s) with transactions have no call traces"));
  EXPECT_THAT(warnings, ::testing::HasSubstr("internal ETH movements"));
  auto state = store::ReadEvmState(*s);
  ASSERT_THAT(state, IsOk());
  EXPECT_TRUE(state->traces_counted);
  EXPECT_EQ(state->blocks_without_traces, 5u);

  // A state row as an earlier build wrote it (without the count) decodes as "not counted"...
  store::EvmChainState old = *state;
  old.traces_counted = false;
  const std::string old_row = store::EncodeEvmState(old);
  EXPECT_EQ(old_row.size() + 1, store::EncodeEvmState(*state).size());
  ASSERT_TRUE(s->db()
                  ->Put(rocksdb::WriteOptions(), s->handle(store::Cf::kMeta),
                        std::string(store::kMetaEvmState), old_row)
                  .ok());
  auto decoded = store::ReadEvmState(*s);
  ASSERT_THAT(decoded, IsOk());
  EXPECT_FALSE(decoded->traces_counted);
  EXPECT_EQ(decoded->tx_count, state->tx_count);
  // ...and the next run counts them from the block rows.
  ASSERT_THAT(Index(s.get(), {dir / "chain"}, &r), IsOk());
  EXPECT_EQ(r.blocks_applied, 0u);
  auto recounted = store::ReadEvmState(*s);
  ASSERT_THAT(recounted, IsOk());
  EXPECT_TRUE(recounted->traces_counted);
  EXPECT_EQ(recounted->blocks_without_traces, 5u);
}

TEST(EvmStore, ContractsCreatedByInternalCallsAreContractsAndFailedCreationsAreNot) {
  auto dir = MakeTempDir("evm-creations");
  testing::ChainWriter w(1, 100);
  const testing::Key alice = testing::MakeKey("alice");
  const Address factory = testing::ContractAddress("factory");
  const Address child = testing::ContractAddress("child");
  const Address reverted_child = testing::ContractAddress("reverted child");
  w.BeginBlock(1'700'000'000, /*with_traces=*/true);
  testing::TxSpec call;
  call.from = &alice;
  call.to = factory;
  call.gas_used = 60000;
  // The factory creates `child` (no value: no transfer), and `reverted_child` in a frame that
  // reverts.
  call.internal.push_back({factory, child, U256(), {0}, false, true});
  call.internal.push_back({factory, reverted_child, U256(), {1}, true, true});
  w.AddTx(call);
  testing::TxSpec failed_creation;  // a top-level creation that fails
  failed_creation.from = &alice;
  failed_creation.gas_used = 60000;
  failed_creation.failed = true;
  w.AddTx(failed_creation);
  w.EndBlock();
  ASSERT_THAT(w.WriteAll(dir / "chain"), IsOk());
  auto s = OpenStore(dir / "db");
  ASSERT_THAT(Index(s.get(), {dir / "chain"}), IsOk());
  auto type_of = [&](const Address& a) -> std::string {
    auto id = store::FindEvmAccount(*s, a);
    if (!id.ok()) return "absent";
    auto row = store::ReadEvmAccount(*s, *id);
    return row.ok() ? (row->contract ? "contract" : "account") : "error";
  };
  EXPECT_EQ(type_of(child), "contract");
  EXPECT_EQ(type_of(reverted_child), "absent");
  // The failed creation's address is the transaction's, but no code was deployed there.
  EXPECT_EQ(type_of(CreateAddress(alice.address, 1)), "account");
  EXPECT_EQ(type_of(alice.address), "account");
}

// Writes `bytes` to `path`.
void WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
}

TEST(EvmStoreBadInput, GarbageAndTruncatedInputNameTheFileAndLeaveTheStoreAsItWas) {
  auto scenario = testing::MakeScenario();
  auto dir = MakeTempDir("evm-bad");
  const testing::ChainWriter& chain = *scenario->chain;
  ASSERT_THAT(chain.Write(dir / "good", 100, 102), IsOk());
  auto s = OpenStore(dir / "db");
  ASSERT_THAT(Index(s.get(), {dir / "good"}), IsOk());
  const store::StoreDigest before = Digest(*s);

  // Garbage JSON.
  WriteFile(dir / "garbage.json", "{\"jsonrpc\":\"2.0\",\"result\":{\"number\":");
  EXPECT_THAT(Index(s.get(), {dir / "garbage.json"}),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "garbage.json"));
  // A file of no known format.
  WriteFile(dir / "blocks.bin", std::string("\x01\x02\x03\x04garbage", 11));
  EXPECT_THAT(Index(s.get(), {dir / "blocks.bin"}),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "blocks.bin"));
  // A block whose transaction was tampered with (value changed, hash kept).
  ASSERT_THAT(chain.Write(dir / "tampered", 103, 103), IsOk());
  {
    const auto path = dir / "tampered" / "eth_getBlockByNumber_0x67.json";
    std::string text = ::ariadne::testing::ReadFileText(path);
    const size_t at = text.find("\"value\":\"0x0\"");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 13, "\"value\":\"0x1\"");
    WriteFile(path, text);
  }
  EXPECT_THAT(Index(s.get(), {dir / "tampered"}),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "eth_getBlockByNumber_0x67.json"));
  // A missing input.
  EXPECT_THAT(Index(s.get(), {dir / "missing"}), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_EQ(Digest(*s).total, before.total);
}

TEST(EvmStoreBadInput, TruncatedAndCorruptEra1FilesAreRejectedWhole) {
  REQUIRE_TESTDATA();
  auto dir = MakeTempDir("evm-bad-era1");
  auto s = OpenStore(dir / "db", Network::kSepolia);
  const store::StoreDigest empty = Digest(*s);
  auto bytes =
      ReadFileBytes(TestData("go-ethereum/core/rawdb/eradb/testdata/sepolia-00021-b8814b14.era1"));
  ASSERT_GT(bytes.size(), 1000u);
  // Truncated in the middle: blocks before the cut were read, yet none is kept.
  WriteFile(dir / "cut.era1", std::string(bytes.begin(), bytes.begin() + bytes.size() / 2));
  auto st = Index(s.get(), {dir / "cut.era1"});
  EXPECT_THAT(st, StatusIsWithMessage(absl::StatusCode::kDataLoss, "cut.era1"));
  EXPECT_EQ(Digest(*s).total, empty.total);
  // The accumulator (checked at the very end, after every block was delivered) altered.
  std::string corrupt(bytes.begin(), bytes.end());
  const size_t acc = corrupt.size() - 8 * 8194 - 8 - 32;  // last byte range before the index
  corrupt[acc] ^= 1;
  WriteFile(dir / "acc.era1", corrupt);
  EXPECT_THAT(Index(s.get(), {dir / "acc.era1"}), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_EQ(Digest(*s).total, empty.total);
}

TEST(EvmStoreBadInput, ReorganisedAndOutOfOrderBlocksAreRefused) {
  auto dir = MakeTempDir("evm-reorg");
  auto scenario = testing::MakeScenario();
  ASSERT_THAT(scenario->chain->Write(dir / "main", 100, 103), IsOk());
  // Another chain with the same numbers: block 100 onwards differ.
  testing::ChainWriter other(1, 100);
  const testing::Key k = testing::MakeKey("other");
  for (int i = 0; i < 5; ++i) {
    other.BeginBlock(1'800'000'000 + i);
    testing::TxSpec t;
    t.from = &k;
    t.to = scenario->b.address;
    t.value = testing::Ether(1);
    other.AddTx(t);
    other.EndBlock();
  }
  ASSERT_THAT(other.Write(dir / "other-103", 103, 103), IsOk());
  ASSERT_THAT(other.Write(dir / "other-104", 104, 104), IsOk());
  auto s = OpenStore(dir / "db");
  ASSERT_THAT(Index(s.get(), {dir / "main"}), IsOk());
  const store::StoreDigest before = Digest(*s);
  EXPECT_THAT(Index(s.get(), {dir / "other-103"}),
              StatusIsWithMessage(absl::StatusCode::kFailedPrecondition, "reorganised"));
  EXPECT_THAT(Index(s.get(), {dir / "other-104"}),
              StatusIsWithMessage(absl::StatusCode::kFailedPrecondition, "parent"));
  EXPECT_EQ(Digest(*s).total, before.total);
}

TEST(EvmStoreBadInput, BitcoinStoresAreNotEvmStores) {
  auto dir = MakeTempDir("evm-btc");
  auto s = OpenStore(dir / "db", Network::kRegtest);
  EXPECT_THAT(Index(s.get(), {dir}), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store::ReadEvmState(*s), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(EvmStore, AReadOnlyViewOpensAStoreWrittenWithoutTheEvmFamilies) {
  auto dir = MakeTempDir("evm-old-store");
  {
    auto s = OpenStore(dir / "db", Network::kRegtest);
    // As a store written by a build before the EVM families existed.
    for (int i = static_cast<int>(store::Cf::kEvmBlock); i < store::kNumCfs; ++i) {
      ASSERT_TRUE(s->db()->DropColumnFamily(s->handle(static_cast<store::Cf>(i))).ok());
    }
  }
  store::StoreOptions o;
  o.mode = store::StoreOptions::Mode::kReadOnly;
  auto s = store::Store::Open(dir / "db", o);
  ASSERT_THAT(s, IsOk());
  EXPECT_THAT(store::ReadEvmBlock(**s, 0), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Digest(**s).families[static_cast<int>(store::Cf::kEvmTx)].rows, 0u);
}

}  // namespace
}  // namespace ariadne::evm
