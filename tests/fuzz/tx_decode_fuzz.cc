// libFuzzer target: Bitcoin transaction decoding (legacy and segwit serialisation, txid and wtxid)
// and the classification of every output script, on arbitrary bytes. Every input must decode or
// fail with a status; nothing may crash, read out of bounds or allocate from an untrusted count.
#include <cstddef>
#include <cstdint>

#include "engine/core/address.h"
#include "engine/core/script.h"
#include "indexer/btc/block.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne;
  btc::Block block;
  btc::DecodeOptions options;
  options.compute_wtxid = true;
  if (!btc::DecodeTransaction(ByteSpan(data, size), options, &block).ok()) return 0;
  for (const btc::TxOut& o : block.outputs) {
    const AddressKey key = ScriptAddressKey(o.script);
    (void)EncodeAddress(key, Network::kMainnet);
  }
  for (const btc::TxIn& in : block.inputs) (void)in.IsCoinbase();
  return 0;
}
