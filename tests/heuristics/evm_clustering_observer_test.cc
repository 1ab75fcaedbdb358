// The EVM clustering kept while indexing (heuristics/evm_clustering_observer.h): commit by commit,
// or in one commit, it stores the clusters and evidence a rebuild makes over the same store, in the
// same atomic commits as the rows; stale clusterings are rebuilt before the first commit.
#include "heuristics/evm_clustering_observer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/graph/cluster_index.h"
#include "engine/store/evm_store.h"
#include "indexer/evm/evm_indexer.h"
#include "tests/indexer/evm/evm_scenario.h"
#include "tests/testutil.h"

namespace ariadne::heuristics {
namespace {

using ::ariadne::testing::MakeTempDir;

class Observed : public ::testing::Test {
 protected:
  void SetUp() override {
    scenario_ = evm::testing::MakeScenario();
    dir_ = MakeTempDir("evm-observer");
    ASSERT_THAT(scenario_->chain->WriteAll(dir_ / "chain"), IsOk());
    params_.exchanges = {scenario_->e.address};
  }
  absl::StatusOr<std::unique_ptr<store::Store>> NewStore(const std::string& name) {
    store::StoreOptions o;
    o.create_if_missing = true;
    o.network = Network::kEthereum;
    return store::Store::Open(dir_ / name, o);
  }
  // Indexes the scenario, committing every `commit_txs` transactions (at block boundaries).
  absl::Status Index(store::Store* store, uint64_t commit_txs, store::EvmIndexObserver* observer) {
    evm::EvmIndexOptions io;
    io.sources = {dir_ / "chain"};
    io.commit_txs = commit_txs;
    if (observer != nullptr) io.observers = {observer};
    evm::EvmIndexResult r;
    return evm::IndexEvm(store, io, &r);
  }
  // The active generation's evidence rows, and its meta.
  static std::vector<store::EvmEvidenceRow> Evidence(const store::Store& store,
                                                     store::ClusterMeta* meta) {
    *meta =
        *store::DecodeClusterMeta(*store.ReadMeta(store::kMetaEvmCluster), store::kMetaEvmCluster);
    auto rows = graph::ReadUnions<store::EvmEvidenceRow>(store, store::Cf::kEvmEvidence, meta->gen,
                                                         store::DecodeEvmEvidence);
    EXPECT_THAT(rows, IsOk());
    std::vector<store::EvmEvidenceRow> out = *rows;
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
      return std::tie(x.tx, x.a, x.b) < std::tie(y.tx, y.a, y.b);
    });
    return out;
  }

  std::unique_ptr<evm::testing::Scenario> scenario_;
  std::filesystem::path dir_;
  EvmClusterParams params_;
};

TEST_F(Observed, CommitByCommitTheStoreHoldsWhatARebuildMakes) {
  for (uint64_t commit_txs : {uint64_t{1}, uint64_t{1000}}) {
    auto st = NewStore("db" + std::to_string(commit_txs));
    ASSERT_THAT(st, IsOk());
    auto observer = EvmClusteringObserver::Create(st->get(), params_);
    ASSERT_THAT(observer, IsOk());
    EXPECT_FALSE((*observer)->rebuilt());
    ASSERT_THAT(Index(st->get(), commit_txs, observer->get()), IsOk());
    // One deposit-address link (D and M paid the deposit address) and one self-authorization.
    EXPECT_EQ((*observer)->unions()[0], 1u) << commit_txs;
    EXPECT_EQ((*observer)->unions()[2], 1u) << commit_txs;
    store::ClusterMeta meta;
    const std::vector<store::EvmEvidenceRow> kept = Evidence(**st, &meta);
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(meta.processed_txs, store::ReadEvmState(**st)->tx_count);
    EXPECT_EQ(meta.unions, 2u);
    EXPECT_EQ(meta.policy, params_.ToSpec());
    auto rebuilt = RebuildEvmClusters(st->get(), params_);
    ASSERT_THAT(rebuilt, IsOk());
    store::ClusterMeta rebuilt_meta;
    EXPECT_EQ(Evidence(**st, &rebuilt_meta), kept) << commit_txs;
    EXPECT_NE(rebuilt_meta.gen, meta.gen);
  }
}

TEST_F(Observed, ASecondRunGoesOnFromTheStoredClusters) {
  auto st = NewStore("db");
  ASSERT_THAT(st, IsOk());
  {
    auto observer = EvmClusteringObserver::Create(st->get(), params_);
    ASSERT_THAT(observer, IsOk());
    ASSERT_THAT(Index(st->get(), 1, observer->get()), IsOk());
  }
  store::ClusterMeta before;
  const auto rows = Evidence(**st, &before);
  // The same input again: nothing to add, nothing rebuilt.
  auto again = EvmClusteringObserver::Create(st->get(), params_);
  ASSERT_THAT(again, IsOk());
  EXPECT_FALSE((*again)->rebuilt());
  ASSERT_THAT(Index(st->get(), 1, again->get()), IsOk());
  store::ClusterMeta after;
  EXPECT_EQ(Evidence(**st, &after), rows);
  EXPECT_EQ(after.gen, before.gen);
  EXPECT_EQ(after.unions, before.unions);
}

TEST_F(Observed, AStoreIndexedWithoutClustersOrUnderOtherParametersIsRebuiltFirst) {
  auto st = NewStore("db");
  ASSERT_THAT(st, IsOk());
  ASSERT_THAT(Index(st->get(), 1000, nullptr), IsOk());  // --no-cluster
  EXPECT_TRUE(absl::IsNotFound(st->get()->ReadMeta(store::kMetaEvmCluster).status()));
  auto observer = EvmClusteringObserver::Create(st->get(), params_);
  ASSERT_THAT(observer, IsOk());
  EXPECT_TRUE((*observer)->rebuilt());
  store::ClusterMeta meta;
  EXPECT_EQ(Evidence(**st, &meta).size(), 2u);
  EXPECT_EQ(meta.processed_txs, store::ReadEvmState(**st)->tx_count);
  // Other parameters: without the exchange listed, Dep is no deposit address; one link is left.
  EvmClusterParams tight = params_;
  tight.exchanges.clear();
  auto other = EvmClusteringObserver::Create(st->get(), tight);
  ASSERT_THAT(other, IsOk());
  EXPECT_TRUE((*other)->rebuilt());
  EXPECT_EQ(Evidence(**st, &meta).size(), 1u);
  EXPECT_EQ(meta.policy, tight.ToSpec());
}

}  // namespace
}  // namespace ariadne::heuristics
