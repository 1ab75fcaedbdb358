// libFuzzer target: the blk-file reader and the block decoder on arbitrary bytes (transactions
// alone: tx_decode_fuzz).
// Every input must either decode or fail with a status; nothing may crash, hang, read out of
// bounds or allocate from an untrusted count (ASan and UBSan watch).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/core/script.h"
#include "indexer/btc/blk_reader.h"
#include "indexer/btc/block.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne;
  btc::Block block;
  btc::DecodeOptions options;
  options.compute_wtxid = true;

  // As a raw block: touch every decoded field so that bad views are caught.
  if (btc::DecodeBlock(ByteSpan(data, size), 0, options, &block).ok()) {
    for (const btc::TxOut& o : block.outputs) (void)ScriptAddressKey(o.script);
    for (const btc::TxIn& in : block.inputs) (void)in.IsCoinbase();
  }
  // As a blk file.
  auto file =
      btc::BlkFile::FromBytes("fuzz", std::vector<uint8_t>(data, data + size), std::nullopt);
  btc::BlkRecord rec;
  while (true) {
    auto more = file->Next(&rec);
    if (!more.ok() || !*more) break;
    (void)btc::DecodeBlock(rec.block, rec.offset, options, &block);
  }
  return 0;
}
