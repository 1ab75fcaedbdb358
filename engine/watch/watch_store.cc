#include "engine/watch/watch_store.h"

#include <cstring>
#include <set>

#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace ariadne::watch {
namespace {

constexpr uint8_t kWatchVersion = 1;
constexpr uint8_t kAlertVersion = 1;
// Longest string and list a record may hold (a record never asks for more memory than this).
constexpr uint64_t kMaxString = 1 << 20;
constexpr uint64_t kMaxList = 1 << 20;

void PutBE(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetBE(std::string_view s, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(s[i]);
  return v;
}

std::string Key(char prefix, uint64_t id) {
  std::string k(1, prefix);
  PutBE(&k, id, 8);
  return k;
}

std::string DedupeKey(uint64_t watch, int32_t height, const std::string& hash) {
  std::string k = Key('K', watch);
  PutBE(&k, static_cast<uint32_t>(height), 4);
  k += hash;
  return k;
}

std::string BlockKey(int32_t height) {
  std::string k(1, 'B');
  PutBE(&k, static_cast<uint32_t>(height), 4);
  return k;
}

// Varint-framed fields.
class Enc {
 public:
  void U(uint64_t v) {
    while (v >= 0x80) {
      s_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    s_.push_back(static_cast<char>(v));
  }
  void I(int64_t v) { U((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void S(const std::string& v) {
    U(v.size());
    s_ += v;
  }
  std::string Take() { return std::move(s_); }

 private:
  std::string s_;
};

class Dec {
 public:
  explicit Dec(std::string_view s) : s_(s) {}
  uint64_t U() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= s_.size()) return Fail();
      const uint8_t b = static_cast<uint8_t>(s_[pos_++]);
      v |= uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return v;
    }
    return Fail();
  }
  int64_t I() {
    const uint64_t u = U();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  std::string S() {
    const uint64_t n = U();
    if (n > kMaxString || n > s_.size() - pos_) return Fail(), std::string();
    std::string v(s_.substr(pos_, n));
    pos_ += n;
    return v;
  }
  uint64_t List() {
    const uint64_t n = U();
    return n > kMaxList || n > s_.size() - pos_ ? Fail() : n;
  }
  bool ok() const { return ok_; }
  bool done() const { return ok_ && pos_ == s_.size(); }

 private:
  uint64_t Fail() {
    ok_ = false;
    pos_ = s_.size();
    return 0;
  }
  std::string_view s_;
  size_t pos_ = 0;
  bool ok_ = true;
};

absl::Status Rocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat("watch store: ", AV(what), ": ", s.ToString()));
}

}  // namespace

std::string EncodeWatch(const Watch& w) {
  Enc e;
  e.U(kWatchVersion);
  e.U(w.id);
  e.U(static_cast<uint8_t>(w.subject.kind));
  e.S(w.subject.address);
  e.U(w.subject.cluster_id);
  e.S(w.subject.txid);
  e.U(w.subject.vout);
  e.S(w.case_id);
  e.I(w.min_value);
  e.U(static_cast<uint8_t>(w.rule.kind));
  e.S(w.rule.category);
  e.U(w.rule.hops);
  e.I(w.created_unix_ms);
  e.S(w.created_by);
  e.I(w.created_height);
  e.I(w.evaluated_height);
  e.S(w.evaluated_hash);
  return e.Take();
}

absl::StatusOr<Watch> DecodeWatch(std::string_view bytes) {
  Dec d(bytes);
  Watch w;
  if (d.U() != kWatchVersion) return absl::DataLossError("watch record of an unknown version");
  w.id = d.U();
  const uint64_t kind = d.U();
  w.subject.address = d.S();
  w.subject.cluster_id = static_cast<uint32_t>(d.U());
  w.subject.txid = d.S();
  w.subject.vout = static_cast<uint32_t>(d.U());
  w.case_id = d.S();
  w.min_value = d.I();
  const uint64_t rule = d.U();
  w.rule.category = d.S();
  w.rule.hops = static_cast<uint32_t>(d.U());
  w.created_unix_ms = d.I();
  w.created_by = d.S();
  w.created_height = static_cast<int32_t>(d.I());
  w.evaluated_height = static_cast<int32_t>(d.I());
  w.evaluated_hash = d.S();
  if (!d.done() || kind > 2 || rule > 1) return absl::DataLossError("malformed watch record");
  w.subject.kind = static_cast<Subject::Kind>(kind);
  w.rule.kind = static_cast<Rule::Kind>(rule);
  return w;
}

std::string EncodeAlert(const Alert& a) {
  Enc e;
  e.U(kAlertVersion);
  e.U(a.id);
  e.U(a.watch_id);
  e.S(a.case_id);
  e.S(a.subject);
  e.S(a.rule);
  e.I(a.block_height);
  e.S(a.block_hash);
  e.U(a.block_time);
  e.U(a.txids.size());
  for (const std::string& t : a.txids) e.S(t);
  e.I(a.sent);
  e.I(a.received);
  e.U(a.paths.size());
  for (const AlertPath& p : a.paths) {
    e.U(p.steps.size());
    for (const AlertStep& s : p.steps) {
      e.S(s.from);
      e.S(s.to);
      e.S(s.txid);
      e.I(s.block_height);
      e.I(s.value);
      e.I(s.tainted_value);
      e.U(s.hop);
    }
    e.S(p.endpoint);
    e.S(p.label);
    e.S(p.category);
    e.I(p.tainted_value);
  }
  e.I(a.raised_unix_ms);
  e.U(a.truncated ? 1 : 0);
  e.U(static_cast<uint8_t>(a.delivery.state));
  e.U(a.delivery.attempts);
  e.S(a.delivery.last_error);
  e.I(a.delivery.last_attempt_unix_ms);
  e.I(a.delivery.delivered_unix_ms);
  e.I(a.delivery.next_attempt_unix_ms);
  e.U(a.audited ? 1 : 0);
  return e.Take();
}

absl::StatusOr<Alert> DecodeAlert(std::string_view bytes) {
  Dec d(bytes);
  Alert a;
  if (d.U() != kAlertVersion) return absl::DataLossError("alert record of an unknown version");
  a.id = d.U();
  a.watch_id = d.U();
  a.case_id = d.S();
  a.subject = d.S();
  a.rule = d.S();
  a.block_height = static_cast<int32_t>(d.I());
  a.block_hash = d.S();
  a.block_time = static_cast<uint32_t>(d.U());
  for (uint64_t n = d.List(); n > 0 && d.ok(); --n) a.txids.push_back(d.S());
  a.sent = d.I();
  a.received = d.I();
  for (uint64_t n = d.List(); n > 0 && d.ok(); --n) {
    AlertPath& p = a.paths.emplace_back();
    for (uint64_t m = d.List(); m > 0 && d.ok(); --m) {
      AlertStep& s = p.steps.emplace_back();
      s.from = d.S();
      s.to = d.S();
      s.txid = d.S();
      s.block_height = static_cast<int32_t>(d.I());
      s.value = d.I();
      s.tainted_value = d.I();
      s.hop = static_cast<uint32_t>(d.U());
    }
    p.endpoint = d.S();
    p.label = d.S();
    p.category = d.S();
    p.tainted_value = d.I();
  }
  a.raised_unix_ms = d.I();
  a.truncated = d.U() != 0;
  const uint64_t state = d.U();
  a.delivery.attempts = static_cast<uint32_t>(d.U());
  a.delivery.last_error = d.S();
  a.delivery.last_attempt_unix_ms = d.I();
  a.delivery.delivered_unix_ms = d.I();
  a.delivery.next_attempt_unix_ms = d.I();
  a.audited = d.U() != 0;
  if (!d.done() || state > 3) return absl::DataLossError("malformed alert record");
  a.delivery.state = static_cast<Delivery::State>(state);
  return a;
}

absl::StatusOr<std::unique_ptr<WatchStore>> WatchStore::Open(const std::filesystem::path& dir) {
  std::unique_ptr<WatchStore> s(new WatchStore());
  s->dir_ = dir;
  rocksdb::Options options;
  options.create_if_missing = true;
  options.max_open_files = 64;
  options.keep_log_file_num = 2;
  rocksdb::DB* db = nullptr;
  rocksdb::Status st = rocksdb::DB::Open(options, dir.string(), &db);
  if (!st.ok()) {
    return absl::UnavailableError(
        absl::StrCat("cannot open the watch store ", dir.string(), ": ", st.ToString()));
  }
  s->db_.reset(db);
  auto watch = s->LastId('W');
  if (!watch.ok()) return watch.status();
  auto alert = s->LastId('A');
  if (!alert.ok()) return alert.status();
  // Ids are never reused, even of a removed last watch: the next id is kept in a meta key too.
  std::string next;
  uint64_t next_watch = *watch + 1;
  if (s->db_->Get(rocksdb::ReadOptions(), "Mnext_watch", &next).ok() && next.size() == 8) {
    next_watch = std::max(next_watch, GetBE(next, 8));
  }
  absl::MutexLock lock(&s->mu_);
  s->next_watch_ = next_watch;
  s->last_alert_ = *alert;
  return s;
}

WatchStore::~WatchStore() = default;

absl::StatusOr<uint64_t> WatchStore::LastId(char prefix) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->SeekForPrev(Key(prefix, UINT64_MAX));
  if (!it->Valid() || it->key().size() != 9 || it->key()[0] != prefix) {
    if (!it->status().ok()) return Rocks(it->status(), "scan");
    return 0;
  }
  return GetBE(std::string_view(it->key().data() + 1, 8), 8);
}

