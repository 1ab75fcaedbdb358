#include "engine/trace/account_trace.h"

#include <algorithm>
#include <deque>
#include <queue>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace ariadne::trace {

namespace {

using graph::AccountGraph;

U256 Min(const U256& a, const U256& b) { return a < b ? a : b; }
U256 Sub(const U256& a, const U256& b) {
  U256 r;
  return U256::CheckedSub(a, b, &r) ? r : U256();  // saturates at 0
}
U256 Add(const U256& a, const U256& b) {
  U256 r;
  return U256::CheckedAdd(a, b, &r) ? r : U256::Max();
}

// One piece of a FIFO queue: an amount, tainted or not (forward), or from one source transfer
// (backward; kUnknown for unknown-origin value).
struct Lot {
  U256 amount;
  uint64_t source;  // forward: 1 tainted, 0 not; backward: TransferNum or kUnknown
};
constexpr uint64_t kUnknown = UINT64_MAX;

// Appends `lot` to `q`, merging it with the last lot of the same source.
void Push(std::deque<Lot>* q, const U256& amount, uint64_t source) {
  if (amount.IsZero()) return;
  if (!q->empty() && q->back().source == source) {
    q->back().amount = Add(q->back().amount, amount);
  } else {
    q->push_back({amount, source});
  }
}

// Takes `amount` from the front of `q` into *taken (pieces in order). The caller makes sure the
// queue holds enough.
void Take(std::deque<Lot>* q, U256 amount, std::vector<Lot>* taken) {
  while (!amount.IsZero() && !q->empty()) {
    Lot& f = q->front();
    if (f.amount <= amount) {
      amount = Sub(amount, f.amount);
      taken->push_back(f);
      q->pop_front();
    } else {
      taken->push_back({amount, f.source});
      f.amount = Sub(f.amount, amount);
      amount = U256();
    }
  }
}

U256 QueueSum(const std::deque<Lot>& q) {
  U256 s;
  for (const Lot& l : q) s = Add(s, l.amount);
  return s;
}

// The events of one account in one asset, in chain order: receipts, payments and (ether) fees.
// Keys order them globally: a transfer t is 2t+1, the fee of transaction x is 2 * first transfer
// of x (before x's own transfers, after the previous transaction's).
class EventCursor {
 public:
  enum Kind : uint8_t { kIn, kOut, kFee, kNone };
  EventCursor() = default;
  EventCursor(const AccountGraph* g, AccountId account, AssetId asset) : g_(g), asset_(asset) {
    in_ = g->In(account);
    out_ = g->Out(account);
    if (asset.value() == store::kEtherAsset) fees_ = g->FeesPaid(account);
    Skip();
  }
  // The next event: its kind (kNone at the end), key and TransferNum / TxNum (as a number).
  Kind kind() const { return kind_; }
  uint64_t key() const { return key_; }
  uint64_t id() const { return id_; }
  void Next() {
    if (kind_ == kIn) ++ii_;
    if (kind_ == kOut) ++oi_;
    if (kind_ == kFee) ++fi_;
    Skip();
  }

 private:
  bool Wanted(TransferNum t) const {
    return g_->AssetOf(t) == asset_ && g_->From(t) != g_->To(t) && !g_->Amount(t).IsZero();
  }
  void Skip() {
    while (ii_ < in_.size() && !Wanted(in_[ii_])) ++ii_;
    while (oi_ < out_.size() && !Wanted(out_[oi_])) ++oi_;
    kind_ = kNone;
    key_ = UINT64_MAX;
    if (ii_ < in_.size()) {
      kind_ = kIn;
      key_ = 2 * in_[ii_].value() + 1;
      id_ = in_[ii_].value();
    }
    if (oi_ < out_.size() && 2 * out_[oi_].value() + 1 < key_) {
      kind_ = kOut;
      key_ = 2 * out_[oi_].value() + 1;
      id_ = out_[oi_].value();
    }
    if (fi_ < fees_.size() && 2 * g_->FirstTransfer(fees_[fi_]).value() <= key_) {
      kind_ = kFee;
      key_ = 2 * g_->FirstTransfer(fees_[fi_]).value();
      id_ = fees_[fi_].value();
    }
  }

