// `ariadne recluster` (rebuild the stored clustering under a policy) and `ariadne eval clusters`
// (score a clustering against a generated chain's ground truth).
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/str_format.h"
#include "engine/core/address.h"
#include "engine/core/status_macros.h"
#include "engine/store/codec.h"
#include "engine/store/replay.h"
#include "engine/store/store.h"
#include "gen/truth.h"
#include "heuristics/cluster_eval.h"
#include "heuristics/clustering.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/json_writer.h"
#include "tools/output.h"
#include "tools/progress.h"

namespace ariadne::cli {
namespace {

std::function<void(uint64_t, uint64_t)> ReplayProgress(ProgressBar* bar) {
  auto start = std::chrono::steady_clock::now();
  return [bar, start](uint64_t done, uint64_t total) {
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    bar->Update(done, total, s,
                absl::StrFormat("%s txs | %.0f tx/s", FormatCount(done), done / std::max(s, 1e-9)));
  };
}

void PrintCounters(const heuristics::ReclusterResult& r) {
  std::printf("%s addresses in %s clusters (largest %s); %s common-input and %s change links",
              FormatCount(r.addresses).c_str(), FormatCount(r.clusters).c_str(),
              FormatCount(r.largest_cluster).c_str(),
              FormatCount(r.counters.common_input_unions).c_str(),
              FormatCount(r.counters.change_unions).c_str());
  std::printf(", %s change links refused by the guard; CoinJoins skipped:",
              FormatCount(r.counters.change_links_rejected_by_guard).c_str());
  for (int k = 1; k < heuristics::kNumCoinJoinKinds; ++k) {
    std::printf(
        " %s %s",
        std::string(heuristics::CoinJoinKindName(static_cast<heuristics::CoinJoinKind>(k))).c_str(),
        FormatCount(r.counters.coinjoins[k]).c_str());
  }
  std::printf("; %.1f s\n", r.seconds);
}

}  // namespace

int RunRecluster(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {{"db", true}, {"policy", true}});
  if (!args.ok()) return PrintError(args.status());
  if (!args->Has("db")) {
    std::fputs(
        "usage: ariadne recluster --db DIR [--policy SPEC]  (SPEC: docs/clustering.md; "
        "default: \"default\")\n",
        stderr);
    return 2;
  }
  auto policy = heuristics::ParsePolicy(args->GetOr("policy", "default"));
  if (!policy.ok()) return PrintError(policy.status());
  auto store = store::Store::Open(*args->Get("db"), store::StoreOptions());
  if (!store.ok()) return PrintError(store.status());
  ProgressBar bar;
  auto r = heuristics::Recluster(store->get(), *policy, ReplayProgress(&bar));
  bar.Finish();
  if (!r.ok()) return PrintError(r.status());
  std::printf("reclustered under %s\n", policy->ToSpec().c_str());
  PrintCounters(*r);
  return 0;
}

