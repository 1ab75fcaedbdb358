// Base58 and Base58Check (Bitcoin's legacy address and key encoding).
#ifndef ARIADNE_ENGINE_CORE_BASE58_H_
#define ARIADNE_ENGINE_CORE_BASE58_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/types.h"

namespace ariadne {

// Returns: the Base58 encoding of `data` (leading zero bytes become leading '1's).
std::string EncodeBase58(ByteSpan data);
// Returns: the bytes of `str`; INVALID_ARGUMENT on a character outside the alphabet (naming it and
// its position), or when the result would exceed `max_len` bytes (checked before allocating).
// Leading and trailing ASCII whitespace is ignored, as in Bitcoin Core.
absl::StatusOr<std::vector<uint8_t>> DecodeBase58(std::string_view str, size_t max_len);
// Returns: Base58 of data || first 4 bytes of SHA-256d(data).
std::string EncodeBase58Check(ByteSpan data);
// Returns: the payload of a Base58Check string; INVALID_ARGUMENT on a bad checksum, a payload over
// max_len bytes, or a Base58 error.
absl::StatusOr<std::vector<uint8_t>> DecodeBase58Check(std::string_view str, size_t max_len);

}  // namespace ariadne

#endif  // ARIADNE_ENGINE_CORE_BASE58_H_
