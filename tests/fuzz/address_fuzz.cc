// libFuzzer target: address strings of every network (base58check, bech32/bech32m, the
// multisig:/script: pseudo-addresses, EIP-55), txids and 32-byte hashes, on arbitrary text. Each
// decodes or is INVALID_ARGUMENT; a decoded address encodes to a string that decodes to the same
// key (the canonical form).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/core/address.h"
#include "engine/core/eip55.h"
#include "engine/core/evm_types.h"
#include "engine/core/types.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (Network n : {Network::kMainnet, Network::kTestnet, Network::kTestnet4, Network::kSignet,
                    Network::kRegtest}) {
    auto key = DecodeAddress(text, n);
    if (!key.ok()) continue;
    const std::string canonical = EncodeAddress(*key, n);
    auto again = DecodeAddress(canonical, n);
    if (!again.ok() || !(*again == *key)) std::abort();  // the canonical form must round-trip
  }
  auto evm_address = evm::ParseAddress(text);
  if (evm_address.ok()) {
    auto again = evm::ParseAddress(evm::ToChecksumAddress(*evm_address));
    if (!again.ok() || !(*again == *evm_address)) std::abort();
  }
  (void)Txid::FromHex(text);
  (void)evm::ParseH256(text);
  return 0;
}
