#include "indexer/evm/evm_rpc_index.h"

#include <algorithm>
#include <future>

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/core/stop_flag.h"
#include "engine/core/strings.h"

namespace ariadne::evm {
namespace {

// The message of the status on_block returns when a block does not extend the tip.
constexpr char kReorgFound[] = "reorg found";

bool Retried(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsNotFound(s) || absl::IsDataLoss(s) ||
         absl::IsDeadlineExceeded(s);
}

class RpcRun {
 public:
  RpcRun(store::Store* store, const EvmRpcIndexOptions& options, EvmIndexer* ix,
         EvmRpcClient* client)
      : options_(options), ix_(*ix), client_(*client), url_(client->url()) {
    json_.chain = ChainConfigOf(store->network());
    json_.verify = options.verify;
  }

  // One round: the head, a reorg check, one batch of blocks.
  // Out: *caught_up: the store's tip is the node's head (or to_block).
  absl::Status Round(bool* caught_up) {
    *caught_up = false;
    ASSIGN_OR_RETURN(uint64_t head, client_.BlockNumber());
    if (options_.to_block.has_value()) head = std::min(head, *options_.to_block);
    const int64_t tip = ix_.state().tip_number;
    if (tip >= 0 && static_cast<int64_t>(head) <= tip) {
      // Nothing new: is our tip (or the node's head, when it went back) still the node's?
      const uint64_t at = std::min<uint64_t>(head, static_cast<uint64_t>(tip));
      ASSIGN_OR_RETURN(std::optional<EvmBlockHash> ours, ix_.IndexedHash(at));
      ASSIGN_OR_RETURN(EvmBlockHash theirs, client_.BlockHash(at));
      if (static_cast<int64_t>(at) < tip || !ours.has_value() || *ours != theirs) {
        RETURN_IF_ERROR(Reorg(at));
        return absl::OkStatus();
      }
      *caught_up = true;
      return absl::OkStatus();
    }
    // Fetching overlaps applying: the next batch is on its way while this one is read and applied
    // (the client is used by one thread at a time: the fetch's until it is waited for).
    auto fetch = [this, head](uint64_t first) {
      const uint64_t last = std::min<uint64_t>(head, first + options_.blocks_per_request - 1);
      return std::async(std::launch::async,
                        [this, first, last] { return client_.Fetch(first, last); });
    };
    std::future<absl::StatusOr<EvmRpcAnswers>> next = fetch(static_cast<uint64_t>(tip + 1));
    std::optional<uint64_t> reorg_at;
    auto on_block = [&](const EvmBlock& b) -> absl::Status {
      const store::EvmChainState& st = ix_.state();
      if (st.tip_number >= 0 && b.number == static_cast<uint64_t>(st.tip_number) + 1 &&
          b.parent_hash != st.tip_hash) {
        reorg_at = static_cast<uint64_t>(st.tip_number);
        return absl::AbortedError(kReorgFound);
      }
      RETURN_IF_ERROR(ix_.Apply(b, url_));
      if (ix_.pending_txs() >= options_.commit_txs) RETURN_IF_ERROR(ix_.Commit());
      Report(false);
      return absl::OkStatus();
    };
    while (true) {
      absl::StatusOr<EvmRpcAnswers> answers = next.get();
      if (!answers.ok()) return answers.status();
      const uint64_t after = answers->last + 1;
      const bool more = after <= head && !StopRequested(options_.stop);
      if (more) next = fetch(after);
      absl::Status s = ReadJsonRpcTexts(answers->texts, json_, on_block);
      if (!s.ok() || reorg_at.has_value()) {
        if (more) next.wait();  // its answers are dropped
        if (reorg_at.has_value()) return Reorg(*reorg_at);
        return s;
      }
      if (!more) {
        *caught_up = after > head;
        return absl::OkStatus();
      }
    }
  }

  void Report(bool force) {
    if (!options_.progress) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_report_ < std::chrono::milliseconds(200)) return;
    last_report_ = now;
    const EvmIndexResult& r = ix_.result();
    EvmIndexProgress p;
    p.blocks = r.blocks_applied;
    p.txs = r.txs;
    p.logs = r.logs;
    p.tip = ix_.state().tip_number;
    p.seconds = std::chrono::duration<double>(now - start_).count();
    options_.progress(p);
  }

