// JSON-RPC dumps (ethereum-etl's test resources, real mainnet responses): decoded blocks match
// ethereum-etl's expected exports field by field for every field the model carries; senders,
// hashes, header hashes and both roots verify; token-transfer extraction matches ethereum-etl on
// 681 real logs; parity and geth traces give the same internal transfers; bad input is rejected
// with errors that name the file and the place.
#include "indexer/evm/json_rpc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "engine/core/eip55.h"
#include "engine/core/hex.h"
#include "indexer/evm/block_builder.h"
#include "tests/indexer/evm/etl_files.h"
#include "tests/testutil.h"

namespace ariadne::evm {
namespace {

using ::ariadne::evm::testing::ReadCsv;
using ::ariadne::evm::testing::ReadJsonLines;
using ::ariadne::testing::MakeTempDir;
using ::ariadne::testing::ReadFileText;
using ::ariadne::testing::TestData;

using ::ariadne::evm::testing::kEtl;

std::vector<std::filesystem::path> Glob(const std::string& dir, const std::string& prefix) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(TestData(kEtl + dir))) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<EvmBlock> ReadAll(const std::vector<std::filesystem::path>& files,
                              JsonDumpOptions options = JsonDumpOptions()) {
  std::vector<EvmBlock> blocks;
  absl::Status s = ReadJsonRpcFiles(files, options, [&](const EvmBlock& b) {
    blocks.push_back(b);
    return absl::OkStatus();
  });
  EXPECT_THAT(s, IsOk());
  return blocks;
}

const EvmTx* FindTx(const std::vector<EvmBlock>& blocks, const std::string& hash,
                    const EvmBlock** block) {
  for (const EvmBlock& b : blocks) {
    for (const EvmTx& t : b.txs) {
      if (HashHex(t.hash) == hash) {
        *block = &b;
        return &t;
      }
    }
  }
  return nullptr;
}

std::string Opt(const std::optional<Address>& a) { return a ? ToLowerHexAddress(*a) : ""; }

// Checks one expected transaction row (CSV or JSON export) against the model.
void ExpectTransaction(const std::vector<EvmBlock>& blocks,
                       const std::map<std::string, std::string>& row, int* fields) {
  SCOPED_TRACE(row.at("hash"));
  const EvmBlock* b = nullptr;
  const EvmTx* t = FindTx(blocks, row.at("hash"), &b);
  ASSERT_NE(t, nullptr);
  auto check = [&](const char* col, const std::string& ours) {
    auto it = row.find(col);
    if (it == row.end()) return;
    EXPECT_EQ(ours, it->second) << col;
    ++*fields;
  };
  check("nonce", std::to_string(t->nonce));
  check("block_hash", HashHex(b->hash));
  check("block_number", std::to_string(b->number));
  check("transaction_index", std::to_string(t->index));
  check("from_address", ToLowerHexAddress(t->from));
  check("to_address", Opt(t->to));
  check("value", t->value.ToDecimal());
  check("gas", std::to_string(t->gas_limit));
  check("gas_price", t->gas_price.ToDecimal());
  check("block_timestamp", std::to_string(b->timestamp));
  const bool dynamic = t->type >= TxType::kDynamicFee;
  check("max_fee_per_gas", dynamic ? t->max_fee_per_gas.ToDecimal() : "");
  check("max_priority_fee_per_gas", dynamic ? t->max_priority_fee_per_gas.ToDecimal() : "");
  check("transaction_type", std::to_string(static_cast<int>(t->type)));
  if (auto it = row.find("input"); it != row.end()) {
    // The model keeps the call data's size and selector, not the bytes.
    auto input = HexDecode(it->second).value();
    EXPECT_EQ(t->input_size, input.size());
    std::array<uint8_t, 4> sel{};
    std::copy_n(input.begin(), std::min<size_t>(4, input.size()), sel.begin());
    EXPECT_EQ(t->selector, sel);
    ++*fields;
  }
  // Receipt fields (ethereum-etl's JSON exports and receipts CSV).
  const std::string status = t->status == TxStatus::kUnknown   ? ""
                             : t->status == TxStatus::kSuccess ? "1"
                                                               : "0";
  check("receipt_cumulative_gas_used", std::to_string(t->cumulative_gas_used));
  check("receipt_gas_used", std::to_string(t->gas_used));
  check("receipt_contract_address", Opt(t->created_contract));
  check("receipt_status", status);
  check("receipt_effective_gas_price", t->effective_gas_price.ToDecimal());
}

void ExpectLog(const std::vector<EvmBlock>& blocks, const std::map<std::string, std::string>& row,
               int* fields) {
  const EvmBlock* b = nullptr;
  const EvmTx* t = FindTx(blocks, row.at("transaction_hash"), &b);
  ASSERT_NE(t, nullptr);
  const uint32_t index = static_cast<uint32_t>(std::stoul(row.at("log_index")));
  ASSERT_LT(index, b->logs.size());
  const EvmLog& log = b->logs[index];
  EXPECT_EQ(log.tx_index, t->index);
  EXPECT_EQ(std::to_string(log.tx_index), row.at("transaction_index"));
  EXPECT_EQ(HashHex(b->hash), row.at("block_hash"));
  EXPECT_EQ(std::to_string(b->number), row.at("block_number"));
  EXPECT_EQ(ToLowerHexAddress(log.address), row.at("address"));
  EXPECT_EQ("0x" + HexEncode(b->LogData(log)), row.at("data"));
  std::string topics;
  for (size_t i = 0; i < log.topic_count; ++i) topics += (i ? "," : "") + HashHex(log.topics[i]);
  EXPECT_EQ(topics, row.at("topics"));
  *fields += 8;
}

// ethereum-etl exports every Transfer(address,address,uint256) log whose topics plus data words
// are 4 (ERC-20 and ERC-721 alike, the token id as "value").
void ExpectTokenTransfers(const std::vector<EvmBlock>& blocks,
                          const std::vector<std::map<std::string, std::string>>& rows,
                          int* fields) {
  size_t ours = 0;
  for (const EvmBlock& b : blocks) {
    for (const Transfer& t : b.transfers)
      ours += t.kind == TransferKind::kErc20 || t.kind == TransferKind::kErc721;
  }
  EXPECT_EQ(ours, rows.size());
  for (const auto& row : rows) {
    const EvmBlock* b = nullptr;
    const EvmTx* tx = FindTx(blocks, row.at("transaction_hash"), &b);
    ASSERT_NE(tx, nullptr);
    const uint32_t log_index = static_cast<uint32_t>(std::stoul(row.at("log_index")));
    const Transfer* found = nullptr;
    for (const Transfer& t : b->transfers) {
      if (t.log_index == log_index) found = &t;
    }
    ASSERT_NE(found, nullptr) << row.at("transaction_hash") << " log " << log_index;
    EXPECT_EQ(found->tx_index, tx->index);
    EXPECT_EQ(ToLowerHexAddress(found->asset), row.at("token_address"));
    EXPECT_EQ(ToLowerHexAddress(found->from), row.at("from_address"));
    EXPECT_EQ(ToLowerHexAddress(found->to), row.at("to_address"));
    const U256& v = found->kind == TransferKind::kErc721 ? found->token_id : found->amount;
    EXPECT_EQ(v.ToDecimal(), row.at("value"));
    if (auto it = row.find("block_number"); it != row.end()) {
      EXPECT_EQ(std::to_string(b->number), it->second);
    }
    *fields += 6;
  }
}

TEST(EthereumEtl, BlockWithLogsMatchesTransactionsReceiptsLogsAndTokenTransfers) {
  REQUIRE_TESTDATA();
  auto files = Glob("test_export_blocks_job/block_with_logs", "web3_response");
  for (auto& f : Glob("test_export_receipts_job/receipts_with_logs", "web3_response"))
    files.push_back(f);
  auto blocks = ReadAll(files);
  ASSERT_EQ(blocks.size(), 1u);
  const EvmBlock& b = blocks[0];
  EXPECT_EQ(b.number, 483920u);
  EXPECT_TRUE(b.provenance.hash_verified);
  EXPECT_TRUE(b.provenance.tx_root_verified);
  EXPECT_TRUE(b.provenance.receipt_root_verified);
  EXPECT_TRUE(b.provenance.senders_verified);
  int fields = 0;
  auto txs = ReadCsv("test_export_blocks_job/block_with_logs/expected_transactions.csv");
  ASSERT_EQ(txs.size(), 4u);
  for (const auto& row : txs) ExpectTransaction(blocks, row, &fields);
  // The receipts export, under the JSON export's column names.
  auto receipts = ReadCsv("test_export_receipts_job/receipts_with_logs/expected_receipts.csv");
  ASSERT_EQ(receipts.size(), 4u);
  for (auto row : receipts) {
    std::map<std::string, std::string> r = {{"hash", row["transaction_hash"]}};
    for (const char* k :
         {"cumulative_gas_used", "gas_used", "contract_address", "status", "effective_gas_price"}) {
      r[std::string("receipt_") + k] = row[k];
    }
    r["transaction_index"] = row["transaction_index"];
    r["block_hash"] = row["block_hash"];
    r["block_number"] = row["block_number"];
    ExpectTransaction(blocks, r, &fields);
  }
  auto logs = ReadCsv("test_export_receipts_job/receipts_with_logs/expected_logs.csv");
  ASSERT_EQ(logs.size(), 2u);
  for (const auto& row : logs) ExpectLog(blocks, row, &fields);
  ExpectTokenTransfers(
      blocks,
      ReadCsv("test_export_token_transfers_job/block_with_transfers/expected_token_transfers.csv"),
      &fields);
  // Native transfers of the two plain-value transactions, fees from the receipts; before London
  // each whole fee goes to the block's miner.
  size_t fees = 0;
  for (const Transfer& t : b.transfers) {
    if (t.kind != TransferKind::kFee) continue;
    EXPECT_EQ(t.to, b.miner);
    EXPECT_EQ(t.amount, b.txs[t.tx_index].fee_paid);
    ++fees;
  }
  EXPECT_EQ(fees, b.txs.size());
  EXPECT_EQ(b.transfers.size() - fees, 4u);
  EXPECT_EQ(b.txs[2].fee_paid.ToDecimal(), "1050000000000000");  // 21000 * 50 gwei
  std::printf("block 483920: %d fields matched\n", fields);
}

TEST(EthereumEtl, FrontierBlocksAndGenesisMatchTransactions) {
  REQUIRE_TESTDATA();
  auto files = Glob("test_export_blocks_job/blocks_with_transactions", "web3_response");
  for (auto& f : Glob("test_export_blocks_job/block_without_transactions", "web3_response"))
    files.push_back(f);
  auto blocks = ReadAll(files);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].number, 0u);
  EXPECT_TRUE(blocks[0].txs.empty());
  EXPECT_TRUE(blocks[0].provenance.hash_verified);  // the genesis header re-encodes to its hash
  int fields = 0;
  auto rows = ReadCsv("test_export_blocks_job/blocks_with_transactions/expected_transactions.csv");
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& row : rows) ExpectTransaction(blocks, row, &fields);
  EXPECT_TRUE(ReadCsv("test_export_blocks_job/block_without_transactions/expected_transactions.csv")
                  .empty());
  for (const EvmBlock& b : blocks) {
    EXPECT_TRUE(b.provenance.hash_verified);
    EXPECT_TRUE(b.provenance.tx_root_verified);
    EXPECT_FALSE(b.provenance.has_traces);
    // No receipts in this dump: status unknown, value still shown as moved (see evm_block.h).
    for (const EvmTx& t : b.txs) EXPECT_EQ(t.status, TxStatus::kUnknown);
  }
  std::printf("blocks 47218-47219: %d fields matched\n", fields);
}

