// The durable state of watchlists: watches, the alerts they raised, the evaluated blocks, and the
// outbox of alerts whose audit record or webhook delivery is not done yet. A small RocksDB of the
// server's own (`serve --watch-db DIR`), never the indexer's store: the server opens that one
// read-only (a secondary instance following the indexer), and a second writer would break the
// indexer's atomic commits and its digest (docs/alerts.md).
//
// Keys (default column family; integers big-endian, so ids and heights scan in order):
//   W ‖ watch id u64                         -> watch
//   A ‖ alert id u64                         -> alert
//   K ‖ watch id u64 ‖ height u32 ‖ hash     -> alert id   (an alert per (watch, block), once)
//   B ‖ height u32                           -> block hash (the blocks evaluated, the last 1000)
//   O ‖ alert id u64                         -> ""         (audit record or webhook pending)
// Every write is synced: an alert and the watch's evaluated height move in one batch, so a crash
// loses neither and repeats neither.
#ifndef ARIADNE_ENGINE_WATCH_WATCH_STORE_H_
#define ARIADNE_ENGINE_WATCH_WATCH_STORE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "engine/watch/watch.h"
#include "rocksdb/db.h"

namespace ariadne::watch {

// How many evaluated block hashes are kept (reorgs deeper than this re-evaluate from the fork the
// kept hashes still show, or from the oldest kept).
inline constexpr int32_t kKeptBlockHashes = 1000;

class WatchStore {
 public:
  // Opens (creating) the store in `dir`.
  // Returns: UNAVAILABLE naming `dir` when RocksDB cannot open it (e.g. another server holds it);
  // DATA_LOSS for a record that does not decode.
  static absl::StatusOr<std::unique_ptr<WatchStore>> Open(const std::filesystem::path& dir);
  ~WatchStore();

  // Adds a watch (its id is assigned). Returns: the watch as stored.
  absl::StatusOr<Watch> Add(Watch watch) ABSL_LOCKS_EXCLUDED(mu_);
  // Removes a watch; its alerts stay. Returns: the removed watch; NOT_FOUND naming the id.
  absl::StatusOr<Watch> Remove(uint64_t id) ABSL_LOCKS_EXCLUDED(mu_);
  // Returns: the watch; NOT_FOUND naming the id.
  absl::StatusOr<Watch> Get(uint64_t id) const;
  // Returns: the watches (of one case when `case_id` is not empty), by id.
  absl::StatusOr<std::vector<Watch>> List(const std::string& case_id = "") const;

  // Commits the evaluation of one watch up to block (height, hash): the new alerts (ids assigned
  // here; an alert whose (watch, height, hash) was raised before is dropped) and the watch's
  // evaluated block, in one synced batch. A watch removed meanwhile commits nothing.
  // Returns: the alerts raised (with their ids).
  absl::StatusOr<std::vector<Alert>> CommitEvaluation(uint64_t watch_id, int32_t height,
                                                      const std::string& hash,
                                                      std::vector<Alert> alerts)
      ABSL_LOCKS_EXCLUDED(mu_);
  // One watch's evaluation, for CommitEvaluations.
  struct Evaluation {
    uint64_t watch_id = 0;
    int32_t height = -1;
    std::string hash;
    std::vector<Alert> alerts;
  };
  // CommitEvaluation for many watches in one synced batch (one disk flush for all of them).
  absl::StatusOr<std::vector<Alert>> CommitEvaluations(std::vector<Evaluation> evaluations)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Moves a watch's evaluated block back to (height, hash) (a reorg: the blocks above are
  // evaluated again on the new branch).
  absl::Status Rewind(uint64_t watch_id, int32_t height, const std::string& hash)
      ABSL_LOCKS_EXCLUDED(mu_);

  // Records the hashes of evaluated blocks (and forgets those kKeptBlockHashes below the highest).
  absl::Status RecordBlocks(const std::vector<std::pair<int32_t, std::string>>& blocks)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Returns: the recorded hash of an evaluated block; nullopt when not recorded.
  absl::StatusOr<std::optional<std::string>> EvaluatedHash(int32_t height) const;

  // Returns: up to `limit` alerts with id > from_id (of one case when `case_id` is not empty).
  absl::StatusOr<std::vector<Alert>> Alerts(uint64_t from_id, size_t limit,
                                            const std::string& case_id = "") const;
  // Returns: the alert; NOT_FOUND naming the id.
  absl::StatusOr<Alert> GetAlert(uint64_t id) const;
  // Rewrites an alert's delivery and audited fields; `done` takes it out of the outbox.
  absl::Status UpdateAlert(const Alert& alert, bool done) ABSL_LOCKS_EXCLUDED(mu_);
  // Returns: up to `limit` alerts in the outbox, by id.
  absl::StatusOr<std::vector<Alert>> Outbox(size_t limit) const;

  // Returns: the largest alert id raised so far (0: none).
  uint64_t last_alert_id() const ABSL_LOCKS_EXCLUDED(mu_);
  // Blocks until an alert with id > `after` exists or `timeout` passed. Returns: whether one does.
  bool WaitForAlert(uint64_t after, absl::Duration timeout) const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  WatchStore() = default;
  absl::Status Write(rocksdb::WriteBatch* batch);
  absl::StatusOr<uint64_t> LastId(char prefix) const;

  std::filesystem::path dir_;
  std::unique_ptr<rocksdb::DB> db_;
  mutable absl::Mutex mu_;
  uint64_t next_watch_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t last_alert_ ABSL_GUARDED_BY(mu_) = 0;
};

// The record codecs (exposed for tests). Decode returns DATA_LOSS for a truncated or malformed
// record.
std::string EncodeWatch(const Watch& w);
absl::StatusOr<Watch> DecodeWatch(std::string_view bytes);
std::string EncodeAlert(const Alert& a);
absl::StatusOr<Alert> DecodeAlert(std::string_view bytes);

}  // namespace ariadne::watch

#endif  // ARIADNE_ENGINE_WATCH_WATCH_STORE_H_
