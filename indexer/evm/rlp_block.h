// Blocks from RLP: a header, a body ([transactions, ommers, withdrawals?]) and optionally the
// block's receipts (a list, consensus or eth/69 shape), as found in era1 archives and in
// portal-spec-tests' block_data files. Transactions and receipts roots (and the withdrawals root)
// are recomputed and compared with the header.
#ifndef ARIADNE_INDEXER_EVM_RLP_BLOCK_H_
#define ARIADNE_INDEXER_EVM_RLP_BLOCK_H_

#include <filesystem>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "engine/core/types.h"
#include "indexer/evm/evm_block.h"
#include "indexer/evm/header.h"
#include "indexer/evm/receipt.h"
#include "indexer/evm/transaction.h"

namespace ariadne::evm {

struct RlpBlockOptions {
  ChainConfig chain = ChainConfig::Mainnet();  // default: mainnet (blob fee schedule)
  bool verify_roots = true;                    // default: on; a mismatch is DATA_LOSS
  bool recover_senders = true;  // default: on; off leaves EvmTx::from zero (decode-only benches)
};

// Decodes RLP blocks into EvmBlocks, reusing its scratch buffers from block to block.
class RlpBlockDecoder {
 public:
  explicit RlpBlockDecoder(RlpBlockOptions options = RlpBlockOptions())
      : options_(std::move(options)) {}

  // Args: header, body: RLP; receipts: the RLP list of the block's receipts, or empty when the
  //       source has none; context: names the source in errors ("block-data-15537394.yaml").
  // Out: *out (cleared first).
  // Returns: OK, or DATA_LOSS naming the part, item and offset ("<context>: body transaction 12:
  //          gasLimit: integer with leading zero bytes at offset 3391"), a root mismatch, a
  //          signature that does not recover, or a receipt count different from the tx count.
  absl::Status Decode(ByteSpan header, ByteSpan body, ByteSpan receipts, std::string_view context,
                      EvmBlock* out);

  // The decoded header of the last block (views into the header buffer passed to Decode).
  const Header& header() const { return header_; }

 private:
  RlpBlockOptions options_;
  Header header_;
  std::vector<Transaction> txs_;
  std::vector<Receipt> receipts_;
  std::vector<uint8_t> scratch_;
  std::vector<size_t> scratch_ends_;
  BloomCache bloom_cache_;
};

// Reads a portal-spec-tests block_data file: YAML lines "header: 0x…", "body: 0x…",
// "receipts: 0x…" (receipts optional).
// Returns: the block; NOT_FOUND when the file is missing, DATA_LOSS for a malformed file.
absl::Status ReadPortalBlockFile(const std::filesystem::path& path, const RlpBlockOptions& options,
                                 EvmBlock* out);

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_RLP_BLOCK_H_