// `ariadne eval coinjoins`: the CoinJoin detectors against the generator's labelled CoinJoins.
int EvalCoinJoins(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {{"db", true}, {"truth", true}, {"list", false}});
  if (!args.ok()) return PrintError(args.status());
  if (!args->Has("db") || !args->Has("truth")) {
    std::fputs("usage: ariadne eval coinjoins --db DIR --truth DIR [--list]\n", stderr);
    return 2;
  }
  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  auto store = store::Store::Open(*args->Get("db"), so);
  if (!store.ok()) return PrintError(store.status());
  auto truth = gen::LoadTruth(*args->Get("truth"));
  if (!truth.ok()) return PrintError(truth.status());
  std::map<Txid, std::string> labelled;
  for (const gen::TxLabel& l : truth->tx_labels()) {
    if (l.label != "whirlpool_tx0") labelled[l.txid] = l.label;  // a tx0 is one user's split
  }
  heuristics::CoinJoinDetector detector;
  std::map<std::string, std::map<std::string, uint64_t>> confusion;  // truth label -> detected
  uint64_t false_positives = 0;
  std::map<std::string, uint64_t> fp_kinds;
  std::vector<std::vector<AddrId>> fp_inputs;  // input addresses of each false positive
  absl::Status s =
      store::ReplayTransactions(**store, store::ReplayOptions(), [&](const store::ResolvedTx& tx) {
        const heuristics::CoinJoinKind k = detector.Detect(tx);
        auto it = labelled.find(tx.txid);
        const std::string detected(heuristics::CoinJoinKindName(k));
        if (it != labelled.end()) {
          confusion[it->second][detected]++;
        } else if (k != heuristics::CoinJoinKind::kNone) {
          ++false_positives;
          fp_kinds[detected]++;
          if (args->Has("list")) {
            std::printf("unlabelled %s detected as %s: %zu inputs, %zu outputs\n",
                        tx.txid.ToHex().c_str(), detected.c_str(), tx.inputs.size(),
                        tx.outputs.size());
          }
          std::vector<AddrId>& in = fp_inputs.emplace_back();
          for (const store::ResolvedInput& i : tx.inputs) in.push_back(i.addr);
        }
      });
  if (!s.ok()) return PrintError(s);
  // A detection on an unlabelled transaction whose inputs several entities control is a real
  // multi-party transaction; one whose inputs one entity controls costs common-input links.
  uint64_t multi_party = 0;
  for (const std::vector<AddrId>& in : fp_inputs) {
    std::set<uint32_t> owners;
    for (AddrId a : in) {
      if (!a.valid()) continue;
      auto row = (*store)->ReadAddress(a);
      if (!row.ok()) return PrintError(row.status());
      auto e = truth->EntityOf(EncodeAddress(row->key, (*store)->network()));
      owners.insert(e.value_or(UINT32_MAX));
    }
    multi_party += owners.size() > 1;
  }
  std::printf("%-22s %8s  detected as\n", "labelled CoinJoins", "count");
  for (const auto& [label, by] : confusion) {
    uint64_t n = 0;
    std::string detail;
    for (const auto& [d, c] : by) {
      n += c;
      detail += " " + d + " " + FormatCount(c);
    }
    std::printf("%-22s %8s %s\n", label.c_str(), FormatCount(n).c_str(), detail.c_str());
  }
  std::printf("detected in unlabelled transactions: %s", FormatCount(false_positives).c_str());
  for (const auto& [d, c] : fp_kinds) std::printf(" (%s %s)", d.c_str(), FormatCount(c).c_str());
  std::printf("; inputs of several entities (multi-party, not a CoinJoin label): %s\n",
              FormatCount(multi_party).c_str());
  return 0;
}

// Prints the `limit` most frequent entries of `counts`, most frequent first.
void PrintMostCommon(const std::map<std::string, uint64_t>& counts, size_t limit,
                     const char* prefix) {
  std::vector<std::pair<uint64_t, std::string>> sorted;
  for (const auto& [what, n] : counts) sorted.emplace_back(n, what);
  std::sort(sorted.rbegin(), sorted.rend());
  for (size_t i = 0; i < sorted.size() && i < limit; ++i) {
    std::printf("%10s  %s%s\n", FormatCount(sorted[i].first).c_str(), prefix,
                sorted[i].second.c_str());
  }
}

// Why wrong change links were made: for each change link between two entities, what became of the
// paying entity's own money in that transaction (the true change the rule missed). Tells which
// assumption of a rule the chain broke, e.g. a wallet that sends its change to an address it used
// before, which leaves the payee's fresh address as the only fresh one.
void PrintWrongChangeCauses(const store::Store& store,
                            const std::vector<heuristics::Evidence>& evidence,
                            const std::vector<uint32_t>& entity, const gen::Truth& truth) {
  std::map<std::string, uint64_t> causes;
  store::TxRow row;
  std::vector<TxNum> first;
  std::vector<store::TxOutRow> inputs;
  uint64_t wrong = 0;
  for (const heuristics::Evidence& e : evidence) {
    if (e.kind == heuristics::EvidenceKind::kCommonInput) continue;
    const uint32_t ea = e.a < entity.size() ? entity[e.a] : heuristics::kUnknown;
    const uint32_t eb = e.b < entity.size() ? entity[e.b] : heuristics::kUnknown;
    if (ea == heuristics::kUnknown || eb == heuristics::kUnknown || ea == eb) continue;
    ++wrong;
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
      if (!o.addr.valid() || o.addr.value() >= entity.size() || entity[o.addr.value()] != ea) {
        continue;
      }
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
    const gen::TruthEntity* pe = truth.entity(ea);
    const gen::TruthEntity* re = truth.entity(eb);
    cause = absl::StrFormat("%-16s -> %-16s %d out  %s", pe ? gen::EntityKindName(pe->kind) : "?",
                            re ? gen::EntityKindName(re->kind) : "?", row.outputs.size(), cause);
    ++causes[heuristics::EvidenceName(e.kind, e.rule) + "  " + cause];
  }
  std::printf(
      "\nwrong change links: %s, by rule, payer -> payee kind, outputs, and what became "
      "of the payer's change\n",
      FormatCount(wrong).c_str());
  PrintMostCommon(causes, 40, "");
}

