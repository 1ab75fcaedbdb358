// Signed heads of the audit trail (audit.h). The hash chain alone shows edits inside a log, but a
// log cut at a record boundary is a shorter valid chain, and a log rewritten and re-chained whole
// is a valid chain too. So the server signs the chain's head with its Ed25519 key when it starts,
// every N records and when it stops, into a second file beside the log (FILE.heads): a log that
// lost records signed in a head, or whose records differ from a signed head, fails verification,
// and forging a head needs the server's private key.
//
// The heads file: JSON lines, one per signature, fields in this order:
//   {"seq":N,"head":"<64 hex>","time":"2024-05-01T12:00:00.123Z","event":"start",
//    "key":"<64 hex>","sig":"<128 hex>"}
// seq is the number of records the chain had (0: empty), head the hash of record seq (64 zeros
// for 0), event start, every or stop, key the Ed25519 public key, and sig the Ed25519 signature of
// "ariadne-audit-head/1\n" followed by the line's bytes before `,"sig":"`.
#ifndef ARIADNE_ENGINE_SERVICE_AUDIT_SIGNATURE_H_
#define ARIADNE_ENGINE_SERVICE_AUDIT_SIGNATURE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace ariadne::service {

// The server's signing key.
class AuditKey {
 public:
  // Loads the Ed25519 private key at `path` (PEM, PKCS#8), or creates one there (mode 0600) when
  // the file does not exist.
  // Out: *created: whether the key was created now (may be null).
  // Returns: FAILED_PRECONDITION when the file is readable or writable by other users;
  // INVALID_ARGUMENT when it is not an unencrypted Ed25519 private key; UNAVAILABLE when it
  // cannot be read or created.
  static absl::StatusOr<std::unique_ptr<AuditKey>> LoadOrCreate(const std::filesystem::path& path,
                                                                bool* created = nullptr);
  ~AuditKey();
  AuditKey(const AuditKey&) = delete;
  AuditKey& operator=(const AuditKey&) = delete;

  // Returns: the public key, 64 hex digits.
  const std::string& public_hex() const { return public_hex_; }
  // Returns: one line of the heads file (with its newline) signing that the chain had `records`
  // records, the last with hash `head`, at `time`.
  // Args: event: "start", "every" or "stop".
  std::string SignHead(uint64_t records, std::string_view head, absl::Time time,
                       std::string_view event) const;

 private:
  AuditKey() = default;
  EVP_PKEY* key_ = nullptr;
  std::string public_hex_;
};

// One verified line of a heads file.
struct SignedHead {
  uint64_t seq = 0;
  std::string head;
  std::string time;
  std::string event;
  std::string key;    // public key, hex
  uint64_t line = 0;  // line number in the heads file, from 1
};

// Parses one heads line (without its newline) and checks its signature with the key it names.
// Returns: DATA_LOSS naming the line when it is malformed or the signature does not verify.
absl::StatusOr<SignedHead> VerifyHeadLine(std::string_view line, uint64_t line_no);

// Reads a heads file: every line verified, all signed by one key, seq never going down.
// Args: expect_key: when not empty, the public key (hex) every head must be signed with.
// Returns: NOT_FOUND when the file does not exist; DATA_LOSS naming the file and line of a bad or
// forged head, a head by another key, or a partial last line.
absl::StatusOr<std::vector<SignedHead>> ReadSignedHeads(const std::filesystem::path& path,
                                                        std::string_view expect_key = "");

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_AUDIT_SIGNATURE_H_
