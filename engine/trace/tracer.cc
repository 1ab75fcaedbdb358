#include "engine/trace/tracer.h"

#include <algorithm>
#include <functional>
#include <queue>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace ariadne::trace {
namespace {

class Tracer {
 public:
  Tracer(const graph::TxGraph& g, const store::HeightIndex& h, const TraceOptions& o,
         TraceResult* r)
      : g_(g), h_(h), o_(o), r_(r) {}

  void Run(std::span<const OutNum> seeds);

 private:
  uint32_t Node(AddrId a) const {
    if (!a.valid()) return kNoNode;
    return o_.node_of ? o_.node_of(a) : a.value();
  }
  void End(uint32_t node, EndReason reason, int64_t amount, uint32_t hop);
  void AddEdge(uint32_t from, uint32_t to, TxNum tx, int64_t value, int64_t tainted, uint32_t hop);
  void Settle(uint64_t out, Taint taint, uint32_t hop);  // decides where a tainted output goes
  // Each takes up one transaction. Returns: false when its edges would take the answer beyond
  // max_edges: the transaction is then left as it was (its taint back where it came from).
  bool ForwardTx(uint64_t tx);
  bool BackwardTx(uint64_t tx);
  // Returns: the number of distinct (from, to) edges the transaction would add: one per
  // (input owner i, output owner j) with share_[i][j] > 0 and `within(i, j)`.
  template <typename Within>
  size_t NewEdges(uint64_t in0, uint64_t out0, Within within);
  // Returns: true when the transaction's edges fit in what is left of max_edges.
  template <typename Within>
  bool EdgesFit(uint64_t in0, uint64_t out0, Within within) {
    const size_t room = o_.max_edges - std::min<uint64_t>(o_.max_edges, r_->edge_count);
    if (in_values_.size() * out_values_.size() <= room) return true;  // fits whatever merges
    return NewEdges(in0, out0, within) <= room;
  }
  // Takes the records of transaction `tx` out of waiting_ into in_taint_ (forward) or
  // out_taint_ (backward), sized n and indexed by position. Returns: the smallest hop among them.
  uint32_t TakeUp(uint64_t tx, uint64_t first, size_t n, std::vector<Taint>* taint);
  void Truncate();
  // Puts the taint the last transaction took (from its inputs forward, its outputs backward) back.
  void PutBack();
  // Returns: why the taint may not go through transaction t at all (time window, a transaction
  // the caller stops at), or kUnspent when it may. The hop limit is decided per output.
  EndReason StopReason(TxNum t) const {
    const uint32_t height = h_.HeightOf(t);
    if (height < o_.from_height || height > o_.to_height) return EndReason::kTimeWindow;
    if (o_.stop_at_tx && o_.stop_at_tx(t)) return EndReason::kCoinJoin;
    return EndReason::kUnspent;
  }
  // Edges into output j of a transaction, per input owner: the output's value (once per owner)
  // and the tainted shares (share_[i][j], input i to output j).
  void AddOutputEdges(TxNum t, uint64_t in0, uint64_t out0, size_t j, uint32_t hop, bool forward);

