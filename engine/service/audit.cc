#include "engine/service/audit.h"

#include <fcntl.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>

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

// Writes a whole line with write(2) (and fdatasync when asked). Returns: UNAVAILABLE with strerror.
absl::Status WriteLine(int fd, std::string_view line, bool sync) {
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return absl::UnavailableError(n < 0 ? std::strerror(errno) : "short write");
    done += static_cast<size_t>(n);
  }
  if (sync && ::fdatasync(fd) != 0 && errno != EINVAL) {
    return absl::UnavailableError(std::strerror(errno));
  }
  return absl::OkStatus();
}

// Returns: the hash of the record with `seq` of the log at `path` (`size` bytes), looked for in a
// window at the end that doubles until it holds the record (the last signed head is close to the
// end); DATA_LOSS when there is no such intact record.
absl::StatusOr<std::string> RecordHashAt(const std::filesystem::path& path, uint64_t size,
                                         uint64_t seq) {
  std::ifstream in(path, std::ios::binary);
  for (uint64_t window = 1 << 20;; window *= 2) {
    const uint64_t begin = size > window ? size - window : 0;
    std::string buf(size - begin, '\0');
    in.seekg(static_cast<std::streamoff>(begin));
    if (!in.read(buf.data(), static_cast<std::streamsize>(buf.size()))) break;
    // Complete lines only: the window's first piece belongs to a line that starts before it.
    size_t pos = begin == 0 ? 0 : buf.find('\n');
    if (pos == std::string::npos) continue;
    if (begin > 0) ++pos;
    bool before = begin == 0;  // whether the window starts at or before the record
    while (pos < buf.size()) {
      size_t nl = buf.find('\n', pos);
      if (nl == std::string::npos) nl = buf.size();
      const std::string_view line = std::string_view(buf).substr(pos, nl - pos);
      const uint64_t got = ParseSeq(line);
      if (got != 0 && got <= seq) before = true;
      if (got == seq) {
        Tail t;
        if (!SplitTail(line, &t) || HexSha256(t.hashed) != t.hash) break;
        return std::string(t.hash);
      }
      pos = nl + 1;
    }
    if (before) break;
  }
  return absl::DataLossError(absl::StrCat("audit log ", path.string(), " has no intact record ",
                                          seq, ": run `ariadne audit verify`"));
}

}  // namespace

std::filesystem::path HeadsPath(const std::filesystem::path& log) {
  return std::filesystem::path(log.string() + ".heads");
}

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
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    log->size_ = static_cast<uint64_t>(st.st_size);
    absl::Status s = log->ReadLastRecord();
    if (!s.ok()) return s;
  }
  if (options.key != nullptr) {
    const std::filesystem::path heads = options.heads.empty() ? HeadsPath(path) : options.heads;
    log->options_.heads = heads;
    absl::Status s = log->CheckSignedHeads();
    if (!s.ok()) return s;
    log->heads_fd_ = ::open(heads.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (log->heads_fd_ < 0) {
      return absl::UnavailableError(absl::StrCat("cannot open the audit log's heads file ",
                                                 heads.string(), ": ", std::strerror(errno)));
    }
    s = log->SignHead("start");
    if (!s.ok()) return s;
  }
  return log;
}

absl::Status AuditLog::ReadLastRecord() {
  const std::filesystem::path& path = path_;
  // Continue the chain from the last record: read the file's end.
  std::ifstream in(path, std::ios::binary);
  const uint64_t want = std::min<uint64_t>(size_, 1 << 20);
  in.seekg(static_cast<std::streamoff>(size_ - want));
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
  seq_ = seq;
  head_ = std::string(t.hash);
  return absl::OkStatus();
}

absl::Status AuditLog::CheckSignedHeads() {
  const std::filesystem::path& heads_path = options_.heads;
  auto heads = ReadSignedHeads(heads_path, options_.key->public_hex());
  if (absl::IsNotFound(heads.status())) {
    if (seq_ == 0) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat("audit log ", path_.string(), " has ", seq_,
                     " records but no signed heads file ", heads_path.string(),
                     ": it may have been cut or rewritten. Check it (`ariadne audit verify ",
                     path_.string(), " --unsigned`), move it aside and start a new log"));
  }
  if (!heads.ok()) return heads.status();
  if (heads->empty()) return absl::OkStatus();
  const SignedHead& last = heads->back();
  const std::string where = absl::StrCat("the head signed at ", last.time, " (",
                                         heads_path.string(), " line ", last.line, ")");
  if (last.seq > seq_) {
    return absl::DataLossError(absl::StrCat("audit log ", path_.string(), " ends at record ", seq_,
                                            " but ", where, " covers record ", last.seq,
                                            ": records were removed from its end"));
  }
  std::string hash;
  if (last.seq == seq_) {
    hash = head_;
  } else if (last.seq == 0) {
    hash = std::string(kZeroHash);
  } else {
    auto found = RecordHashAt(path_, size_, last.seq);
    if (!found.ok()) return found.status();
    hash = *std::move(found);
  }
  if (hash != last.head) {
    return absl::DataLossError(absl::StrCat("audit log ", path_.string(), ": record ", last.seq,
                                            " is not the one of ", where,
                                            ": the log was rewritten"));
  }
  return absl::OkStatus();
}