absl::Status WatchStore::Write(rocksdb::WriteBatch* batch) {
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return Rocks(db_->Write(wo, batch), "write");
}

absl::StatusOr<Watch> WatchStore::Add(Watch watch) {
  absl::MutexLock lock(&mu_);
  watch.id = next_watch_;
  rocksdb::WriteBatch batch;
  batch.Put(Key('W', watch.id), EncodeWatch(watch));
  std::string next;
  PutBE(&next, watch.id + 1, 8);
  batch.Put("Mnext_watch", next);
  absl::Status s = Write(&batch);
  if (!s.ok()) return s;
  ++next_watch_;
  return watch;
}

absl::StatusOr<Watch> WatchStore::Get(uint64_t id) const {
  std::string v;
  rocksdb::Status st = db_->Get(rocksdb::ReadOptions(), Key('W', id), &v);
  if (st.IsNotFound()) return absl::NotFoundError(absl::StrCat("no watch ", id));
  if (!st.ok()) return Rocks(st, "read");
  return DecodeWatch(v);
}

absl::StatusOr<Watch> WatchStore::Remove(uint64_t id) {
  absl::MutexLock lock(&mu_);
  auto w = Get(id);
  if (!w.ok()) return w.status();
  rocksdb::WriteBatch batch;
  batch.Delete(Key('W', id));
  absl::Status s = Write(&batch);
  if (!s.ok()) return s;
  return w;
}

