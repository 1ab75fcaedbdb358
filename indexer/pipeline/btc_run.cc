// A whole run of the Bitcoin indexer, and a session round (btc_run.h).
#include "indexer/pipeline/btc_run.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/store/codec.h"
#include "indexer/pipeline/reorg_marker.h"

namespace ariadne::pipeline {

absl::Status BtcRun::Load() {
  ASSIGN_OR_RETURN(state_, store_->ReadState());
  // The graph files are kept by every run (not only the command's): a run without them would
  // leave meta/graph_files behind the rows, and servers would refuse the store.
  ASSIGN_OR_RETURN(graph_files_, GraphFilesObserver::Create(*store_));
  observers_.push_back(graph_files_.get());
  observers_.insert(observers_.end(), options_.observers.begin(), options_.observers.end());
  RETURN_IF_ERROR(heights_.Load(*store_));
  if (heights_.blocks() != static_cast<size_t>(state_.tip_height + 1)) {
    return absl::DataLossError(absl::StrCat("store has ", heights_.blocks(),
                                            " header rows for tip height ", state_.tip_height));
  }
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro, store_->handle(Cf::kMeta)));
  for (it->Seek(ToSlice(store::kMetaFilePrefix)); it->Valid(); it->Next()) {
    std::string_view k(it->key().data(), it->key().size());
    if (k.rfind(store::kMetaFilePrefix, 0) != 0) break;
    uint32_t id = static_cast<uint32_t>(store::GetBE(k.data() + store::kMetaFilePrefix.size(), 4));
    ASSIGN_OR_RETURN(store::FileEntry f, store::DecodeFileEntry(std::string_view(
                                             it->value().data(), it->value().size())));
    if (files_.size() <= id) files_.resize(id + 1);
    files_[id] = std::move(f);
  }
  RETURN_IF_ERROR(store::FromRocks(it->status(), "reading the file table"));
  std::unique_ptr<rocksdb::Iterator> bi(
      store_->db()->NewIterator(ro, store_->handle(Cf::kBlockIndex)));
  for (bi->SeekToFirst(); bi->Valid(); bi->Next()) {
    if (bi->key().size() != 32) return absl::DataLossError("corrupt block_index key");
    ASSIGN_OR_RETURN(store::BlockIndexEntry e, store::DecodeBlockIndexEntry(std::string_view(
                                                   bi->value().data(), bi->value().size())));
    // Rows are not trusted: an earlier build or another writer may have stored invalid headers.
    const BlockHash hash = BlockHash::FromBytes(reinterpret_cast<const uint8_t*>(bi->key().data()));
    absl::StatusOr<bool> added = tree_.Add(hash, e);
    if (!added.ok()) Refuse(hash, e, added.status(), false, &load_refusals_);
  }
  return store::FromRocks(bi->status(), "reading the block index");
}

absl::Status BtcRun::Apply(const std::vector<uint32_t>& chain, size_t from) {
  result_->prepare_seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  blocks_total_ = chain.size() - from;
  batch_first_txnum_ = state_.tx_count;
  BlockQueue queue(plan_.read_queue_bytes);
  std::thread reader([&] { ReaderLoop(chain, from, &queue); });
  absl::Status status;
  bool commit_failed = false;
  for (size_t i = from; i < chain.size(); ++i) {
    std::unique_ptr<BlockItem> item = queue.Pop();
    status = item->status;
    if (status.ok()) status = ProcessBlock(*item);
    if (!status.ok()) break;
    if (batch_txs_ >= plan_.commit_txs) {
      status = HandOff(false);
      commit_failed = !status.ok();
      if (commit_failed) break;
    }
    Progress(false);
    if (options_.stop != nullptr && options_.stop->load(std::memory_order_relaxed)) break;
  }
  queue.Cancel();
  // Drain so the reader can finish, then stop it.
  reader.join();
  if (!status.ok()) {
    // After a failed commit nothing more may be committed (the batch after it would skip its
    // rows); otherwise commit the blocks before the failing one, then report the failure.
    if (commit_failed) return status;
    absl::Status c = HandOff(true);
    return c.ok() ? status : c;
  }
  RETURN_IF_ERROR(HandOff(true));
  Progress(true);
  return absl::OkStatus();
}

absl::Status BtcRun::Run() {
  RETURN_IF_ERROR(Load());
  bool needs_full_run = false;
  absl::Status status = Step(/*in_session=*/false, &needs_full_run);
  // After a failed apply (a full disk) nothing more is written: the store may refuse every write
  // after the failed one, and the next run finds the caches and observers' files stale and
  // rebuilds them, as after a kill (Reconcile marks the caches dirty).
  if (!caches_dirty_ && result_->blocks_applied > 0) SaveForNextRun(result_->blocks_applied);
  return status;
}

