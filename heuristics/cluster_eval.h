// Scoring a clustering against ground truth: pairwise precision and recall (over all pairs of
// addresses: a pair is predicted when both are in one cluster, true when one entity controls
// both), cluster purity, and the largest cluster against the largest true entity.
#ifndef ARIADNE_HEURISTICS_CLUSTER_EVAL_H_
#define ARIADNE_HEURISTICS_CLUSTER_EVAL_H_

#include <cstdint>
#include <span>

namespace ariadne::heuristics {

struct ClusterScores {
  uint64_t addresses = 0;  // addresses with both a cluster and a true entity
  uint64_t clusters = 0;
  uint64_t entities = 0;
  double pair_precision = 1.0;   // true pairs among predicted pairs (1 when none predicted)
  double pair_recall = 0.0;      // predicted pairs among true pairs
  double purity = 0.0;           // share of addresses in their cluster's majority entity
  uint64_t largest_cluster = 0;  // addresses
  uint64_t largest_entity = 0;   // addresses
  uint64_t predicted_pairs = 0;
  uint64_t true_pairs = 0;
  uint64_t correct_pairs = 0;
};

inline constexpr uint32_t kUnknown = UINT32_MAX;

// Args: cluster: per address, its cluster id; entity: per address, the true entity (kUnknown for
// addresses the truth does not know: they are left out).
ClusterScores ScoreClusters(std::span<const uint32_t> cluster, std::span<const uint32_t> entity);

}  // namespace ariadne::heuristics

#endif  // ARIADNE_HEURISTICS_CLUSTER_EVAL_H_