  const AccountGraph* g_ = nullptr;
  AssetId asset_;
  std::span<const TransferNum> in_, out_;
  std::span<const TxNum> fees_;
  size_t ii_ = 0, oi_ = 0, fi_ = 0;
  Kind kind_ = kNone;
  uint64_t key_ = UINT64_MAX;
  uint64_t id_ = 0;
};

// Collects edges and ends.
class Recorder {
 public:
  Recorder(const AccountGraph& g, const AccountTraceOptions& o, AccountTraceResult* r)
      : g_(g), o_(o), r_(r) {}
  uint32_t Node(AccountId account) const {
    if (!account.valid()) return kNoNode;
    return o_.node_of ? o_.node_of(account) : account.value();
  }
  // Returns: false when the edge limit is reached (the edge is not added).
  bool Edge(AccountId from, AccountId to, TransferNum transfer, const U256& tainted, uint32_t hop) {
    auto [it, inserted] = edge_index_.emplace(transfer.value(), r_->edges.size());
    if (inserted) {
      if (r_->edges.size() >= o_.max_edges) {
        edge_index_.erase(it);
        r_->truncated = true;
        return false;
      }
      r_->edges.push_back({Node(from), Node(to), transfer, tainted, hop});
      txs_.insert(g_.TxOf(transfer).value());
    } else {
      AccountTraceEdge& e = r_->edges[it->second];
      e.tainted = Add(e.tainted, tainted);
      e.hop = std::min(e.hop, hop);
    }
    return true;
  }
  void End(AccountId account, EndReason reason, AssetId asset, const U256& tainted, uint32_t hop) {
    if (tainted.IsZero()) return;
    const uint32_t node = Node(account);
    auto key = std::make_tuple(node, static_cast<uint8_t>(reason), asset.value());
    auto [it, inserted] = end_index_.emplace(key, r_->ends.size());
    if (inserted) {
      r_->ends.push_back({node, reason, asset, tainted, hop});
    } else {
      AccountTraceEnd& e = r_->ends[it->second];
      e.tainted = Add(e.tainted, tainted);
      e.hop = std::min(e.hop, hop);
    }
    U256& total = r_->totals[{reason, asset}];
    total = Add(total, tainted);
  }
  void Finish() {
    r_->txs = txs_.size();
    r_->edge_count = r_->edges.size();
    std::sort(r_->edges.begin(), r_->edges.end(),
              [](const AccountTraceEdge& a, const AccountTraceEdge& b) {
                return a.transfer < b.transfer;
              });
  }

 private:
  const AccountGraph& g_;
  const AccountTraceOptions& o_;
  AccountTraceResult* r_;
  absl::flat_hash_map<uint64_t, size_t> edge_index_;
  absl::flat_hash_map<std::tuple<uint32_t, uint8_t, uint32_t>, size_t> end_index_;
  absl::flat_hash_set<uint64_t> txs_;
};

// ---- Forward

struct Holding {
  AccountId account;
  AssetId asset;
  EventCursor cursor;
  U256 balance;  // haircut / poison: the flow balance; fifo: QueueSum(lots)
  U256 tainted;  // tainted part of the balance
  bool poisoned = false;
  std::deque<Lot> lots;  // fifo
  uint32_t hop = UINT32_MAX;
  uint32_t pending_in = 0;  // tainted arrivals not yet applied
  bool active = false;      // in the heap
};

struct Arrival {
  U256 tainted;
  std::vector<Lot> pieces;  // fifo: the transfer's pieces in order (source 1 = tainted)
  uint32_t hop = 0;
};

class Forward {
 public:
  Forward(const AccountGraph& g, const AccountTraceOptions& o, AccountTraceResult* r)
      : g_(g), o_(o), rec_(g, o, r) {}

