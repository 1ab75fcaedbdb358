#include "heuristics/cluster_eval.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"

namespace ariadne::heuristics {
namespace {

uint64_t Pairs(uint64_t n) { return n * (n - 1) / 2; }

}  // namespace

ClusterScores ScoreClusters(std::span<const uint32_t> cluster, std::span<const uint32_t> entity) {
  ClusterScores s;
  absl::flat_hash_map<uint64_t, uint64_t> joint;  // (cluster, entity) -> addresses
  absl::flat_hash_map<uint32_t, uint64_t> by_cluster, by_entity;
  const size_t n = std::min(cluster.size(), entity.size());
  for (size_t a = 0; a < n; ++a) {
    if (entity[a] == kUnknown || cluster[a] == kUnknown) continue;
    ++s.addresses;
    ++joint[(uint64_t{cluster[a]} << 32) | entity[a]];
    ++by_cluster[cluster[a]];
    ++by_entity[entity[a]];
  }
  s.clusters = by_cluster.size();
  s.entities = by_entity.size();
  absl::flat_hash_map<uint32_t, uint64_t> majority;  // cluster -> largest entity share
  for (const auto& [key, count] : joint) {
    s.correct_pairs += Pairs(count);
    uint64_t& m = majority[static_cast<uint32_t>(key >> 32)];
    m = std::max(m, count);
  }
  for (const auto& [c, count] : by_cluster) {
    s.predicted_pairs += Pairs(count);
    s.largest_cluster = std::max(s.largest_cluster, count);
  }
  for (const auto& [e, count] : by_entity) {
    s.true_pairs += Pairs(count);
    s.largest_entity = std::max(s.largest_entity, count);
  }
  uint64_t majority_total = 0;
  for (const auto& [c, m] : majority) majority_total += m;
  s.pair_precision =
      s.predicted_pairs == 0 ? 1.0 : static_cast<double>(s.correct_pairs) / s.predicted_pairs;
  s.pair_recall = s.true_pairs == 0 ? 1.0 : static_cast<double>(s.correct_pairs) / s.true_pairs;
  s.purity = s.addresses == 0 ? 1.0 : static_cast<double>(majority_total) / s.addresses;
  return s;
}

}  // namespace ariadne::heuristics
