#include "heuristics/evm_clustering.h"

#include <algorithm>
#include <fstream>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engine/core/eip55.h"
#include "engine/core/strings.h"
#include "engine/evm/account_labels.h"
#include "engine/graph/union_find.h"
#include "engine/store/codec.h"
#include "engine/store/commit_batch.h"
#include "engine/store/evm_store.h"

namespace ariadne::heuristics {

using store::EvmHeuristic;

std::string EvmClusterParams::ToSpec() const {
  return absl::StrCat(
      "deposit_window=", deposit_window_blocks, ",deposit_tolerance_bps=", deposit_tolerance_bps,
      ",airdrop_min_recipients=", airdrop_min_recipients, ",exchanges_listed=", exchanges.size());
}

namespace {

struct Candidate {
  uint64_t tx;
  EvmHeuristic heuristic;
  uint32_t a;
  uint32_t b;
  uint32_t via;
  uint64_t related;
  bool operator<(const Candidate& o) const {
    return std::tie(tx, heuristic, a, b) < std::tie(o.tx, o.heuristic, o.a, o.b);
  }
};

// Deposit-address reuse. Returns: the number of deposit addresses found.
uint64_t DepositAddressReuse(const account::Graph& g,
                             const absl::flat_hash_set<uint32_t>& exchanges,
                             const EvmClusterParams& p, std::vector<Candidate>* out) {
  uint64_t deposits = 0;
  const uint32_t zero = g.zero_account();
  for (uint32_t d = 0; d < g.account_count(); ++d) {
    if (d == zero || exchanges.contains(d)) continue;
    std::span<const uint64_t> in = g.In(d);
    if (in.empty()) continue;
    // A forwarding: d -> exchange of an amount d received shortly before.
    uint64_t forwarding_tx = UINT64_MAX;
    for (uint64_t f : g.Out(d)) {
      if (!exchanges.contains(g.To(f)) || g.Amount(f).IsZero()) continue;
      const uint64_t fb = g.TransferBlock(f);
      const uint32_t asset = g.AssetOf(f);
      auto end = std::lower_bound(in.begin(), in.end(), f);
      for (auto it = end; it != in.begin();) {
        const uint64_t r = *--it;
        if (g.TransferBlock(r) + p.deposit_window_blocks < fb) break;
        // A fee recipient's fee income is no deposit.
        if (g.AssetOf(r) != asset || g.From(r) == d || g.Kind(r) == store::kEvmFeeTransfer) {
          continue;
        }
        const evm::U256& received = g.Amount(r);
        const evm::U256& forwarded = g.Amount(f);
        if (forwarded > received) continue;
        evm::U256 diff, allowed, sum;
        (void)evm::U256::CheckedSub(received, forwarded, &diff);
        allowed = evm::U256::MulDiv(received, evm::U256(p.deposit_tolerance_bps), evm::U256(10000));
        if (asset == store::kEtherAsset && evm::U256::CheckedAdd(allowed, g.Fee(g.TxOf(f)), &sum)) {
          allowed = sum;
        }
        if (diff <= allowed) {
          forwarding_tx = g.TxOf(f);
          break;
        }
      }
      if (forwarding_tx != UINT64_MAX) break;
    }
    if (forwarding_tx == UINT64_MAX) continue;
    ++deposits;
    // Every sender to the deposit address: one entity, anchored at the first depositor.
    uint32_t anchor = account::kNoAccount;
    absl::flat_hash_set<uint32_t> seen;
    for (uint64_t r : in) {
      const uint32_t s = g.From(r);
      if (s == d || s == zero || exchanges.contains(s) || g.Amount(r).IsZero()) continue;
      if (!seen.insert(s).second) continue;
      if (anchor == account::kNoAccount) {
        anchor = s;
        continue;
      }
      out->push_back({g.TxOf(r), EvmHeuristic::kDepositAddressReuse, anchor, s, d, forwarding_tx});
    }
  }
  return deposits;
}

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

// Airdrop multi-participation. Returns: the number of airdrops found.
uint64_t AirdropMultiParticipation(const account::Graph& g,
                                   const absl::flat_hash_set<uint32_t>& exchanges,
                                   const EvmClusterParams& p, std::vector<Candidate>* out) {
  uint64_t airdrops = 0;
  const uint32_t zero = g.zero_account();
  for (uint32_t a = 0; a < g.account_count(); ++a) {
    std::span<const uint64_t> outs = g.Out(a);
    if (outs.size() < p.airdrop_min_recipients) continue;
    // Recipients of each (token, amount), with the first transfer that reached them.
    absl::flat_hash_map<AmountKey, absl::flat_hash_map<uint32_t, uint64_t>> groups;
    for (uint64_t t : outs) {
      if (g.AssetOf(t) == store::kEtherAsset || g.To(t) == a || g.To(t) == zero) continue;
      groups[{g.AssetOf(t), g.Amount(t)}].emplace(g.To(t), t);
    }
    for (const auto& [key, recipients] : groups) {
      if (recipients.size() < p.airdrop_min_recipients) continue;
      ++airdrops;
      // Collector -> (participant, forwarding transfer, airdrop transfer), first per participant.
      absl::flat_hash_map<uint32_t, std::vector<std::tuple<uint32_t, uint64_t, uint64_t>>>
          by_collector;
      for (const auto& [participant, receipt] : recipients) {
        std::span<const uint64_t> pout = g.Out(participant);
        absl::flat_hash_set<uint32_t> collectors;
        for (auto it = std::upper_bound(pout.begin(), pout.end(), receipt); it != pout.end();
             ++it) {
          const uint64_t t = *it;
          const uint32_t c = g.To(t);
          if (g.AssetOf(t) != key.asset || c == a || c == zero || c == participant ||
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
          out->push_back({g.TxOf(t), EvmHeuristic::kAirdropMultiParticipation, collector,
                          participant, key.asset, g.TxOf(receipt)});
        }
      }
    }
  }
  return airdrops;
}

// Self-authorization.
void SelfAuthorization(const account::Graph& g, const std::vector<ApprovalEvent>& approvals,
                       std::vector<Candidate>* out) {
  // (owner, asset, spender) -> the first non-zero approval.
  absl::flat_hash_map<std::tuple<uint32_t, uint32_t, uint32_t>, uint64_t> approved;
  for (const ApprovalEvent& e : approvals) {
    if (!e.nonzero || e.owner == e.spender) continue;
    approved.emplace(std::make_tuple(e.owner, e.asset, e.spender), e.tx);
  }
  if (approved.empty()) return;
  absl::flat_hash_set<std::pair<uint32_t, uint32_t>> linked;
  for (uint64_t t = 0; t < g.transfer_count(); ++t) {
    if (g.AssetOf(t) == store::kEtherAsset) continue;
    const uint32_t owner = g.From(t);
    const uint32_t spender = g.Sender(g.TxOf(t));
    if (owner == spender) continue;
    auto it = approved.find(std::make_tuple(owner, g.AssetOf(t), spender));
    if (it == approved.end() || it->second >= g.TxOf(t)) continue;
    if (!linked.insert({owner, spender}).second) continue;
    out->push_back(
        {g.TxOf(t), EvmHeuristic::kSelfAuthorization, owner, spender, g.AssetOf(t), it->second});
  }
}

}  // namespace

EvmClusterResult BuildEvmClusters(const account::Graph& graph,
                                  const std::vector<ApprovalEvent>& approvals,
                                  const absl::flat_hash_set<uint32_t>& exchanges,
                                  const EvmClusterParams& params) {
  EvmClusterResult r;
  r.params = params.ToSpec();
  std::vector<Candidate> candidates;
  r.deposit_addresses = DepositAddressReuse(graph, exchanges, params, &candidates);
  r.airdrops = AirdropMultiParticipation(graph, exchanges, params, &candidates);
  SelfAuthorization(graph, approvals, &candidates);
  std::sort(candidates.begin(), candidates.end());
  graph::UnionFind uf(graph.account_count());
  for (const Candidate& c : candidates) {
    if (!uf.Union(c.a, c.b)) continue;
    r.evidence.push_back({c.a, c.b, c.heuristic, c.tx, c.via, c.related});
    ++r.unions[static_cast<int>(c.heuristic)];
  }
  return r;
}

absl::StatusOr<EvmClusterResult> RebuildEvmClusters(store::Store* store,
                                                    const EvmClusterParams& params) {
  auto graph = account::Graph::Load(*store);
  if (!graph.ok()) return graph.status();
  auto labels = account::LabelIndex::Build(*store);
  if (!labels.ok()) return labels.status();
  absl::flat_hash_set<uint32_t> exchanges = (*labels)->AccountsIn({"exchange"});
  for (const evm::Address& a : params.exchanges) {
    auto id = store::FindEvmAccount(*store, a);
    if (id.ok()) exchanges.insert(*id);
  }
  std::vector<ApprovalEvent> approvals;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        store->db()->NewIterator(rocksdb::ReadOptions(), store->handle(store::Cf::kEvmApproval)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto row =
          store::DecodeEvmApprovalRow(std::string_view(it->value().data(), it->value().size()));
      if (!row.ok()) return row.status();
      if (it->key().size() != 9) return absl::DataLossError("corrupt evm_approval key");
      approvals.push_back({store::GetBE(it->key().data(), 5), row->owner, row->spender, row->asset,
                           !row->value.IsZero()});
    }
    if (!it->status().ok()) return store::FromRocks(it->status(), "reading approvals");
  }
  EvmClusterResult r = BuildEvmClusters(**graph, approvals, exchanges, params);