  void Run(std::span<const TransferNum> seeds, AccountTraceResult* r) {
    std::vector<TransferNum> sorted(seeds.begin(), seeds.end());
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    for (TransferNum t : sorted) {
      const U256& amount = g_.Amount(t);
      if (amount.IsZero()) continue;
      U256& seed = r->seed_amounts[g_.AssetOf(t)];
      seed = Add(seed, amount);
      Arrival a;
      a.tainted = amount;
      if (o_.model == TaintModel::kFifo) a.pieces.push_back({amount, 1});
      a.hop = 0;
      if (g_.From(t) == g_.To(t)) {
        rec_.End(g_.To(t), EndReason::kUnspent, g_.AssetOf(t), amount, 0);
        continue;
      }
      Deliver(t, std::move(a));
    }
    uint64_t polls = 0;
    while (!heap_.empty()) {
      if (o_.cancelled && (++polls & 255) == 0 && o_.cancelled()) {
        r->cancelled = true;
        return;
      }
      if (stopped_) break;
      const auto [key, index] = heap_.top();
      heap_.pop();
      Step(index);
    }
    // Whatever is still held ends where it is.
    for (Holding& h : holdings_) {
      const EndReason reason = stopped_ ? EndReason::kTruncated : Remaining(h);
      rec_.End(h.account, reason, h.asset, h.tainted, h.hop == UINT32_MAX ? 0 : h.hop);
      h.tainted = U256();
    }
    for (auto& [t, a] : arrivals_) {
      rec_.End(g_.To(TransferNum(t)), EndReason::kTruncated, g_.AssetOf(TransferNum(t)), a.tainted,
               a.hop);
    }
    rec_.Finish();
  }

 private:
  using HeapItem = std::pair<uint64_t, uint32_t>;  // (event key * 2 + is_in, holding)

  uint64_t HeapKey(const Holding& h) const {
    return h.cursor.key() * 2 + (h.cursor.kind() == EventCursor::kIn ? 1 : 0);
  }

  // The reason remaining taint ends with: unspent, or time_window when the holding would move
  // value after the window.
  EndReason Remaining(Holding& h) {
    if (h.tainted.IsZero() && !h.poisoned) return EndReason::kUnspent;
    for (; h.cursor.kind() != EventCursor::kNone; h.cursor.Next()) {
      if (h.cursor.kind() != EventCursor::kIn) {
        const uint64_t block = h.cursor.kind() == EventCursor::kFee
                                   ? g_.Block(TxNum(h.cursor.id()))
                                   : g_.TransferBlock(TransferNum(h.cursor.id()));
        if (block > o_.to_block) return EndReason::kTimeWindow;
      }
    }
    return EndReason::kUnspent;
  }

  Holding& Get(AccountId account, AssetId asset, uint32_t* index) {
    const uint64_t k = uint64_t{account.value()} << 32 | asset.value();
    auto [it, inserted] = index_.emplace(k, holdings_.size());
    if (inserted) {
      Holding h;
      h.account = account;
      h.asset = asset;
      h.cursor = EventCursor(&g_, account, asset);
      holdings_.push_back(std::move(h));
    }
    *index = static_cast<uint32_t>(it->second);
    return holdings_[it->second];
  }

  // Applies an untainted event (fast-forwarding a holding that holds no taint).
  void ApplyUntainted(Holding& h) {
    const EventCursor& c = h.cursor;
    const U256 amount =
        c.kind() == EventCursor::kFee ? g_.Fee(TxNum(c.id())) : g_.Amount(TransferNum(c.id()));
    if (o_.model == TaintModel::kFifo) {
      if (c.kind() == EventCursor::kIn) {
        Push(&h.lots, amount, 0);
      } else {
        std::vector<Lot> taken;
        const U256 sum = QueueSum(h.lots);
        if (sum < amount) h.lots.push_front({Sub(amount, sum), 0});
        Take(&h.lots, amount, &taken);
      }
      return;
    }
    if (c.kind() == EventCursor::kIn) {
      h.balance = Add(h.balance, amount);
    } else {
      h.balance = amount < h.balance ? Sub(h.balance, amount) : U256();
    }
  }

  // Records a tainted amount arriving with transfer t and makes its recipient's holding follow.
  void Deliver(TransferNum t, Arrival a) {
    uint32_t index;
    Holding& h = Get(g_.To(t), g_.AssetOf(t), &index);
    const uint64_t target = 2 * t.value() + 1;
    if (!h.active) {
      while (h.cursor.kind() != EventCursor::kNone && h.cursor.key() < target) {
        ApplyUntainted(h);
        h.cursor.Next();
        ++steps_;
      }
      h.active = true;
      heap_.push({HeapKey(h), index});
    }
    ++h.pending_in;
    arrivals_.emplace(t.value(), std::move(a));
  }