TEST(EthereumEtl, StreamBlocks1755634To1755635MatchTransactionsLogsAndTokenTransfers) {
  REQUIRE_TESTDATA();
  const std::string dir = "test_stream/blocks_1755634_1755635";
  auto files = Glob(dir, "web3_response.eth_getBlockByNumber_0x");
  for (auto& f : Glob(dir, "web3_response.eth_getTransactionReceipt")) files.push_back(f);
  auto blocks = ReadAll(files);
  ASSERT_EQ(blocks.size(), 2u);
  int fields = 0;
  auto txs = ReadJsonLines(dir + "/expected_transactions.json");
  ASSERT_EQ(txs.size(), 2u);
  for (const auto& row : txs) ExpectTransaction(blocks, row, &fields);
  auto logs = ReadJsonLines(dir + "/expected_logs.json");
  ASSERT_EQ(logs.size(), 2u);
  for (const auto& row : logs) ExpectLog(blocks, row, &fields);
  ExpectTokenTransfers(blocks, ReadJsonLines(dir + "/expected_token_transfers.json"), &fields);
  EXPECT_TRUE(blocks[1].provenance.receipt_root_verified);
  std::printf("blocks 1755634-1755635: %d fields matched\n", fields);
}

// Logs given directly (ethereum-etl's exports of blocks 17173049-17173050, 681 logs, and a CSV of
// logs): the model's ERC-20/721 classification reproduces ethereum-etl's token transfers.
void CheckTransfersFromLogs(const std::vector<std::map<std::string, std::string>>& logs,
                            const std::vector<std::map<std::string, std::string>>& expected) {
  // One builder per block; transactions are placeholders, only their index matters.
  std::map<std::string, std::vector<const std::map<std::string, std::string>*>> by_block;
  for (const auto& l : logs) by_block[l.at("block_number")].push_back(&l);
  std::vector<EvmBlock> blocks;
  for (const auto& [number, rows] : by_block) {
    EvmBlock block;
    EvmBlockBuilder builder(&block);
    std::map<uint32_t, std::string> tx_hash;
    uint32_t max_tx = 0;
    for (const auto* r : rows) {
      const uint32_t i = static_cast<uint32_t>(std::stoul(r->at("transaction_index")));
      tx_hash[i] = r->at("transaction_hash");
      max_tx = std::max(max_tx, i);
    }
    block.number = std::stoull(number);
    for (uint32_t i = 0; i <= max_tx; ++i) {
      Transaction tx;
      if (tx_hash.count(i)) tx.hash = RetagHash<EvmTxHash>(*ParseH256(tx_hash[i]));
      builder.AddTransaction(tx, Address());
      builder.SetReceipt(i, ReceiptInfo{.status = TxStatus::kSuccess});
    }
    std::vector<const std::map<std::string, std::string>*> sorted = rows;
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) {
      return std::stoul(a->at("log_index")) < std::stoul(b->at("log_index"));
    });
    uint32_t next = 0;
    for (const auto* r : sorted) {
      // Pad missing log indexes (the CSV lists only some logs) with empty logs.
      const uint32_t index = static_cast<uint32_t>(std::stoul(r->at("log_index")));
      const uint32_t tx = static_cast<uint32_t>(std::stoul(r->at("transaction_index")));
      while (next < index) {
        builder.AddLog(tx, Address(), {}, {});
        ++next;
      }
      std::vector<H256> topics;
      std::string all = r->at("topics");
      for (size_t p = 0; p < all.size(); p += 67) topics.push_back(*ParseH256(all.substr(p, 66)));
      auto data = HexDecode(r->at("data")).value();
      ASSERT_TRUE(builder.AddLog(tx, *ParseAddress(r->at("address")), topics, data));
      ++next;
    }
    ASSERT_THAT(builder.Finish("logs"), IsOk());
    blocks.push_back(std::move(block));
  }
  int fields = 0;
  ExpectTokenTransfers(blocks, expected, &fields);
  std::printf("%zu logs -> %zu token transfers, %d fields matched\n", logs.size(), expected.size(),
              fields);
}