// The ceiling's clusters: common-input ownership (CoinJoins skipped) plus a change detector that
// is never wrong and never misses (every output the truth gives to the payer linked to the
// inputs). Out: *missed: the true change links `clustering` lacks, counted by shape.
absl::StatusOr<std::vector<uint32_t>> CeilingClusters(const store::Store& store,
                                                      const std::vector<uint32_t>& entity,
                                                      const gen::Truth& truth,
                                                      const heuristics::ClusteringPolicy& policy,
                                                      graph::UnionFind* clustering,
                                                      std::map<std::string, uint64_t>* missed) {
  graph::UnionFind oracle(static_cast<uint32_t>(entity.size()));
  heuristics::CoinJoinDetector coinjoins;
  RETURN_IF_ERROR(
      store::ReplayTransactions(store, store::ReplayOptions(), [&](const store::ResolvedTx& tx) {
        if (tx.coinbase || coinjoins.Detect(tx) != heuristics::CoinJoinKind::kNone) return;
        uint32_t anchor = AddrId::kInvalid;
        for (const auto& in : tx.inputs) {
          if (!in.addr.valid() || in.addr.value() >= oracle.size()) continue;
          if (anchor == AddrId::kInvalid) anchor = in.addr.value();
          oracle.Union(anchor, in.addr.value());
        }
        if (anchor == AddrId::kInvalid || entity[anchor] == heuristics::kUnknown) return;
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
          const gen::TruthEntity* te = truth.entity(entity[anchor]);
          ++(*missed)[absl::StrFormat(
              "%s %zu in %zu out: change %s%s%s; fresh outputs of the inputs' type %d",
              te ? gen::EntityKindName(te->kind) : "?", tx.inputs.size(), tx.outputs.size(),
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

int RunEval(const std::vector<std::string>& argv) {
  if (!argv.empty() && argv[0] == "coinjoins") {
    return EvalCoinJoins(std::vector<std::string>(argv.begin() + 1, argv.end()));
  }
  if (argv.empty() || argv[0] != "clusters") {
    std::fputs(
        "usage: ariadne eval clusters --db DIR --truth DIR [--policy SPEC] [--by-kind] "
        "[--links] [--ceiling] [--json]\n",
        stderr);
    return 2;
  }
  auto args =
      Args::Parse(std::vector<std::string>(argv.begin() + 1, argv.end()), {{"db", true},
                                                                           {"truth", true},
                                                                           {"policy", true},
                                                                           {"json", false},
                                                                           {"links", false},
                                                                           {"by-kind", false},
                                                                           {"ceiling", false}});
  if (!args.ok()) return PrintError(args.status());
  if (!args->Has("db") || !args->Has("truth")) {
    std::fputs("usage: ariadne eval clusters --db DIR --truth DIR [--policy SPEC] [--json]\n",
               stderr);
    return 2;
  }
  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  auto store = store::Store::Open(*args->Get("db"), so);
  if (!store.ok()) return PrintError(store.status());
  auto truth = gen::LoadTruth(*args->Get("truth"));
  if (!truth.ok()) return PrintError(truth.status());

  // The clustering: built in memory under --policy, or the stored one.
  std::unique_ptr<heuristics::ClusterBuilder> builder;
  std::string policy_spec;
  heuristics::ReclusterResult built;
  if (auto spec = args->Get("policy")) {
    auto policy = heuristics::ParsePolicy(*spec);
    if (!policy.ok()) return PrintError(policy.status());
    ProgressBar bar;
    auto r = heuristics::BuildClusters(**store, *policy, &builder, ReplayProgress(&bar));
    bar.Finish();
    if (!r.ok()) return PrintError(r.status());
    built = *r;
    policy_spec = policy->ToSpec();

  } else {
    auto loaded = heuristics::LoadClustering(**store);
    if (!loaded.ok()) return PrintError(loaded.status());
    builder = *std::move(loaded);
    policy_spec = builder->policy().ToSpec();
  }
  // Scored as queries see it: with the links of deferred change outputs still unspent.
  const uint64_t settled = builder->SettlePending();

  // Per address: its cluster and, from the truth, its entity.
  graph::UnionFind& uf = builder->union_find();
  std::vector<uint32_t> cluster(uf.size()), entity(uf.size(), heuristics::kUnknown);
  std::unique_ptr<rocksdb::Iterator> it(
      (*store)->db()->NewIterator(rocksdb::ReadOptions(), (*store)->handle(store::Cf::kAddr)));
  uint64_t unknown = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const uint32_t id = static_cast<uint32_t>(store::GetBE(it->key().data(), 4));
    auto row = store::DecodeAddrRow(std::string_view(it->value().data(), it->value().size()));
    if (!row.ok()) return PrintError(row.status());
    if (id >= uf.size()) continue;
    cluster[id] = uf.SetId(id);
    auto e = truth->EntityOf(EncodeAddress(row->key, (*store)->network()));
    if (e.has_value()) {
      entity[id] = *e;
    } else {
      ++unknown;
    }
  }
  heuristics::ClusterScores s = heuristics::ScoreClusters(cluster, entity);
  // Per kind of entity: the same scores over the addresses of that kind's entities only.
  using KindScores = std::vector<std::pair<std::string, heuristics::ClusterScores>>;
  auto score_by_kind = [&](const std::vector<uint32_t>& clusters) {
    KindScores out;
    for (int k = 0; k < gen::kNumEntityKinds; ++k) {
      std::vector<uint32_t> only(entity.size(), heuristics::kUnknown);
      for (size_t a = 0; a < entity.size(); ++a) {
        const gen::TruthEntity* e =
            entity[a] == heuristics::kUnknown ? nullptr : truth->entity(entity[a]);
        if (e != nullptr && static_cast<int>(e->kind) == k) only[a] = entity[a];
      }
      heuristics::ClusterScores ks = heuristics::ScoreClusters(clusters, only);
      if (ks.addresses > 0) {
        out.emplace_back(std::string(gen::EntityKindName(static_cast<gen::EntityKind>(k))), ks);
      }
    }
    return out;
  };
  KindScores by_kind;
  if (args->Has("by-kind")) by_kind = score_by_kind(cluster);
  // The ceiling: what common-input ownership plus a change detector that is never wrong and never
  // misses would reach (every output the truth gives to the payer linked to the inputs).
  std::optional<heuristics::ClusterScores> ceiling;
  KindScores ceiling_by_kind;
  if (args->Has("ceiling")) {
    std::map<std::string, uint64_t> missed;
    auto oracle_cluster = CeilingClusters(**store, entity, *truth, builder->policy(), &uf, &missed);
    if (!oracle_cluster.ok()) return PrintError(oracle_cluster.status());
    ceiling = heuristics::ScoreClusters(*oracle_cluster, entity);
    ceiling_by_kind = score_by_kind(*oracle_cluster);
    if (!args->Has("json")) PrintMostCommon(missed, 30, "missed: ");
  }
  if (args->Has("json")) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject()
        .Field("policy", policy_spec)
        .Field("addresses", s.addresses)
        .Field("addresses_without_truth", unknown)
        .Field("clusters", s.clusters)
        .Field("entities", s.entities)
        .Field("pair_precision", s.pair_precision)
        .Field("pair_recall", s.pair_recall)
        .Field("purity", s.purity)
        .Field("largest_cluster", s.largest_cluster)
        .Field("largest_entity", s.largest_entity)
        .Field("predicted_pairs", s.predicted_pairs)
        .Field("true_pairs", s.true_pairs)
        .Field("correct_pairs", s.correct_pairs);
    if (ceiling.has_value()) {
      w.Key("ceiling")
          .BeginObject()
          .Field("pair_precision", ceiling->pair_precision)
          .Field("pair_recall", ceiling->pair_recall)
          .Key("by_kind")
          .BeginObject();
      for (const auto& [kind, ks] : ceiling_by_kind) w.Field(kind, ks.pair_recall);
      w.EndObject().EndObject();
    }
    w.Key("by_kind").BeginObject();
    for (const auto& [kind, ks] : by_kind) {
      w.Key(kind)
          .BeginObject()
          .Field("addresses", ks.addresses)
          .Field("pair_precision", ks.pair_precision)
          .Field("pair_recall", ks.pair_recall)
          .Field("largest_cluster", ks.largest_cluster)
          .Field("largest_entity", ks.largest_entity)
          .EndObject();
    }
    w.EndObject().EndObject();
    std::printf("%s\n", out.c_str());
    return 0;
  }
  std::printf("policy           %s\n", policy_spec.c_str());
  std::printf("addresses        %s scored (%s without truth)\n", FormatCount(s.addresses).c_str(),
              FormatCount(unknown).c_str());
  std::printf("clusters         %s for %s true entities\n", FormatCount(s.clusters).c_str(),
              FormatCount(s.entities).c_str());
  std::printf("pair precision   %.4f  (%s of %s predicted pairs)\n", s.pair_precision,
              FormatCount(s.correct_pairs).c_str(), FormatCount(s.predicted_pairs).c_str());
  std::printf("pair recall      %.4f  (of %s true pairs)\n", s.pair_recall,
              FormatCount(s.true_pairs).c_str());
  std::printf("purity           %.4f\n", s.purity);
  std::printf("largest cluster  %s addresses; largest true entity %s (ratio %.2f)\n",
              FormatCount(s.largest_cluster).c_str(), FormatCount(s.largest_entity).c_str(),
              s.largest_entity ? static_cast<double>(s.largest_cluster) / s.largest_entity : 0.0);
  for (const auto& [kind, ks] : by_kind) {
    std::printf(
        "  %-15s %10s addresses: precision %.4f recall %.4f (largest cluster %s, entity "
        "%s)\n",
        kind.c_str(), FormatCount(ks.addresses).c_str(), ks.pair_precision, ks.pair_recall,
        FormatCount(ks.largest_cluster).c_str(), FormatCount(ks.largest_entity).c_str());
  }
  if (ceiling.has_value()) {
    std::printf(
        "ceiling          common input + a perfect change detector: precision %.4f recall "
        "%.4f\n",
        ceiling->pair_precision, ceiling->pair_recall);
    for (const auto& [kind, ks] : ceiling_by_kind) {
      std::printf("  %-15s %10s addresses: recall %.4f\n", kind.c_str(),
                  FormatCount(ks.addresses).c_str(), ks.pair_recall);
    }
  }
  if (args->Has("policy")) PrintCounters(built);
  if (settled > 0) {
    std::printf("%s change links of outputs not yet spent (deferred policy) included\n",
                FormatCount(settled).c_str());
  }
  if (args->Has("links")) {
    if (!args->Has("policy")) {
      std::fputs("--links needs --policy (the links of a stored clustering are in its evidence)\n",
                 stderr);
      return 2;
    }
    // Link precision: the share of the unions whose two addresses one entity controls, per kind
    // of evidence and per kind of the entity that made the transaction.
    std::map<std::string, std::pair<uint64_t, uint64_t>> by;  // key -> (correct, total)
    for (const heuristics::Evidence& e : builder->evidence()) {
      const uint32_t ea = e.a < entity.size() ? entity[e.a] : heuristics::kUnknown;
      const uint32_t eb = e.b < entity.size() ? entity[e.b] : heuristics::kUnknown;
      if (ea == heuristics::kUnknown || eb == heuristics::kUnknown) continue;
      const gen::TruthEntity* te = truth->entity(ea);
      const std::string name = heuristics::EvidenceName(e.kind, e.rule);
      const std::string kind = te ? std::string(gen::EntityKindName(te->kind)) : "?";
      for (const std::string& key : {name, name + " / " + kind}) {
        auto& c = by[key];
        c.first += ea == eb ? 1 : 0;
        c.second += 1;
      }
    }
    PrintWrongChangeCauses(**store, builder->evidence(), entity, *truth);
    std::printf("\n%-60s %10s %10s %9s\n", "evidence (/ kind of the paying entity)", "links",
                "correct", "precision");
    for (const auto& [key, c] : by) {
      std::printf("%-60s %10s %10s %9.4f\n", key.c_str(), FormatCount(c.second).c_str(),
                  FormatCount(c.first).c_str(), static_cast<double>(c.first) / c.second);
    }
  }
  return 0;
}

}  // namespace ariadne::cli
