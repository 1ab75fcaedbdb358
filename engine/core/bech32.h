// Bech32 (BIP173) and Bech32m (BIP350), and segwit addresses built on them.
#ifndef ARIADNE_ENGINE_CORE_BECH32_H_
#define ARIADNE_ENGINE_CORE_BECH32_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/types.h"

namespace ariadne {

enum class Bech32Encoding : uint8_t { kBech32, kBech32m };

struct Bech32Decoded {
  Bech32Encoding encoding;
  std::string hrp;            // lowercase
  std::vector<uint8_t> data;  // 5-bit values, checksum removed
};

// Returns: hrp + '1' + data + checksum, lowercase. `hrp` must be lowercase; `data` holds 5-bit
// values.
std::string Bech32Encode(std::string_view hrp, const std::vector<uint8_t>& values,
                         Bech32Encoding encoding);
// Returns: the decoded string; INVALID_ARGUMENT on mixed case, a length over 90, a character
// outside the charset, a missing separator, an empty or out-of-range hrp, or a checksum that is
// neither bech32 nor bech32m.
absl::StatusOr<Bech32Decoded> Bech32Decode(std::string_view str);

struct SegwitProgram {
  uint8_t version;               // 0..16
  std::vector<uint8_t> program;  // 2..40 bytes (20 or 32 for version 0)
};

// Returns: the segwit address of (version, program) under `hrp`: bech32 for version 0, bech32m for
// versions 1..16 (BIP350).
std::string EncodeSegwitAddress(std::string_view hrp, uint8_t version, ByteSpan program);
// Returns: the program of a segwit address whose hrp is `hrp`; INVALID_ARGUMENT when the hrp
// differs, the checksum variant does not match the version, the version is over 16, the program
// length is out of range, or the 8-to-5-bit padding is invalid.
absl::StatusOr<SegwitProgram> DecodeSegwitAddress(std::string_view hrp, std::string_view addr);

}  // namespace ariadne

#endif  // ARIADNE_ENGINE_CORE_BECH32_H_
