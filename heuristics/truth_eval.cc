#include "heuristics/truth_eval.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "engine/store/replay.h"
#include "heuristics/coinjoin.h"

namespace ariadne::heuristics {
namespace {

// Returns: the inputs (type, value) and the outputs grouped by value, most frequent first, with
// their types: what a reader needs to tell a CoinJoin from a batched payment.
std::string ShapeOf(const store::ResolvedTx& tx) {
  std::string s = "in";
  for (const store::ResolvedInput& i : tx.inputs) {
    absl::StrAppendFormat(&s, " %s:%d", AV(ScriptTypeName(i.type)), i.value);
  }
  std::map<int64_t, std::vector<ScriptType>> by_value;
  for (const store::ResolvedOutput& o : tx.outputs) by_value[o.value].push_back(o.type);
  std::vector<std::pair<int64_t, std::vector<ScriptType>>> groups(by_value.begin(), by_value.end());
  std::stable_sort(groups.begin(), groups.end(),
                   [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
  s += "; out";
  for (const auto& [value, types] : groups) {
    absl::StrAppendFormat(&s, " %dx%d", types.size(), value);
    for (ScriptType t : types) absl::StrAppendFormat(&s, ":%s", AV(ScriptTypeName(t)));
  }
  return s;
}

uint32_t EntityOf(const TruthView& truth, uint32_t a) {
  return a < truth.entity.size() ? truth.entity[a] : kUnknown;
}

}  // namespace

std::vector<std::pair<std::string, ClusterScores>> ScoreByKind(std::span<const uint32_t> clusters,
                                                               const TruthView& truth) {
  // The kind of each entity, asked once.
  absl::flat_hash_map<uint32_t, std::string> kind_of;
  for (uint32_t e : truth.entity) {
    if (e != kUnknown && !kind_of.contains(e)) kind_of.emplace(e, truth.kind_of(e));
  }
  std::vector<std::pair<std::string, ClusterScores>> out;
  for (const std::string& kind : truth.kinds) {
    std::vector<uint32_t> only(truth.entity.size(), kUnknown);
    for (size_t a = 0; a < truth.entity.size(); ++a) {
      const uint32_t e = truth.entity[a];
      if (e != kUnknown && kind_of[e] == kind) only[a] = e;
    }
    ClusterScores ks = ScoreClusters(clusters, only);
    if (ks.addresses > 0) out.emplace_back(kind, ks);
  }
  return out;
}

absl::StatusOr<std::vector<uint32_t>> CeilingClusters(const store::Store& store,
                                                      const TruthView& truth,
                                                      const ClusteringPolicy& policy,
                                                      graph::UnionFind* clustering,
                                                      std::map<std::string, uint64_t>* missed) {
  const std::vector<uint32_t>& entity = truth.entity;
  graph::UnionFind oracle(static_cast<uint32_t>(entity.size()));
  CoinJoinDetector coinjoins;
  RETURN_IF_ERROR(
      store::ReplayTransactions(store, store::ReplayOptions(), [&](const store::ResolvedTx& tx) {
        if (tx.coinbase || coinjoins.Detect(tx) != CoinJoinKind::kNone) return;
        uint32_t anchor = AddrId::kInvalid;
        for (const auto& in : tx.inputs) {
          if (!in.addr.valid() || in.addr.value() >= oracle.size()) continue;
          if (anchor == AddrId::kInvalid) anchor = in.addr.value();
          oracle.Union(anchor, in.addr.value());
        }
        if (anchor == AddrId::kInvalid || entity[anchor] == kUnknown) return;
        const ScriptType input_type = tx.inputs[0].type;
        const bool one_type = std::all_of(tx.inputs.begin(), tx.inputs.end(),
                                          [&](const auto& in) { return in.type == input_type; });
        int fresh_same = 0;
        for (const auto& o : tx.outputs) {
          fresh_same += o.new_address && one_type && o.type == input_type;
        }
        for (const auto& o : tx.outputs) {
          if (!o.addr.valid() || o.addr.value() >= oracle.size() ||
              entity[o.addr.value()] != entity[anchor]) {
            continue;
          }
          oracle.Union(anchor, o.addr.value());
          if (tx.outputs.size() < 2 || clustering->Same(anchor, o.addr.value())) continue;
          ++(*missed)[absl::StrFormat(
              "%s %zu in %zu out: change %s%s%s; fresh outputs of the inputs' type %d",
              truth.kind_of(entity[anchor]), tx.inputs.size(), tx.outputs.size(),
              o.new_address ? "fresh" : "reused",
              !one_type ? ", inputs of mixed types"
                        : (o.type == input_type ? ", inputs' type" : ", other type"),
              policy.IsRound(o.value) ? ", round" : "", fresh_same)];
        }
      }));
  std::vector<uint32_t> clusters(entity.size());
  for (uint32_t a = 0; a < oracle.size(); ++a) clusters[a] = oracle.SetId(a);
  return clusters;
}

std::map<std::string, uint64_t> WrongChangeCauses(const store::Store& store,
                                                  std::span<const Evidence> evidence,
                                                  const TruthView& truth, uint64_t* wrong) {
  std::map<std::string, uint64_t> causes;
  store::TxRow row;
  std::vector<TxNum> first;
  std::vector<store::TxOutRow> inputs;
  *wrong = 0;
  for (const Evidence& e : evidence) {
    if (e.kind == EvidenceKind::kCommonInput) continue;
    const uint32_t ea = EntityOf(truth, e.a);
    const uint32_t eb = EntityOf(truth, e.b);
    if (ea == kUnknown || eb == kUnknown || ea == eb) continue;
    ++*wrong;
    if (!store.ReadTx(e.tx, &row).ok()) continue;
    // The inputs' previous outputs, read once for the link.
    inputs.clear();
    for (const store::TxInRow& in : row.inputs) {
      store::TxRow prev;
      if (store.ReadTx(in.prev_tx, &prev).ok() && in.prev_vout < prev.outputs.size()) {
        inputs.push_back(prev.outputs[in.prev_vout]);
      }
    }
    std::string cause;
    int own = 0;
    for (const store::TxOutRow& o : row.outputs) {
      if (!o.addr.valid() || EntityOf(truth, o.addr.value()) != ea) continue;
      ++own;
      first.clear();
      const bool fresh =
          store.ReadHistory(o.addr, TxNum(0), 1, &first).ok() && !first.empty() && first[0] == e.tx;
      const bool pays_input =
          std::any_of(inputs.begin(), inputs.end(),
                      [&](const store::TxOutRow& in) { return in.addr == o.addr; });
      cause = pays_input ? "change to an input address"
              : fresh    ? "change fresh"
                         : "change to an earlier address, not an input";
      if (!inputs.empty() && inputs[0].type != o.type) {
        cause += ", of another type than the first input";
      }
    }
    if (own == 0) cause = "no output to the payer";
    if (own > 1) cause = "several outputs to the payer";
    cause = absl::StrFormat("%-16s -> %-16s %d out  %s", truth.kind_of(ea), truth.kind_of(eb),
                            row.outputs.size(), cause);
    ++causes[EvidenceName(e.kind, e.rule) + "  " + cause];
  }
  return causes;
}

std::map<std::string, std::pair<uint64_t, uint64_t>> LinkPrecision(
    std::span<const Evidence> evidence, const TruthView& truth) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> by;  // key -> (correct, total)
  for (const Evidence& e : evidence) {
    const uint32_t ea = EntityOf(truth, e.a);
    const uint32_t eb = EntityOf(truth, e.b);
    if (ea == kUnknown || eb == kUnknown) continue;
    const std::string name = EvidenceName(e.kind, e.rule);
    const std::string kind = truth.kind_of(ea);
    for (const std::string& key : {name, name + " / " + kind}) {
      auto& c = by[key];
      c.first += ea == eb ? 1 : 0;
      c.second += 1;
    }
  }
  return by;
}

absl::StatusOr<CoinJoinEval> EvaluateCoinJoins(
    const store::Store& store, const std::map<Txid, std::string>& labelled,
    const std::function<absl::StatusOr<uint32_t>(AddrId)>& entity_of) {
  CoinJoinEval r;
  CoinJoinDetector detector;
  std::vector<std::vector<AddrId>> unlabelled_inputs;
  RETURN_IF_ERROR(
      store::ReplayTransactions(store, store::ReplayOptions(), [&](const store::ResolvedTx& tx) {
        const CoinJoinKind k = detector.Detect(tx);
        auto it = labelled.find(tx.txid);
        const std::string detected(CoinJoinKindName(k));
        if (it != labelled.end()) {
          r.confusion[it->second][detected]++;
        } else if (k != CoinJoinKind::kNone) {
          r.unlabelled.push_back(
              {tx.txid, detected, tx.inputs.size(), tx.outputs.size(), ShapeOf(tx)});
          r.unlabelled_by_kind[detected]++;
          std::vector<AddrId>& in = unlabelled_inputs.emplace_back();
          for (const store::ResolvedInput& i : tx.inputs) in.push_back(i.addr);
        }
      }));
  // A detection on an unlabelled transaction whose inputs several entities control is a real
  // multi-party transaction; one whose inputs one entity controls costs common-input links.
  for (const std::vector<AddrId>& in : unlabelled_inputs) {
    std::set<uint32_t> owners;
    for (AddrId a : in) {
      if (!a.valid()) continue;
      ASSIGN_OR_RETURN(const uint32_t e, entity_of(a));
      owners.insert(e);
    }
    r.multi_party += owners.size() > 1;
  }
  return r;
}

}  // namespace ariadne::heuristics
