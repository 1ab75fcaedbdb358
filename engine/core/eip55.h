// EIP-55 mixed-case checksum addresses: how addresses are shown to analysts and read back.
#ifndef ARIADNE_ENGINE_CORE_EIP55_H_
#define ARIADNE_ENGINE_CORE_EIP55_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/core/evm_types.h"

namespace ariadne::evm {

// Returns: "0x" and the 40 hex digits of `address`, each letter uppercased when the matching nibble
//          of Keccak-256(lowercase hex) is 8 or more (EIP-55).
std::string ToChecksumAddress(const Address& address);

// Returns: "0x" and 40 lowercase hex digits (the form JSON-RPC and ethereum-etl use).
std::string ToLowerHexAddress(const Address& address);

// Parses an address typed by a person or read from a dump.
// Args: text: 40 hex digits with an optional "0x"/"0X" prefix. All-lowercase and all-uppercase
//       digits are accepted without a checksum; mixed case must be a valid EIP-55 checksum.
// Returns: the address; INVALID_ARGUMENT naming the problem: wrong length, a non-hex character
//          (and its position), or "EIP-55 checksum mismatch" for mixed case that does not verify.
absl::StatusOr<Address> ParseAddress(std::string_view text);

}  // namespace ariadne::evm

#endif  // ARIADNE_ENGINE_CORE_EIP55_H_
