#include "heuristics/evm_candidates.h"

#include <algorithm>
#include <span>

namespace ariadne::heuristics {

using store::EvmHeuristic;

namespace {

// A token and an amount: the key of an airdrop's group of recipients.
struct AmountKey {
  uint32_t asset;
  evm::U256 amount;
  bool operator==(const AmountKey&) const = default;
  template <typename H>
  friend H AbslHashValue(H h, const AmountKey& k) {
    return H::combine(std::move(h), k.asset, k.amount.limbs()[0], k.amount.limbs()[1],
                      k.amount.limbs()[2], k.amount.limbs()[3]);
  }
};

}  // namespace

bool DepositCandidates(const graph::AccountGraph& g, uint32_t d,
                       const absl::flat_hash_set<uint32_t>& exchanges, const EvmClusterParams& p,
                       std::vector<EvmCandidate>* out) {
  const uint32_t zero = g.zero_account().value();
  if (d == zero || exchanges.contains(d)) return false;
  std::span<const TransferNum> in = g.In(AccountId(d));
  if (in.empty()) return false;
  // A forwarding: d -> exchange of an amount d received shortly before.
  uint64_t forwarding_tx = UINT64_MAX;
  for (TransferNum f : g.Out(AccountId(d))) {
    if (!exchanges.contains(g.To(f).value()) || g.Amount(f).IsZero()) continue;
    const uint64_t fb = g.TransferBlock(f);
    const AssetId asset = g.AssetOf(f);
    auto end = std::lower_bound(in.begin(), in.end(), f);
    for (auto it = end; it != in.begin();) {
      const TransferNum r = *--it;
      if (g.TransferBlock(r) + p.deposit_window_blocks < fb) break;
      // A fee recipient's fee income is no deposit.
      if (g.AssetOf(r) != asset || g.From(r).value() == d || g.Kind(r) == store::kEvmFeeTransfer) {
        continue;
      }
      const evm::U256& received = g.Amount(r);
      const evm::U256& forwarded = g.Amount(f);
      if (forwarded > received) continue;
      evm::U256 diff, allowed, sum;
      (void)evm::U256::CheckedSub(received, forwarded, &diff);
      allowed = evm::U256::MulDiv(received, evm::U256(p.deposit_tolerance_bps), evm::U256(10000));
      if (asset.value() == store::kEtherAsset &&
          evm::U256::CheckedAdd(allowed, g.Fee(g.TxOf(f)), &sum)) {
        allowed = sum;
      }
      if (diff <= allowed) {
        forwarding_tx = g.TxOf(f).value();
        break;
      }
    }
    if (forwarding_tx != UINT64_MAX) break;
  }
  if (forwarding_tx == UINT64_MAX) return false;
  // Every sender to the deposit address: one entity, anchored at the first depositor.
  uint32_t anchor = AccountId::kInvalid;
  absl::flat_hash_set<uint32_t> seen;
  for (TransferNum r : in) {
    const uint32_t s = g.From(r).value();
    if (s == d || s == zero || exchanges.contains(s) || g.Amount(r).IsZero()) continue;
    if (!seen.insert(s).second) continue;
    if (anchor == AccountId::kInvalid) {
      anchor = s;
      continue;
    }
    out->push_back(
        {g.TxOf(r).value(), EvmHeuristic::kDepositAddressReuse, anchor, s, d, forwarding_tx});
  }
  return true;
}

uint64_t AirdropCandidates(const graph::AccountGraph& g, uint32_t a,
                           const absl::flat_hash_set<uint32_t>& exchanges,
                           const EvmClusterParams& p, std::vector<EvmCandidate>* out) {
  uint64_t airdrops = 0;
  const uint32_t zero = g.zero_account().value();
  std::span<const TransferNum> outs = g.Out(AccountId(a));
  if (outs.size() < p.airdrop_min_recipients) return 0;
  // Recipients of each (token, amount), with the first transfer that reached them.
  absl::flat_hash_map<AmountKey, absl::flat_hash_map<uint32_t, TransferNum>> groups;
  for (TransferNum t : outs) {
    const uint32_t to = g.To(t).value();
    if (g.AssetOf(t).value() == store::kEtherAsset || to == a || to == zero) continue;
    groups[{g.AssetOf(t).value(), g.Amount(t)}].emplace(to, t);
  }
  for (const auto& [key, recipients] : groups) {
    if (recipients.size() < p.airdrop_min_recipients) continue;
    ++airdrops;
    // Collector -> (participant, forwarding transfer, airdrop transfer), first per participant.
    absl::flat_hash_map<uint32_t, std::vector<std::tuple<uint32_t, TransferNum, TransferNum>>>
        by_collector;
    for (const auto& [participant, receipt] : recipients) {
      std::span<const TransferNum> pout = g.Out(AccountId(participant));
      absl::flat_hash_set<uint32_t> collectors;
      for (auto it = std::upper_bound(pout.begin(), pout.end(), receipt); it != pout.end(); ++it) {
        const TransferNum t = *it;
        const uint32_t c = g.To(t).value();
        if (g.AssetOf(t).value() != key.asset || c == a || c == zero || c == participant ||
            exchanges.contains(c) || g.Amount(t).IsZero()) {
          continue;
        }
        if (collectors.insert(c).second) by_collector[c].emplace_back(participant, t, receipt);
      }
    }
    for (auto& [collector, parts] : by_collector) {
      absl::flat_hash_set<uint32_t> distinct;
      for (const auto& [participant, t, receipt] : parts) distinct.insert(participant);
      if (distinct.size() < 2) continue;
      for (const auto& [participant, t, receipt] : parts) {
        out->push_back({g.TxOf(t).value(), EvmHeuristic::kAirdropMultiParticipation, collector,
                        participant, key.asset, g.TxOf(receipt).value()});
      }
    }
  }
  return airdrops;
}

void SelfAuthorizationCandidates(const graph::AccountGraph& g, const Approvals& approvals,
                                 uint64_t first, uint64_t end, std::vector<EvmCandidate>* out) {
  if (approvals.empty()) return;
  absl::flat_hash_set<std::pair<uint32_t, uint32_t>> linked;
  for (uint64_t n = first; n < end; ++n) {
    const TransferNum t(n);
    const uint32_t asset = g.AssetOf(t).value();
    if (asset == store::kEtherAsset) continue;
    const uint64_t tx = g.TxOf(t).value();
    const uint32_t owner = g.From(t).value();
    const uint32_t spender = g.Sender(g.TxOf(t)).value();
    if (owner == spender) continue;
    const uint64_t approval = approvals.Find(owner, asset, spender);
    if (approval == UINT64_MAX || approval >= tx) continue;
    if (!linked.insert({owner, spender}).second) continue;
    out->push_back({tx, EvmHeuristic::kSelfAuthorization, owner, spender, asset, approval});
  }
}

void ApplyCandidates(std::vector<EvmCandidate> candidates, graph::UnionFind* uf,
                     std::vector<store::EvmEvidenceRow>* evidence,
                     std::array<uint64_t, store::kNumEvmHeuristics>* unions) {
  std::sort(candidates.begin(), candidates.end());
  for (const EvmCandidate& c : candidates) {
    if (!uf->Union(c.a, c.b)) continue;
    evidence->push_back({c.a, c.b, c.heuristic, c.tx, c.via, c.related});
    ++(*unions)[static_cast<int>(c.heuristic)];
  }
}

}  // namespace ariadne::heuristics