absl::StatusOr<std::vector<Watch>> WatchStore::List(const std::string& case_id) const {
  std::vector<Watch> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("W"); it->Valid() && it->key().starts_with("W"); it->Next()) {
    auto w = DecodeWatch(std::string_view(it->value().data(), it->value().size()));
    if (!w.ok()) return w.status();
    if (case_id.empty() || w->case_id == case_id) out.push_back(*std::move(w));
  }
  if (!it->status().ok()) return Rocks(it->status(), "scan");
  return out;
}

absl::StatusOr<std::vector<Alert>> WatchStore::CommitEvaluation(uint64_t watch_id, int32_t height,
                                                                const std::string& hash,
                                                                std::vector<Alert> alerts) {
  std::vector<Evaluation> one(1);
  one[0] = Evaluation{watch_id, height, hash, std::move(alerts)};
  return CommitEvaluations(std::move(one));
}

absl::StatusOr<std::vector<Alert>> WatchStore::CommitEvaluations(
    std::vector<Evaluation> evaluations) {
  absl::MutexLock lock(&mu_);
  rocksdb::WriteBatch batch;
  std::vector<Alert> raised;
  std::set<std::string> keys;  // the batch's own (watch, height, hash) keys
  uint64_t next = last_alert_;
  for (Evaluation& e : evaluations) {
    auto w = Get(e.watch_id);
    if (absl::IsNotFound(w.status())) continue;  // removed meanwhile
    if (!w.ok()) return w.status();
    for (Alert& a : e.alerts) {
      const std::string dedupe = DedupeKey(e.watch_id, a.block_height, a.block_hash);
      std::string existing;
      if (keys.contains(dedupe) || db_->Get(rocksdb::ReadOptions(), dedupe, &existing).ok()) {
        continue;  // raised before
      }
      keys.insert(dedupe);
      a.id = ++next;
      a.watch_id = e.watch_id;
      std::string id;
      PutBE(&id, a.id, 8);
      batch.Put(dedupe, id);
      batch.Put(Key('A', a.id), EncodeAlert(a));
      batch.Put(Key('O', a.id), "");
      raised.push_back(std::move(a));
    }
    w->evaluated_height = e.height;
    w->evaluated_hash = e.hash;
    batch.Put(Key('W', e.watch_id), EncodeWatch(*w));
  }
  if (batch.Count() == 0) return raised;
  absl::Status s = Write(&batch);
  if (!s.ok()) return s;
  last_alert_ = next;
  return raised;
}

