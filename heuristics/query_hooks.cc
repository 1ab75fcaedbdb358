#include "heuristics/query_hooks.h"

#include "heuristics/cluster_builder.h"
#include "heuristics/clustering.h"
#include "heuristics/coinjoin.h"

namespace ariadne::heuristics {
namespace {

class DetectorTest : public query::CoinJoinTest {
 public:
  bool IsCoinJoin(const store::ResolvedTx& tx) override {
    return detector_.Detect(tx) != CoinJoinKind::kNone;
  }
  bool MayBeCoinJoin(size_t inputs, size_t outputs) const override {
    return CoinJoinDetector::MayBeCoinJoin(inputs, outputs);
  }

 private:
  CoinJoinDetector detector_;
};

class Hooks : public query::QueryHooks {
 public:
  std::unique_ptr<query::CoinJoinTest> NewCoinJoinTest() const override {
    return std::make_unique<DetectorTest>();
  }
  std::string EvidenceName(uint8_t kind, uint8_t rule) const override {
    return heuristics::EvidenceName(static_cast<EvidenceKind>(kind), rule);
  }
  absl::StatusOr<std::vector<store::EvidenceRow>> SettledLinks(
      const store::Store& store, std::span<const store::EvidenceRow> stored) const override {
    return heuristics::SettledLinks(store, stored);
  }
  absl::StatusOr<std::vector<store::EvidenceRow>> SettledLinksOver(
      const store::Store& store, const std::function<uint32_t(uint32_t)>& cluster_of,
      const std::function<uint32_t(uint32_t)>& size) const override {
    return heuristics::SettledLinksOver(store, cluster_of, size);
  }
};

}  // namespace

std::shared_ptr<const query::QueryHooks> MakeQueryHooks() { return std::make_shared<Hooks>(); }

}  // namespace ariadne::heuristics
