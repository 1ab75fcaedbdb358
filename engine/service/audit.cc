#include "engine/service/audit.h"

#include <fcntl.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/core/strings.h"

namespace ariadne::service {
namespace {

constexpr std::string_view kZeroHash =
    "0000000000000000000000000000000000000000000000000000000000000000";
constexpr std::string_view kPrevKey = ",\"prev\":\"";
constexpr std::string_view kHashKey = "\",\"hash\":\"";
constexpr std::string_view kEnd = "\"}";
// Every record ends with ,"prev":"<64 hex>","hash":"<64 hex>"}
constexpr size_t kTailBytes = kPrevKey.size() + 64 + kHashKey.size() + 64 + kEnd.size();

std::string HexSha256(std::string_view data) {
  uint8_t d[32];
  SHA256(reinterpret_cast<const uint8_t*>(data.data()), data.size(), d);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(64, '0');
  for (int i = 0; i < 32; ++i) {
    out[2 * i] = kHex[d[i] >> 4];
    out[2 * i + 1] = kHex[d[i] & 15];
  }
  return out;
}

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Appends s as a JSON string, cut to kMaxAuditField bytes. Bytes outside printable ASCII are
// written as \u00XX, so a record is ASCII and its bytes (hence its hash) are deterministic.
void AppendJsonString(std::string* out, std::string_view s) {
  bool cut = false;
  if (s.size() > kMaxAuditField) {
    s = s.substr(0, kMaxAuditField);
    cut = true;
  }
  out->push_back('"');
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(ch);
    } else if (c < 0x20 || c >= 0x7f) {
      absl::StrAppendFormat(out, "\\u%04x", c);
    } else {
      out->push_back(ch);
    }
  }
  if (cut) out->append("...");
  out->push_back('"');
}

// A record's tail: the part a verifier needs. Returns false when the line does not end with one.
struct Tail {
  std::string_view hashed;  // the bytes the hash covers
  std::string_view prev;
  std::string_view hash;
};
bool SplitTail(std::string_view line, Tail* t) {
  if (line.size() < kTailBytes + 1 || line.front() != '{') return false;
  const size_t p = line.size() - kTailBytes;
  if (line.substr(p, kPrevKey.size()) != kPrevKey) return false;
  t->prev = line.substr(p + kPrevKey.size(), 64);
  const size_t h = p + kPrevKey.size() + 64;
  if (line.substr(h, kHashKey.size()) != kHashKey) return false;
  t->hash = line.substr(h + kHashKey.size(), 64);
  if (line.substr(line.size() - kEnd.size()) != kEnd) return false;
  t->hashed = line.substr(0, h + 1);  // through the closing quote of prev
  return IsHex64(t->prev) && IsHex64(t->hash);
}

// Returns: the record's seq; 0 when the line does not start with {"seq":N,
uint64_t ParseSeq(std::string_view line) {
  constexpr std::string_view kSeq = "{\"seq\":";
  if (line.substr(0, kSeq.size()) != kSeq) return 0;
  const size_t comma = line.find(',', kSeq.size());
  if (comma == std::string_view::npos) return 0;
  uint64_t seq = 0;
  if (!absl::SimpleAtoi(AV(line.substr(kSeq.size(), comma - kSeq.size())), &seq)) return 0;
  return seq;
}

// Checks one line against the chain so far. Returns: DATA_LOSS describing what is wrong.
absl::Status CheckLine(std::string_view line, uint64_t line_no, uint64_t expect_seq,
                       std::string_view prev, std::string* hash) {
  Tail t;
  if (!SplitTail(line, &t)) {
    return absl::DataLossError(
        absl::StrCat("line ", line_no, ": not an audit record (partial, or its tail was edited)"));
  }
  const uint64_t seq = ParseSeq(line);
  if (HexSha256(t.hashed) != t.hash) {
    return absl::DataLossError(absl::StrCat("line ", line_no, " (seq ", seq,
                                            "): the record was edited (its hash does not match)"));
  }
  if (seq != expect_seq || t.prev != prev) {
    return absl::DataLossError(absl::StrCat(
        "line ", line_no, " (seq ", seq, "): expected seq ", expect_seq,
        " linked to the previous record: records were removed, inserted or reordered before it"));
  }
  *hash = std::string(t.hash);
  return absl::OkStatus();
}

}  // namespace

