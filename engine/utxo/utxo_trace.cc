// The flow-of-funds queries of UTXO chains: trace, paths and exposure over the transaction graph.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/core/address.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "engine/trace/exposure.h"
#include "engine/trace/paths.h"
#include "engine/trace/tracer.h"
#include "engine/utxo/utxo_backend.h"

namespace ariadne::utxo {
namespace {

using query::EndReason;

// The reasons of UTXO traces, in the order their totals are answered.
constexpr EndReason kReasonOrder[] = {
    EndReason::kUnspent,  EndReason::kLabelled,   EndReason::kBelowThreshold,
    EndReason::kHopLimit, EndReason::kTimeWindow, EndReason::kFee,
    EndReason::kCoinbase, EndReason::kTruncated,  EndReason::kCoinJoin};

uint32_t Clamp32(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(v); }

}  // namespace

absl::StatusOr<std::vector<OutNum>> UtxoBackend::Seeds(const query::TraceQuery& q) const {
  const graph::TxGraph& g = *graph_;
  const uint64_t from = q.from_height, to = q.to_height;
  query::SeedSyntax syntax;
  syntax.index_noun = "output";
  syntax.is_address = [this](std::string_view text) {
    return DecodeAddress(text, store_.network()).ok();
  };
  ASSIGN_OR_RETURN(const query::Seed seed, query::ParseSeed(q.seed, syntax));
  std::vector<OutNum> seeds;
  switch (seed.kind) {
    case query::Seed::Kind::kTransaction: {
      // A transaction's outputs, or one of them.
      ASSIGN_OR_RETURN(const Txid txid, Txid::FromHex(seed.text));
      ASSIGN_OR_RETURN(const TxNum num, store_.FindTx(txid));
      if (num.value() >= g.tx_count()) {
        return absl::UnavailableError("the transaction is newer than the graph");
      }
      const uint32_t n_out = g.OutputCount(num);
      if (!seed.index.has_value()) {
        for (uint32_t v = 0; v < n_out; ++v) seeds.push_back(OutNum(g.FirstOut(num) + v));
      } else if (*seed.index >= n_out) {
        return absl::NotFoundError(absl::StrCat("transaction ", seed.text, " has ", n_out,
                                                " outputs, no output ", *seed.index));
      } else {
        seeds.push_back(OutNum(g.FirstOut(num) + *seed.index));
      }
      break;
    }
    case query::Seed::Kind::kCluster: {
      // A wallet: what its addresses received from outside (change it paid itself is downstream
      // of that, and would be counted twice).
      ASSIGN_OR_RETURN(const std::vector<uint32_t> members, ResolveSubject(seed.text, true));
      for (uint32_t m : members) {
        for (uint64_t out : addresses_->Received(AddrId(m))) {
          const TxNum creator = g.TxOf(OutNum(out));
          bool own_input = false;
          for (uint64_t i = g.FirstIn(creator); i < g.FirstIn(TxNum(creator.value() + 1)); ++i) {
            own_input |=
                std::binary_search(members.begin(), members.end(), g.Addr(g.Input(i)).value());
          }
          const uint32_t h = heights_.HeightOf(creator);
          if (!own_input && h >= from && h <= to) seeds.push_back(OutNum(out));
        }
      }
      break;
    }
    case query::Seed::Kind::kAddress: {
      // An address: the outputs it received within the window.
      ASSIGN_OR_RETURN(const uint32_t member, ResolveMember(seed.text));
      for (uint64_t out : addresses_->Received(AddrId(member))) {
        const uint32_t h = heights_.HeightOf(g.TxOf(OutNum(out)));
        if (h >= from && h <= to) seeds.push_back(OutNum(out));
      }
      break;
    }
  }
  return seeds;
}

absl::Status UtxoBackend::RunTrace(const query::TraceQuery& q, const query::CancelFn& cancelled,
                                   query::TraceSink* sink) const {
  const graph::TxGraph& g = *graph_;
  trace::TraceOptions o;
  static_cast<trace::TraceLimits&>(o) = trace::LimitsOf(q, cancelled);
  o.min_value = q.min_value;
  o.from_height = Clamp32(q.from_height);
  o.to_height = Clamp32(q.to_height);
  if (q.by_cluster) RETURN_IF_ERROR(RequireClusters());
  o.node_of = query::ByMember<AddrId>(NodeOf(q.by_cluster));
  o.stop_at = query::ByMember<AddrId>(StopAt(q.stop_at, q.by_cluster));
  std::unique_ptr<query::CoinJoinTest> coinjoins;
  std::vector<store::ResolvedInput> cj_in;
  std::vector<store::ResolvedOutput> cj_out;
  if (!q.through_coinjoins) {
    coinjoins = hooks_->NewCoinJoinTest();
    o.stop_at_tx = [&](TxNum t) {
      cj_in.clear();
      cj_out.clear();
      for (uint64_t i = g.FirstIn(t); i < g.FirstIn(TxNum(t.value() + 1)); ++i) {
        const OutNum p = g.Input(i);
        cj_in.push_back({g.Addr(p), g.Value(p), g.Type(p), TxNum(), 0});
      }
      for (uint64_t p = g.FirstOut(t); p < g.FirstOut(TxNum(t.value() + 1)); ++p) {
        cj_out.push_back({g.Addr(OutNum(p)), g.Value(OutNum(p)), g.Type(OutNum(p)), false});
      }
      store::ResolvedTx tx{};
      tx.num = t;
      tx.coinbase = cj_in.empty();
      tx.inputs = cj_in;
      tx.outputs = cj_out;
      return coinjoins->IsCoinJoin(tx);
    };
  }
  ASSIGN_OR_RETURN(const std::vector<OutNum> seeds, Seeds(q));
  const trace::TraceResult r = trace::Trace(g, heights_, seeds, o);
  return AnswerTrace(
      q, r, cancelled, sink,
      [&](const trace::TraceEdge& e, query::TraceEdge* edge) {
        edge->txid = TxidString(e.tx);
        edge->block_height = static_cast<int32_t>(heights_.HeightOf(e.tx));
        edge->value = e.value;
        edge->tainted_value = e.tainted;
      },
      [](const trace::TraceEnd& e, query::TraceEndpoint* end) { end->tainted_value = e.tainted; },
      [&r](query::TraceSummary* sum) {
        sum->seed_value = r.seed_value;
        for (EndReason reason : kReasonOrder) {
          const int64_t v = r.totals[static_cast<int>(reason)];
          if (v != 0) sum->tainted_by_reason.emplace_back(query::EndReasonName(reason), v);
        }
      },
      [&](const trace::TraceEdge& e) {
        return query::FlowEdge<int64_t>{e.from,    e.to,      0, e.tx.value(), heights_.HeightOf(e.tx),
                                        e.value, e.tainted, e.hop};
      },
      [](const query::FlowSums<int64_t>& f, query::TraceFlow* flow) {
        flow->value = f.value;
        flow->tainted_value = f.tainted;
      });
}

absl::StatusOr<bool> UtxoBackend::RunPaths(std::span<const uint32_t> from,
                                           std::span<const uint32_t> to, uint32_t max_hops,
                                           uint32_t max_paths, const query::PathsRequest&,
                                           const query::CancelFn& cancelled,
                                           query::Paths* out) const {
  const graph::TxGraph& g = *graph_;
  std::vector<uint64_t> sources, targets;
  for (uint32_t a : from) {
    for (uint64_t o : addresses_->Received(AddrId(a))) sources.push_back(o);
  }
  for (uint32_t a : to) {
    for (uint64_t o : addresses_->Received(AddrId(a))) targets.push_back(o);
  }
  trace::PathOptions o;
  o.max_hops = max_hops;
  o.max_paths = max_paths;
  o.cancelled = cancelled;
  const trace::UtxoPaths r = trace::FindPaths(g, sources, targets, o);
  if (r.cancelled) return false;
  out->hops = r.hops;
  out->truncated = r.truncated;
  for (const auto& path : r.paths) {
    query::Path& p = out->paths.emplace_back();
    int64_t bottleneck = INT64_MAX;
    for (size_t k = 0; k < path.size(); ++k) {
      const trace::PathStep& step = path[k];
      query::PathStep& s = p.steps.emplace_back();
      s.txid = TxidString(step.tx);
      s.block_height = static_cast<int32_t>(heights_.HeightOf(step.tx));
      // The spender's input from the path: the previous step's output, or the source's.
      for (uint64_t i = g.FirstIn(step.tx); i < g.FirstIn(TxNum(step.tx.value() + 1)); ++i) {
        const AddrId a = g.Addr(g.Input(i));
        if (k == 0 ? std::binary_search(from.begin(), from.end(), a.value())
                   : a == g.Addr(path[k - 1].out)) {
          s.from = MemberName(a.value());
          break;
        }
      }
      s.to = MemberName(g.Addr(step.out).value());
      s.value = g.Value(step.out);
      s.vout = g.Vout(step.out);
      bottleneck = std::min(bottleneck, g.Value(step.out));
    }
    p.bottleneck = path.empty() ? 0 : bottleneck;
  }
  return true;
}

absl::StatusOr<bool> UtxoBackend::RunExposure(std::span<const uint32_t> members, uint32_t hops,
                                              query::TaintModel model,
                                              const query::CancelFn& cancelled,
                                              query::Exposure* out) const {
  const trace::UtxoExposure r =
      trace::ComputeExposure(*graph_, *addresses_, heights_, members,
                             trace::ExposureOptionsOf(hops, model, &labels(), cancelled));
  if (r.cancelled) return false;
  const AssetId coin(0);
  out->received = r.received.contains(coin) ? r.received.at(coin) : 0;
  out->sent = r.sent.contains(coin) ? r.sent.at(coin) : 0;
  out->truncated = r.truncated;
  AddExposureEntries(
      r,
      [](const trace::ExposureAmounts<int64_t>& a, AssetId, query::ExposureEntry* e) {
        e->received_direct = a.received_direct;
        e->received_indirect = a.received_indirect;
        e->sent_direct = a.sent_direct;
        e->sent_indirect = a.sent_indirect;
      },
      out);
  return true;
}

}  // namespace ariadne::utxo