absl::Status BtcRun::Step(bool in_session, bool* needs_full_run) {
  const uint32_t addr_count_at_start = state_.addr_count;
  // A session's later rounds read only what the files gained since (files_ keeps how far).
  absl::Status scan_error = Scan();
  if (!scan_error.ok() && !absl::IsDataLoss(scan_error) &&
      !absl::IsFailedPrecondition(scan_error)) {
    return scan_error;  // e.g. a missing input: nothing to do
  }
  // A store on a branch that is no longer valid (or no longer present) rewinds to the fork with
  // the best valid chain, to nothing when there is none (a whole run's job, not a session's).
  const std::vector<uint32_t> chain = BestChain();
  const bool best = !chain.empty();
  if (!best && in_session) {
    *needs_full_run = true;
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(int32_t fork, FindFork(chain));
  // Every block to apply must be readable before anything is rewound (a pruned node deletes the
  // files of blocks it has validated).
  if (best) RETURN_IF_ERROR(CheckBlocksPresent(chain, static_cast<size_t>(fork + 1)));
  // A reorg costs its depth, in a session too: the blocks above the fork are rewound (the
  // observers' rows and in-memory state with them, IndexObserver::OnRewind) and the branch is
  // applied in the same step.
  const store::ChainState at_start = state_;
  ASSIGN_OR_RETURN(reorg_from_, MarkReorg(store_, state_, fork));  // readers keep the old tip
  while (state_.tip_height > fork) RETURN_IF_ERROR(RewindTip(state_.tip_height - 1 == fork));
  const uint64_t tx_count_at_fork = state_.tx_count;
  absl::Status status;
  // A run with nothing to apply (the store is at the best tip) loads no caches, clustering or
  // committer: it costs its scan, not the caches' size. A session loads them in its first round
  // all the same, so that the blocks of later rounds cost their own work.
  const uint64_t bytes_to_apply = best ? BytesToApply(chain, fork) : 0;
  if (bytes_to_apply > 0 || (best && in_session && committer_ == nullptr)) {
    if (committer_ == nullptr) {
      ASSIGN_OR_RETURN(committer_,
                       store::Committer::Create(store_, store_->dir() / "ingest-staging"));
      RETURN_IF_ERROR(PrepareCaches(bytes_to_apply, at_start, /*whatever_the_size=*/in_session));
    } else {
      if (state_.tx_count != at_start.tx_count) {
        // The caches hold ids and outputs of the rewound blocks, whose numbers the branch reuses:
        // they refill from the store. The filter, a superset of the store's addresses, stays.
        addr_cache_.Clear();
        prevout_cache_.Clear();
      }
      // A session's caches, filter and observers stay as the last round left them; the
      // observers reserve room for what this round adds.
      RETURN_IF_ERROR(PlanMemoryUse(state_.addr_count + bytes_to_apply / 200 + 1024));
    }
    if (bytes_to_apply > 0) status = Apply(chain, static_cast<size_t>(fork + 1));
  }
  if (best) {
    result_->stale_blocks = tree_.size() - tree_.unconnected() - tree_.refused() - chain.size();
  }
  if (status.ok() && reorg_from_.has_value()) RETURN_IF_ERROR(ClearReorg(store_));
  result_->unconnected_blocks = tree_.unconnected();
  Reconcile(status.ok(), fork, tx_count_at_fork, addr_count_at_start);
  result_->memory_plan = plan_;
  result_->seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  return status.ok() ? scan_error : status;
}

std::vector<uint32_t> BtcRun::BestChain() const {
  std::optional<uint32_t> current;
  if (state_.tip_height >= 0) current = tree_.Find(state_.tip_hash);
  std::optional<uint32_t> best = tree_.BestTip(current);
  return best.has_value() ? tree_.ChainTo(*best) : std::vector<uint32_t>();
}

uint64_t BtcRun::BytesToApply(const std::vector<uint32_t>& chain, int32_t fork) const {
  uint64_t bytes = 0;
  for (size_t i = static_cast<size_t>(fork + 1); i < chain.size(); ++i) {
    bytes += tree_.block(chain[i]).entry.size;
  }
  return bytes;
}

// Sets the result's counts and tip from what the store holds, not what was built in memory: after
// a failed commit (e.g. a full disk) they differ.
void BtcRun::Reconcile(bool ok, int64_t fork, uint64_t tx_count_at_fork,
                       uint32_t addr_count_at_start) {
  if (!ok) {
    caches_dirty_ = true;  // they may hold rows of a block the store does not
    absl::StatusOr<store::ChainState> durable = store_->ReadState();
    if (durable.ok()) {
      const int64_t applied = std::max<int64_t>(0, durable->tip_height - fork);
      result_->blocks_applied = std::min<uint64_t>(result_->blocks_applied, applied);
      result_->txs = durable->tx_count - std::min(durable->tx_count, tx_count_at_fork);
      state_ = *durable;
    }
  }
  result_->new_addresses = state_.addr_count - std::min(state_.addr_count, addr_count_at_start);
  result_->tip_height = state_.tip_height;
  result_->tip_hash = state_.tip_hash;
}

absl::Status BtcRun::Round(IndexResult* result, bool* needs_full_run) {
  *needs_full_run = false;
  result_ = result;
  *result_ = IndexResult();
  start_ = last_progress_ = Clock::now();
  refused_error_ = absl::OkStatus();
  refused_more_ = 0;
  if (!session_loaded_) {
    RETURN_IF_ERROR(Load());
    session_loaded_ = true;
  }
  return Step(/*in_session=*/true, needs_full_run);
}

void BtcRun::Progress(bool force) {
  if (!options_.progress) return;
  auto now = Clock::now();
  if (!force && now - last_progress_ < std::chrono::milliseconds(200)) return;
  last_progress_ = now;
  IndexProgress p;
  p.blocks_done = result_->blocks_applied;
  p.blocks_total = blocks_total_;
  p.txs = result_->txs;
  p.bytes = result_->bytes;
  p.height = state_.tip_height;
  p.seconds = std::chrono::duration<double>(now - start_).count();
  options_.progress(p);
}

}  // namespace ariadne::pipeline
