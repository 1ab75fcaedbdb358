#include "indexer/btc/block.h"

#include "absl/strings/str_cat.h"
#include "engine/core/hash.h"
#include "engine/core/merkle.h"

namespace ariadne::btc {
namespace {

// The smallest possible serialisations, used to cap counts read from the data before looping.
constexpr size_t kMinTxSize = 10;     // version, two empty CompactSizes, locktime
constexpr size_t kMinInputSize = 41;  // prevout 36, empty script 1, sequence 4
constexpr size_t kMinOutputSize = 9;  // value 8, empty script 1

constexpr uint8_t kNullPrevout[36] = {0, 0, 0, 0, 0, 0, 0, 0, 0,    0,    0,    0,
                                      0, 0, 0, 0, 0, 0, 0, 0, 0,    0,    0,    0,
                                      0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};

// Reads inputs or outputs count and rejects a count the remaining bytes cannot hold.
uint64_t ReadCount(ByteReader& r, size_t min_item_size, const char* what) {
  const uint64_t start = r.offset();
  uint64_t n = r.CompactSize();
  if (r.ok() && n > r.remaining() / min_item_size) r.FailAt(what, start);
  return n;
}

// Decodes the transaction at the reader's position and appends it to *out. On failure the reader
// holds the error; *out may hold a partial transaction, which the caller discards.
void DecodeTx(ByteReader& r, const DecodeOptions& options, Block* out) {
  const uint8_t* start = r.ptr();
  Tx tx;
  tx.offset = r.offset();
  tx.version = r.I32LE();
  tx.segwit = false;
  const uint8_t* body_begin = r.ptr();  // first byte hashed after the version for the txid

  // Bitcoin Core's rule: an empty input vector is either a real empty vector or the segwit marker;
  // the next byte (flags) tells which.
  uint64_t n_in = ReadCount(r, kMinInputSize, "input count exceeds the remaining bytes");
  uint8_t flags = 0;
  bool read_outputs = true;
  if (n_in == 0 && r.ok()) {
    const uint64_t flag_offset = r.offset();
    flags = r.U8();
    if (flags != 0) {
      if (flags != 1) {
        r.FailAt("unknown transaction serialisation flag", flag_offset);
        return;
      }
      tx.segwit = true;
      body_begin = r.ptr();
      n_in = ReadCount(r, kMinInputSize, "input count exceeds the remaining bytes");
    } else {
      read_outputs = false;  // empty inputs and no flag: Core reads no outputs either
    }
  }
  if (!r.ok()) return;

  tx.first_input = static_cast<uint32_t>(out->inputs.size());
  tx.input_count = static_cast<uint32_t>(n_in);
  for (uint64_t i = 0; i < n_in; ++i) {
    TxIn in;
    in.prevout = r.Bytes(36).data();
    in.script_sig = r.VarBytes();
    in.sequence = r.U32LE();
    in.witness_items = 0;
    if (!r.ok()) return;
    out->inputs.push_back(in);
  }

  uint64_t n_out = 0;
  if (read_outputs)
    n_out = ReadCount(r, kMinOutputSize, "output count exceeds the remaining bytes");
  if (!r.ok()) return;
  tx.first_output = static_cast<uint32_t>(out->outputs.size());
  tx.output_count = static_cast<uint32_t>(n_out);
  for (uint64_t i = 0; i < n_out; ++i) {
    const uint64_t value_offset = r.offset();
    TxOut o;
    o.value = r.I64LE();
    o.script = r.VarBytes();
    if (!r.ok()) return;
    if (!Amount(o.value).InMoneyRange()) {
      r.FailAt("output value out of range", value_offset);
      return;
    }
    out->outputs.push_back(o);
  }

  const uint8_t* body_end = r.ptr();
  if (tx.segwit) {
    bool any_witness = false;
    for (uint64_t i = 0; i < n_in; ++i) {
      uint64_t items = r.CompactSize();
      if (r.ok() && items > r.remaining()) {
        r.Fail("witness item count exceeds the remaining bytes");
      }
      for (uint64_t j = 0; j < items && r.ok(); ++j) r.VarBytes();
      if (!r.ok()) return;
      out->inputs[tx.first_input + i].witness_items = static_cast<uint32_t>(items);
      any_witness |= items != 0;
    }
    if (!any_witness) {
      r.Fail("superfluous witness record (segwit flag with all witnesses empty)");
      return;
    }
  }
  const uint8_t* locktime_ptr = r.ptr();
  tx.locktime = r.U32LE();
  if (!r.ok()) return;
  const uint8_t* end = r.ptr();

  tx.size = static_cast<uint32_t>(end - start);
  if (tx.segwit) {
    tx.base_size = static_cast<uint32_t>(4 + (body_end - body_begin) + 4);
    Sha256Hasher h;
    h.Write(start, 4).Write(body_begin, static_cast<size_t>(body_end - body_begin));
    h.Write(locktime_ptr, 4).FinishDouble(tx.txid.data());
    if (options.compute_wtxid) {
      Uint256 w = Sha256d(ByteSpan(start, tx.size));
      std::memcpy(tx.wtxid.data(), w.data(), 32);
    }
  } else {
    tx.base_size = tx.size;
    Uint256 id = Sha256d(ByteSpan(start, tx.size));
    std::memcpy(tx.txid.data(), id.data(), 32);
    if (options.compute_wtxid) std::memcpy(tx.wtxid.data(), id.data(), 32);
  }
  out->txs.push_back(tx);
}

void ClearBlock(Block* out) {
  out->txs.clear();
  out->inputs.clear();
  out->outputs.clear();
  out->merkle_ok = false;
  out->computed_merkle_root = Uint256();
}

}  // namespace

bool TxIn::IsCoinbase() const { return std::memcmp(prevout, kNullPrevout, 36) == 0; }

BlockHeader DecodeHeader(const uint8_t* data) {
  BlockHeader h;
  ByteReader r(ByteSpan(data, kBlockHeaderSize));
  h.version = r.I32LE();
  h.prev_hash = BlockHash::FromBytes(r.Bytes(32).data());
  h.merkle_root = Uint256::FromBytes(r.Bytes(32).data());
  h.time = r.U32LE();
  h.bits = r.U32LE();
  h.nonce = r.U32LE();
  Uint256 hash = Sha256d(ByteSpan(data, kBlockHeaderSize));
  h.hash = BlockHash::FromBytes(hash.data());
  return h;
}

absl::Status DecodeBlock(ByteSpan data, uint64_t offset, const DecodeOptions& options, Block* out) {
  ClearBlock(out);
  out->size = static_cast<uint32_t>(data.size());
  out->offset = offset;
  ByteReader r(data, offset);
  if (data.size() < kBlockHeaderSize) {
    r.Fail("block shorter than its 80-byte header");
    return r.status(absl::StrCat("block at offset ", offset));
  }
  out->header = DecodeHeader(data.data());
  r.Skip(kBlockHeaderSize);
  const uint64_t count_offset = r.offset();
  uint64_t n_tx = r.CompactSize();
  if (r.ok() && n_tx == 0) r.FailAt("block without transactions", count_offset);
  if (r.ok() && n_tx > r.remaining() / kMinTxSize) {
    r.FailAt("transaction count exceeds the remaining bytes", count_offset);
  }
  for (uint64_t i = 0; i < n_tx && r.ok(); ++i) DecodeTx(r, options, out);
  if (r.ok() && r.remaining() != 0) r.Fail("trailing bytes after the last transaction");
  if (!r.ok()) {
    ClearBlock(out);
    return r.status(absl::StrCat("block at offset ", offset));
  }
  if (options.check_merkle) {
    std::vector<Uint256>& ids = out->merkle_leaves;
    ids.resize(out->txs.size());
    for (size_t i = 0; i < out->txs.size(); ++i) {
      std::memcpy(ids[i].data(), out->txs[i].txid.data(), 32);
    }
    out->computed_merkle_root = ComputeMerkleRoot(ids, &out->merkle_scratch);
    out->merkle_ok = out->computed_merkle_root == out->header.merkle_root;
  }
  return absl::OkStatus();
}

absl::Status DecodeTransaction(ByteSpan data, const DecodeOptions& options, Block* out) {
  ClearBlock(out);
  ByteReader r(data, 0);
  DecodeTx(r, options, out);
  if (r.ok() && r.remaining() != 0) r.Fail("trailing bytes after the transaction");
  if (!r.ok()) {
    ClearBlock(out);
    return r.status("transaction");
  }
  return absl::OkStatus();
}

}  // namespace ariadne::btc