  void Step(uint32_t index) {
    Holding& h = holdings_[index];
    if (++steps_ > o_.max_steps) {
      stopped_ = true;
      rec_.End(h.account, EndReason::kTruncated, h.asset, h.tainted, h.hop);
      h.tainted = U256();
      return;
    }
    const EventCursor::Kind kind = h.cursor.kind();
    const uint64_t id = h.cursor.id();
    if (kind == EventCursor::kIn) {
      const U256& amount = g_.Amount(TransferNum(id));
      auto it = arrivals_.find(id);
      if (it != arrivals_.end()) {
        Arrival& a = it->second;
        --h.pending_in;
        h.hop = std::min(h.hop, a.hop);
        if (o_.model == TaintModel::kFifo) {
          for (const Lot& p : a.pieces) Push(&h.lots, p.amount, p.source);
        } else {
          h.balance = Add(h.balance, amount);
          h.tainted = Add(h.tainted, a.tainted);
          if (!a.tainted.IsZero() && o_.model == TaintModel::kPoison) h.poisoned = true;
        }
        if (o_.model == TaintModel::kFifo) h.tainted = Add(h.tainted, a.tainted);
        arrivals_.erase(it);
      } else {
        ApplyUntainted(h);
      }
    } else {
      const bool fee = kind == EventCursor::kFee;
      const uint64_t block = fee ? g_.Block(TxNum(id)) : g_.TransferBlock(TransferNum(id));
      if (block > o_.to_block) {
        // The window closes: what is held ends here.
        rec_.End(h.account, EndReason::kTimeWindow, h.asset, h.tainted, h.hop);
        h.tainted = U256();
        h.poisoned = false;
        h.active = false;
        return;
      }
      const U256 amount = fee ? g_.Fee(TxNum(id)) : g_.Amount(TransferNum(id));
      U256 x;  // the tainted part of the amount
      std::vector<Lot> pieces;
      switch (o_.model) {
        case TaintModel::kPoison:
          x = h.poisoned ? amount : U256();
          h.balance = amount < h.balance ? Sub(h.balance, amount) : U256();
          break;
        case TaintModel::kHaircut: {
          const U256 b = amount < h.balance ? h.balance : amount;
          x = h.tainted.IsZero() ? U256() : U256::MulDiv(h.tainted, amount, b);
          h.tainted = Sub(h.tainted, x);
          h.balance = Sub(b, amount);
          h.tainted = Min(h.tainted, h.balance);
          break;
        }
        case TaintModel::kFifo: {
          const U256 sum = QueueSum(h.lots);
          if (sum < amount) h.lots.push_front({Sub(amount, sum), 0});
          Take(&h.lots, amount, &pieces);
          for (const Lot& p : pieces) {
            if (p.source == 1) x = Add(x, p.amount);
          }
          h.tainted = Sub(h.tainted, x);
          break;
        }
      }
      if (!x.IsZero()) {
        if (fee) {
          rec_.End(h.account, EndReason::kFee, h.asset, x, h.hop);
        } else {
          Move(h, TransferNum(id), x, std::move(pieces));
        }
      }
    }
    // Poison: once tainted, the whole balance is.
    if (h.poisoned) h.tainted = h.balance;
    h.cursor.Next();
    const bool holds = h.poisoned || !h.tainted.IsZero() || h.pending_in > 0;
    if (!holds) {
      h.active = false;
    } else if (h.cursor.kind() != EventCursor::kNone) {
      heap_.push({HeapKey(h), index});
    } else {
      h.active = false;
    }
  }

  // Taint x leaves holding h with transfer t.
  void Move(Holding& h, TransferNum t, const U256& x, std::vector<Lot> pieces) {
    const AccountId to = g_.To(t);
    const bool new_node = rec_.Node(h.account) != rec_.Node(to);
    const uint32_t hop = h.hop + (new_node ? 1 : 0);
    if (hop > o_.max_hops) {
      rec_.End(h.account, EndReason::kHopLimit, h.asset, x, h.hop);
      return;
    }
    if (!rec_.Edge(h.account, to, t, x, hop)) {
      rec_.End(h.account, EndReason::kTruncated, h.asset, x, h.hop);
      stopped_ = true;
      return;
    }
    if (to == g_.zero_account()) {
      rec_.End(to, EndReason::kBurned, h.asset, x, hop);
    } else if (o_.stop_at && o_.stop_at(to)) {
      rec_.End(to, EndReason::kLabelled, h.asset, x, hop);
    } else if (x < o_.min_amount) {
      rec_.End(to, EndReason::kBelowThreshold, h.asset, x, hop);
    } else {
      Arrival a;
      a.tainted = x;
      a.hop = hop;
      if (o_.model == TaintModel::kFifo) a.pieces = std::move(pieces);
      Deliver(t, std::move(a));
    }
  }

