// `ariadne eval clusters|coinjoins`: a clustering, or CoinJoin detection, scored against a
// generated chain's ground truth. The analyses are heuristics/truth_eval.h's; this reads the truth
// and prints.
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/core/address.h"
#include "engine/render/json_writer.h"
#include "engine/store/codec.h"
#include "engine/store/scan.h"
#include "engine/store/store.h"
#include "gen/truth.h"
#include "heuristics/cluster_eval.h"
#include "heuristics/clustering.h"
#include "heuristics/truth_eval.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/output.h"
#include "tools/progress.h"
#include "tools/recluster_report.h"

namespace ariadne::cli {
namespace {

// Opens a store read-only and loads the truth of `--truth`.
absl::Status OpenStoreAndTruth(const Args& args, std::unique_ptr<store::Store>* store,
                               std::optional<gen::Truth>* truth) {
  store::StoreOptions so;
  so.mode = store::StoreOptions::Mode::kReadOnly;
  auto s = store::Store::Open(*args.Get("db"), so);
  if (!s.ok()) return s.status();
  auto t = gen::LoadTruth(*args.Get("truth"));
  if (!t.ok()) return t.status();
  *store = *std::move(s);
  truth->emplace(*std::move(t));
  return absl::OkStatus();
}

// The truth as the analyses take it: the entity of every address of the store.
// Out: *unknown: addresses the truth does not know.
absl::StatusOr<heuristics::TruthView> TruthOf(const store::Store& store, const gen::Truth& truth,
                                              uint32_t addresses, uint64_t* unknown) {
  heuristics::TruthView view;
  view.entity.assign(addresses, heuristics::kUnknown);
  view.kind_of = [&truth](uint32_t e) {
    const gen::TruthEntity* te = truth.entity(e);
    return te ? std::string(gen::EntityKindName(te->kind)) : std::string("?");
  };
  for (int k = 0; k < gen::kNumEntityKinds; ++k) {
    view.kinds.emplace_back(gen::EntityKindName(static_cast<gen::EntityKind>(k)));
  }
  *unknown = 0;
  absl::Status s = store::ScanRows(store, store::Cf::kAddr, "", [&](auto k, auto v) {
    const uint32_t id = static_cast<uint32_t>(store::GetBE(k.data(), 4));
    auto row = store::DecodeAddrRow(v);
    if (!row.ok()) return row.status();
    if (id >= addresses) return absl::OkStatus();
    auto e = truth.EntityOf(EncodeAddress(row->key, store.network()));
    if (e.has_value()) {
      view.entity[id] = *e;
    } else {
      ++*unknown;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return view;
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

// `ariadne eval coinjoins`: the CoinJoin detectors against the generator's labelled CoinJoins.
int EvalCoinJoins(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {{"db", true}, {"truth", true}, {"list", false}});
  if (!args.ok()) return PrintError(args.status());
  if (!args->Has("db") || !args->Has("truth")) {
    std::fputs("usage: ariadne eval coinjoins --db DIR --truth DIR [--list]\n", stderr);
    return 2;
  }
  std::unique_ptr<store::Store> store;
  std::optional<gen::Truth> truth;
  if (absl::Status s = OpenStoreAndTruth(*args, &store, &truth); !s.ok()) return PrintError(s);
  std::map<Txid, std::string> labelled;
  for (const gen::TxLabel& l : truth->tx_labels()) {
    if (l.label != "whirlpool_tx0") labelled[l.txid] = l.label;  // a tx0 is one user's split
  }
  auto r =
      heuristics::EvaluateCoinJoins(*store, labelled, [&](AddrId a) -> absl::StatusOr<uint32_t> {
        auto row = store->ReadAddress(a);
        if (!row.ok()) return row.status();
        return truth->EntityOf(EncodeAddress(row->key, store->network())).value_or(UINT32_MAX);
      });
  if (!r.ok()) return PrintError(r.status());
  if (args->Has("list")) {
    for (const auto& d : r->unlabelled) {
      std::printf("unlabelled %s detected as %s: %zu inputs, %zu outputs (%s)\n",
                  d.txid.ToHex().c_str(), d.kind.c_str(), d.inputs, d.outputs, d.shape.c_str());
    }
  }
  std::printf("%-22s %8s  detected as\n", "labelled CoinJoins", "count");
  for (const auto& [label, by] : r->confusion) {
    uint64_t n = 0;
    std::string detail;
    for (const auto& [d, c] : by) {
      n += c;
      detail += " " + d + " " + FormatCount(c);
    }
    std::printf("%-22s %8s %s\n", label.c_str(), FormatCount(n).c_str(), detail.c_str());
  }
  std::printf("detected in unlabelled transactions: %s", FormatCount(r->unlabelled.size()).c_str());
  for (const auto& [d, c] : r->unlabelled_by_kind) {
    std::printf(" (%s %s)", d.c_str(), FormatCount(c).c_str());
  }
  std::printf("; inputs of several entities (multi-party, not a CoinJoin label): %s\n",
              FormatCount(r->multi_party).c_str());
  return 0;
}

void ScoresJson(const heuristics::ClusterScores& s, const std::string& policy, uint64_t unknown,
                render::JsonWriter* w) {
  w->Field("policy", policy)
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
}

// Writes `key`: {group: {addresses, pair_precision, pair_recall, [largest_cluster,
// largest_entity,] entities}} for each group of `scores` (kinds of entity, or wallet profiles).
void GroupScoresJson(std::string_view key,
                     const std::vector<std::pair<std::string, heuristics::ClusterScores>>& scores,
                     bool largest, render::JsonWriter* w) {
  w->Key(std::string(key)).BeginObject();
  for (const auto& [group, gs] : scores) {
    w->Key(group)
        .BeginObject()
        .Field("addresses", gs.addresses)
        .Field("pair_precision", gs.pair_precision)
        .Field("pair_recall", gs.pair_recall);
    if (largest)
      w->Field("largest_cluster", gs.largest_cluster).Field("largest_entity", gs.largest_entity);
    w->Field("entities", gs.entities).EndObject();
  }
  w->EndObject();
}

// Writes `key`: {rule[ / group]: {links, correct, precision}}, each rule's link precision; with
// `groups_only`, only the entries per group (the totals are written under "links").
void LinkPrecisionJson(std::string_view key, std::span<const heuristics::Evidence> evidence,
                       const heuristics::TruthView& view, bool groups_only, render::JsonWriter* w) {
  w->Key(std::string(key)).BeginObject();
  for (const auto& [rule, c] : heuristics::LinkPrecision(evidence, view)) {
    if (groups_only && rule.find(" / ") == std::string::npos) continue;
    w->Key(rule)
        .BeginObject()
        .Field("links", c.second)
        .Field("correct", c.first)
        .Field("precision", static_cast<double>(c.first) / c.second)
        .EndObject();
  }
  w->EndObject();
}

}  // namespace

int RunEval(const std::vector<std::string>& argv) {
  if (!argv.empty() && argv[0] == "coinjoins") {
    return EvalCoinJoins(std::vector<std::string>(argv.begin() + 1, argv.end()));
  }
  if (argv.empty() || argv[0] != "clusters") {
    std::fputs(
        "usage: ariadne eval clusters --db DIR --truth DIR [--policy SPEC] [--by-kind] "
        "[--by-profile] [--links] [--ceiling] [--json]\n",
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
                                                                           {"by-profile", false},
                                                                           {"ceiling", false}});
  if (!args.ok()) return PrintError(args.status());
  if (!args->Has("db") || !args->Has("truth")) {
    std::fputs("usage: ariadne eval clusters --db DIR --truth DIR [--policy SPEC] [--json]\n",
               stderr);
    return 2;
  }
  std::unique_ptr<store::Store> store;
  std::optional<gen::Truth> truth;
  if (absl::Status s = OpenStoreAndTruth(*args, &store, &truth); !s.ok()) return PrintError(s);

  // The clustering: built in memory under --policy, or the stored one.
  std::unique_ptr<heuristics::ClusterBuilder> builder;
  std::string policy_spec;
  heuristics::ReclusterResult built;
  if (auto spec = args->Get("policy")) {
    auto policy = heuristics::ParsePolicy(*spec);
    if (!policy.ok()) return PrintError(policy.status());
    ProgressBar bar;
    auto r = heuristics::BuildClusters(*store, *policy, &builder, ReplayProgress(&bar));
    bar.Finish();
    if (!r.ok()) return PrintError(r.status());
    built = *r;
    policy_spec = policy->ToSpec();
  } else {
    auto loaded = heuristics::LoadClustering(*store);
    if (!loaded.ok()) return PrintError(loaded.status());
    builder = *std::move(loaded);
    policy_spec = builder->policy().ToSpec();
  }
  // Scored as queries see it: with the links of deferred change outputs still unspent.
  const uint64_t settled = builder->SettlePending();

  // Per address: its cluster and, from the truth, its entity.
  graph::UnionFind& uf = builder->union_find();
  uint64_t unknown = 0;
  auto view = TruthOf(*store, *truth, uf.size(), &unknown);
  if (!view.ok()) return PrintError(view.status());
  std::vector<uint32_t> cluster(uf.size());
  for (uint32_t a = 0; a < uf.size(); ++a) cluster[a] = uf.SetId(a);
  const heuristics::ClusterScores s = heuristics::ScoreClusters(cluster, view->entity);
  std::vector<std::pair<std::string, heuristics::ClusterScores>> by_kind;
  if (args->Has("by-kind")) by_kind = heuristics::ScoreByKind(cluster, *view);
  // Per wallet profile (the software that made the entity's transactions, profiles.csv): the
  // same scores over the addresses of that profile's entities, and with --links each rule's link
  // precision per profile of the paying entity.
  std::vector<std::pair<std::string, heuristics::ClusterScores>> by_profile;
  std::optional<heuristics::TruthView> profile_view;
  if (args->Has("by-profile")) {
    if (!truth->has_profiles()) {
      return PrintError(absl::FailedPreconditionError(
          absl::StrCat(*args->Get("truth"),
                       " has no profiles.csv (a chain generated before "
                       "wallet profiles, or not by `ariadne gen`)")));
    }
    profile_view = *view;
    profile_view->kind_of = [&truth](uint32_t e) {
      const gen::TruthEntity* te = truth->entity(e);
      return te ? te->profile : std::string("?");
    };
    std::set<std::string> names;
    for (const gen::TruthEntity& te : truth->entities()) names.insert(te.profile);
    profile_view->kinds.assign(names.begin(), names.end());
    by_profile = heuristics::ScoreByKind(cluster, *profile_view);
  }
  // The ceiling: what common-input ownership plus a change detector that is never wrong and never
  // misses would reach (every output the truth gives to the payer linked to the inputs).
  std::optional<heuristics::ClusterScores> ceiling;
  std::vector<std::pair<std::string, heuristics::ClusterScores>> ceiling_by_kind;
  if (args->Has("ceiling")) {
    std::map<std::string, uint64_t> missed;
    auto oracle = heuristics::CeilingClusters(*store, *view, builder->policy(), &uf, &missed);
    if (!oracle.ok()) return PrintError(oracle.status());
    ceiling = heuristics::ScoreClusters(*oracle, view->entity);
    ceiling_by_kind = heuristics::ScoreByKind(*oracle, *view);
    if (!args->Has("json")) PrintMostCommon(missed, 30, "missed: ");
  }
  if (args->Has("json")) {
    std::string out;
    render::JsonWriter w(&out);
    w.BeginObject();
    ScoresJson(s, policy_spec, unknown, &w);
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
    if (args->Has("policy")) {
      // What the run skipped as CoinJoins, per detector: on a chain without CoinJoins, each one
      // is a false positive that cost the transaction its common-input links.
      w.Field("txs", built.counters.txs).Key("coinjoins_skipped").BeginObject();
      for (int k = 1; k < heuristics::kNumCoinJoinKinds; ++k) {
        w.Field(std::string(heuristics::CoinJoinKindName(static_cast<heuristics::CoinJoinKind>(k))),
                built.counters.coinjoins[k]);
      }
      w.EndObject();
      if (args->Has("links")) {
        // Each rule's link precision (the evidence's kind, then per kind of paying entity).
        LinkPrecisionJson("links", builder->evidence(), *view, /*groups_only=*/false, &w);
      }
    }
    GroupScoresJson("by_kind", by_kind, /*largest=*/true, &w);
    if (profile_view.has_value()) {
      GroupScoresJson("by_profile", by_profile, /*largest=*/false, &w);
      if (args->Has("links")) {
        LinkPrecisionJson("links_by_profile", builder->evidence(), *profile_view,
                          /*groups_only=*/true, &w);
      }
    }
    w.EndObject();
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
  for (const auto& [profile, ps] : by_profile) {
    std::printf("  profile %-7s %10s addresses: precision %.4f recall %.4f\n", profile.c_str(),
                FormatCount(ps.addresses).c_str(), ps.pair_precision, ps.pair_recall);
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
    uint64_t wrong = 0;
    const auto causes = heuristics::WrongChangeCauses(*store, builder->evidence(), *view, &wrong);
    std::printf(
        "\nwrong change links: %s, by rule, payer -> payee kind, outputs, and what became "
        "of the payer's change\n",
        FormatCount(wrong).c_str());
    PrintMostCommon(causes, 40, "");
    std::printf("\n%-60s %10s %10s %9s\n", "evidence (/ kind of the paying entity)", "links",
                "correct", "precision");
    for (const auto& [key, c] : heuristics::LinkPrecision(builder->evidence(), *view)) {
      std::printf("%-60s %10s %10s %9.4f\n", key.c_str(), FormatCount(c.second).c_str(),
                  FormatCount(c.first).c_str(), static_cast<double>(c.first) / c.second);
    }
  }
  return 0;
}

}  // namespace ariadne::cli
