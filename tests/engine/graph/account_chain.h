// A hand-made account-model chain for tests: named accounts ("zero" is the zero address), blocks,
// transactions and their transfers, built into an AccountGraph.
#ifndef ARIADNE_TESTS_ENGINE_GRAPH_ACCOUNT_CHAIN_H_
#define ARIADNE_TESTS_ENGINE_GRAPH_ACCOUNT_CHAIN_H_

#include <map>
#include <memory>
#include <string>

#include "engine/core/keccak.h"
#include "engine/graph/account_graph.h"

namespace ariadne::testing {

class AccountChain {
 public:
  AccountChain() { token_ = b_.AddAsset(store::AssetStandard::kErc20, Address("token")); }

  // Returns: the address of a name: keccak256(name)[12:], or zero for "zero".
  static evm::Address Address(const std::string& name) {
    if (name == "zero") return evm::Address();
    const auto h =
        evm::Keccak256(ByteSpan(reinterpret_cast<const uint8_t*>(name.data()), name.size()));
    return evm::Address::FromBytes(h.data() + 12);
  }
  // Returns: the account of a name, added at its first use.
  AccountId Acct(const std::string& name) {
    auto [it, inserted] = ids_.emplace(name, AccountId());
    if (inserted) it->second = b_.AddAccount(Address(name));
    return it->second;
  }
  // A transaction of `sender` in `block` paying `fee` wei (its transfers follow with Send).
  TxNum Tx(uint64_t block, const std::string& sender, uint64_t fee = 0) {
    if (block != last_block_) {
      b_.AddBlock(block, block * 12);
      last_block_ = block;
    }
    last_tx_ = b_.AddTx(block, Acct(sender), evm::U256(fee));
    return last_tx_;
  }
  // A transfer of the latest transaction.
  TransferNum Send(const std::string& from, const std::string& to, uint64_t amount,
                   AssetId asset = AssetId(0)) {
    return b_.AddTransfer(Acct(from), Acct(to), asset, evm::U256(amount));
  }
  // One transaction of `from` sending one transfer. Returns: the TxNum.
  TxNum Pay(uint64_t block, const std::string& from, const std::string& to, uint64_t amount,
            AssetId asset = AssetId(0)) {
    const TxNum tx = Tx(block, from);
    Send(from, to, amount, asset);
    return tx;
  }
  AssetId token() const { return token_; }
  // Returns: the AccountId of a name already used, as a number.
  uint32_t Id(const std::string& name) const { return ids_.at(name).value(); }
  std::unique_ptr<graph::AccountGraph> Finish() { return b_.Finish(); }

 private:
  graph::AccountGraph::Builder b_;
  std::map<std::string, AccountId> ids_;
  uint64_t last_block_ = UINT64_MAX;
  TxNum last_tx_;
  AssetId token_;
};

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_ENGINE_GRAPH_ACCOUNT_CHAIN_H_