  const AccountGraph& g_;
  const AccountTraceOptions& o_;
  Recorder rec_;
  std::deque<Holding> holdings_;  // stable references: Deliver() adds while a Step() holds one
  absl::flat_hash_map<uint64_t, size_t> index_;
  absl::flat_hash_map<uint64_t, Arrival> arrivals_;
  std::priority_queue<HeapItem, std::vector<HeapItem>, std::greater<HeapItem>> heap_;
  uint64_t steps_ = 0;
  bool stopped_ = false;
};

// ---- Backward

class Backward {
 public:
  Backward(const AccountGraph& g, const AccountTraceOptions& o, AccountTraceResult* r)
      : g_(g), o_(o), rec_(g, o, r) {}

  void Run(std::span<const TransferNum> seeds, AccountTraceResult* r) {
    for (TransferNum t : seeds) {
      const U256& amount = g_.Amount(t);
      if (amount.IsZero() || g_.From(t) == g_.To(t)) continue;
      U256& seed = r->seed_amounts[g_.AssetOf(t)];
      seed = Add(seed, amount);
      // The sender of a seed is one hop back.
      Attribute(g_.To(t), 0, t, amount);
    }
    uint64_t polls = 0;
    while (!heap_.empty() && !stopped_) {
      if (o_.cancelled && (++polls & 15) == 0 && o_.cancelled()) {
        r->cancelled = true;
        return;
      }
      const uint64_t t = heap_.top();
      heap_.pop();
      auto it = requests_.find(t);
      const Request req = it->second;
      requests_.erase(it);
      Explain(TransferNum(t), req);
    }
    for (const auto& [t, req] : requests_) {
      rec_.End(g_.From(TransferNum(t)), EndReason::kTruncated, g_.AssetOf(TransferNum(t)),
               req.amount, req.hop);
    }
    rec_.Finish();
  }

 private:
  struct Request {
    U256 amount;
    uint32_t hop;
  };

  // Taint `amount` reached `holder` (at hop `hop`) through transfer t from its sender: record the
  // edge and ask where the sender got it.
  void Attribute(AccountId holder, uint32_t hop, TransferNum t, const U256& amount) {
    const AccountId sender = g_.From(t);
    const AssetId asset = g_.AssetOf(t);
    const bool new_node = rec_.Node(sender) != rec_.Node(holder);
    const uint32_t next = hop + (new_node ? 1 : 0);
    if (next > o_.max_hops) {
      rec_.End(holder, EndReason::kHopLimit, asset, amount, hop);
      return;
    }
    if (g_.TransferBlock(t) < o_.from_block || g_.TransferBlock(t) > o_.to_block) {
      rec_.End(holder, EndReason::kTimeWindow, asset, amount, hop);
      return;
    }
    if (!rec_.Edge(sender, holder, t, amount, next)) {
      rec_.End(holder, EndReason::kTruncated, asset, amount, hop);
      stopped_ = true;
      return;
    }
    if (sender == g_.zero_account()) {
      rec_.End(sender, EndReason::kMinted, asset, amount, next);
    } else if (o_.stop_at && o_.stop_at(sender)) {
      rec_.End(sender, EndReason::kLabelled, asset, amount, next);
    } else if (amount < o_.min_amount) {
      rec_.End(sender, EndReason::kBelowThreshold, asset, amount, next);
    } else {
      auto [it, inserted] = requests_.emplace(t.value(), Request{amount, next});
      if (inserted) {
        heap_.push(t.value());
      } else {
        it->second.amount = Add(it->second.amount, amount);
        it->second.hop = std::min(it->second.hop, next);
      }
    }
  }

