// The audit trail: an append-only, hash-chained log of every request the server answered or
// refused, so that queries can be shown to a court as evidence of who asked what, when.
//
// Format: JSON lines, one record per request, fields in this order:
//   {"seq":N,"time":"2024-05-01T12:00:00.123Z","principal":"alice","role":"analyst",
//    "case":"CASE-17","method":"/ariadne.v1.Ariadne/Trace","subject":{"seed":"1A1z..."},
//    "status":"OK","error":"...","rows":42,"ms":3.1,"peer":"ipv4:10.0.0.5:50312",
//    "prev":"<64 hex>","hash":"<64 hex>"}
// "error" is present only when the status is not OK. seq counts from 1; "prev" is the previous
// record's "hash" (64 zeros for the first record); "hash" is the SHA-256, in hex, of the record's
// bytes that precede `,"hash":"`. So editing any byte of a record breaks its hash, and removing or
// reordering records breaks the seq and prev links. Removing records from the end leaves a shorter
// valid chain, and rewriting the whole log leaves another valid chain: the signed heads
// (audit_signature.h, FILE.heads) catch both, and a head kept elsewhere (printed by `ariadne audit
// verify`) also catches a log and heads file cut back together.
#ifndef ARIADNE_ENGINE_SERVICE_AUDIT_H_
#define ARIADNE_ENGINE_SERVICE_AUDIT_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/service/audit_signature.h"

namespace ariadne::service {

// One request, as recorded. Strings are written JSON-escaped and cut to kMaxAuditField bytes.
struct AuditRecord {
  absl::Time time;
  std::string principal;  // the token's name; "anonymous" when authentication is off
  std::string role;
  std::string case_id;  // the request's x-case-id metadata, empty when absent
  std::string method;   // full gRPC method path
  // The request fields naming what was asked about (address, txid, seed, cluster_id, from, to),
  // in field order.
  std::vector<std::pair<std::string, std::string>> subject;
  absl::StatusCode code = absl::StatusCode::kOk;
  std::string error;  // the status message when not OK
  uint64_t rows = 0;  // response messages sent
  double duration_ms = 0;
  std::string peer;
};

// Longest string value kept in a record (longer values are cut and end with "...").
inline constexpr size_t kMaxAuditField = 256;

struct AuditOptions {
  // Default false: each record is written with one write(2) before the answer's status leaves the
  // server (so it survives a crash of the server); true also fdatasync()s it (survives a crash of
  // the machine, at the cost of a disk flush per request).
  bool fsync = false;
  // Default null: no signed heads. Set: the log signs its head with this key into `heads` when it
  // opens ("start"), every `sign_every` records ("every") and at Close() ("stop"), and Open()
  // refuses a log that does not hold the last signed head. Must outlive the log.
  const AuditKey* key = nullptr;
  // Default empty: the log's path followed by ".heads".
  std::filesystem::path heads;
  // Default 100: records between two signed heads (a crash leaves at most this many unsigned).
  uint64_t sign_every = 100;
};

// Summary of a verified chain.
struct AuditChain {
  uint64_t records = 0;
  std::string head;  // the last record's hash; 64 zeros for an empty log
  // Filled by VerifyAuditTrail: how many signed heads matched, the seq of the last one, its key.
  uint64_t signed_heads = 0;
  uint64_t last_signed_seq = 0;
  std::string key;
};

// Returns: the heads file of a log: its path followed by ".heads".
std::filesystem::path HeadsPath(const std::filesystem::path& log);

class AuditLog {
 public:
  // Opens (creating) the log at `path` and continues its chain; with a key, signs its head.
  // Returns: UNAVAILABLE when it cannot be opened for appending; DATA_LOSS when its last record is
  // partial or its hash does not match, or (with a key) when it lacks records signed in its heads
  // file or they differ (run `ariadne audit verify`); FAILED_PRECONDITION (with a key) for a log
  // with records and no heads file, or heads signed by another key.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(const std::filesystem::path& path,
                                                        AuditOptions options);
  // Signs the head (Close()) unless that was done.
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends one record (thread-safe; records are chained in the order of the calls).
  // Returns: UNAVAILABLE naming the error when the write fails (nothing of the record stays in
  // the file then, when the file can be cut back).
  absl::Status Append(const AuditRecord& record) ABSL_LOCKS_EXCLUDED(mu_);
  // Returns: false when the last append failed (queries are refused until one succeeds).
  bool healthy() const ABSL_LOCKS_EXCLUDED(mu_);
  AuditChain chain() const ABSL_LOCKS_EXCLUDED(mu_);
  // Signs the final head ("stop"), when the log has a key. Later appends start a new run of heads.
  // Returns: UNAVAILABLE when the heads file cannot be written.
  absl::Status Close() ABSL_LOCKS_EXCLUDED(mu_);
  const std::filesystem::path& path() const { return path_; }

 private:
  AuditLog() = default;
  std::filesystem::path path_;
  AuditOptions options_;
  // Reads the last record of a non-empty log into seq_ and head_. Returns: Open()'s DATA_LOSS.
  absl::Status ReadLastRecord() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Appends a signed head of the current chain. Returns: UNAVAILABLE when it cannot be written.
  absl::Status SignHead(std::string_view event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Checks the chain against the last signed head (Open).
  absl::Status CheckSignedHeads() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  int fd_ = -1;
  int heads_fd_ = -1;
  mutable absl::Mutex mu_;
  uint64_t unsigned_records_ ABSL_GUARDED_BY(mu_) = 0;  // appended since the last signed head
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t seq_ ABSL_GUARDED_BY(mu_) = 0;
  std::string head_ ABSL_GUARDED_BY(mu_);
  uint64_t size_ ABSL_GUARDED_BY(mu_) = 0;
  bool healthy_ ABSL_GUARDED_BY(mu_) = true;
};

// Checks a whole log: every record's hash, seq and link to the previous one.
// Returns: the chain's length and head; DATA_LOSS naming the first bad line and what is wrong
// (edited, removed, reordered, partial); NOT_FOUND when the file cannot be read.
absl::StatusOr<AuditChain> VerifyAuditLog(const std::filesystem::path& path);

struct AuditVerifyOptions {
  // Default empty: HeadsPath(log).
  std::filesystem::path heads;
  // Default false: a log without its heads file is DATA_LOSS (it may have been cut or rewritten).
  // True: such a log is checked by its hash chain alone.
  bool allow_unsigned = false;
  // Default empty: heads signed by any one key pass (compare AuditChain::key with the server's).
  // Set (64 hex digits): every head must be signed by this public key.
  std::string public_key;
};

// VerifyAuditLog, and the signed heads: each signature, and each signed (seq, head) against the
// record of that seq.
// Returns: VerifyAuditLog's errors; ReadSignedHeads' DATA_LOSS; DATA_LOSS naming the record that
// differs from a signed head (the log was rewritten) or the last signed seq beyond the log's end
// (records were removed from it); DATA_LOSS for a missing heads file unless allow_unsigned.
absl::StatusOr<AuditChain> VerifyAuditTrail(const std::filesystem::path& log,
                                            const AuditVerifyOptions& options);
// The same over a log's text.
absl::StatusOr<AuditChain> VerifyAuditText(std::string_view text);

// Returns: `record` as one chained line (with its trailing newline), given the previous hash.
// Out: *hash: the new record's hash.
std::string FormatAuditLine(const AuditRecord& record, uint64_t seq, std::string_view prev,
                            std::string* hash);

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_AUDIT_H_