TEST(EthereumEtl, TokenTransfersFromRealLogsMatch) {
  REQUIRE_TESTDATA();
  auto logs = ReadJsonLines("test_stream/blocks_17173049_17173050/expected_logs.json");
  ASSERT_EQ(logs.size(), 681u);
  CheckTransfersFromLogs(
      logs, ReadJsonLines("test_stream/blocks_17173049_17173050/expected_token_transfers.json"));
  CheckTransfersFromLogs(
      ReadCsv("test_extract_token_transfers_job/logs/logs.csv"),
      ReadCsv("test_extract_token_transfers_job/logs/expected_token_transfers.csv"));
}

// ---- Traces ----

struct Internal {
  uint32_t tx;
  std::string from, to, amount, path;
  bool operator==(const Internal&) const = default;
};

std::vector<Internal> Internals(const EvmBlock& b) {
  std::vector<Internal> out;
  for (const Transfer& t : b.transfers) {
    if (t.kind != TransferKind::kInternal) continue;
    std::string path;
    for (uint32_t x : b.TraceAddress(t)) path += std::to_string(x) + ".";
    out.push_back({t.tx_index, ToLowerHexAddress(t.from), ToLowerHexAddress(t.to),
                   t.amount.ToDecimal(), path});
  }
  return out;
}

