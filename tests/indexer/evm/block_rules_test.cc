// The rules EvmBlockBuilder::Finish applies to what a source hands it: the chain a transaction is
// signed for, gas used derived from the cumulative gas used the receipts root covers (a receipt's
// own gasUsed and effectiveGasPrice must agree), gas limits, and the priority fee credited to the
// block's fee recipient.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "indexer/evm/block_builder.h"
#include "indexer/evm/header.h"
#include "tests/testutil.h"

namespace ariadne::evm {
namespace {

using ::testing::HasSubstr;

U256 Gwei(uint64_t n) { return U256(n * 1'000'000'000ULL); }
Address Addr(uint8_t b) {
  uint8_t bytes[20] = {};
  bytes[19] = b;
  return Address::FromBytes(bytes);
}

const Address kSender = Addr(1), kRecipient = Addr(2), kMiner = Addr(3);

// A legacy EIP-155 transaction of `chain_id` paying `price` per gas, gas limit `gas_limit`.
Transaction Legacy(uint64_t chain_id, const U256& price, uint64_t gas_limit = 30000) {
  Transaction tx;
  tx.has_chain_id = chain_id != 0;
  tx.chain_id = chain_id;
  tx.gas_price = tx.max_fee_per_gas = tx.max_priority_fee_per_gas = price;
  tx.gas_limit = gas_limit;
  tx.to = kRecipient;
  tx.value = U256(5);
  return tx;
}

// An EIP-1559 transaction (max fee, max priority fee per gas).
Transaction Dynamic(const U256& max_fee, const U256& max_priority) {
  Transaction tx = Legacy(1, max_fee);
  tx.type = TxType::kDynamicFee;
  tx.max_priority_fee_per_gas = max_priority;
  return tx;
}

// A block with the given transactions, each with a receipt of `gas` (successful).
struct Built {
  EvmBlock block;
  absl::Status status;
};
Built Build(const std::vector<Transaction>& txs, const std::vector<ReceiptInfo>& receipts,
            std::optional<U256> base_fee, uint64_t header_gas_used,
            const ChainConfig* chain = nullptr) {
  Built b;
  EvmBlockBuilder builder(&b.block);
  if (chain != nullptr) builder.SetChain(*chain);
  b.block.number = 7;
  b.block.miner = kMiner;
  b.block.base_fee = base_fee;
  b.block.gas_limit = 30'000'000;
  b.block.gas_used = header_gas_used;
  for (const Transaction& tx : txs) builder.AddTransaction(tx, kSender);
  for (size_t i = 0; i < receipts.size(); ++i) {
    builder.SetReceipt(static_cast<uint32_t>(i), receipts[i]);
  }
  b.status = builder.Finish("dump.json: block 7");
  return b;
}

ReceiptInfo Receipt(uint64_t cumulative, std::optional<uint64_t> gas_used = std::nullopt) {
  ReceiptInfo r;
  r.status = TxStatus::kSuccess;
  r.cumulative_gas_used = cumulative;
  r.gas_used = gas_used;
  return r;
}

TEST(BlockRules, ATransactionSignedForAnotherChainIsRefusedWithBothChainIds) {
  const ChainConfig mainnet = ChainConfig::Mainnet();
  Built b = Build({Legacy(1, Gwei(1)), Legacy(31337, Gwei(1))}, {}, std::nullopt, 0, &mainnet);
  EXPECT_THAT(b.status, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(b.status.message(), HasSubstr("dump.json: block 7: transaction 1"));
  EXPECT_THAT(
      b.status.message(),
      HasSubstr("signed for chain id 31337, but the store's chain is ethereum (chain id 1)"));
  // Legacy transactions signed without EIP-155 are valid on every chain; typed ones carry theirs.
  const ChainConfig sepolia = ChainConfig::Sepolia();
  EXPECT_THAT(Build({Legacy(0, Gwei(1))}, {}, std::nullopt, 0, &sepolia).status, IsOk());
  Transaction typed = Dynamic(Gwei(2), Gwei(1));
  EXPECT_THAT(Build({typed}, {}, Gwei(1), 0, &sepolia).status,
              StatusIsWithMessage(absl::StatusCode::kFailedPrecondition, "sepolia (chain id"));
  typed.chain_id = sepolia.chain_id;
  EXPECT_THAT(Build({typed}, {}, Gwei(1), 0, &sepolia).status, IsOk());
}

TEST(BlockRules, GasUsedIsTheCumulativeDifferenceAndAReceiptMustAgree) {
  // Cumulative 21,000 then 46,000: the second used 25,000, whatever the receipt says it used.
  Built ok = Build({Legacy(1, Gwei(1)), Legacy(1, Gwei(1))}, {Receipt(21000), Receipt(46000)},
                   std::nullopt, 46000);
  ASSERT_THAT(ok.status, IsOk());
  EXPECT_EQ(ok.block.txs[1].gas_used, 25000u);
  Built agree = Build({Legacy(1, Gwei(1)), Legacy(1, Gwei(1))},
                      {Receipt(21000, 21000), Receipt(46000, 25000)}, std::nullopt, 46000);
  EXPECT_THAT(agree.status, IsOk());
  Built lies = Build({Legacy(1, Gwei(1)), Legacy(1, Gwei(1))},
                     {Receipt(21000, 21000), Receipt(46000, 250000)}, std::nullopt, 46000);
  EXPECT_THAT(lies.status, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(lies.status.message(), HasSubstr("dump.json: block 7: transaction 1 ("));
  EXPECT_THAT(lies.status.message(),
              HasSubstr("receipt gasUsed 250000 differs from 25000, its cumulativeGasUsed 46000 "
                        "less the previous receipt's 21000"));
  // The receipt's file is named when the source gives it.
  std::vector<ReceiptInfo> named = {Receipt(21000, 21000), Receipt(46000, 250000)};
  named[1].source = "receipts.json";
  EXPECT_THAT(
      Build({Legacy(1, Gwei(1)), Legacy(1, Gwei(1))}, named, std::nullopt, 46000).status,
      StatusIsWithMessage(absl::StatusCode::kDataLoss, "receipts.json: block 7: transaction 1"));
}

TEST(BlockRules, GasAboveTheLimitsAndAHeaderDisagreeingWithTheReceiptsAreRefused) {
  // 40,000 gas used by a transaction whose gas limit is 30,000.
  EXPECT_THAT(Build({Legacy(1, Gwei(1))}, {Receipt(40000)}, std::nullopt, 40000).status,
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "uses 40000 gas, above its gas limit 30000"));
  // The last cumulative gas used must be the header's gasUsed.
  EXPECT_THAT(Build({Legacy(1, Gwei(1))}, {Receipt(21000)}, std::nullopt, 21001).status,
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "last receipt's cumulativeGasUsed 21000 differs from the "
                                  "header's gasUsed 21001"));
  // The header's gasUsed within its gasLimit.
  EXPECT_THAT(Build({}, {}, std::nullopt, 30'000'001).status,
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "header gasUsed 30000001 is above its gasLimit 30000000"));
}

TEST(BlockRules, TheFeeRecipientGetsThePriorityFeeAndTheBaseFeeIsBurned) {
  // Base fee 10 gwei; max fee 20, max priority 2: 12 gwei per gas paid, 2 of it to the miner.
  std::vector<ReceiptInfo> r = {Receipt(21000)};
  r[0].effective_gas_price = Gwei(12);
  Built b = Build({Dynamic(Gwei(20), Gwei(2))}, r, Gwei(10), 21000);
  ASSERT_THAT(b.status, IsOk());
  const EvmTx& tx = b.block.txs[0];
  EXPECT_EQ(tx.effective_gas_price, Gwei(12));
  EXPECT_EQ(tx.fee_paid, Gwei(12 * 21000));
  EXPECT_EQ(tx.priority_fee, Gwei(2 * 21000));
  ASSERT_EQ(b.block.transfers.size(), 2u);  // the fee first, then the value
  const Transfer& fee = b.block.transfers[0];
  EXPECT_EQ(fee.kind, TransferKind::kFee);
  EXPECT_EQ(fee.from, kSender);
  EXPECT_EQ(fee.to, kMiner);
  EXPECT_EQ(fee.amount, Gwei(2 * 21000));
  EXPECT_EQ(b.block.transfers[1].kind, TransferKind::kNative);
  // A receipt claiming another price is refused.
  r[0].effective_gas_price = Gwei(20);
  EXPECT_THAT(Build({Dynamic(Gwei(20), Gwei(2))}, r, Gwei(10), 21000).status,
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "receipt effectiveGasPrice 20000000000 differs from "
                                  "12000000000"));
  // A legacy transaction paying below the base fee cannot be in the block.
  EXPECT_THAT(Build({Legacy(1, Gwei(9))}, {Receipt(21000)}, Gwei(10), 21000).status,
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "pays 9000000000 wei per gas, below the block's base fee"));
  // Before London the miner gets the whole fee; a failed transaction pays it too.
  std::vector<ReceiptInfo> failed = {Receipt(21000)};
  failed[0].status = TxStatus::kFailed;
  Built old = Build({Legacy(1, Gwei(3))}, failed, std::nullopt, 21000);
  ASSERT_THAT(old.status, IsOk());
  ASSERT_EQ(old.block.transfers.size(), 1u);
  EXPECT_EQ(old.block.transfers[0].kind, TransferKind::kFee);
  EXPECT_EQ(old.block.transfers[0].amount, Gwei(3 * 21000));
  EXPECT_EQ(old.block.transfers[0].amount, old.block.txs[0].fee_paid);
  // Without receipts the fee is unknown: no fee transfer.
  Built none = Build({Legacy(1, Gwei(3))}, {}, std::nullopt, 21000);
  ASSERT_THAT(none.status, IsOk());
  ASSERT_EQ(none.block.transfers.size(), 1u);
  EXPECT_EQ(none.block.transfers[0].kind, TransferKind::kNative);
}

}  // namespace
}  // namespace ariadne::evm