 private:
  // The node's chain does not hold our block `from` (or one below it): walks back to the fork
  // point and rewinds to it.
  absl::Status Reorg(uint64_t from) {
    const int64_t tip = ix_.state().tip_number;
    for (int64_t n = static_cast<int64_t>(from); n >= 0; --n) {
      if (tip - n > static_cast<int64_t>(ix_.undo_blocks())) {
        return absl::FailedPreconditionError(absl::StrCat(
            "the chain of the node at ", client_.url(), " left the store's at a block below ", n,
            ", deeper than the ", ix_.undo_blocks(),
            " blocks kept rewindable (--undo-blocks); index it into a new store"));
      }
      ASSIGN_OR_RETURN(std::optional<EvmBlockHash> ours, ix_.IndexedHash(static_cast<uint64_t>(n)));
      if (!ours.has_value()) continue;  // a gap
      ASSIGN_OR_RETURN(EvmBlockHash theirs, client_.BlockHash(static_cast<uint64_t>(n)));
      if (theirs == *ours) {
        RETURN_IF_ERROR(ix_.Rewind(static_cast<uint64_t>(n)));
        if (options_.on_rewind) {
          ASSIGN_OR_RETURN(std::vector<store::EvmIndexObserver*> observers,
                           options_.on_rewind(static_cast<uint64_t>(n)));
          ix_.set_observers(std::move(observers));
        }
        return absl::OkStatus();
      }
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "the node at ", client_.url(),
        " shares no block with the store (another chain?): index it into a new store"));
  }

  const EvmRpcIndexOptions& options_;
  EvmIndexer& ix_;
  EvmRpcClient& client_;
  const std::string url_;
  JsonDumpOptions json_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_report_{};
};

}  // namespace

absl::Status IndexEvmRpc(store::Store* store, const EvmRpcIndexOptions& options,
                         EvmIndexResult* result, EvmRpcStats* stats) {
  const auto start = std::chrono::steady_clock::now();
  auto client = EvmRpcClient::Create(options.rpc);
  if (!client.ok()) return client.status();
  auto indexer = EvmIndexer::Create(store, options.account_cache_entries, options.observers);
  if (!indexer.ok()) return indexer.status();
  EvmIndexer& ix = **indexer;
  ix.set_undo_blocks(options.undo_blocks);
  {
    // A node of another chain is named before anything is fetched.
    auto chain = (*client)->ChainId();
    if (!chain.ok()) {
      *result = ix.result();
      return chain.status();
    }
    if (*chain != ix.state().chain_id) {
      *result = ix.result();
      return absl::FailedPreconditionError(
          absl::StrCat("the node at ", options.rpc.http.url, " serves chain id ", *chain,
                       ", the store at ", store->dir().string(), " holds chain id ",
                       ix.state().chain_id, ": index the node into a store of its chain"));
    }
  }
  RpcRun run(store, options, &ix, client->get());
  auto finish = [&](absl::Status s) {
    // The blocks applied before an error or a stop are complete: commit them.
    absl::Status c = ix.Commit();
    if (s.ok()) s = c;
    *result = ix.result();
    result->seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    *stats = (*client)->stats();
    return s;
  };
  std::chrono::milliseconds backoff = options.poll_interval;
  while (!StopRequested(options.stop)) {
    bool caught_up = false;
    absl::Status s = run.Round(&caught_up);
    if (!s.ok()) {
      if (!options.follow || !Retried(s)) return finish(s);
      if (absl::Status c = ix.Commit(); !c.ok()) return finish(c);
      if (options.on_retry) options.on_retry(s);
      WaitUnlessStopped(options.stop, backoff);
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(30));
      continue;
    }
    backoff = options.poll_interval;
    if (!caught_up) continue;
    if (absl::Status c = ix.Commit(); !c.ok()) return finish(c);
    run.Report(true);
    if (!options.follow) break;
    WaitUnlessStopped(options.stop, options.poll_interval);
  }
  if (ix.result().blocks_without_traces > 0) {
    ix.mutable_result()->warnings.push_back(absl::StrCat(
        ix.result().blocks_without_traces,
        " block(s) with transactions have no call traces: internal ETH movements in them are "
        "absent from the store"));
  }
  return finish(absl::OkStatus());
}

}  // namespace ariadne::evm
