#include "engine/trace/account_exposure.h"

#include <algorithm>
#include <vector>

#include "engine/trace/account_trace.h"

namespace ariadne::trace {

AccountExposure ComputeAccountExposure(const graph::AccountGraph& g,
                                       std::span<const uint32_t> members,
                                       const ExposureOptions& o) {
  using Amounts = ExposureAmounts<U256>;
  AccountExposure r;
  const graph::LabelIndex& labels = *o.labels;
  auto member = [&](AccountId a) {
    return std::binary_search(members.begin(), members.end(), a.value());
  };
  auto labelled = [&](AccountId a) { return !labels.Of(a.value()).empty(); };
  auto credit = [&](AccountId a, AssetId asset, U256 Amounts::*field, const U256& v) {
    CreditLabels(labels, a.value(), asset, field, v, &r);
  };
  std::vector<TransferNum> back_seeds, forward_seeds;
  for (uint32_t m : members) {
    for (TransferNum t : g.In(AccountId(m))) {
      const AccountId from = g.From(t);
      if (member(from) || g.Amount(t).IsZero()) continue;
      r.received[g.AssetOf(t)] = AddAmounts(r.received[g.AssetOf(t)], g.Amount(t));
      if (labelled(from)) {
        credit(from, g.AssetOf(t), &Amounts::received_direct, g.Amount(t));
      } else {
        back_seeds.push_back(t);
      }
    }
    for (TransferNum t : g.Out(AccountId(m))) {
      const AccountId to = g.To(t);
      if (member(to) || g.Amount(t).IsZero()) continue;
      r.sent[g.AssetOf(t)] = AddAmounts(r.sent[g.AssetOf(t)], g.Amount(t));
      if (labelled(to)) {
        credit(to, g.AssetOf(t), &Amounts::sent_direct, g.Amount(t));
      } else {
        forward_seeds.push_back(t);
      }
    }
  }
  AccountTraceOptions to;
  to.model = o.model;
  to.stop_at = labelled;
  to.cancelled = o.cancelled;
  auto credit_labelled = [&](const AccountTraceResult& tr, U256 Amounts::*field) {
    r.truncated |= tr.truncated;
    r.cancelled |= tr.cancelled;
    for (const AccountTraceEnd& e : tr.ends) {
      if (e.reason == EndReason::kLabelled) credit(AccountId(e.node), e.asset, field, e.tainted);
    }
  };
  // Backward: the seeds' senders are hop 1 (unlabelled), their sources hop 2 and on.
  if (o.hops >= 2 && !back_seeds.empty()) {
    to.direction = Direction::kBackward;
    to.max_hops = o.hops;
    credit_labelled(TraceAccounts(g, back_seeds, to), &Amounts::received_indirect);
  }
  // Forward: the taint starts at the seeds' recipients (hop 1 from the subject).
  if (o.hops >= 2 && !forward_seeds.empty()) {
    to.direction = Direction::kForward;
    to.max_hops = o.hops - 1;
    credit_labelled(TraceAccounts(g, forward_seeds, to), &Amounts::sent_indirect);
  }
  return r;
}

}  // namespace ariadne::trace
