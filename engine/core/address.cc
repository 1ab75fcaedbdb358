#include "engine/core/address.h"

#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/core/base58.h"
#include "engine/core/bech32.h"
#include "engine/core/hex.h"
#include "engine/core/strings.h"

namespace ariadne {
namespace {

constexpr std::string_view kMultisigPrefix = "multisig:";
constexpr std::string_view kScriptPrefix = "script:";
// A base58check address payload: the version byte and a 20-byte hash.
constexpr size_t kBase58PayloadSize = 21;

// Returns: true when `key` has the payload size its kind requires.
bool ValidKeySize(const AddressKey& key) {
  switch (key.kind) {
    case AddrKind::kKeyHash:
    case AddrKind::kScriptHash:
    case AddrKind::kWitnessV0KeyHash:
      return key.size == 20;
    case AddrKind::kWitnessV0ScriptHash:
    case AddrKind::kTaproot:
    case AddrKind::kMultisig:
    case AddrKind::kNonstandard:
      return key.size == 32;
    case AddrKind::kWitnessUnknown:
      return key.witness_version >= 1 && key.witness_version <= 16 && key.size >= 2 &&
             key.size <= 40;
    case AddrKind::kNone:
      return true;
  }
  return false;
}

std::string Base58Address(uint8_t version, const AddressKey& key) {
  uint8_t buf[kBase58PayloadSize];
  buf[0] = version;
  std::memcpy(buf + 1, key.payload.data(), 20);
  return EncodeBase58Check(ByteSpan(buf, sizeof(buf)));
}

bool EqualsLowercase(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

absl::StatusOr<AddressKey> DecodePseudo(std::string_view address, std::string_view prefix,
                                        AddrKind kind) {
  const std::string_view hex = address.substr(prefix.size());
  if (hex.size() != 64) {
    return absl::InvalidArgumentError(absl::StrCat("pseudo-address '", AV(prefix),
                                                   "' needs 64 hex "
                                                   "digits of SHA-256(script), got ",
                                                   hex.size(), " characters"));
  }
  absl::StatusOr<std::vector<uint8_t>> bytes = HexDecode(hex);
  if (!bytes.ok() || bytes->size() != 32) {
    return absl::InvalidArgumentError(
        absl::StrCat("pseudo-address '", AV(prefix), "' has a malformed hash: ",
                     bytes.ok() ? absl::string_view("not 32 bytes") : bytes.status().message()));
  }
  AddressKey key;
  key.kind = kind;
  key.size = 32;
  std::memcpy(key.payload.data(), bytes->data(), 32);
  return key;
}

absl::StatusOr<AddressKey> DecodeSegwit(std::string_view address, const NetworkParams& params) {
  absl::StatusOr<SegwitProgram> program = DecodeSegwitAddress(params.hrp, address);
  if (!program.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ", AV(params.name), " segwit address: ", program.status().message()));
  }
  AddressKey key;
  const size_t size = program->program.size();
  if (program->version == 0) {
    key.kind = size == 20 ? AddrKind::kWitnessV0KeyHash : AddrKind::kWitnessV0ScriptHash;
  } else if (program->version == 1 && size == 32) {
    key.kind = AddrKind::kTaproot;
  } else {
    key.kind = AddrKind::kWitnessUnknown;
    key.witness_version = program->version;
  }
  key.size = static_cast<uint8_t>(size);  // 2..40, checked by DecodeSegwitAddress
  std::memcpy(key.payload.data(), program->program.data(), size);
  return key;
}

}  // namespace

std::string EncodeAddress(const AddressKey& key, Network network) {
  // Keys come from ScriptAddressKey or DecodeAddress; a hand-made key with a payload size its kind
  // cannot have has no address and encodes as empty, like kNone.
  if (!ValidKeySize(key)) return {};
  const NetworkParams& params = Params(network);
  switch (key.kind) {
    case AddrKind::kNone:
      return {};
    case AddrKind::kKeyHash:
      return Base58Address(params.p2pkh_prefix, key);
    case AddrKind::kScriptHash:
      return Base58Address(params.p2sh_prefix, key);
    case AddrKind::kWitnessV0KeyHash:
    case AddrKind::kWitnessV0ScriptHash:
      return EncodeSegwitAddress(params.hrp, 0, key.bytes());
    case AddrKind::kTaproot:
      return EncodeSegwitAddress(params.hrp, 1, key.bytes());
    case AddrKind::kWitnessUnknown:
      return EncodeSegwitAddress(params.hrp, key.witness_version, key.bytes());
    case AddrKind::kMultisig:
      return absl::StrCat(AV(kMultisigPrefix), HexEncode(key.bytes()));
    case AddrKind::kNonstandard:
      return absl::StrCat(AV(kScriptPrefix), HexEncode(key.bytes()));
  }
  return {};
}

absl::StatusOr<AddressKey> DecodeAddress(std::string_view address, Network network) {
  const NetworkParams& params = Params(network);
  if (address.empty()) return absl::InvalidArgumentError("empty address");
  // Addresses are printable ASCII without spaces; rejecting everything else up front keeps one
  // spelling per address (no silently trimmed whitespace) and makes the error name the position.
  for (size_t i = 0; i < address.size(); ++i) {
    const auto c = static_cast<uint8_t>(address[i]);
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          absl::StrFormat("address has character 0x%02x at position %d", c, i));
    }
  }
  if (address.starts_with(kMultisigPrefix)) {
    return DecodePseudo(address, kMultisigPrefix, AddrKind::kMultisig);
  }
  if (address.starts_with(kScriptPrefix)) {
    return DecodePseudo(address, kScriptPrefix, AddrKind::kNonstandard);
  }
  // As in Bitcoin Core, a string that starts with this network's hrp and the separator is a
  // segwit address (base58 addresses of every network start with other characters).
  const std::string_view hrp = params.hrp;
  if (address.size() > hrp.size() && address[hrp.size()] == '1' &&
      EqualsLowercase(address.substr(0, hrp.size()), hrp)) {
    return DecodeSegwit(address, params);
  }

  absl::StatusOr<std::vector<uint8_t>> payload = DecodeBase58Check(address, kBase58PayloadSize);
  if (!payload.ok()) {
    // Name the likely cause when it is a well-formed bech32 string of another network.
    absl::StatusOr<Bech32Decoded> bech32 = Bech32Decode(address);
    if (bech32.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("address has bech32 hrp '", bech32->hrp,
                                                     "', but ", AV(params.name), " uses '", AV(hrp),
                                                     "'"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("invalid ", AV(params.name), " address: ", payload.status().message()));
  }
  if (payload->size() != kBase58PayloadSize) {
    return absl::InvalidArgumentError(absl::StrCat("base58 address payload of ", payload->size(),
                                                   " bytes, expected 21 (version + 20-byte hash)"));
  }
  AddressKey key;
  const uint8_t version = (*payload)[0];
  if (version == params.p2pkh_prefix) {
    key.kind = AddrKind::kKeyHash;
  } else if (version == params.p2sh_prefix) {
    key.kind = AddrKind::kScriptHash;
  } else {
    return absl::InvalidArgumentError(absl::StrFormat(
        "base58 address version byte %d is neither %s's P2PKH (%d) nor P2SH (%d) prefix", version,
        AV(params.name), params.p2pkh_prefix, params.p2sh_prefix));
  }
  key.size = 20;
  std::memcpy(key.payload.data(), payload->data() + 1, 20);
  return key;
}

}  // namespace ariadne
