// Decoding of Bitcoin blocks and transactions (legacy and segwit serialisation) from raw bytes.
//
// The decoder walks the bytes once and fills flat arrays that are reused from block to block: no
// allocation per transaction, scripts are views into the caller's buffer, txids are hashed from the
// serialised bytes in place. Every count read from the data is checked against the bytes that
// remain before it is used, so hostile input cannot make it allocate or loop beyond its size.
#ifndef ARIADNE_INDEXER_BTC_BLOCK_H_
#define ARIADNE_INDEXER_BTC_BLOCK_H_

#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/status/status.h"
#include "engine/core/byte_reader.h"
#include "engine/core/types.h"

namespace ariadne::btc {

inline constexpr size_t kBlockHeaderSize = 80;

struct BlockHeader {
  int32_t version = 0;
  BlockHash prev_hash;
  Uint256 merkle_root;
  uint32_t time = 0;
  uint32_t bits = 0;
  uint32_t nonce = 0;
  BlockHash hash;  // SHA-256d of the 80 header bytes
};

struct TxIn {
  const uint8_t* prevout;  // 36 bytes in the block buffer: previous txid, then vout (LE)
  ByteSpan script_sig;
  uint32_t sequence;
  uint32_t witness_items;  // number of witness stack items (0 for legacy transactions)

  Txid prev_txid() const { return Txid::FromBytes(prevout); }
  uint32_t prev_vout() const {
    uint32_t v;
    std::memcpy(&v, prevout + 32, 4);
    return v;
  }
  // Returns: true for a coinbase input (null previous txid and vout 0xffffffff).
  bool IsCoinbase() const;
};

struct TxOut {
  int64_t value;  // satoshi
  ByteSpan script;
};

struct Tx {
  Txid txid;
  Wtxid wtxid;  // computed only with DecodeOptions::compute_wtxid (equals txid for legacy txs)
  int32_t version;
  uint32_t locktime;
  uint32_t first_input;  // index into Block::inputs
  uint32_t input_count;
  uint32_t first_output;  // index into Block::outputs
  uint32_t output_count;
  uint32_t size;       // serialised size with witness
  uint32_t base_size;  // serialised size without witness
  bool segwit;
  uint64_t offset;  // file offset of the transaction's first byte

  // BIP141 virtual size: ceil(weight / 4), weight = 3 * base_size + size.
  uint32_t vsize() const { return (3 * base_size + size + 3) / 4; }
};

struct Block {
  BlockHeader header;
  std::vector<Tx> txs;
  std::vector<TxIn> inputs;
  std::vector<TxOut> outputs;
  Uint256 computed_merkle_root;  // valid when DecodeOptions::check_merkle
  bool merkle_ok = false;
  uint32_t size = 0;    // bytes of the serialised block
  uint64_t offset = 0;  // file offset of the block's first byte
  // Scratch buffers of the merkle computation, kept to reuse their capacity.
  std::vector<Uint256> merkle_leaves;
  std::vector<Uint256> merkle_scratch;

  const TxIn& input(const Tx& tx, uint32_t i) const { return inputs[tx.first_input + i]; }
  const TxOut& output(const Tx& tx, uint32_t i) const { return outputs[tx.first_output + i]; }
};

struct DecodeOptions {
  bool compute_wtxid = false;  // default: off (costs a second hash over every segwit tx)
  bool check_merkle = true;    // default: on (sets Block::merkle_ok)
};

// Decodes a whole block. Reuses the vectors of *out (their capacity survives between calls).
// Args: data: the block's bytes (must outlive *out: scripts and prevouts point into it);
//       offset: the file offset of data[0], for error messages.
// Returns: OK, or DATA_LOSS naming what was wrong and the file offset where it was found (e.g.
//          "truncated transaction", "non-canonical CompactSize", "trailing bytes after the last
//          transaction"). A merkle mismatch is not an error: it is reported by merkle_ok.
absl::Status DecodeBlock(ByteSpan data, uint64_t offset, const DecodeOptions& options, Block* out);

// Decodes one transaction that fills `data` exactly (e.g. a test vector) into *out (cleared first).
// Returns: OK or DATA_LOSS as DecodeBlock.
absl::Status DecodeTransaction(ByteSpan data, const DecodeOptions& options, Block* out);

// Returns: the block header decoded from 80 bytes, hash included.
BlockHeader DecodeHeader(const uint8_t* data);

}  // namespace ariadne::btc

#endif  // ARIADNE_INDEXER_BTC_BLOCK_H_