absl::Status AuditLog::SignHead(std::string_view event) {
  const std::string line = options_.key->SignHead(seq_, head_, absl::Now(), event);
  absl::Status s = WriteLine(heads_fd_, line, options_.fsync);
  if (!s.ok()) {
    return absl::UnavailableError(absl::StrCat("the audit trail's heads file cannot be written (",
                                               options_.heads.string(), ": ", s.message(), ")"));
  }
  unsigned_records_ = 0;
  return absl::OkStatus();
}

absl::Status AuditLog::Close() {
  absl::MutexLock lock(&mu_);
  if (closed_ || options_.key == nullptr || heads_fd_ < 0) return absl::OkStatus();
  closed_ = true;
  return SignHead("stop");
}

AuditLog::~AuditLog() {
  (void)Close();
  if (fd_ >= 0) ::close(fd_);
  if (heads_fd_ >= 0) ::close(heads_fd_);
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
  closed_ = false;
  if (options_.key != nullptr && ++unsigned_records_ >= options_.sign_every) {
    absl::Status s = SignHead("every");
    if (!s.ok()) {
      healthy_ = false;  // refuse queries until a head can be signed again
      return s;
    }
  }
  return absl::OkStatus();
}

bool AuditLog::healthy() const {
  absl::MutexLock lock(&mu_);
  return healthy_;
}

AuditChain AuditLog::chain() const {
  absl::MutexLock lock(&mu_);
  AuditChain c;
  c.records = seq_;
  c.head = head_;
  return c;
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

// Walks a log's records in order. Args: on_record: called after each intact record with the chain
// so far; its error ends the walk.
absl::StatusOr<AuditChain> WalkAuditLog(
    const std::filesystem::path& path,
    const std::function<absl::Status(const AuditChain& chain)>& on_record) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read audit log ", path.string()));
  ChainChecker checker;
  std::string line;
  absl::Status s;
  while (s.ok() && std::getline(in, line)) {
    s = in.eof() ? checker.Partial() : checker.Line(line);
    if (s.ok() && on_record) s = on_record(checker.chain());
  }
  if (s.ok() && in.bad()) s = absl::UnavailableError("read error");
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat(path.string(), ": ", s.message()));
  return checker.chain();
}

absl::StatusOr<AuditChain> VerifyAuditLog(const std::filesystem::path& path) {
  return WalkAuditLog(path, nullptr);
}

absl::StatusOr<AuditChain> VerifyAuditTrail(const std::filesystem::path& log,
                                            const AuditVerifyOptions& options) {
  const std::filesystem::path heads_path = options.heads.empty() ? HeadsPath(log) : options.heads;
  auto heads = ReadSignedHeads(heads_path, options.public_key);
  if (absl::IsNotFound(heads.status())) {
    if (options.allow_unsigned) return VerifyAuditLog(log);
    return absl::DataLossError(absl::StrCat(
        "no signed heads file ", heads_path.string(), " for ", log.string(),
        ": without it a log cut at its end or rewritten whole cannot be told from the original "
        "(--unsigned checks the hash chain alone)"));
  }
  if (!heads.ok()) return heads.status();
  size_t next = 0;  // the first head not yet matched (heads are in seq order)
  auto mismatch = [&](const SignedHead& h, std::string_view what) {
    return absl::DataLossError(absl::StrCat("record ", h.seq, " ", AV(what), " the head signed at ",
                                            h.time, " (", heads_path.string(), " line ", h.line,
                                            "): the log was rewritten"));
  };
  while (next < heads->size() && (*heads)[next].seq == 0) {
    if ((*heads)[next].head != kZeroHash) return mismatch((*heads)[next], "0 does not match");
    ++next;
  }
  auto chain = WalkAuditLog(log, [&](const AuditChain& c) -> absl::Status {
    for (; next < heads->size() && (*heads)[next].seq == c.records; ++next) {
      if ((*heads)[next].head != c.head) return mismatch((*heads)[next], "is not the one of");
    }
    return absl::OkStatus();
  });
  if (!chain.ok()) return chain.status();
  if (next < heads->size()) {
    const SignedHead& h = (*heads)[next];
    return absl::DataLossError(
        absl::StrCat(log.string(), " ends at record ", chain->records, " but the head signed at ",
                     h.time, " (", heads_path.string(), " line ", h.line, ") covers record ", h.seq,
                     ": records were removed from its end"));
  }
  if (!heads->empty()) {
    chain->signed_heads = heads->size();
    chain->last_signed_seq = heads->back().seq;
    chain->key = heads->front().key;
  }
  return chain;
}

}  // namespace ariadne::service
