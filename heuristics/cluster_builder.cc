#include "heuristics/cluster_builder.h"

#include <algorithm>
#include <utility>

namespace ariadne::heuristics {

std::string EvidenceName(EvidenceKind kind, uint8_t rule) {
  if (kind == EvidenceKind::kCommonInput) return "common_input";
  return "change:" + RuleName(rule) + (kind == EvidenceKind::kChangeUnspent ? ":unspent" : "");
}

void ClusterBuilder::Grow(const store::ResolvedTx& tx) {
  uint32_t max_id = 0;
  bool any = false;
  for (const auto& o : tx.outputs) {
    if (o.addr.valid()) {
      max_id = std::max(max_id, o.addr.value());
      any = true;
    }
  }
  if (any && max_id >= uf_.size() && !uf_.Grow(max_id + 1)) failed_ = true;
}

uint64_t ClusterBuilder::MapBytes() const {
  // A flat_hash_map slot per capacity, plus one control byte.
  return sizes_.capacity() * (sizeof(std::pair<uint32_t, uint32_t>) + 1) +
         pending_.capacity() * (sizeof(std::pair<uint64_t, PendingChange>) + 1);
}

uint32_t ClusterBuilder::ClusterSize(uint32_t x) {
  auto it = sizes_.find(uf_.FindRoot(x));
  return it == sizes_.end() ? 1 : it->second;
}

bool ClusterBuilder::Link(uint32_t a, uint32_t b, EvidenceKind kind, uint8_t rule, TxNum tx,
                          bool guarded) {
  const uint32_t ra = uf_.FindRoot(a), rb = uf_.FindRoot(b);
  if (ra == rb) return false;
  auto ia = sizes_.find(ra), ib = sizes_.find(rb);
  const uint32_t sa = ia == sizes_.end() ? 1 : ia->second;
  const uint32_t sb = ib == sizes_.end() ? 1 : ib->second;
  // Superclusters grow by change links into clusters that are already large (a service absorbing
  // its customers' addresses one wrong link at a time): change never joins a cluster above the
  // guard size. Common-input links are not guarded.
  if (guarded && policy_.guard_size > 0 && std::max(sa, sb) > policy_.guard_size) {
    ++counters_.change_links_rejected_by_guard;
    return false;
  }
  if (journal_blocks_ > 0) {
    size_journal_.push_back({ra, ia == sizes_.end() ? 0 : sa});
    size_journal_.push_back({rb, ib == sizes_.end() ? 0 : sb});
  }
  if (ia != sizes_.end()) sizes_.erase(ia);
  if (ib != sizes_.end()) sizes_.erase(ib);
  uf_.Union(ra, rb);
  sizes_[uf_.FindRoot(ra)] = sa + sb;
  evidence_.push_back({a, b, kind, rule, tx});
  evidence_at_.push_back(kind == EvidenceKind::kChangeUnspent ? tx : processing_);
  (kind == EvidenceKind::kCommonInput ? counters_.common_input_unions : counters_.change_unions)++;
  return true;
}

void ClusterBuilder::Replay(const Evidence& e) {
  if (failed_) return;
  const uint32_t need = std::max(e.a, e.b) + 1;
  if (need > uf_.size() && !uf_.Grow(need)) {
    failed_ = true;
    return;
  }
  const uint32_t ra = uf_.FindRoot(e.a), rb = uf_.FindRoot(e.b);
  if (ra == rb) return;
  auto ia = sizes_.find(ra), ib = sizes_.find(rb);
  const uint32_t sa = ia == sizes_.end() ? 1 : ia->second;
  const uint32_t sb = ib == sizes_.end() ? 1 : ib->second;
  if (ia != sizes_.end()) sizes_.erase(ia);
  if (ib != sizes_.end()) sizes_.erase(ib);
  uf_.Union(ra, rb);
  sizes_[uf_.FindRoot(ra)] = sa + sb;
}

void ClusterBuilder::ResolvePending(const store::ResolvedTx& tx) {
  if (pending_.empty()) return;
  for (const auto& in : tx.inputs) {
    auto it = pending_.find(PendingKey(in.prev_tx, in.prev_vout));
    if (it == pending_.end()) continue;
    const PendingChange p = it->second;
    pending_.erase(it);
    pending_removed_.push_back({PendingKey(in.prev_tx, in.prev_vout), p, tx.num});
    bool ok = true;
    if (p.rule & Bit(ChangeHeuristic::kPeelChain)) {
      ok &= tx.inputs.size() == 1 && tx.outputs.size() == 2;
    }
    const bool same_fingerprint = tx.version == p.version && (tx.locktime != 0) == p.locktime_set;
    if (p.rule & Bit(ChangeHeuristic::kLocktimeVersion)) ok &= same_fingerprint;
    if (ok && !same_fingerprint && policy_.defer == ClusteringPolicy::Defer::kFingerprint &&
        ClusterSize(p.anchor) > 1 && ClusterSize(p.change) > 1) {
      ok = uf_.Same(p.anchor, p.change);
    }
    if (ok) Link(p.anchor, p.change, EvidenceKind::kChange, p.rule, in.prev_tx, true);
  }
}

uint64_t ClusterBuilder::SettlePending() {
  std::vector<uint64_t> keys;
  for (const auto& [key, p] : pending_) {
    if (!(p.rule & kSpendTimeMask)) keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  uint64_t linked = 0;
  for (uint64_t key : keys) {
    const PendingChange& p = pending_.at(key);
    linked +=
        Link(p.anchor, p.change, EvidenceKind::kChangeUnspent, p.rule, TxNum(key >> 24), true);
  }
  return linked;
}

void ClusterBuilder::CommonInput(const store::ResolvedTx& tx) {
  uint32_t first = AddrId::kInvalid;
  for (const auto& in : tx.inputs) {
    if (!in.addr.valid()) continue;
    if (first == AddrId::kInvalid) {
      first = in.addr.value();
      continue;
    }
    Link(first, in.addr.value(), EvidenceKind::kCommonInput, 0, tx.num, false);
  }
}

bool ClusterBuilder::Qualifies(const store::ResolvedTx& tx, size_t i, uint8_t rule) {
  const store::ResolvedOutput& o = tx.outputs[i];
  if (!o.addr.valid() || o.type == ScriptType::kOpReturn) return false;
  if (rule & Bit(ChangeHeuristic::kAddressReuse)) {
    bool reused = false;
    for (const auto& in : tx.inputs) reused |= in.addr == o.addr;
    if (!reused) return false;
  }
  if (rule & Bit(ChangeHeuristic::kAddressType)) {
    if (!inputs_one_type_ || o.type != input_type_) return false;
    if (type_upgrade_) return false;
  }
  if (rule & Bit(ChangeHeuristic::kOptimalChange)) {
    if (o.value >= min_input_) return false;
  }
  if (rule & Bit(ChangeHeuristic::kRoundPayment)) {
    const bool round = policy_.IsRound(o.value);
    if (round || round_outputs_ != tx.outputs.size() - 1) return false;
  }
  if (rule & Bit(ChangeHeuristic::kFreshAddress)) {
    if (!o.new_address) return false;
  }
  if (rule & Bit(ChangeHeuristic::kOwnAddress)) {
    if (o.new_address || uf_.FindRoot(o.addr.value()) != anchor_root_) return false;
  }
  if (rule & Bit(ChangeHeuristic::kPeelChain)) {
    if (tx.inputs.size() != 1 || tx.outputs.size() != 2) return false;
    if (o.value <= tx.outputs[1 - i].value) return false;  // the strictly larger output
  }
  return true;
}

void ClusterBuilder::Change(const store::ResolvedTx& tx) {
  if (policy_.change_rules.empty() || tx.outputs.size() < 2 ||
      tx.outputs.size() > policy_.max_change_outputs) {
    return;
  }
  uint32_t anchor = AddrId::kInvalid;
  min_input_ = INT64_MAX;
  inputs_one_type_ = true;
  input_type_ = tx.inputs.front().type;
  for (const auto& in : tx.inputs) {
    if (anchor == AddrId::kInvalid && in.addr.valid()) anchor = in.addr.value();
    min_input_ = std::min(min_input_, in.value);
    inputs_one_type_ &= in.type == input_type_;
  }
  if (anchor == AddrId::kInvalid) return;
  anchor_root_ = uf_.FindRoot(anchor);
  round_outputs_ = 0;
  // address_type abstains when the wallet may have sent its change to a newer script type than
  // its coins': any older type (kAbstain), or P2SH coins, nested segwit's (kNested).
  type_upgrade_ = false;
  using TypeUpgrade = ClusteringPolicy::TypeUpgrade;
  const bool may_upgrade =
      policy_.type_upgrade == TypeUpgrade::kAbstain ||
      (policy_.type_upgrade == TypeUpgrade::kNested && input_type_ == ScriptType::kP2sh);
  const int input_generation = ScriptGeneration(input_type_);
  for (const auto& o : tx.outputs) {
    round_outputs_ += policy_.IsRound(o.value) ? 1 : 0;
    type_upgrade_ |= may_upgrade && ScriptGeneration(o.type) > input_generation;
  }

  for (uint8_t rule : policy_.change_rules) {
    size_t candidate = SIZE_MAX;
    int count = 0;
    for (size_t i = 0; i < tx.outputs.size() && count < 2; ++i) {
      if (Qualifies(tx, i, rule)) {
        candidate = i;
        ++count;
      }
    }
    if (count != 1) continue;
    ++counters_.change_decided;
    const uint32_t change = tx.outputs[candidate].addr.value();
    if ((rule & kSpendTimeMask) || policy_.defer != ClusteringPolicy::Defer::kOff) {
      const uint64_t key = PendingKey(tx.num, static_cast<uint32_t>(candidate));
      pending_[key] = {anchor, change, rule, tx.version, tx.locktime != 0};
      pending_added_.push_back(key);
    } else {
      Link(anchor, change, EvidenceKind::kChange, rule, tx.num, true);
    }
    return;
  }
}

void ClusterBuilder::EnableJournal(uint32_t blocks) {
  journal_blocks_ = blocks;
  uf_.set_journal(blocks > 0 ? &uf_journal_ : nullptr);
}

void ClusterBuilder::RestoreJournal(std::vector<graph::UnionFind::Write> uf,
                                    std::vector<SizeChange> sizes, std::deque<BlockMark> marks) {
  uf_journal_ = std::move(uf);
  size_journal_ = std::move(sizes);
  marks_ = std::move(marks);
  journal_height_ = marks_.empty() ? -1 : marks_.back().height;
}

void ClusterBuilder::BeginBlock(uint32_t height) {
  journal_height_ = height;
  marks_.push_back({height, uf_journal_.size(), size_journal_.size()});
  if (marks_.size() <= journal_blocks_) return;
  marks_.pop_front();
  // Drop the oldest blocks' entries once they are half of the journal (amortised O(1)).
  const BlockMark& first = marks_.front();
  if (first.uf_from > uf_journal_.size() / 2) {
    const uint64_t uf_drop = first.uf_from, size_drop = first.size_from;
    uf_journal_.erase(uf_journal_.begin(), uf_journal_.begin() + uf_drop);
    size_journal_.erase(size_journal_.begin(), size_journal_.begin() + size_drop);
    for (BlockMark& m : marks_) {
      m.uf_from -= uf_drop;
      m.size_from -= size_drop;
    }
  }
}

bool ClusterBuilder::RewindTo(uint32_t height) {
  if (journal_height_ <= static_cast<int64_t>(height)) return true;  // nothing above it
  auto it = marks_.begin();
  while (it != marks_.end() && it->height <= height) ++it;
  if (it == marks_.end() || it->height != height + 1) return false;
  uf_.Undo(&uf_journal_, it->uf_from);
  while (size_journal_.size() > it->size_from) {
    const SizeChange c = size_journal_.back();
    size_journal_.pop_back();
    if (c.old_size == 0) {
      sizes_.erase(c.root);
    } else {
      sizes_[c.root] = c.old_size;
    }
  }
  marks_.erase(it, marks_.end());
  journal_height_ = height;
  return true;
}

void ClusterBuilder::Process(const store::ResolvedTx& tx) {
  if (failed_) return;
  ++counters_.txs;
  if (journal_blocks_ > 0 && static_cast<int64_t>(tx.height) != journal_height_) {
    BeginBlock(tx.height);
  }
  processing_ = tx.num;
  Grow(tx);
  if (failed_ || tx.coinbase) return;
  if (policy_.skip_coinjoins) {
    CoinJoinKind cj = coinjoin_.Detect(tx);
    if (cj != CoinJoinKind::kNone) {
      ++counters_.coinjoins[static_cast<int>(cj)];
      ResolvePending(tx);
      return;
    }
  }
  if (policy_.common_input) CommonInput(tx);
  // After the common-input links: the guard then sees everything the spend joins.
  ResolvePending(tx);
  Change(tx);
}

}  // namespace ariadne::heuristics