std::string FormatAuditLine(const AuditRecord& r, uint64_t seq, std::string_view prev,
                            std::string* hash) {
  std::string line;
  line.reserve(512);
  absl::StrAppend(&line, "{\"seq\":", seq, ",\"time\":\"",
                  absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", r.time, absl::UTCTimeZone()),
                  "\",\"principal\":");
  AppendJsonString(&line, r.principal);
  line.append(",\"role\":");
  AppendJsonString(&line, r.role);
  line.append(",\"case\":");
  AppendJsonString(&line, r.case_id);
  line.append(",\"method\":");
  AppendJsonString(&line, r.method);
  line.append(",\"subject\":{");
  for (size_t i = 0; i < r.subject.size(); ++i) {
    if (i > 0) line.push_back(',');
    AppendJsonString(&line, r.subject[i].first);
    line.push_back(':');
    AppendJsonString(&line, r.subject[i].second);
  }
  absl::StrAppend(&line, "},\"status\":\"", absl::StatusCodeToString(r.code), "\"");
  if (r.code != absl::StatusCode::kOk) {
    line.append(",\"error\":");
    AppendJsonString(&line, r.error);
  }
  absl::StrAppendFormat(&line, ",\"rows\":%d,\"ms\":%.3f,\"peer\":", r.rows, r.duration_ms);
  AppendJsonString(&line, r.peer);
  absl::StrAppend(&line, AV(kPrevKey), AV(prev), "\"");
  *hash = HexSha256(line);
  absl::StrAppend(&line, ",\"hash\":\"", *hash, "\"}\n");
  return line;
}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(const std::filesystem::path& path,
                                                         AuditOptions options) {
  std::unique_ptr<AuditLog> log(new AuditLog());
  log->path_ = path;
  log->options_ = options;
  log->fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (log->fd_ < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot open audit log ", path.string(), ": ", std::strerror(errno)));
  }
  struct stat st;
  if (::fstat(log->fd_, &st) != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot stat audit log ", path.string(), ": ", std::strerror(errno)));
  }
  absl::MutexLock lock(&log->mu_);
  log->head_ = std::string(kZeroHash);
  // A character device (e.g. /dev/null in a test) has no chain to continue.
  if (!S_ISREG(st.st_mode) || st.st_size == 0) return log;
  log->size_ = static_cast<uint64_t>(st.st_size);
  // Continue the chain from the last record: read the file's end.
  std::ifstream in(path, std::ios::binary);
  const uint64_t want = std::min<uint64_t>(log->size_, 1 << 20);
  in.seekg(static_cast<std::streamoff>(log->size_ - want));
  std::string end(want, '\0');
  if (!in.read(end.data(), static_cast<std::streamsize>(want))) {
    return absl::UnavailableError(absl::StrCat("cannot read audit log ", path.string()));
  }
  if (end.back() != '\n') {
    return absl::DataLossError(absl::StrCat("audit log ", path.string(),
                                            " ends with a partial record: run `ariadne audit "
                                            "verify` and move the damaged log aside"));
  }
  end.pop_back();
  const size_t start = end.rfind('\n');
  const std::string_view last =
      std::string_view(end).substr(start == std::string::npos ? 0 : start + 1);
  Tail t;
  const uint64_t seq = ParseSeq(last);
  if (!SplitTail(last, &t) || seq == 0 || HexSha256(t.hashed) != t.hash) {
    return absl::DataLossError(absl::StrCat("audit log ", path.string(),
                                            ": the last record is damaged: run `ariadne audit "
                                            "verify` and move the damaged log aside"));
  }
  log->seq_ = seq;
  log->head_ = std::string(t.hash);
  return log;
}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status AuditLog::Append(const AuditRecord& record) {
  absl::MutexLock lock(&mu_);
  std::string hash;
  const std::string line = FormatAuditLine(record, seq_ + 1, head_, &hash);
  size_t done = 0;
  int err = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (err == 0 && options_.fsync && ::fdatasync(fd_) != 0 && errno != EINVAL) err = errno;
  if (err != 0) {
    // Cut a partial record back off so the chain stays intact for the next append.
    if (done > 0) (void)!::ftruncate(fd_, static_cast<off_t>(size_));
    healthy_ = false;
    return absl::UnavailableError(absl::StrCat("the audit trail cannot be written (",
                                               path_.string(), ": ", std::strerror(err),
                                               "): the query is refused"));
  }
  ++seq_;
  head_ = std::move(hash);
  size_ += line.size();
  healthy_ = true;
  return absl::OkStatus();
}

bool AuditLog::healthy() const {
  absl::MutexLock lock(&mu_);
  return healthy_;
}

AuditChain AuditLog::chain() const {
  absl::MutexLock lock(&mu_);
  return AuditChain{seq_, head_};
}

namespace {

// Feeds lines (without their newline) to CheckLine, in order.
class ChainChecker {
 public:
  ChainChecker() { chain_.head = std::string(kZeroHash); }
  absl::Status Line(std::string_view line) {
    std::string hash;
    absl::Status s = CheckLine(line, chain_.records + 1, chain_.records + 1, chain_.head, &hash);
    if (!s.ok()) return s;
    ++chain_.records;
    chain_.head = std::move(hash);
    return absl::OkStatus();
  }
  absl::Status Partial() const {
    return absl::DataLossError(
        absl::StrCat("line ", chain_.records + 1, ": partial record at the end (no newline)"));
  }
  const AuditChain& chain() const { return chain_; }

 private:
  AuditChain chain_;
};

}  // namespace

absl::StatusOr<AuditChain> VerifyAuditText(std::string_view text) {
  ChainChecker checker;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return checker.Partial();
    absl::Status s = checker.Line(text.substr(pos, nl - pos));
    if (!s.ok()) return s;
    pos = nl + 1;
  }
  return checker.chain();
}

absl::StatusOr<AuditChain> VerifyAuditLog(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read audit log ", path.string()));
  ChainChecker checker;
  std::string line;
  absl::Status s;
  while (s.ok() && std::getline(in, line)) {
    s = in.eof() ? checker.Partial() : checker.Line(line);
  }
  if (s.ok() && in.bad()) s = absl::UnavailableError("read error");
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat(path.string(), ": ", s.message()));
  return checker.chain();
}

}  // namespace ariadne::service
