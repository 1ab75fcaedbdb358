#include "engine/trace/exposure.h"

#include <algorithm>

#include "engine/trace/tracer.h"

namespace ariadne::trace {
namespace {

bool IsMember(std::span<const uint32_t> members, AddrId a) {
  return a.valid() && std::binary_search(members.begin(), members.end(), a.value());
}

}  // namespace

UtxoExposure ComputeExposure(const graph::TxGraph& g, const graph::AddressIndex& addresses,
                             const store::HeightIndex& heights, std::span<const uint32_t> members,
                             const ExposureOptions& o) {
  UtxoExposure r;
  const AssetId coin(0);
  const graph::LabelIndex& labels = *o.labels;
  auto attribute = [&](AddrId a, int64_t amount, int64_t ExposureAmounts<int64_t>::*field) {
    CreditLabels(labels, a.value(), coin, field, amount, &r);
  };
  int64_t& received_total = r.received[coin];
  int64_t& sent_total = r.sent[coin];
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
        received_total += g.Value(OutNum(out));
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

  auto labelled = [&](AddrId a) {
    return !IsMember(members, a) && a.valid() && !labels.Of(a.value()).empty();
  };
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
    attribute(AddrId(e.node), e.tainted,
              e.hop <= 1 ? &ExposureAmounts<int64_t>::received_direct
                         : &ExposureAmounts<int64_t>::received_indirect);
  }
  // Sent: paid to a labelled address directly, or traced onwards.
  std::vector<OutNum> onward;
  for (OutNum p : sent) {
    const AddrId a = g.Addr(p);
    sent_total += g.Value(p);
    if (labelled(a)) {
      attribute(a, g.Value(p), &ExposureAmounts<int64_t>::sent_direct);
    } else {
      onward.push_back(p);
    }
  }
  t.direction = Direction::kForward;
  t.max_hops = o.hops > 0 ? o.hops - 1 : 0;
  TraceResult fwd = Trace(g, heights, onward, t);
  for (const TraceEnd& e : fwd.ends) {
    if (e.reason != EndReason::kLabelled) continue;
    attribute(AddrId(e.node), e.tainted, &ExposureAmounts<int64_t>::sent_indirect);
  }
  r.truncated = back.truncated || fwd.truncated;
  r.cancelled = back.cancelled || fwd.cancelled;
  return r;
}

}  // namespace ariadne::trace
