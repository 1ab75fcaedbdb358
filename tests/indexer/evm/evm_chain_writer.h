// Hand-made EVM chains for tests: blocks of signed legacy (EIP-155) transactions with receipts,
// logs and parity traces, written as JSON-RPC responses that pass every verification of the
// reader (transaction hashes, senders, transactions and receipts roots, header hashes).
#ifndef ARIADNE_TESTS_EVM_EVM_CHAIN_WRITER_H_
#define ARIADNE_TESTS_EVM_EVM_CHAIN_WRITER_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/core/evm_types.h"
#include "engine/core/u256.h"

namespace ariadne::evm::testing {

// A key pair: the secret is Keccak-256 of the name, the address is derived from it.
struct Key {
  std::string name;
  std::array<uint8_t, 32> secret{};
  Address address;
};
Key MakeKey(const std::string& name);
// Returns: the address of a named contract (no key; it only appears in logs and calls).
Address ContractAddress(const std::string& name);

// 1 ether in wei, and n ether.
U256 Ether(uint64_t n);
U256 Gwei(uint64_t n);

struct LogSpec {
  Address address;
  std::vector<H256> topics;
  std::vector<uint8_t> data;
};
// ERC-20 Transfer(from, to, amount) and Approval(owner, spender, amount) logs of `token`.
LogSpec Erc20Transfer(const Address& token, const Address& from, const Address& to,
                      const U256& amount);
LogSpec Erc20Approval(const Address& token, const Address& owner, const Address& spender,
                      const U256& amount);
// ERC-721 Transfer(from, to, tokenId) (4 topics, no data).
LogSpec Erc721Transfer(const Address& token, const Address& from, const Address& to,
                       const U256& token_id);

// An internal call below a transaction's top-level call (parity trace).
struct InternalCall {
  Address from;
  Address to;
  U256 value;
  std::vector<uint32_t> trace_address;  // e.g. {0}: the first call of the top-level frame
  bool error = false;
  bool create = false;  // a CREATE frame: `to` is the created contract
};

struct TxSpec {
  const Key* from = nullptr;
  std::optional<Address> to;  // none: contract creation
  U256 value;
  uint64_t gas_used = 21000;
  U256 gas_price = Gwei(1);
  bool failed = false;
  std::vector<LogSpec> logs;           // dropped when failed
  std::vector<InternalCall> internal;  // written only when the block has traces
  std::vector<uint8_t> data;
};

class ChainWriter {
 public:
  // Args: chain_id: EIP-155 chain id of the signatures; first: the first block's number.
  ChainWriter(uint64_t chain_id, uint64_t first);

  // The fee recipient (header "miner") of the blocks begun after the call. Default: the zero
  // address.
  void SetMiner(const Address& miner) { miner_ = miner; }
  // Starts the next block. Args: with_traces: write a parity trace_block file for it.
  void BeginBlock(uint64_t timestamp, bool with_traces = false);
  // Adds a transaction to the current block. Returns: its hash.
  EvmTxHash AddTx(const TxSpec& spec);
  // Finishes the current block (roots, bloom, hash).
  void EndBlock();

  // Writes blocks [first, last] (numbers) into `dir`: eth_getBlockByNumber_0x<n>.json,
  // eth_getBlockReceipts_0x<n>.json and, for blocks with traces, trace_block_0x<n>.json.
  absl::Status Write(const std::filesystem::path& dir, uint64_t first, uint64_t last) const;
  // All blocks.
  absl::Status WriteAll(const std::filesystem::path& dir) const;

  uint64_t first() const { return first_; }
  uint64_t last() const { return first_ + blocks_.size() - 1; }
  const EvmBlockHash& BlockHash(uint64_t number) const { return blocks_[number - first_].hash; }

 private:
  struct Tx {
    std::vector<uint8_t> encoded;
    EvmTxHash hash;
    TxSpec spec;
    uint64_t nonce = 0;
    U256 v, r, s;
    uint64_t cumulative = 0;
    std::array<uint8_t, 256> bloom{};
    uint32_t first_log = 0;
  };
  struct Block {
    uint64_t number = 0;
    uint64_t timestamp = 0;
    bool traces = false;
    Address miner;
    EvmBlockHash parent;
    EvmBlockHash hash;
    H256 tx_root, receipt_root;
    std::array<uint8_t, 256> bloom{};
    uint64_t gas_used = 0;
    std::vector<Tx> txs;
    std::string header_json;
  };
  uint64_t chain_id_;
  uint64_t first_;
  Address miner_;
  std::vector<Block> blocks_;
  std::vector<std::pair<Address, uint64_t>> nonces_;
};

}  // namespace ariadne::evm::testing

#endif  // ARIADNE_TESTS_EVM_EVM_CHAIN_WRITER_H_
