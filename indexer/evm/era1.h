// era1 archives: pre-merge execution blocks in an e2store file (e2store.md; era1 format of
// eth-clients/e2store-format-specs).
//
//   e2store entry := type (2 bytes LE) | length (4 bytes LE) | reserved (2 bytes, 0) | data
//   era1          := Version | block-tuple* | other-entries* | Accumulator | BlockIndex
//   block-tuple   := CompressedHeader | CompressedBody | CompressedReceipts | TotalDifficulty
//   Version            type 0x3265, no data
//   CompressedHeader   type 0x03, snappyFramed(rlp(header))
//   CompressedBody     type 0x04, snappyFramed(rlp(body))
//   CompressedReceipts type 0x05, snappyFramed(rlp(receipts))
//   TotalDifficulty    type 0x06, uint256 little-endian
//   Accumulator        type 0x07, hash_tree_root(List[HeaderRecord(hash, td), 8192]) (SSZ, SHA-256)
//   BlockIndex         type 0x3266, starting-number | index* | count (8 bytes LE each); every
//                      index is the offset of a block's CompressedHeader entry relative to the
//                      BlockIndex entry
//
// The reader streams: it holds one entry at a time (plus 64 bytes per block for the accumulator),
// decodes each block with RlpBlockDecoder (roots verified) and hands it to a callback. At the end
// it checks what the archive commits to: contiguous numbers, each header's parent hash, the total
// difficulty sums, the block index offsets and the accumulator root. A failure found at the end
// comes after blocks were delivered: the caller must treat the whole file as rejected.
#ifndef ARIADNE_INDEXER_EVM_ERA1_H_
#define ARIADNE_INDEXER_EVM_ERA1_H_

#include <cstdint>
#include <filesystem>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "indexer/evm/evm_block.h"
#include "indexer/evm/rlp_block.h"

namespace ariadne::evm {

struct Era1Options {
  RlpBlockOptions block;                 // default: mainnet, roots verified, senders recovered
  bool verify_accumulator = true;        // default: on
  uint32_t max_entry_bytes = 64u << 20;  // default: 64 MiB per compressed entry
  uint64_t max_decompressed_bytes = 256u << 20;  // default: 256 MiB per decompressed entry
};

struct Era1Summary {
  uint64_t start_block = 0;
  uint64_t block_count = 0;
  uint64_t tx_count = 0;
  H256 accumulator_root;  // as stored in the file
  bool accumulator_verified = false;
  U256 total_difficulty;  // of the last block
};

// Reads an era1 file, calling on_block for each block in order (the block is reused afterwards).
// Returns: the summary; NOT_FOUND for a missing file, DATA_LOSS naming the entry offset or block
//          for any corruption, or the first error on_block returns.
absl::StatusOr<Era1Summary> ReadEra1File(const std::filesystem::path& path,
                                         const Era1Options& options,
                                         absl::FunctionRef<absl::Status(const EvmBlock&)> on_block);

// Returns: the era1 accumulator root of (block hash, total difficulty) records: SSZ
//          hash_tree_root of List[Container{Bytes32, uint256}, 8192]. INVALID_ARGUMENT for more
//          than 8192 records.
absl::StatusOr<H256> Era1AccumulatorRoot(const std::vector<std::pair<H256, U256>>& records);

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_ERA1_H_