// A block of `n` placeholder transactions (value 0, no receipts) for trace-only inputs.
void Placeholders(EvmBlockBuilder& builder, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    Transaction tx;
    tx.to = Address();
    builder.AddTransaction(tx, Address());
  }
}

EvmBlock FromParity(const std::string& rel) {
  simdjson::dom::parser parser;
  auto doc = parser.load(TestData(kEtl + rel).string()).value();
  size_t n = 0;
  for (auto t : doc["result"].get_array()) {
    uint64_t pos;
    if (t["transactionPosition"].get(pos) == simdjson::SUCCESS) n = std::max<size_t>(n, pos + 1);
  }
  EvmBlock b;
  EvmBlockBuilder builder(&b);
  Placeholders(builder, n);
  EXPECT_THAT(AddParityTraces(simdjson::minify(doc["result"]), &builder), IsOk());
  EXPECT_THAT(builder.Finish(rel), IsOk());
  return b;
}

EvmBlock FromGeth(const std::string& rel) {
  simdjson::dom::parser parser;
  auto doc = parser.load(TestData(kEtl + rel).string()).value();
  EvmBlock b;
  EvmBlockBuilder builder(&b);
  auto entries = doc["result"].get_array().value();
  Placeholders(builder, entries.size());
  uint32_t i = 0;
  for (auto e : entries) {
    EXPECT_THAT(AddGethCallTrace(simdjson::minify(e["result"]), i++, &builder), IsOk());
  }
  EXPECT_THAT(builder.Finish(rel), IsOk());
  return b;
}

