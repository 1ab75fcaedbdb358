#include "engine/core/evm_types.h"

#include "absl/strings/str_cat.h"

namespace ariadne::evm {

absl::StatusOr<H256> ParseH256(std::string_view hex) {
  std::string_view digits = hex;
  if (digits.size() >= 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    digits.remove_prefix(2);
  }
  if (digits.size() != 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a 32-byte hash (64 hex digits), got ", digits.size(), " digits"));
  }
  auto bytes = HexDecode(digits);
  if (!bytes.ok()) return bytes.status();
  // HexDecode drops a "0x" prefix of its own: "0x0x" and 62 digits would decode to 31 bytes.
  if (bytes->size() != H256::kSize) {
    return absl::InvalidArgumentError("expected a 32-byte hash, got a second 0x prefix");
  }
  return H256::FromBytes(bytes->data());
}

}  // namespace ariadne::evm