  const graph::TxGraph& g_;
  const store::HeightIndex& h_;
  const TraceOptions& o_;
  TraceResult* r_;
  // The taint on its way: one record per tainted output, linked per transaction that takes it up
  // (forward: the spender; backward: the creator). `waiting_` holds the first record of every
  // queued transaction: one hash look-up per transaction taken up, none per input.
  struct Pending {
    uint64_t out;
    Taint taint;
    uint32_t hop;
    uint32_t next;  // the transaction's next record, or kNone
    bool live;      // not yet taken up
  };
  static constexpr uint32_t kNone = UINT32_MAX;
  std::vector<Pending> pending_;
  absl::flat_hash_map<uint64_t, uint32_t> waiting_;  // TxNum -> its first record
  // The records of the seeds (the only outputs the trace can reach twice), and whether the seeds
  // are being settled.
  absl::flat_hash_map<uint64_t, uint32_t> seed_recs_;
  bool seeding_ = false;
  std::priority_queue<uint64_t> queue_;  // forward: ~TxNum (smallest first); backward: TxNum
  // The edges of the transaction being taken up, by (from, to): an edge is one per (from, to,
  // transaction), so edges of different transactions never merge and the index is per transaction.
  absl::flat_hash_map<std::pair<uint32_t, uint32_t>, size_t> edge_index_;
  absl::flat_hash_map<uint64_t, size_t> end_index_;
  // Scratch.
  std::vector<int64_t> in_values_, out_values_;
  std::vector<Taint> in_taint_, out_taint_;
  std::vector<std::vector<int64_t>> share_;
  absl::flat_hash_set<uint32_t> tainted_nodes_, counted_;
  struct Taken {
    uint32_t rec;  // the record whose taint the transaction took
    uint32_t k;    // its position among the transaction's inputs (forward) or outputs (backward)
  };
  std::vector<Taken> taken_;
  absl::flat_hash_set<std::pair<uint32_t, uint32_t>> new_edges_;
  absl::flat_hash_map<uint64_t, uint32_t> input_pos_;  // of a wide transaction: OutNum -> input
};

template <typename Within>
size_t Tracer::NewEdges(uint64_t in0, uint64_t out0, Within within) {
  new_edges_.clear();
  for (size_t j = 0; j < out_values_.size(); ++j) {
    const uint32_t to = Node(g_.Addr(OutNum(out0 + j)));
    for (size_t i = 0; i < in_values_.size(); ++i) {
      if (share_[i][j] > 0 && within(i, j)) {
        new_edges_.insert({Node(g_.Addr(g_.Input(in0 + i))), to});
      }
    }
  }
  return new_edges_.size();
}

void Tracer::End(uint32_t node, EndReason reason, int64_t amount, uint32_t hop) {
  if (amount <= 0) return;
  r_->totals[static_cast<int>(reason)] += amount;
  const uint64_t key = (uint64_t{node} << 8) | static_cast<uint8_t>(reason);
  auto [it, inserted] = end_index_.emplace(key, r_->ends.size());
  if (inserted) {
    r_->ends.push_back({node, reason, amount, hop});
  } else {
    TraceEnd& e = r_->ends[it->second];
    e.tainted += amount;
    e.hop = std::min(e.hop, hop);
  }
}

void Tracer::AddEdge(uint32_t from, uint32_t to, TxNum tx, int64_t value, int64_t tainted,
                     uint32_t hop) {
  auto [it, inserted] = edge_index_.emplace(std::make_pair(from, to), r_->edges.size());
  if (inserted) {
    r_->edges.push_back({from, to, tx, value, tainted, hop});
    ++r_->edge_count;
  } else {
    r_->edges[it->second].value += value;
    r_->edges[it->second].tainted += tainted;
  }
}

void Tracer::Settle(uint64_t out, Taint taint, uint32_t hop) {
  if (taint.amount <= 0) return;
  const AddrId addr = g_.Addr(OutNum(out));
  const uint32_t node = Node(addr);
  if (hop > 0 && o_.stop_at && addr.valid() && o_.stop_at(addr)) {
    End(node, EndReason::kLabelled, taint.amount, hop);
    return;
  }
  if (taint.amount < o_.min_value) {
    End(node, EndReason::kBelowThreshold, taint.amount, hop);
    return;
  }
  TxNum next;
  if (o_.direction == Direction::kForward) {
    next = g_.SpentBy(OutNum(out));
    if (!next.valid()) {
      End(node, EndReason::kUnspent, taint.amount, hop);
      return;
    }
  } else {
    next = g_.TxOf(OutNum(out));
    if (g_.InputCount(next) == 0) {
      End(node, EndReason::kCoinbase, taint.amount, hop);
      return;
    }
  }
  const uint32_t rec = static_cast<uint32_t>(pending_.size());
  if (seeding_) {
    seed_recs_.emplace(out, rec);
  } else if (!seed_recs_.empty()) {
    // A seed output the trace reaches again (a change output of a seed's spender, forward)
    // takes the taint that reached it in place of its own, as long as it still waits.
    auto seed = seed_recs_.find(out);
    if (seed != seed_recs_.end() && pending_[seed->second].live) {
      pending_[seed->second].taint = std::move(taint);
      pending_[seed->second].hop = hop;
      return;
    }
  }
  auto [it, queued] = waiting_.try_emplace(next.value(), rec);
  pending_.push_back({out, std::move(taint), hop, queued ? kNone : it->second, true});
  if (queued) {
    queue_.push(o_.direction == Direction::kForward ? ~next.value() : next.value());
  } else {
    it->second = rec;
  }
}

uint32_t Tracer::TakeUp(uint64_t tx, uint64_t first, size_t n, std::vector<Taint>* taint) {
  taint->clear();
  taint->resize(n);
  taken_.clear();
  uint32_t hop = UINT32_MAX;
  auto it = waiting_.find(tx);
  if (it == waiting_.end()) return hop;
  uint32_t rec = it->second;
  waiting_.erase(it);
  const bool forward = o_.direction == Direction::kForward;
  // Forward, a record names the output an input spends: its position among the inputs, found by
  // a scan of the inputs (or, for a wide transaction, an index of them).
  const bool indexed = forward && n > 16;
  if (indexed) {
    input_pos_.clear();
    for (size_t k = 0; k < n; ++k) input_pos_.emplace(g_.Input(first + k).value(), k);
  }
  for (; rec != kNone; rec = pending_[rec].next) {
    Pending& p = pending_[rec];
    size_t k = 0;
    if (!forward) {
      k = p.out - first;
    } else if (indexed) {
      k = input_pos_.at(p.out);
    } else {
      while (g_.Input(first + k).value() != p.out) ++k;
    }
    hop = std::min(hop, p.hop);
    taken_.push_back({rec, static_cast<uint32_t>(k)});
    (*taint)[k] = std::move(p.taint);
    p.live = false;
  }
  return hop;
}

bool Tracer::ForwardTx(uint64_t tx) {
  const TxNum t(tx);
  const uint64_t in0 = g_.FirstIn(t), in1 = g_.FirstIn(TxNum(tx + 1));
  const uint64_t out0 = g_.FirstOut(t), out1 = g_.FirstOut(TxNum(tx + 1));
  const uint32_t hop = TakeUp(tx, in0, in1 - in0, &in_taint_);
  in_values_.clear();
  for (uint64_t i = in0; i < in1; ++i) in_values_.push_back(g_.Value(g_.Input(i)));
  const EndReason stop = StopReason(t);
  if (stop != EndReason::kUnspent) {
    for (uint64_t i = in0; i < in1; ++i) {
      End(Node(g_.Addr(g_.Input(i))), stop, in_taint_[i - in0].amount, hop);
    }
    return true;
  }
  out_values_.clear();
  for (uint64_t o = out0; o < out1; ++o) out_values_.push_back(g_.Value(OutNum(o)));
  int64_t fee = 0;
  Forward(o_.model, in_values_, in_taint_, out_values_, &out_taint_, &fee, &share_);
  // Nodes the taint is already in: moving within them is not a hop (a wallet's own peel chain).
  tainted_nodes_.clear();
  for (uint64_t i = in0; i < in1; ++i) {
    if (in_taint_[i - in0].amount > 0) tainted_nodes_.insert(Node(g_.Addr(g_.Input(i))));
  }
  auto within_hops = [&](size_t, size_t j) {
    const uint32_t to = Node(g_.Addr(OutNum(out0 + j)));
    return (tainted_nodes_.contains(to) ? hop : hop + 1) <= o_.max_hops;
  };
  if (!EdgesFit(in0, out0, within_hops)) {
    PutBack();
    return false;
  }
  ++r_->txs;
  edge_index_.clear();
  for (size_t j = 0; j < out_values_.size(); ++j) {
    const uint32_t to = Node(g_.Addr(OutNum(out0 + j)));
    const uint32_t out_hop = tainted_nodes_.contains(to) ? hop : hop + 1;
    if (out_hop > o_.max_hops) {
      // Beyond the limit: the taint ends in the node it was in.
      for (size_t i = 0; i < in_values_.size(); ++i) {
        End(Node(g_.Addr(g_.Input(in0 + i))), EndReason::kHopLimit, share_[i][j], hop);
      }
      continue;
    }
    AddOutputEdges(t, in0, out0, j, out_hop, /*forward=*/true);
    Settle(out0 + j, std::move(out_taint_[j]), out_hop);
  }
  End(kNoNode, EndReason::kFee, fee, hop + 1);
  return true;
}

bool Tracer::BackwardTx(uint64_t tx) {
  const TxNum t(tx);
  const uint64_t in0 = g_.FirstIn(t), in1 = g_.FirstIn(TxNum(tx + 1));
  const uint64_t out0 = g_.FirstOut(t), out1 = g_.FirstOut(TxNum(tx + 1));
  const uint32_t hop = TakeUp(tx, out0, out1 - out0, &out_taint_);
  out_values_.clear();
  for (uint64_t o = out0; o < out1; ++o) out_values_.push_back(g_.Value(OutNum(o)));
  const EndReason stop = StopReason(t);
  if (stop != EndReason::kUnspent) {
    for (uint64_t o = out0; o < out1; ++o) {
      End(Node(g_.Addr(OutNum(o))), stop, out_taint_[o - out0].amount, hop);
    }
    return true;
  }
  in_values_.clear();
  for (uint64_t i = in0; i < in1; ++i) in_values_.push_back(g_.Value(g_.Input(i)));
  Backward(o_.model, in_values_, out_values_, out_taint_, &in_taint_, &share_);
  tainted_nodes_.clear();
  for (uint64_t o = out0; o < out1; ++o) {
    if (out_taint_[o - out0].amount > 0) tainted_nodes_.insert(Node(g_.Addr(OutNum(o))));
  }
  auto within_hops = [&](size_t i, size_t) {
    const uint32_t from = Node(g_.Addr(g_.Input(in0 + i)));
    return (tainted_nodes_.contains(from) ? hop : hop + 1) <= o_.max_hops;
  };
  if (!EdgesFit(in0, out0, within_hops)) {
    PutBack();
    return false;
  }
  ++r_->txs;
  edge_index_.clear();
  for (size_t i = 0; i < in_values_.size(); ++i) {
    const uint32_t from = Node(g_.Addr(g_.Input(in0 + i)));
    const uint32_t in_hop = tainted_nodes_.contains(from) ? hop : hop + 1;
    if (in_hop > o_.max_hops) {
      for (size_t j = 0; j < out_values_.size(); ++j) {
        End(Node(g_.Addr(OutNum(out0 + j))), EndReason::kHopLimit, share_[i][j], hop);
      }
      continue;
    }
    for (size_t j = 0; j < out_values_.size(); ++j) {
      if (share_[i][j] <= 0) continue;
      // Value moved along the edge: the output's value, counted once per (input owner, output).
      const uint32_t to = Node(g_.Addr(OutNum(out0 + j)));
      bool first = true;
      for (size_t k = 0; k < i; ++k) {
        if (share_[k][j] > 0 && Node(g_.Addr(g_.Input(in0 + k))) == from) first = false;
      }
      AddEdge(from, to, t, first ? out_values_[j] : 0, share_[i][j], in_hop);
    }
    Settle(g_.Input(in0 + i).value(), std::move(in_taint_[i]), in_hop);
  }
  return true;
}

void Tracer::PutBack() {
  const bool forward = o_.direction == Direction::kForward;
  for (const Taken& taken : taken_) {
    Pending& p = pending_[taken.rec];
    p.taint = std::move(forward ? in_taint_[taken.k] : out_taint_[taken.k]);
    p.live = true;
  }
}

void Tracer::AddOutputEdges(TxNum t, uint64_t in0, uint64_t out0, size_t j, uint32_t hop,
                            bool forward) {
  const uint32_t to = Node(g_.Addr(OutNum(out0 + j)));
  counted_.clear();
  for (size_t i = 0; i < in_values_.size(); ++i) {
    if (share_[i][j] <= 0) continue;
    const uint32_t from = Node(g_.Addr(g_.Input(in0 + i)));
    const bool first = counted_.insert(from).second;
    AddEdge(from, to, t, first ? out_values_[j] : 0, share_[i][j], hop);
  }
}

void Tracer::Truncate() {
  r_->truncated = true;
  // The taint still on its way ends where it is, in the order of its outputs (so that the
  // endpoints' order is the same on every run).
  std::vector<uint32_t> live;
  for (uint32_t rec = 0; rec < pending_.size(); ++rec) {
    if (pending_[rec].live) live.push_back(rec);
  }
  std::sort(live.begin(), live.end(),
            [&](uint32_t a, uint32_t b) { return pending_[a].out < pending_[b].out; });
  for (uint32_t rec : live) {
    const Pending& p = pending_[rec];
    End(Node(g_.Addr(OutNum(p.out))), EndReason::kTruncated, p.taint.amount, p.hop);
  }
  pending_.clear();
  waiting_.clear();
  while (!queue_.empty()) queue_.pop();
}

void Tracer::Run(std::span<const OutNum> seeds) {
  waiting_.reserve(1024);
  pending_.reserve(1024);
  std::vector<uint64_t> unique;
  for (OutNum s : seeds) unique.push_back(s.value());
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  seeding_ = true;
  for (uint64_t s : unique) {
    const int64_t v = g_.Value(OutNum(s));
    r_->seed_value += v;
    Settle(s, Whole(v), 0);
  }
  seeding_ = false;
  uint64_t steps = 0;
  while (!queue_.empty()) {
    uint64_t top = queue_.top();
    queue_.pop();
    const uint64_t tx = o_.direction == Direction::kForward ? ~top : top;
    const bool fits = o_.direction == Direction::kForward ? ForwardTx(tx) : BackwardTx(tx);
    if (!fits) {
      Truncate();
      break;
    }
    if (o_.take_edges && !r_->edges.empty()) {
      o_.take_edges(r_->edges);
      r_->edges.clear();
    }
    if (o_.cancelled && (++steps & 255) == 0 && o_.cancelled()) {
      r_->cancelled = true;
      Truncate();
      break;
    }
  }
}

}  // namespace

TraceResult Trace(const graph::TxGraph& graph, const store::HeightIndex& heights,
                  std::span<const OutNum> seeds, const TraceOptions& options) {
  TraceResult r;
  Tracer t(graph, heights, options, &r);
  t.Run(seeds);
  return r;
}

}  // namespace ariadne::trace
