// Analyses of a clustering and of CoinJoin detection against a generated chain's ground truth
// (`ariadne eval`): scores per kind of entity, the ceiling a perfect change detector would reach
// and the true change links the clustering misses, the causes of wrong change links, the precision
// of each kind of link, and the confusion of CoinJoin detectors with the truth's labels. The truth
// comes as plain data (heuristics/ does not read gen/): the entity of every address and the kind
// of every entity.
#ifndef ARIADNE_HEURISTICS_TRUTH_EVAL_H_
#define ARIADNE_HEURISTICS_TRUTH_EVAL_H_

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/types.h"
#include "engine/graph/union_find.h"
#include "engine/store/store.h"
#include "heuristics/cluster_builder.h"
#include "heuristics/cluster_eval.h"
#include "heuristics/policy.h"

namespace ariadne::heuristics {

// The truth an evaluation scores against.
struct TruthView {
  // Per AddrId: the entity that controls it, or kUnknown.
  std::vector<uint32_t> entity;
  // Returns: the kind of an entity ("exchange", "individual", ...; "?" when unknown).
  std::function<std::string(uint32_t entity)> kind_of;
  // Every kind, in order.
  std::vector<std::string> kinds;
};

// Returns: per kind of entity, the scores over the addresses of that kind's entities only (kinds
//          without addresses left out). Args: clusters: per address, its cluster id.
std::vector<std::pair<std::string, ClusterScores>> ScoreByKind(std::span<const uint32_t> clusters,
                                                               const TruthView& truth);

// The ceiling: common-input ownership (CoinJoins skipped) plus a change detector that is never
// wrong and never misses (every output the truth gives to the payer linked to the inputs).
// Args: clustering: the evaluated clustering (to tell which true change links it lacks).
// Out: *missed: the true change links `clustering` lacks, counted by shape.
// Returns: per address, its ceiling cluster; the store's read errors.
absl::StatusOr<std::vector<uint32_t>> CeilingClusters(const store::Store& store,
                                                      const TruthView& truth,
                                                      const ClusteringPolicy& policy,
                                                      graph::UnionFind* clustering,
                                                      std::map<std::string, uint64_t>* missed);

// Why wrong change links were made: for each change link between two entities, what became of the
// paying entity's own money in that transaction (the true change the rule missed).
// Out: *wrong: the wrong change links. Returns: their causes, counted.
std::map<std::string, uint64_t> WrongChangeCauses(const store::Store& store,
                                                  std::span<const Evidence> evidence,
                                                  const TruthView& truth, uint64_t* wrong);

// Returns: per kind of evidence, and per kind of evidence and of the paying entity
//          ("<evidence> / <kind>"): (links whose two addresses one entity controls, links).
std::map<std::string, std::pair<uint64_t, uint64_t>> LinkPrecision(
    std::span<const Evidence> evidence, const TruthView& truth);

// CoinJoin detection against the truth's labelled CoinJoins.
struct CoinJoinEval {
  // truth label -> detected kind -> transactions.
  std::map<std::string, std::map<std::string, uint64_t>> confusion;
  // Detections in transactions the truth does not label, by kind, in chain order.
  struct Detection {
    Txid txid;
    std::string kind;
    size_t inputs = 0;
    size_t outputs = 0;
    // What the detector saw: "in p2wpkh 300000, ...; out 2x100000 p2wpkh, 1x52000 p2sh", the
    // outputs grouped by value, most frequent first.
    std::string shape;
  };
  std::vector<Detection> unlabelled;
  std::map<std::string, uint64_t> unlabelled_by_kind;
  // Of those, detections whose inputs several entities control (a real multi-party transaction).
  uint64_t multi_party = 0;
};
// Args: labelled: the truth's CoinJoins; entity_of: the entity of an address (kUnknown when the
// truth does not know it).
absl::StatusOr<CoinJoinEval> EvaluateCoinJoins(
    const store::Store& store, const std::map<Txid, std::string>& labelled,
    const std::function<absl::StatusOr<uint32_t>(AddrId)>& entity_of);

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_TRUTH_EVAL_H_
