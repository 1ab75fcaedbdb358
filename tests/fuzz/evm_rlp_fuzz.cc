// libFuzzer target: EVM RLP, transaction, header, body and receipt decoding, snappy framing and the
// e2store walk of era1 files, and the trace JSON parsers, on arbitrary bytes. Every input must
// decode or fail with a status; nothing may crash, hang, read out of bounds or allocate from an
// untrusted count (ASan and UBSan watch).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "indexer/evm/block_builder.h"
#include "indexer/evm/json_rpc.h"
#include "indexer/evm/receipt.h"
#include "indexer/evm/rlp.h"
#include "indexer/evm/rlp_block.h"
#include "indexer/evm/snappy_frame.h"
#include "indexer/evm/transaction.h"

namespace {

using namespace ariadne;
using namespace ariadne::evm;

void DecodeAsTransaction(ByteSpan data) {
  Transaction tx;
  if (!DecodeTransaction(data, "fuzz", &tx).ok()) return;
  (void)SigningHash(tx);
  (void)RecoverSender(tx);
  (void)ForEachAuthorization(tx, [](const Authorization& a) { (void)RecoverAuthority(a); });
}

void DecodeAsReceipts(ByteSpan data) {
  RlpError err;
  RlpReader outer(data, 0, &err);
  RlpReader list = outer.List("receipts");
  RlpItem item;
  while (list.Next(&item)) {
    Receipt r;
    DecodeReceipt(item, &err, &r);
    if (!err.ok()) return;
    uint8_t bloom[kBloomSize];
    ComputeBloom(r, bloom);
  }
}

// Splits data into header, body and receipts by two 2-byte lengths at its start.
void DecodeAsBlock(ByteSpan data, RlpBlockDecoder& decoder) {
  if (data.size() < 4) return;
  const size_t h = (data[0] | (data[1] << 8)) % (data.size() - 3);
  const size_t b = (data[2] | (data[3] << 8)) % (data.size() - 3 - h + 1);
  ByteSpan rest = data.subspan(4);
  EvmBlock block;
  (void)decoder.Decode(rest.subspan(0, h), rest.subspan(h, b), rest.subspan(h + b), "fuzz", &block);
}

// Walks e2store entries (as in era1 files) and decodes each decompressed entry every way.
void DecodeAsE2store(ByteSpan data, RlpBlockDecoder& decoder) {
  std::vector<uint8_t> out;
  size_t pos = 0;
  std::vector<std::vector<uint8_t>> parts;
  while (data.size() - pos >= 8) {
    uint32_t len;
    std::memcpy(&len, data.data() + pos + 2, 4);
    pos += 8;
    if (len > data.size() - pos) return;
    ByteSpan entry = data.subspan(pos, len);
    pos += len;
    if (!SnappyFrameDecompress(entry, 1 << 22, "fuzz", pos, &out).ok()) continue;
    DecodeAsTransaction(out);
    DecodeAsReceipts(out);
    parts.push_back(out);
    if (parts.size() == 3) {
      EvmBlock block;
      (void)decoder.Decode(parts[0], parts[1], parts[2], "fuzz", &block);
      parts.clear();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteSpan bytes(data, size);
  RlpBlockOptions options;
  RlpBlockDecoder decoder(options);
  (void)ValidateRlp(bytes, "fuzz");
  DecodeAsTransaction(bytes);
  DecodeAsReceipts(bytes);
  DecodeAsBlock(bytes, decoder);
  DecodeAsE2store(bytes, decoder);
  std::vector<uint8_t> out;
  (void)SnappyFrameDecompress(bytes, 1 << 22, "fuzz", 0, &out);
  // The trace parsers on the bytes as JSON text.
  if (size < 65536) {
    EvmBlock block;
    EvmBlockBuilder builder(&block);
    Transaction tx;
    builder.AddTransaction(tx, Address());
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)AddGethCallTrace(text, 0, &builder);
    (void)AddParityTraces(text, &builder);
    (void)builder.Finish("fuzz");
  }
  return 0;
}
