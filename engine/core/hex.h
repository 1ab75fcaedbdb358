// Hexadecimal encoding and decoding.
#ifndef ARIADNE_ENGINE_CORE_HEX_H_
#define ARIADNE_ENGINE_CORE_HEX_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/types.h"

namespace ariadne {

// Returns: the value of a hex digit (either case), or -1 for any other character.
int HexValue(char c);
// Returns: lowercase hex of `bytes`, in order.
std::string HexEncode(ByteSpan bytes);
// Returns: lowercase hex of `bytes`, last byte first (Bitcoin's display order for hashes).
std::string HexEncodeReversed(ByteSpan bytes);
// Returns: the bytes of `hex` (either case, optional "0x" prefix); INVALID_ARGUMENT on an odd
// length or a non-hex digit, naming its position.
absl::StatusOr<std::vector<uint8_t>> HexDecode(std::string_view hex);

}  // namespace ariadne

#endif  // ARIADNE_ENGINE_CORE_HEX_H_
