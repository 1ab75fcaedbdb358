#include "engine/trace/exposure.h"

#include <algorithm>
#include <set>

#include "engine/trace/tracer.h"

namespace ariadne::trace {
namespace {

bool IsMember(std::span<const uint32_t> members, AddrId a) {
  return a.valid() && std::binary_search(members.begin(), members.end(), a.value());
}

// Adds `amount` to every distinct entity and category of `addr`'s labels.
void Attribute(const ExposureOptions& o, AddrId addr, int64_t amount,
               int64_t ExposureAmounts::*field, ExposureResult* r) {
  std::set<std::pair<std::string, std::string>> entities;
  std::set<std::string> categories;
  for (uint32_t id : o.labels_of(addr)) {
    const store::LabelRow& row = (*o.labels)[id];
    entities.insert({row.label, row.category});
    categories.insert(row.category);
  }
  for (const auto& e : entities) r->by_entity[e].*field += amount;
  for (const auto& c : categories) r->by_category[c].*field += amount;
}

}  // namespace

ExposureResult ComputeExposure(const graph::TxGraph& g, const graph::AddressIndex& addresses,
                               const store::HeightIndex& heights, std::span<const uint32_t> members,
                               const ExposureOptions& o) {
  ExposureResult r;
  std::vector<OutNum> received, sent;
  for (uint32_t m : members) {
    for (uint64_t out : addresses.Received(AddrId(m))) {
      const TxNum creator = g.TxOf(OutNum(out));
      bool own_input = false;
      for (uint64_t i = g.FirstIn(creator); i < g.FirstIn(TxNum(creator.value() + 1)); ++i) {
        own_input |= IsMember(members, g.Addr(g.Input(i)));
      }
      if (!own_input) {
        received.push_back(OutNum(out));
        r.received += g.Value(OutNum(out));
      }
      const TxNum spender = g.SpentBy(OutNum(out));
      if (!spender.valid()) continue;
      for (uint64_t p = g.FirstOut(spender); p < g.FirstOut(TxNum(spender.value() + 1)); ++p) {
        if (!IsMember(members, g.Addr(OutNum(p)))) sent.push_back(OutNum(p));
      }
    }
  }
  std::sort(sent.begin(), sent.end());
  sent.erase(std::unique(sent.begin(), sent.end()), sent.end());

  auto labelled = [&](AddrId a) { return !IsMember(members, a) && !o.labels_of(a).empty(); };
  TraceOptions t;
  t.model = o.model;
  t.max_hops = o.hops;
  t.stop_at = labelled;
  t.cancelled = o.cancelled;

  // Received: where did it come from.
  t.direction = Direction::kBackward;
  TraceResult back = Trace(g, heights, received, t);
  for (const TraceEnd& e : back.ends) {
    if (e.reason != EndReason::kLabelled) continue;
    Attribute(o, AddrId(e.node), e.tainted,
              e.hop <= 1 ? &ExposureAmounts::received_direct : &ExposureAmounts::received_indirect,
              &r);
  }
  // Sent: paid to a labelled address directly, or traced onwards.
  std::vector<OutNum> onward;
  for (OutNum p : sent) {
    const AddrId a = g.Addr(p);
    r.sent += g.Value(p);
    if (labelled(a)) {
      Attribute(o, a, g.Value(p), &ExposureAmounts::sent_direct, &r);
    } else {
      onward.push_back(p);
    }
  }
  t.direction = Direction::kForward;
  t.max_hops = o.hops > 0 ? o.hops - 1 : 0;
  TraceResult fwd = Trace(g, heights, onward, t);
  for (const TraceEnd& e : fwd.ends) {
    if (e.reason != EndReason::kLabelled) continue;
    Attribute(o, AddrId(e.node), e.tainted, &ExposureAmounts::sent_indirect, &r);
  }
  r.truncated = back.truncated || fwd.truncated;
  r.cancelled = back.cancelled || fwd.cancelled;
  return r;
}

}  // namespace ariadne::trace