TEST(Traces, ParityAndGethAgreeOnTheSameMainnetBlocks) {
  REQUIRE_TESTDATA();
  const std::pair<const char*, const char*> kBlocks[] = {
      {"block_with_create", "0xf44f2"},
      {"block_with_error", "0xf45bf"},
      {"block_with_subtraces", "0xf4240"},
  };
  for (const auto& [name, hex] : kBlocks) {
    SCOPED_TRACE(name);
    EvmBlock parity = FromParity(std::string("test_export_traces_job/") + name +
                                 "/web3_response.trace_block_" + hex + ".json");
    EvmBlock geth =
        FromGeth(std::string("test_extract_geth_traces_job/") + name +
                 "/web3_response.debug_traceBlockByNumber_" + hex + "_tracer_calltracer.json");
    EXPECT_EQ(Internals(parity), Internals(geth));
    ASSERT_EQ(parity.txs.size(), geth.txs.size());
    for (size_t i = 0; i < parity.txs.size(); ++i)
      EXPECT_EQ(parity.txs[i].status, geth.txs[i].status);
  }
  // Block 1000895: transaction 0 ran out of gas at the top: failed, no value moved.
  EvmBlock err =
      FromParity("test_export_traces_job/block_with_error/web3_response.trace_block_0xf45bf.json");
  EXPECT_EQ(err.txs[0].status, TxStatus::kFailed);
  EXPECT_EQ(err.txs[1].status, TxStatus::kSuccess);
  // Block 1000000: the nested CALLCODE carries 100 ether but moves none between accounts.
  EXPECT_TRUE(
      Internals(
          FromParity(
              "test_export_traces_job/block_with_subtraces/web3_response.trace_block_0xf4240.json"))
          .empty());
}

