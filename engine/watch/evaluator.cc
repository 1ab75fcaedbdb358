#include "engine/watch/evaluator.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace ariadne::watch {
namespace {

using query::ChainBackend;

// The requests of an evaluation are the server's own: limits wide enough for one page of members
// and one trace of the configured size.
query::RequestLimits Limits(const EvaluatorOptions& o) {
  query::RequestLimits l;
  l.max_page = 10'000;
  l.max_trace_edges = std::max<uint32_t>(o.max_trace_edges, 1);
  l.max_trace_hops = kMaxReachHops;
  return l;
}

class HistoryCollector : public query::HistorySink {
 public:
  bool Entry(const query::HistoryEntry& e) override {
    entries.push_back(e);
    return true;
  }
  std::vector<query::HistoryEntry> entries;
};

class MemberCollector : public query::MemberSink {
 public:
  bool Member(const query::ClusterMember& m) override {
    members.push_back(m);
    return true;
  }
  std::vector<query::ClusterMember> members;
};

class TraceCollector : public query::TraceSink {
 public:
  bool Node(const query::TraceNode& n) override {
    nodes.emplace(n.id, n);
    return true;
  }
  bool Edge(const query::TraceEdge& e) override {
    edges.push_back(e);
    return true;
  }
  bool Flow(const query::TraceFlow&) override { return true; }
  bool Endpoint(const query::TraceEndpoint& e) override {
    ends.push_back(e);
    return true;
  }
  bool Summary(const query::TraceSummary& s) override {
    truncated = s.truncated;
    return true;
  }
  std::map<std::string, query::TraceNode> nodes;
  std::vector<query::TraceEdge> edges;
  std::vector<query::TraceEndpoint> ends;
  bool truncated = false;
};

// One block's movements of a watch's subject, gathered before they become an alert.
struct Movement {
  std::set<std::string> txids;
  int64_t sent = 0;
  int64_t received = 0;
  std::vector<AlertPath> paths;
};

// The history of one address in [from, to], newest first, into per-height movements.
absl::Status AddressMoves(const ChainBackend& b, const std::string& address, int32_t from,
                          int32_t to, int64_t min_value, const query::RequestLimits& limits,
                          const query::CancelFn& cancelled, std::map<int32_t, Movement>* out) {
  std::string cursor;
  // Newest first, in pages that grow: a watch usually needs only the few newest entries.
  uint32_t page_size = 16;
  for (;; page_size = std::min<uint32_t>(page_size * 4, 1000)) {
    query::HistoryRequest req;
    req.address = address;
    req.limit = page_size;
    req.cursor = cursor;
    req.newest_first = true;
    HistoryCollector page;
    absl::Status s = b.History(req, limits, cancelled, &page);
    if (!s.ok()) return s;
    for (const query::HistoryEntry& e : page.entries) {
      if (e.block_height < from) return absl::OkStatus();
      if (e.block_height > to) continue;
      if (min_value > 0 && std::max(e.sent, e.received) < min_value) continue;
      Movement& m = (*out)[e.block_height];
      m.txids.insert(e.txid);
      m.sent += e.sent;
      m.received += e.received;
    }
    if (page.entries.empty() || page.entries.back().cursor.empty()) return absl::OkStatus();
    cursor = page.entries.back().cursor;
  }
}

// The members of a cluster (at most `max`). Out: *truncated when there were more.
absl::StatusOr<std::vector<std::string>> ClusterMembers(const ChainBackend& b, uint32_t cluster,
                                                        uint32_t max,
                                                        const query::RequestLimits& limits,
                                                        const query::CancelFn& cancelled,
                                                        bool* truncated) {
  std::vector<std::string> out;
  std::string cursor;
  *truncated = false;
  for (;;) {
    query::MembersRequest req;
    req.cluster.cluster_id = cluster;
    req.limit = std::min<uint32_t>(10'000, max - static_cast<uint32_t>(out.size()) + 1);
    req.cursor = cursor;
    MemberCollector page;
    absl::Status s = b.Members(req, limits, cancelled, &page);
    if (!s.ok()) return s;
    for (const query::ClusterMember& m : page.members) {
      if (out.size() == max) {
        *truncated = true;
        return out;
      }
      out.push_back(m.address);
    }
    if (page.members.empty() || page.members.back().cursor.empty()) return out;
    cursor = page.members.back().cursor;
  }
}

// The label of `node` in `category`, or null.
const query::Label* LabelIn(const query::TraceNode& node, const std::string& category) {
  for (const query::Label& l : node.labels) {
    if (l.category == category) return &l;
  }
  return nullptr;
}

}  // namespace

absl::Status Evaluator::Prepare(const ChainView& chain, Watch* w) const {
  const ChainBackend& b = *chain.backend;
  switch (w->subject.kind) {
    case Subject::Kind::kAddress: {
      auto a = b.Address(w->subject.address);
      if (!a.ok()) return a.status();
      break;
    }
    case Subject::Kind::kCluster: {
      query::ClusterSelector sel;
      sel.cluster_id = w->subject.cluster_id;
      auto c = b.Cluster(sel);
      if (!c.ok()) return c.status();
      break;
    }
    case Subject::Kind::kOutpoint: {
      auto t = b.Tx(w->subject.txid);
      if (!t.ok()) return t.status();
      if (w->subject.vout >= t->outputs.size()) {
        return absl::NotFoundError(absl::StrCat("transaction ", w->subject.txid, " has ",
                                                t->outputs.size(), " outputs: no output ",
                                                w->subject.vout));
      }
      break;
    }
  }
  w->created_height = chain.tip_height;
  w->evaluated_height = chain.tip_height;
  w->evaluated_hash.clear();
  if (chain.tip_height >= 0) {
    auto tip = chain.block(chain.tip_height);
    if (!tip.ok()) return tip.status();
    w->evaluated_hash = tip->hash;
  }
  return absl::OkStatus();
}

absl::StatusOr<int32_t> Evaluator::StartOf(const ChainView& chain, const Watch& w) {
  if (w.evaluated_height < 0) return 0;
  int32_t h = std::min(w.evaluated_height, chain.tip_height);
  if (h < 0) return 0;
  auto block = chain.block(h);
  if (!block.ok()) return block.status();
  const bool same = h == w.evaluated_height ? block->hash == w.evaluated_hash : false;
  if (same || block->hash.empty()) return w.evaluated_height + 1;
  // The branch changed at or below h: go down while the recorded hashes differ from the chain's.
  if (h == w.evaluated_height) --h;
  while (h >= 0) {
    auto recorded = store_->EvaluatedHash(h);
    if (!recorded.ok()) return recorded.status();
    auto b = chain.block(h);
    if (!b.ok()) return b.status();
    if (!recorded->has_value() || **recorded == b->hash) break;
    --h;
  }
  std::string hash;
  if (h >= 0) {
    auto b = chain.block(h);
    if (!b.ok()) return b.status();
    hash = b->hash;
  }
  absl::Status s = store_->Rewind(w.id, h, hash);
  if (!s.ok()) return s;
  return h + 1;
}

absl::StatusOr<std::vector<Alert>> Evaluator::Run(const ChainView& chain,
                                                  const query::CancelFn& cancelled) {
  std::vector<Alert> raised;
  if (chain.tip_height < 0) return raised;
  auto watches = store_->List();
  if (!watches.ok()) return watches.status();
  int32_t lowest = chain.tip_height + 1;
  std::vector<std::pair<const Watch*, int32_t>> todo;
  for (const Watch& w : *watches) {
    auto start = StartOf(chain, w);
    if (!start.ok()) return start.status();
    if (*start > chain.tip_height) continue;
    todo.emplace_back(&w, *start);
    lowest = std::min(lowest, *start);
  }
  if (todo.empty()) return raised;
  // The hashes of the blocks about to be evaluated, for the reorg check of later runs.
  std::vector<std::pair<int32_t, std::string>> blocks;
  for (int32_t h = std::max(lowest, chain.tip_height - kKeptBlockHashes + 1); h <= chain.tip_height;
       ++h) {
    auto b = chain.block(h);
    if (!b.ok()) return b.status();
    blocks.emplace_back(h, b->hash);
  }
  absl::Status recorded = store_->RecordBlocks(blocks);
  if (!recorded.ok()) return recorded;
  // Evaluations are committed together (one synced batch per kWatchesPerCommit watches): each
  // watch's alerts and progress stay in one batch, and a block costs one disk flush, not one per
  // watch.
  constexpr size_t kWatchesPerCommit = 1024;
  std::vector<WatchStore::Evaluation> pending;
  auto flush = [&]() -> absl::Status {
    auto committed = store_->CommitEvaluations(std::move(pending));
    pending.clear();
    if (!committed.ok()) return committed.status();
    for (Alert& a : *committed) raised.push_back(std::move(a));
    return absl::OkStatus();
  };
  for (const auto& [w, start] : todo) {
    for (int32_t from = start; from <= chain.tip_height;) {
      const int32_t to = std::min(chain.tip_height, from + options_.blocks_per_commit - 1);
      auto alerts = Evaluate(chain, *w, from, to, cancelled);
      if (!alerts.ok()) return alerts.status();
      auto end = chain.block(to);
      if (!end.ok()) return end.status();
      pending.push_back(WatchStore::Evaluation{w->id, to, end->hash, *std::move(alerts)});
      if (pending.size() >= kWatchesPerCommit) {
        absl::Status s = flush();
        if (!s.ok()) return s;
      }
      from = to + 1;
    }
  }
  if (!pending.empty()) {
    absl::Status s = flush();
    if (!s.ok()) return s;
  }
  std::sort(raised.begin(), raised.end(),
            [](const Alert& a, const Alert& b) { return a.id < b.id; });
  return raised;
}

absl::StatusOr<std::vector<Alert>> Evaluator::Evaluate(const ChainView& chain, const Watch& w,
                                                       int32_t from, int32_t to,
                                                       const query::CancelFn& cancelled) const {
  std::vector<Alert> out;
  if (from > to) return out;
  absl::Status s = w.rule.kind == Rule::Kind::kMoves ? Moves(chain, w, from, to, cancelled, &out)
                                                     : Reaches(chain, w, from, to, cancelled, &out);
  if (!s.ok()) return s;
  const int64_t now = absl::ToUnixMillis(absl::Now());
  for (Alert& a : out) {
    a.watch_id = w.id;
    a.case_id = w.case_id;
    a.subject = FormatSubject(w.subject);
    a.rule = FormatRule(w.rule);
    a.raised_unix_ms = now;
    a.delivery.state = options_.deliver ? Delivery::State::kPending : Delivery::State::kOff;
    auto b = chain.block(a.block_height);
    if (!b.ok()) return b.status();
    a.block_hash = b->hash;
    a.block_time = b->time;
  }
  return out;
}

absl::Status Evaluator::Moves(const ChainView& chain, const Watch& w, int32_t from, int32_t to,
                              const query::CancelFn& cancelled, std::vector<Alert>* out) const {
  const ChainBackend& b = *chain.backend;
  const query::RequestLimits limits = Limits(options_);
  std::map<int32_t, Movement> moves;
  bool truncated = false;
  switch (w.subject.kind) {
    case Subject::Kind::kAddress: {
      absl::Status s =
          AddressMoves(b, w.subject.address, from, to, w.min_value, limits, cancelled, &moves);
      if (!s.ok()) return s;
      break;
    }
    case Subject::Kind::kCluster: {
      auto members = ClusterMembers(b, w.subject.cluster_id, options_.max_cluster_members, limits,
                                    cancelled, &truncated);
      if (!members.ok()) return members.status();
      for (const std::string& m : *members) {
        absl::Status s = AddressMoves(b, m, from, to, w.min_value, limits, cancelled, &moves);
        if (!s.ok()) return s;
      }
      break;
    }
    case Subject::Kind::kOutpoint: {
      auto t = b.Tx(w.subject.txid);
      if (!t.ok()) return t.status();
      if (w.subject.vout >= t->outputs.size()) break;
      const query::TxOutput& o = t->outputs[w.subject.vout];
      if (o.value < w.min_value) break;
      if (t->block_height >= from && t->block_height <= to) {
        Movement& m = moves[t->block_height];
        m.txids.insert(t->txid);
        m.received += o.value;
      }
      if (o.spent_by.empty()) break;
      auto spender = b.Tx(o.spent_by);
      if (!spender.ok()) return spender.status();
      if (spender->block_height >= from && spender->block_height <= to) {
        Movement& m = moves[spender->block_height];
        m.txids.insert(spender->txid);
        m.sent += o.value;
      }
      break;
    }
  }
  for (auto& [height, m] : moves) {
    Alert& a = out->emplace_back();
    a.block_height = height;
    a.txids.assign(m.txids.begin(), m.txids.end());
    a.sent = m.sent;
    a.received = m.received;
    a.truncated = truncated;
  }
  return absl::OkStatus();
}

absl::Status Evaluator::Reaches(const ChainView& chain, const Watch& w, int32_t from, int32_t to,
                                const query::CancelFn& cancelled, std::vector<Alert>* out) const {
  const ChainBackend& b = *chain.backend;
  query::TraceRequest req;
  std::string seed_node;
  switch (w.subject.kind) {
    case Subject::Kind::kAddress:
      req.seed = w.subject.address;
      seed_node = req.seed;
      break;
    case Subject::Kind::kCluster: {
      // A cluster is traced as one node, from any of its members.
      bool truncated = false;
      auto members =
          ClusterMembers(b, w.subject.cluster_id, 1, Limits(options_), cancelled, &truncated);
      if (!members.ok()) return members.status();
      if (members->empty()) return absl::OkStatus();
      req.seed = members->front();
      req.by_cluster = true;
      seed_node = absl::StrCat("cluster:", w.subject.cluster_id);
      break;
    }
    case Subject::Kind::kOutpoint:
      req.seed = FormatSubject(w.subject);
      break;
  }
  req.direction = 0;
  req.taint = "haircut";
  req.hops = w.rule.hops;
  req.min_value = w.min_value;
  req.stop_at = {w.rule.category};
  req.max_edges = options_.max_trace_edges;
  TraceCollector t;
  absl::Status s = b.Trace(req, Limits(options_), cancelled, &t);
  if (!s.ok()) return s;
  // The labelled ends, and the edges into each node.
  std::set<std::string> labelled;
  for (const query::TraceEndpoint& e : t.ends) {
    if (e.reason == "labelled") labelled.insert(e.node);
  }
  std::multimap<std::string, const query::TraceEdge*> into;
  for (const query::TraceEdge& e : t.edges) into.emplace(e.to, &e);
  std::map<int32_t, Movement> arrivals;
  for (const query::TraceEdge& e : t.edges) {
    if (!labelled.contains(e.to) || e.block_height < from || e.block_height > to) continue;
    if (e.tainted_value <= 0) continue;
    AlertPath path;
    auto node = t.nodes.find(e.to);
    if (node != t.nodes.end()) {
      if (const query::Label* l = LabelIn(node->second, w.rule.category)) {
        path.label = l->label;
        path.category = l->category;
      }
    }
    path.endpoint = e.to;
    path.tainted_value = e.tainted_value;
    // Back to the subject: each step the largest tainted edge into the step's sender, no later
    // than the step and at most its hop.
    std::vector<const query::TraceEdge*> steps = {&e};
    std::set<std::string> seen = {e.to};
    const size_t max_steps = 4 * static_cast<size_t>(w.rule.hops) + 4;
    while (steps.back()->from != seed_node && steps.size() < max_steps) {
      const query::TraceEdge* cur = steps.back();
      if (!seen.insert(cur->from).second) break;
      const query::TraceEdge* best = nullptr;
      auto [lo, hi] = into.equal_range(cur->from);
      for (auto it = lo; it != hi; ++it) {
        const query::TraceEdge* p = it->second;
        if (p->block_height > cur->block_height || p->hop > cur->hop) continue;
        if (best == nullptr || p->tainted_value > best->tainted_value) best = p;
      }
      if (best == nullptr) break;
      steps.push_back(best);
    }
    for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
      const query::TraceEdge* p = *it;
      path.steps.push_back(
          AlertStep{p->from, p->to, p->txid, p->block_height, p->value, p->tainted_value, p->hop});
    }
    Movement& m = arrivals[e.block_height];
    m.txids.insert(e.txid);
    m.received += e.tainted_value;
    m.paths.push_back(std::move(path));
  }
  for (auto& [height, m] : arrivals) {
    Alert& a = out->emplace_back();
    a.block_height = height;
    a.txids.assign(m.txids.begin(), m.txids.end());
    a.received = m.received;
    a.paths = std::move(m.paths);
    a.truncated = t.truncated;
  }
  return absl::OkStatus();
}

}  // namespace ariadne::watch
