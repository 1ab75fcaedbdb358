// Address strings: what analysts type and read.
//
// Standard kinds use the network's encodings: base58check (P2PKH, P2SH), bech32 (segwit v0) and
// bech32m (v1+). Kinds without a standard address get an unambiguous pseudo-address that round
// trips: "multisig:<64 hex of SHA-256(script)>" and "script:<64 hex of SHA-256(script)>".
#ifndef ARIADNE_ENGINE_CORE_ADDRESS_H_
#define ARIADNE_ENGINE_CORE_ADDRESS_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/core/network.h"
#include "engine/core/script.h"

namespace ariadne {

// Returns: the address string of `key` on `network`; empty for kNone.
std::string EncodeAddress(const AddressKey& key, Network network);
// Returns: the key of `address` on `network`; INVALID_ARGUMENT with the reason (bad checksum,
// another network's prefix or hrp, wrong length, unknown characters, ...).
absl::StatusOr<AddressKey> DecodeAddress(std::string_view address, Network network);

}  // namespace ariadne

#endif  // ARIADNE_ENGINE_CORE_ADDRESS_H_
