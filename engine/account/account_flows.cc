// The flow-of-funds queries of account-model chains: trace, paths and exposure over the transfer
// graph, per asset.
#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/account/account_backend.h"
#include "engine/core/status_macros.h"
#include "engine/store/evm_store.h"
#include "engine/trace/account_exposure.h"
#include "engine/trace/account_paths.h"
#include "engine/trace/account_trace.h"

namespace ariadne::account {

absl::StatusOr<std::vector<TransferNum>> AccountBackend::Seeds(const query::TraceQuery& q,
                                                               std::optional<AssetId> asset) const {
  const graph::AccountGraph& g = *graph_;
  auto in_window = [&](TransferNum t) {
    const uint64_t b = g.TransferBlock(t);
    return b >= q.from_height && b <= q.to_height && (!asset.has_value() || g.AssetOf(t) == *asset);
  };
  query::SeedSyntax syntax;
  syntax.hash_0x = true;
  syntax.index_noun = "transfer";
  ASSIGN_OR_RETURN(const query::Seed seed, query::ParseSeed(q.seed, syntax));
  std::vector<TransferNum> seeds;
  switch (seed.kind) {
    case query::Seed::Kind::kTransaction: {
      // The transfers of a transaction, or one of them.
      ASSIGN_OR_RETURN(const evm::H256 h, evm::ParseH256(seed.text));
      ASSIGN_OR_RETURN(const uint64_t num,
                       store::FindEvmTx(store_, evm::RetagHash<evm::EvmTxHash>(h)));
      if (num >= g.tx_count()) {
        return absl::UnavailableError("the transaction is newer than the graph");
      }
      const uint64_t begin = g.FirstTransfer(TxNum(num)).value();
      const uint64_t end = g.FirstTransfer(TxNum(num + 1)).value();
      if (!seed.index.has_value()) {
        for (uint64_t t = begin; t < end; ++t) {
          // The priority fee is paid from the sender's balance, not moved by the transaction: it
          // seeds a trace only when named (hash:index).
          if (g.Kind(TransferNum(t)) == store::kEvmFeeTransfer) continue;
          if (!asset.has_value() || g.AssetOf(TransferNum(t)) == *asset) {
            seeds.push_back(TransferNum(t));
          }
        }
      } else if (*seed.index >= end - begin) {
        return absl::NotFoundError(absl::StrCat("transaction ", seed.text, " has ", end - begin,
                                                " transfers, no transfer ", *seed.index));
      } else {
        seeds.push_back(TransferNum(begin + *seed.index));
      }
      break;
    }
    case query::Seed::Kind::kCluster: {
      // A wallet: what its accounts received from outside within the window.
      ASSIGN_OR_RETURN(const std::vector<uint32_t> members, ResolveSubject(seed.text, true));
      for (uint32_t m : members) {
        for (TransferNum t : g.In(AccountId(m))) {
          if (in_window(t) &&
              !std::binary_search(members.begin(), members.end(), g.From(t).value())) {
            seeds.push_back(t);
          }
        }
      }
      break;
    }
    case query::Seed::Kind::kAddress: {
      // An address: the transfers it received within the window.
      ASSIGN_OR_RETURN(const uint32_t member, ResolveMember(seed.text));
      for (TransferNum t : g.In(AccountId(member))) {
        if (in_window(t)) seeds.push_back(t);
      }
      break;
    }
  }
  return seeds;
}

absl::Status AccountBackend::RunTrace(const query::TraceQuery& q, const query::CancelFn& cancelled,
                                      query::TraceSink* sink) const {
  const graph::AccountGraph& g = *graph_;
  trace::AccountTraceOptions o;
  static_cast<trace::TraceLimits&>(o) = trace::LimitsOf(q, cancelled);
  o.min_amount = q.min_amount.value_or(evm::U256(static_cast<uint64_t>(q.min_value)));
  o.from_block = q.from_height;
  o.to_block = q.to_height;
  std::optional<AssetId> asset;
  if (!q.asset.empty()) {
    ASSIGN_OR_RETURN(asset, ResolveAsset(q.asset));
  }
  if (q.by_cluster) RETURN_IF_ERROR(RequireClusters());
  o.node_of = query::ByMember<AccountId>(NodeOf(q.by_cluster));
  o.stop_at = query::ByMember<AccountId>(StopAt(q.stop_at, q.by_cluster));
  ASSIGN_OR_RETURN(const std::vector<TransferNum> seeds, Seeds(q, asset));
  const trace::AccountTraceResult r = trace::TraceAccounts(g, seeds, o);
  absl::flat_hash_map<uint64_t, std::string> tx_hashes;  // each transaction's row read once
  return AnswerTrace(
      q, r, cancelled, sink,
      [&](const trace::AccountTraceEdge& e, query::TraceEdge* edge) {
        const TxNum tx = g.TxOf(e.transfer);
        auto [h, inserted] = tx_hashes.emplace(tx.value(), "");
        if (inserted) h->second = TxHashString(tx);
        edge->txid = h->second;
        edge->block_height = static_cast<int32_t>(g.Block(tx));
        edge->asset = AssetName(g.AssetOf(e.transfer));
        edge->amount = g.Amount(e.transfer).ToDecimal();
        edge->tainted_amount = e.tainted.ToDecimal();
        edge->transfer = e.transfer.value();
      },
      [&](const trace::AccountTraceEnd& e, query::TraceEndpoint* end) {
        end->asset = AssetName(e.asset);
        end->tainted_amount = e.tainted.ToDecimal();
      },
      [&](query::TraceSummary* sum) {
        for (const auto& [a, amount] : r.seed_amounts)
          sum->seed_amounts.push_back(Amount(a, amount));
        for (const auto& [key, amount] : r.totals) {
          query::AssetAmount& s = sum->tainted_amounts.emplace_back(Amount(key.second, amount));
          s.reason = std::string(query::EndReasonName(key.first));
        }
      },
      [&](const trace::AccountTraceEdge& e) {
        const TxNum tx = g.TxOf(e.transfer);
        return query::FlowEdge<evm::U256>{e.from,
                                          e.to,
                                          g.AssetOf(e.transfer).value(),
                                          tx.value(),
                                          static_cast<uint32_t>(g.Block(tx)),
                                          g.Amount(e.transfer),
                                          e.tainted,
                                          e.hop};
      },
      [&](const query::FlowSums<evm::U256>& f, query::TraceFlow* flow) {
        flow->asset = AssetName(AssetId(f.asset));
        flow->amount = f.value.ToDecimal();
        flow->tainted_amount = f.tainted.ToDecimal();
      });
}

absl::StatusOr<bool> AccountBackend::RunPaths(std::span<const uint32_t> from,
                                              std::span<const uint32_t> to, uint32_t max_hops,
                                              uint32_t max_paths,
                                              const query::PathsRequest& request,
                                              const query::CancelFn& cancelled,
                                              query::Paths* out) const {
  trace::PathOptions o;
  o.max_hops = max_hops;
  o.max_paths = max_paths;
  o.cancelled = cancelled;
  if (!request.asset.empty()) {
    ASSIGN_OR_RETURN(o.asset, ResolveAsset(request.asset));
  }
  const graph::AccountGraph& g = *graph_;
  const trace::AccountPaths r = trace::FindAccountPaths(g, from, to, o);
  if (r.cancelled) return false;
  out->hops = r.hops;
  out->truncated = r.truncated;
  for (const auto& path : r.paths) {
    query::Path& p = out->paths.emplace_back();
    for (TransferNum t : path) {
      query::PathStep& s = p.steps.emplace_back();
      s.txid = TxHashString(g.TxOf(t));
      s.block_height = static_cast<int32_t>(g.TransferBlock(t));
      s.from = MemberName(g.From(t).value());
      s.to = MemberName(g.To(t).value());
      s.asset = AssetName(g.AssetOf(t));
      s.amount = g.Amount(t).ToDecimal();
      s.transfer = t.value();
    }
  }
  return true;
}

absl::StatusOr<bool> AccountBackend::RunExposure(std::span<const uint32_t> members, uint32_t hops,
                                                 query::TaintModel model,
                                                 const query::CancelFn& cancelled,
                                                 query::Exposure* out) const {
  const trace::AccountExposure r = trace::ComputeAccountExposure(
      *graph_, members, trace::ExposureOptionsOf(hops, model, &labels(), cancelled));
  if (r.cancelled) return false;
  out->truncated = r.truncated;
  for (const auto& [asset, amount] : r.received) {
    out->received_amounts.push_back(Amount(asset, amount));
  }
  for (const auto& [asset, amount] : r.sent) out->sent_amounts.push_back(Amount(asset, amount));
  AddExposureEntries(
      r,
      [&](const trace::ExposureAmounts<evm::U256>& a, AssetId asset, query::ExposureEntry* e) {
        e->asset = AssetName(asset);
        e->received_direct_amount = a.received_direct.ToDecimal();
        e->received_indirect_amount = a.received_indirect.ToDecimal();
        e->sent_direct_amount = a.sent_direct.ToDecimal();
        e->sent_indirect_amount = a.sent_indirect.ToDecimal();
      },
      out);
  return true;
}

}  // namespace ariadne::account