  // Where did the sender of t get the amount of the request: its history before t.
  void Explain(TransferNum t, const Request& req) {
    const AccountId s = g_.From(t);
    const AssetId asset = g_.AssetOf(t);
    const uint64_t key = 2 * t.value() + 1;
    EventCursor c(&g_, s, asset);
    std::vector<std::pair<uint64_t, U256>> sources;  // (source transfer or kUnknown, amount)
    switch (o_.model) {
      case TaintModel::kPoison: {
        U256 seen;
        for (; c.kind() != EventCursor::kNone && c.key() < key; c.Next()) {
          if (++steps_ > o_.max_steps) return Stop(t, req);
          if (c.kind() == EventCursor::kIn) {
            const U256& in = g_.Amount(TransferNum(c.id()));
            sources.emplace_back(c.id(), in);
            seen = Add(seen, in);
          }
        }
        if (seen < req.amount) sources.emplace_back(kUnknown, Sub(req.amount, seen));
        break;
      }
      case TaintModel::kHaircut: {
        // What is left of each receipt: each outflow takes its share of every one.
        std::vector<Lot> lots;
        U256 sum;
        for (; c.kind() != EventCursor::kNone && c.key() < key; c.Next()) {
          if (c.kind() == EventCursor::kIn) {
            const U256& in = g_.Amount(TransferNum(c.id()));
            lots.push_back({in, c.id()});
            sum = Add(sum, in);
            ++steps_;
            continue;
          }
          const U256 out = c.kind() == EventCursor::kFee ? g_.Fee(TxNum(c.id()))
                                                         : g_.Amount(TransferNum(c.id()));
          if (sum <= out) {
            lots.clear();  // everything known is gone; the rest came from unknown value
            sum = U256();
            continue;
          }
          U256 left;
          for (Lot& l : lots) {
            l.amount = Sub(l.amount, U256::MulDiv(l.amount, out, sum));
            left = Add(left, l.amount);
          }
          steps_ += lots.size();
          if (steps_ > o_.max_steps) return Stop(t, req);
          sum = left;
          std::erase_if(lots, [](const Lot& l) { return l.amount.IsZero(); });
        }
        const U256 b = req.amount < sum ? sum : req.amount;
        U256 attributed;
        for (const Lot& l : lots) {
          const U256 y = U256::MulDiv(req.amount, l.amount, b);
          if (!y.IsZero()) sources.emplace_back(l.source, y);
          attributed = Add(attributed, y);
        }
        if (attributed < req.amount) sources.emplace_back(kUnknown, Sub(req.amount, attributed));
        break;
      }
      case TaintModel::kFifo: {
        std::deque<Lot> q;
        std::vector<Lot> taken;
        for (; c.kind() != EventCursor::kNone && c.key() < key; c.Next()) {
          if (++steps_ > o_.max_steps) return Stop(t, req);
          if (c.kind() == EventCursor::kIn) {
            Push(&q, g_.Amount(TransferNum(c.id())), c.id());
            continue;
          }
          const U256 out = c.kind() == EventCursor::kFee ? g_.Fee(TxNum(c.id()))
                                                         : g_.Amount(TransferNum(c.id()));
          const U256 sum = QueueSum(q);
          if (sum < out) q.push_front({Sub(out, sum), kUnknown});
          taken.clear();
          Take(&q, out, &taken);
        }
        // The transfer t itself takes from the front; the request's part of it is its first
        // req.amount (the whole transfer, or the share that was followed).
        const U256 out = g_.Amount(t);
        const U256 sum = QueueSum(q);
        if (sum < out) q.push_front({Sub(out, sum), kUnknown});
        taken.clear();
        Take(&q, Min(req.amount, out), &taken);
        for (const Lot& l : taken) sources.emplace_back(l.source, l.amount);
        break;
      }
    }
    for (const auto& [source, amount] : sources) {
      if (source == kUnknown) {
        rec_.End(s, EndReason::kUnknownSource, asset, amount, req.hop);
      } else {
        Attribute(s, req.hop, TransferNum(source), amount);
      }
    }
  }

  void Stop(TransferNum t, const Request& req) {
    stopped_ = true;
    rec_.End(g_.From(t), EndReason::kTruncated, g_.AssetOf(t), req.amount, req.hop);
  }

  const AccountGraph& g_;
  const AccountTraceOptions& o_;
  Recorder rec_;
  absl::flat_hash_map<uint64_t, Request> requests_;
  std::priority_queue<uint64_t> heap_;  // latest transfer first
  uint64_t steps_ = 0;
  bool stopped_ = false;
};

}  // namespace

AccountTraceResult TraceAccounts(const AccountGraph& graph, std::span<const TransferNum> seeds,
                                 const AccountTraceOptions& options) {
  AccountTraceResult r;
  if (options.direction == Direction::kForward) {
    Forward f(graph, options, &r);
    f.Run(seeds, &r);
  } else {
    Backward b(graph, options, &r);
    b.Run(seeds, &r);
  }
  return r;
}

}  // namespace ariadne::trace