TEST(Traces, ParitySuicideIsAnInternalTransfer) {
  REQUIRE_TESTDATA();
  EvmBlock b = FromParity(
      "test_export_traces_job/block_with_suicide/web3_response.trace_block_0xf7105.json");
  auto in = Internals(b);
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0].to, "0x83973747eec131bf9a08ac64fb1a518e891bdf4b");  // refund address
  EXPECT_EQ(in[0].amount, "50000000000000000");
  EXPECT_EQ(in[0].path, "0.");
  // The geth dump of the same block predates callTracer's SELFDESTRUCT value/beneficiary, so it
  // shows no transfer: a known gap of old geth traces, not of the model.
  EXPECT_TRUE(
      Internals(FromGeth("test_extract_geth_traces_job/block_with_suicide/"
                         "web3_response.debug_traceBlockByNumber_0xf7105_tracer_calltracer.json"))
          .empty());
}

// go-ethereum's callTracer tests: a real transaction and its trace.
EvmBlock FromTracerTest(const std::string& name) {
  simdjson::dom::parser parser;
  auto doc =
      parser
          .load(TestData("go-ethereum/eth/tracers/internal/tracetest/testdata/call_tracer/" + name)
                    .string())
          .value();
  auto raw = HexDecode(doc["input"].get_string().value()).value();
  Transaction tx;
  EXPECT_THAT(DecodeTransaction(raw, name, &tx), IsOk());
  EvmBlock b;
  b.base_fee = U256(0);
  EvmBlockBuilder builder(&b);
  builder.AddTransaction(tx, *RecoverSender(tx));
  EXPECT_THAT(AddGethCallTrace(simdjson::minify(doc["result"]), 0, &builder), IsOk());
  EXPECT_THAT(builder.Finish(name), IsOk());
  return b;
}

TEST(Traces, GethTracerTestsFailedFramesMoveNothing) {
  REQUIRE_TESTDATA();
  // Nested 0.5 ether call: one internal transfer.
  auto simple = Internals(FromTracerTest("simple.json"));
  ASSERT_EQ(simple.size(), 1u);
  EXPECT_EQ(simple[0].amount, "500000000000000000");
  // Selfdestruct of a contract holding 22,882 ether: one internal transfer to the beneficiary.
  auto sd = Internals(FromTracerTest("selfdestruct.json"));
  ASSERT_EQ(sd.size(), 1u);
  EXPECT_EQ(sd[0].amount, "22882074780407317765077");
  // A 1.5 ether subcall that failed at once: nothing moved, the transaction itself succeeded.
  EvmBlock insta = FromTracerTest("inner_instafail.json");
  EXPECT_TRUE(Internals(insta).empty());
  EXPECT_EQ(insta.txs[0].status, TxStatus::kSuccess);
  // Reverted or thrown at the top: failed, no transfer of any kind (not even the native value).
  for (const char* f : {"inner_throw_outer_revert.json", "revert.json", "throw.json", "oog.json",
                        "inner_create_oog_outer_throw.json"}) {
    EvmBlock b = FromTracerTest(f);
    EXPECT_EQ(b.txs[0].status, TxStatus::kFailed) << f;
    EXPECT_TRUE(b.transfers.empty()) << f;
  }
}

// ---- Bad input ----

std::filesystem::path WriteFile(const std::filesystem::path& dir, const std::string& name,
                                const std::string& text) {
  std::ofstream(dir / name) << text;
  return dir / name;
}

absl::Status ReadFiles(const std::vector<std::filesystem::path>& files) {
  return ReadJsonRpcFiles(files, JsonDumpOptions(),
                          [](const EvmBlock&) { return absl::OkStatus(); });
}

