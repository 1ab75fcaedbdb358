// A small hand-made Ethereum chain (blocks 100-105, chain id 1) whose flows are known by heart, for
// the end-to-end tests of the EVM store, service, CLI and heuristics:
//
//   100  A mints 5000 TKN to itself (0x0 -> A); A -> B 10 ETH
//   101  A -> B 1000 TKN; A approves M for 500 TKN; C -> B 5 ETH (C's ether is not on chain)
//   102  B -> D 600 TKN; B -> D 6 ETH
//   103  D -> Dep 600 TKN; Dep -> E 600 TKN (E is an exchange, Dep its deposit address)
//   104  (with traces) M -> Dep 2 ETH; Dep -> E 1.99 ETH; A -> C NFT #7 (ERC-721);
//        M -> Vault 3 ETH, and Vault -> C 1 ETH inside it (an internal transfer)
//   105  B -> C 1 ETH fails (no value moves, B pays the fee); M moves 100 of A's TKN to itself
//        (transferFrom: the approved spender sends the transaction)
// Gas price 1 gwei; gas used 21000 for ether transfers, 30000 for token calls, 60000 for others.
// Every block's fee recipient is Miner (no base fee: each fee is all priority fee, 546,000 gwei in
// all).
#ifndef ARIADNE_TESTS_EVM_EVM_SCENARIO_H_
#define ARIADNE_TESTS_EVM_EVM_SCENARIO_H_

#include <memory>

#include "tests/indexer/evm/evm_chain_writer.h"

namespace ariadne::evm::testing {

struct Scenario {
  Key a = MakeKey("alice"), b = MakeKey("bob"), c = MakeKey("carol"), d = MakeKey("dave"),
      m = MakeKey("mallory"), e = MakeKey("exchange"), dep = MakeKey("deposit"),
      miner = MakeKey("miner");
  Address token = ContractAddress("TKN");
  Address nft = ContractAddress("NFT");
  Address vault = ContractAddress("Vault");
  EvmTxHash mint, a_b_eth, a_b_tkn, approve, c_b_eth, b_d_tkn, b_d_eth, d_dep_tkn, dep_e_tkn,
      m_dep_eth, dep_e_eth, a_c_nft, m_vault, b_c_failed, m_pulls_a;
  std::unique_ptr<ChainWriter> chain;
};

// Returns: the scenario with its chain built (not written).
std::unique_ptr<Scenario> MakeScenario();

}  // namespace ariadne::evm::testing

#endif  // ARIADNE_TESTS_EVM_EVM_SCENARIO_H_