  uint8_t old_gen = 0;
  bool had = false;
  if (auto m = store->ReadMeta(store::kMetaEvmCluster); m.ok()) {
    auto meta = store::DecodeEvmClusterMeta(*m);
    if (!meta.ok()) return meta.status();
    old_gen = meta->gen;
    had = true;
  }
  store::EvmClusterMeta meta;
  meta.gen = had ? static_cast<uint8_t>(old_gen + 1) : 0;
  meta.params = r.params;
  meta.processed_txs = (*graph)->tx_count();
  meta.unions = r.evidence.size();
  store::CommitBatch batch;
  uint64_t last_tx = UINT64_MAX;
  uint32_t index = 0;
  for (const store::EvmEvidenceRow& e : r.evidence) {
    index = e.tx == last_tx ? index + 1 : 0;
    last_tx = e.tx;
    batch.Put(store::Cf::kEvmEvidence, store::EvmEvidenceKey(meta.gen, e.tx, index),
              store::EncodeEvmEvidence(e));
  }
  batch.Put(store::Cf::kMeta, store::kMetaEvmCluster, store::EncodeEvmClusterMeta(meta));
  auto committer = store::Committer::Create(store, store->dir() / "evm-cluster-staging");
  if (!committer.ok()) return committer.status();
  if (absl::Status s = (*committer)->Commit(&batch); !s.ok()) return s;
  // The old generation's rows are stale now; remove them.
  if (had && old_gen != meta.gen) {
    rocksdb::WriteBatch wb;
    std::unique_ptr<rocksdb::Iterator> it(
        store->db()->NewIterator(rocksdb::ReadOptions(), store->handle(store::Cf::kEvmEvidence)));
    const char gen = static_cast<char>(old_gen);
    for (it->Seek(std::string(1, gen)); it->Valid() && it->key()[0] == gen; it->Next()) {
      wb.Delete(store->handle(store::Cf::kEvmEvidence), it->key());
    }
    if (!it->status().ok()) return store::FromRocks(it->status(), "reading old EVM evidence");
    rocksdb::Status s = store->db()->Write(rocksdb::WriteOptions(), &wb);
    if (!s.ok()) return store::FromRocks(s, "deleting old EVM evidence");
  }
  return r;
}

absl::StatusOr<std::vector<evm::Address>> ReadAddressList(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path.string(), ": cannot read"));
  std::vector<evm::Address> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    absl::string_view v = absl::StripAsciiWhitespace(line);
    if (v.empty() || v[0] == '#') continue;
    // The first field of a CSV line is the address.
    v = v.substr(0, v.find(','));
    auto a = evm::ParseAddress(SV(v));
    if (!a.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path.string(), " line ", n, ": ", AV(SV(a.status().message()))));
    }
    out.push_back(*a);
  }
  return out;
}

}  // namespace ariadne::heuristics