absl::Status WatchStore::Rewind(uint64_t watch_id, int32_t height, const std::string& hash) {
  absl::MutexLock lock(&mu_);
  auto w = Get(watch_id);
  if (absl::IsNotFound(w.status())) return absl::OkStatus();
  if (!w.ok()) return w.status();
  w->evaluated_height = height;
  w->evaluated_hash = hash;
  rocksdb::WriteBatch batch;
  batch.Put(Key('W', watch_id), EncodeWatch(*w));
  return Write(&batch);
}

absl::Status WatchStore::RecordBlocks(const std::vector<std::pair<int32_t, std::string>>& blocks) {
  if (blocks.empty()) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  rocksdb::WriteBatch batch;
  int32_t top = -1;
  for (const auto& [height, hash] : blocks) {
    batch.Put(BlockKey(height), hash);
    top = std::max(top, height);
  }
  if (top >= kKeptBlockHashes) batch.DeleteRange(BlockKey(0), BlockKey(top - kKeptBlockHashes));
  return Write(&batch);
}

absl::StatusOr<std::optional<std::string>> WatchStore::EvaluatedHash(int32_t height) const {
  if (height < 0) return std::optional<std::string>();
  std::string v;
  rocksdb::Status st = db_->Get(rocksdb::ReadOptions(), BlockKey(height), &v);
  if (st.IsNotFound()) return std::optional<std::string>();
  if (!st.ok()) return Rocks(st, "read");
  return std::optional<std::string>(std::move(v));
}

absl::StatusOr<std::vector<Alert>> WatchStore::Alerts(uint64_t from_id, size_t limit,
                                                      const std::string& case_id) const {
  std::vector<Alert> out;
  if (from_id == UINT64_MAX) return out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(Key('A', from_id + 1));
       it->Valid() && it->key().starts_with("A") && out.size() < limit; it->Next()) {
    auto a = DecodeAlert(std::string_view(it->value().data(), it->value().size()));
    if (!a.ok()) return a.status();
    if (case_id.empty() || a->case_id == case_id) out.push_back(*std::move(a));
  }
  if (!it->status().ok()) return Rocks(it->status(), "scan");
  return out;
}

absl::StatusOr<Alert> WatchStore::GetAlert(uint64_t id) const {
  std::string v;
  rocksdb::Status st = db_->Get(rocksdb::ReadOptions(), Key('A', id), &v);
  if (st.IsNotFound()) return absl::NotFoundError(absl::StrCat("no alert ", id));
  if (!st.ok()) return Rocks(st, "read");
  return DecodeAlert(v);
}

absl::Status WatchStore::UpdateAlert(const Alert& alert, bool done) {
  absl::MutexLock lock(&mu_);
  rocksdb::WriteBatch batch;
  batch.Put(Key('A', alert.id), EncodeAlert(alert));
  if (done) batch.Delete(Key('O', alert.id));
  return Write(&batch);
}

absl::StatusOr<std::vector<Alert>> WatchStore::Outbox(size_t limit) const {
  std::vector<Alert> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("O"); it->Valid() && it->key().starts_with("O") && out.size() < limit; it->Next()) {
    auto a = GetAlert(GetBE(std::string_view(it->key().data() + 1, 8), 8));
    if (!a.ok()) return a.status();
    out.push_back(*std::move(a));
  }
  if (!it->status().ok()) return Rocks(it->status(), "scan");
  return out;
}

uint64_t WatchStore::last_alert_id() const {
  absl::MutexLock lock(&mu_);
  return last_alert_;
}

bool WatchStore::WaitForAlert(uint64_t after, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto newer = [this, after]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return last_alert_ > after; };
  return mu_.AwaitWithTimeout(absl::Condition(&newer), timeout);
}

}  // namespace ariadne::watch
