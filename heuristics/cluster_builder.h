// Builds wallet clusters from transactions in chain order: common-input ownership (skipping
// CoinJoins) and the change rules of a policy, over a union-find of AddrIds. Every union that
// merges two clusters is recorded as evidence (which heuristic, which transaction, which two
// addresses), so that any two addresses of a cluster can be explained by a chain of links.
#ifndef ARIADNE_HEURISTICS_CLUSTER_BUILDER_H_
#define ARIADNE_HEURISTICS_CLUSTER_BUILDER_H_

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/graph/union_find.h"
#include "engine/store/resolved_tx.h"
#include "heuristics/coinjoin.h"
#include "heuristics/policy.h"

namespace ariadne::heuristics {

// kChangeUnspent: a deferred change link whose output is not yet spent (never stored as evidence:
// it stays a pending candidate, and the view that serves queries makes the link; see
// SettlePending).
enum class EvidenceKind : uint8_t { kCommonInput = 0, kChange = 1, kChangeUnspent = 2 };

struct Evidence {
  uint32_t a = 0;  // an address already in the cluster
  uint32_t b = 0;  // the address joined to it
  EvidenceKind kind = EvidenceKind::kCommonInput;
  uint8_t rule = 0;  // change: the rule's heuristic mask
  TxNum tx;          // common input: the spending transaction; change: the one paying the change
  friend bool operator==(const Evidence&, const Evidence&) = default;
};
// Returns: "common_input", "change:<h1+h2...>" or "change:<h1+h2...>:unspent".
std::string EvidenceName(EvidenceKind kind, uint8_t rule);

// A change candidate whose rule has spend-time heuristics, waiting for its output to be spent.
struct PendingChange {
  uint32_t anchor = 0;  // input address of the paying transaction
  uint32_t change = 0;  // the candidate output's address
  uint8_t rule = 0;
  int32_t version = 0;
  bool locktime_set = false;
  friend bool operator==(const PendingChange&, const PendingChange&) = default;
};
// Key of a pending candidate: TxNum (40 bits) and vout (24 bits).
inline uint64_t PendingKey(TxNum tx, uint32_t vout) { return (tx.value() << 24) | vout; }

// A pending candidate consumed by the spend of its output: what a rewind of that spend restores.
struct ConsumedPending {
  uint64_t key = 0;
  PendingChange pending;
  TxNum spend;
};

struct ClusterCounters {
  uint64_t txs = 0;
  uint64_t common_input_unions = 0;
  uint64_t change_unions = 0;
  uint64_t change_links_rejected_by_guard = 0;
  uint64_t change_decided = 0;  // transactions where a rule found exactly one candidate
  std::array<uint64_t, kNumCoinJoinKinds> coinjoins{};
};

class ClusterBuilder {
 public:
  explicit ClusterBuilder(ClusteringPolicy policy) : policy_(std::move(policy)) {}
  // Args: uf: the union-find to use (e.g. one in a memory-mapped file), with its sets.
  ClusterBuilder(ClusteringPolicy policy, graph::UnionFind uf)
      : policy_(std::move(policy)), uf_(std::move(uf)) {}

  const ClusteringPolicy& policy() const { return policy_; }
  graph::UnionFind& union_find() { return uf_; }
  uint32_t addresses() const { return uf_.size(); }
  // Returns: true once the union-find could not grow (its storage had no room): the builder then
  // stops and its state must not be saved.
  bool failed() const { return failed_; }
  const ClusterCounters& counters() const { return counters_; }

  // Applies one transaction; transactions must come in chain order.
  void Process(const store::ResolvedTx& tx);

  // Evidence of the unions made since the last ClearEvidence, in order, and for each the
  // transaction being processed when it was made.
  const std::vector<Evidence>& evidence() const { return evidence_; }
  const std::vector<TxNum>& evidence_at() const { return evidence_at_; }
  void ClearEvidence() {
    evidence_.clear();
    evidence_at_.clear();
  }

  // Pending candidates, and the keys added and the candidates consumed (in order) since
  // ClearPendingChanges.
  const absl::flat_hash_map<uint64_t, PendingChange>& pending() const { return pending_; }
  const std::vector<uint64_t>& pending_added() const { return pending_added_; }
  const std::vector<ConsumedPending>& pending_removed() const { return pending_removed_; }
  void ClearPendingChanges() {
    pending_added_.clear();
    pending_removed_.clear();
  }