TEST(JsonRpcBadInput, GarbageAndErrorResponsesNameTheFile) {
  auto dir = MakeTempDir("evm-json");
  EXPECT_THAT(ReadFiles({WriteFile(dir, "garbage.json", "{\"result\": [1, 2,")}),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "garbage.json: malformed JSON"));
  EXPECT_THAT(
      ReadFiles({WriteFile(
          dir, "err.json",
          R"({"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"header not found"}})")}),
      StatusIsWithMessage(absl::StatusCode::kDataLoss, "err.json: JSON-RPC error response"));
  EXPECT_THAT(ReadFiles({dir / "missing.json"}), StatusIs(absl::StatusCode::kNotFound));
}

TEST(JsonRpcBadInput, TamperedTransactionsAreCaught) {
  REQUIRE_TESTDATA();
  const auto src = TestData(std::string(kEtl) +
                            "test_export_blocks_job/blocks_with_transactions/"
                            "web3_response.eth_getBlockByNumber_0xb872_true.json");
  const std::string text = ReadFileText(src);
  auto dir = MakeTempDir("evm-json-tamper");
  // A different "from": the recovered sender no longer matches.
  std::string wrong_from = text;
  const std::string from = "0x1406854d149e081ac09cb4ca560da463f3123059";
  wrong_from.replace(wrong_from.find(from), from.size(),
                     "0x1406854d149e081ac09cb4ca560da463f3123058");
  EXPECT_THAT(
      ReadFiles({WriteFile(dir, "from.json", wrong_from)}),
      StatusIsWithMessage(absl::StatusCode::kDataLoss, "from.json: block 47218: transaction 0"));
  // A different value: the fields no longer hash to "hash".
  std::string wrong_value = text;
  const size_t v = wrong_value.find("\"value\"");
  ASSERT_NE(v, std::string::npos);
  const size_t q = wrong_value.find("0x", v);
  wrong_value.insert(q + 2, "1");
  EXPECT_THAT(
      ReadFiles({WriteFile(dir, "value.json", wrong_value)}),
      StatusIsWithMessage(absl::StatusCode::kDataLoss,
                          "\"raw\": differs from the encoding of the transaction's fields"));
  // Without parity's "raw", the re-encoded fields no longer hash to "hash".
  const std::string no_raw =
      std::regex_replace(wrong_value, std::regex(R"("raw": "0x[0-9a-f]*",)"), "");
  EXPECT_THAT(ReadFiles({WriteFile(dir, "noraw.json", no_raw)}),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "re-encode to hash"));
  // A mixed-case address with a bad EIP-55 checksum.
  std::string bad_case = text;
  bad_case.replace(bad_case.find(from), from.size(), "0x1406854D149e081ac09cb4ca560da463f3123059");
  EXPECT_THAT(ReadFiles({WriteFile(dir, "case.json", bad_case)}),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "EIP-55 checksum mismatch"));
}

TEST(JsonRpcBadInput, HeaderOnlyBlocksAreAnErrorUnlessSkipped) {
  auto dir = MakeTempDir("evm-json-hdr");
  auto f = WriteFile(
      dir, "b.json",
      R"({"jsonrpc":"2.0","id":1,"result":{"number":"0x1","hash":"0x88e96d4537bea4d9c05d12549907b32561d3bf31f45aae734cdc119f13406cb6","parentHash":"0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3","timestamp":"0x55ba4224","miner":"0x05a56e2d52c817161883f50c441c3228cfe54d9f","gasLimit":"0x1388","gasUsed":"0x0","transactionsRoot":"0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421","receiptsRoot":"0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421","transactions":["0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"]}})");
  EXPECT_THAT(ReadFiles({f}), StatusIsWithMessage(absl::StatusCode::kDataLoss, "hashes only"));
  JsonDumpOptions skip;
  skip.skip_header_only_blocks = true;
  int n = 0;
  EXPECT_THAT(ReadJsonRpcFiles(std::vector<std::filesystem::path>{f}, skip,
                               [&](const EvmBlock&) {
                                 ++n;
                                 return absl::OkStatus();
                               }),
              IsOk());
  EXPECT_EQ(n, 0);
}

}  // namespace
}  // namespace ariadne::evm
