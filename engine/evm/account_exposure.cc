#include "engine/evm/account_exposure.h"

#include <algorithm>
#include <set>

#include "engine/evm/account_trace.h"

namespace ariadne::account {
namespace {

U256 Add(const U256& a, const U256& b) {
  U256 r;
  return U256::CheckedAdd(a, b, &r) ? r : U256::Max();
}

enum Slot { kReceivedDirect, kReceivedIndirect, kSentDirect, kSentIndirect };

void Credit(ExposureAmounts* a, Slot slot, const U256& v) {
  U256* f = slot == kReceivedDirect     ? &a->received_direct
            : slot == kReceivedIndirect ? &a->received_indirect
            : slot == kSentDirect       ? &a->sent_direct
                                        : &a->sent_indirect;
  *f = Add(*f, v);
}

}  // namespace

ExposureResult ComputeExposure(const Graph& g, std::span<const uint32_t> members,
                               const ExposureOptions& o) {
  ExposureResult r;
  const LabelIndex& labels = *o.labels;
  auto member = [&](uint32_t a) { return std::binary_search(members.begin(), members.end(), a); };
  auto labelled = [&](uint32_t a) { return !labels.Of(a).empty(); };
  auto credit = [&](uint32_t account, uint32_t asset, Slot slot, const U256& v) {
    std::set<std::string> categories, entities;
    for (uint32_t id : labels.Of(account)) {
      const store::LabelRow& row = labels.labels()[id];
      if (categories.insert(row.category).second) {
        Credit(&r.by_category[{row.category, asset}], slot, v);
      }
      if (entities.insert(row.label + "\n" + row.category).second) {
        Credit(&r.by_entity[{row.label, row.category, asset}], slot, v);
      }
    }
  };
  std::vector<uint64_t> back_seeds, forward_seeds;
  for (uint32_t m : members) {
    for (uint64_t t : g.In(m)) {
      const uint32_t from = g.From(t);
      if (member(from) || g.Amount(t).IsZero()) continue;
      r.received[g.AssetOf(t)] = Add(r.received[g.AssetOf(t)], g.Amount(t));
      if (labelled(from)) {
        credit(from, g.AssetOf(t), kReceivedDirect, g.Amount(t));
      } else {
        back_seeds.push_back(t);
      }
    }
    for (uint64_t t : g.Out(m)) {
      const uint32_t to = g.To(t);
      if (member(to) || g.Amount(t).IsZero()) continue;
      r.sent[g.AssetOf(t)] = Add(r.sent[g.AssetOf(t)], g.Amount(t));
      if (labelled(to)) {
        credit(to, g.AssetOf(t), kSentDirect, g.Amount(t));
      } else {
        forward_seeds.push_back(t);
      }
    }
  }
  TraceOptions to;
  to.model = o.model;
  to.stop_at = labelled;
  to.cancelled = o.cancelled;
  // Backward: the seeds' senders are hop 1 (unlabelled), their sources hop 2 and on.
  if (o.hops >= 2 && !back_seeds.empty()) {
    to.direction = trace::Direction::kBackward;
    to.max_hops = o.hops;
    TraceResult tr = Trace(g, back_seeds, to);
    r.truncated |= tr.truncated;
    r.cancelled |= tr.cancelled;
    for (const TraceEnd& e : tr.ends) {
      if (e.reason == EndReason::kLabelled) credit(e.node, e.asset, kReceivedIndirect, e.tainted);
    }
  }
  // Forward: the taint starts at the seeds' recipients (hop 1 from the subject).
  if (o.hops >= 2 && !forward_seeds.empty()) {
    to.direction = trace::Direction::kForward;
    to.max_hops = o.hops - 1;
    TraceResult tr = Trace(g, forward_seeds, to);
    r.truncated |= tr.truncated;
    r.cancelled |= tr.cancelled;
    for (const TraceEnd& e : tr.ends) {
      if (e.reason == EndReason::kLabelled) credit(e.node, e.asset, kSentIndirect, e.tainted);
    }
  }
  return r;
}

}  // namespace ariadne::account