  // Rebuilding a stored clustering: applies a recorded union (no new evidence) and restores a
  // pending candidate.
  void Replay(const Evidence& e);
  void RestorePending(uint64_t key, const PendingChange& p) { pending_[key] = p; }

  // Makes the links of the deferred candidates whose output is still unspent (policy defer), in
  // key order, under the guard: an unspent output joins only itself to the payer's cluster, so
  // these links cannot pull in a second wallet. Returns: the number of links made. Evaluation and
  // serving use this view; the stored clustering keeps them pending.
  uint64_t SettlePending();

  // Returns: the number of addresses in x's cluster.
  uint32_t ClusterSize(uint32_t x);

  // Returns: bytes of memory held by the clusters of two or more addresses (their sizes) and the
  // pending candidates; the union-find adds UnionFind::BytesPerElement() per address.
  uint64_t MapBytes() const;
  // Returns: clusters of two or more addresses.
  uint64_t multi_address_clusters() const { return sizes_.size(); }
  // The sizes of the clusters of two or more addresses, by root (saving and restoring a builder).
  const absl::flat_hash_map<uint32_t, uint32_t>& sizes() const { return sizes_; }
  void RestoreSize(uint32_t root, uint32_t size) { sizes_[root] = size; }

  // Rewinding. With a journal the builder records what each block changes in the union-find and
  // the cluster sizes, for the last `blocks` blocks, and RewindTo takes blocks back. (Pending
  // candidates are the caller's to restore: it has their rows.)
  struct SizeChange {
    uint32_t root;
    uint32_t old_size;  // 0: the root had no entry (a single address)
  };
  struct BlockMark {
    uint32_t height;
    uint64_t uf_from;  // journal entries before the block
    uint64_t size_from;
  };
  void EnableJournal(uint32_t blocks);
  // Returns: false when the journal does not reach back to the block after `height` (nothing is
  // changed then: the caller must load the clustering again).
  bool RewindTo(uint32_t height);
  // The journal, for saving and restoring it with the builder.
  const std::vector<graph::UnionFind::Write>& uf_journal() const { return uf_journal_; }
  const std::vector<SizeChange>& size_journal() const { return size_journal_; }
  const std::deque<BlockMark>& block_marks() const { return marks_; }
  void RestoreJournal(std::vector<graph::UnionFind::Write> uf, std::vector<SizeChange> sizes,
                      std::deque<BlockMark> marks);
  // Removes a pending candidate (a rewind of the transaction that added it).
  void ErasePending(uint64_t key) { pending_.erase(key); }

 private:
  void Grow(const store::ResolvedTx& tx);
  void BeginBlock(uint32_t height);
  // Merges with evidence; returns true when two clusters were merged.
  bool Link(uint32_t a, uint32_t b, EvidenceKind kind, uint8_t rule, TxNum tx, bool guarded);
  void ResolvePending(const store::ResolvedTx& tx);
  void CommonInput(const store::ResolvedTx& tx);
  void Change(const store::ResolvedTx& tx);
  bool Qualifies(const store::ResolvedTx& tx, size_t out, uint8_t rule);

  ClusteringPolicy policy_;
  graph::UnionFind uf_;
  absl::flat_hash_map<uint32_t, uint32_t> sizes_;  // root -> size, for clusters of 2 or more
  CoinJoinDetector coinjoin_;
  std::vector<Evidence> evidence_;
  std::vector<TxNum> evidence_at_;
  TxNum processing_;
  absl::flat_hash_map<uint64_t, PendingChange> pending_;
  std::vector<uint64_t> pending_added_;
  std::vector<ConsumedPending> pending_removed_;
  ClusterCounters counters_;
  // The rewind journal (EnableJournal).
  uint32_t journal_blocks_ = 0;
  std::vector<graph::UnionFind::Write> uf_journal_;
  std::vector<SizeChange> size_journal_;
  std::deque<BlockMark> marks_;
  int64_t journal_height_ = -1;
  bool failed_ = false;
  // Per-transaction facts shared by the heuristics.
  int64_t min_input_ = 0;
  bool inputs_one_type_ = false;
  ScriptType input_type_ = ScriptType::kNonstandard;
  bool type_upgrade_ = false;  // some output's script type is newer than the inputs'
  size_t round_outputs_ = 0;
  uint32_t anchor_root_ = 0;
};

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_CLUSTER_BUILDER_H_
