// Clustering on real and generated chains: common-input clusters on the first 4,522 mainnet blocks
// equal an independent plain pass; clusters kept up to date while indexing equal a rebuild; a
// recluster stores its policy; stored clusterings load back exactly.
#include "heuristics/clustering.h"

#include <map>
#include <set>

#include "engine/core/address.h"
#include "engine/core/script.h"
#include "heuristics/clustering_observer.h"
#include "indexer/btc/blk_reader.h"
#include "indexer/btc/block.h"
#include "tests/indexer/pipeline/index_test_util.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

// Common-input clusters of blk files, computed without any project code beyond the decoder and the
// address encoding: a map from outpoint to address, and a naive union-find over address strings.
std::map<std::string, std::string> PlainCommonInputClusters(
    const std::vector<std::filesystem::path>& files, Network network) {
  std::map<std::pair<Txid, uint32_t>, std::string> outputs;
  std::map<std::string, std::string> parent;
  std::function<std::string(const std::string&)> find = [&](const std::string& a) {
    std::string& p = parent[a];
    if (p.empty() || p == a) return p = a;
    return p = find(p);
  };
  btc::Block block;
  for (const auto& path : files) {
    auto file = btc::BlkFile::Load(path, {}, network);
    EXPECT_TRUE(file.ok());
    btc::BlkRecord rec;
    while (*(*file)->Next(&rec)) {
      EXPECT_TRUE(btc::DecodeBlock(rec.block, rec.offset, btc::DecodeOptions(), &block).ok());
      for (size_t t = 0; t < block.txs.size(); ++t) {
        const btc::Tx& tx = block.txs[t];
        std::string first;
        for (uint32_t i = 0; t > 0 && i < tx.input_count; ++i) {
          const btc::TxIn& in = block.input(tx, i);
          const std::string& a = outputs[{in.prev_txid(), in.prev_vout()}];
          if (a.empty()) continue;
          if (first.empty()) {
            first = a;
            find(a);
          } else {
            std::string ra = find(first), rb = find(a);
            if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
          }
        }
        for (uint32_t v = 0; v < tx.output_count; ++v) {
          std::string a = EncodeAddress(ScriptAddressKey(block.output(tx, v).script), network);
          outputs[{tx.txid, v}] = a;
          if (!a.empty()) find(a);
        }
      }
    }
  }
  std::map<std::string, std::string> cluster;
  for (const auto& [a, p] : parent) cluster[a] = find(a);
  return cluster;
}

// Evidence rows: a change link made when its output is spent is keyed by the spend and names the
// payment; rows without the back reference (every row of older stores) name the key's transaction.
TEST(Clustering, EvidenceRowsKeepThePaymentOfALinkMadeLater) {
  store::EvidenceRow later{7, 9, 1, 3, TxNum(100), TxNum(250)};
  const std::string key = store::EvidenceKey(0, later.at, 0);
  auto back = store::DecodeEvidence(key, store::EncodeEvidence(later));
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(back->tx, TxNum(100));
  EXPECT_EQ(back->at, TxNum(250));
  EXPECT_EQ(back->a, 7u);
  EXPECT_EQ(back->b, 9u);
  store::EvidenceRow now{7, 9, 0, 0, TxNum(250), TxNum(250)};
  EXPECT_EQ(store::EncodeEvidence(now).size(), 4u);  // no back reference stored
  auto same = store::DecodeEvidence(key, store::EncodeEvidence(now));
  ASSERT_THAT(same, IsOk());
  EXPECT_EQ(same->tx, TxNum(250));
  // A back reference of zero or reaching before TxNum 0 is corrupt.
  std::string bad = store::EncodeEvidence(now);
  bad.push_back(0);
  EXPECT_THAT(store::DecodeEvidence(key, bad), StatusIs(absl::StatusCode::kDataLoss));
  bad.back() = 0x7f;
  EXPECT_THAT(store::DecodeEvidence(store::EvidenceKey(0, TxNum(5), 0), bad),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(Clustering, CommonInputOnRealBlocksEqualsAPlainIndependentPass) {
  REQUIRE_TESTDATA();
  const auto file = TestData("_derived/btc-mainnet-0-4521.blk");
  auto s = IndexInto(MakeTempDir("ci") / "db", {file}, Network::kMainnet);
  ASSERT_THAT(s, IsOk());
  auto policy = heuristics::ParsePolicy("ci");
  ASSERT_THAT(policy, IsOk());
  std::unique_ptr<heuristics::ClusterBuilder> builder;
  auto r = heuristics::BuildClusters(**s, *policy, &builder, {});
  ASSERT_THAT(r, IsOk());
  auto plain = PlainCommonInputClusters({file}, Network::kMainnet);
  ASSERT_EQ(plain.size(), (*s)->ReadState()->addr_count);
  // Same partition: two addresses share a cluster in one exactly when they do in the other.
  std::map<std::string, uint32_t> plain_to_ours;
  std::map<uint32_t, std::string> ours_to_plain;
  size_t multi = 0;
  for (const auto& [address, root] : plain) {
    auto key = DecodeAddress(address, Network::kMainnet);
    ASSERT_TRUE(key.ok());
    auto id = (*s)->FindAddress(*key);
    ASSERT_TRUE(id.ok()) << address;
    const uint32_t ours = builder->union_find().SetId(id->value());
    auto [it1, new1] = plain_to_ours.emplace(root, ours);
    auto [it2, new2] = ours_to_plain.emplace(ours, root);
    EXPECT_EQ(it1->second, ours) << address;
    EXPECT_EQ(it2->second, root) << address;
    if (!new1) ++multi;
  }
  EXPECT_GT(multi, 100u) << "the first blocks hold multi-input transactions to cluster";
  EXPECT_EQ(r->counters.change_unions, 0u);
}

// Everything the stored clustering says, as comparable values.
struct StoredClustering {
  std::string policy;
  std::vector<uint32_t> set_id;
  std::set<std::tuple<uint64_t, uint32_t, uint32_t, int, int>> evidence;
};

StoredClustering ReadStored(const store::Store& s) {
  StoredClustering out;
  auto meta = heuristics::ReadClusterMeta(s);
  EXPECT_TRUE(meta.ok()) << meta.status();
  out.policy = meta->policy;
  auto builder = heuristics::LoadClustering(s);
  EXPECT_TRUE(builder.ok()) << builder.status();
  for (uint32_t a = 0; a < (*builder)->union_find().size(); ++a) {
    out.set_id.push_back((*builder)->union_find().SetId(a));
  }
  std::unique_ptr<rocksdb::Iterator> it(
      s.db()->NewIterator(rocksdb::ReadOptions(), s.handle(store::Cf::kEvidence)));
  for (it->Seek(std::string(1, static_cast<char>(meta->gen)));
       it->Valid() && it->key()[0] == static_cast<char>(meta->gen); it->Next()) {
    auto e = store::DecodeEvidence(std::string_view(it->key().data(), it->key().size()),
                                   std::string_view(it->value().data(), it->value().size()));
    EXPECT_TRUE(e.ok());
    out.evidence.insert({e->tx.value(), e->a, e->b, e->kind, e->rule});
  }
  return out;
}

TEST(Clustering, IncrementalWhileIndexingEqualsARebuild) {
  REQUIRE_TESTDATA();
  auto dir = MakeTempDir("incr-cluster");
  store::StoreOptions so;
  so.create_if_missing = true;
  so.network = Network::kMainnet;
  auto s = store::Store::Open(dir / "db", so);
  ASSERT_THAT(s, IsOk());
  // Three runs, each growing the chain, with small commits.
  for (const char* rel :
       {"nbitcoin/blk00000.dat", "nbitcoin/blk00001.dat", "_derived/btc-mainnet-0-4521.blk"}) {
    auto observer = heuristics::ClusteringObserver::Create(s->get());
    ASSERT_THAT(observer, IsOk());
    pipeline::BtcIndexOptions o;
    o.inputs = {TestData("nbitcoin/blk00000.dat"), TestData(rel)};
    o.commit_txs = 97;
    o.observers = {observer->get()};
    pipeline::IndexResult r;
    ASSERT_THAT(pipeline::IndexBitcoin(s->get(), o, &r), IsOk());
  }
  StoredClustering incremental = ReadStored(**s);
  EXPECT_EQ(incremental.policy, heuristics::DefaultPolicy().ToSpec());
  EXPECT_FALSE(incremental.evidence.empty());
  auto rebuilt = heuristics::Recluster(s->get(), heuristics::DefaultPolicy());
  ASSERT_THAT(rebuilt, IsOk());
  StoredClustering fresh = ReadStored(**s);
  EXPECT_EQ(fresh.set_id, incremental.set_id);
  EXPECT_EQ(fresh.evidence, incremental.evidence);
  // Written in many small chunks while building, the stored result is the same.
  auto chunked = heuristics::Recluster(s->get(), heuristics::DefaultPolicy(), {}, 7);
  ASSERT_THAT(chunked, IsOk());
  StoredClustering in_chunks = ReadStored(**s);
  EXPECT_EQ(in_chunks.set_id, incremental.set_id);
  EXPECT_EQ(in_chunks.evidence, incremental.evidence);
}

TEST(Clustering, ReclusterStoresItsPolicyAndReplacesTheOldRows) {
  REQUIRE_TESTDATA();
  auto s = IndexInto(MakeTempDir("recluster") / "db", {TestData("_derived/btc-mainnet-0-4521.blk")},
                     Network::kMainnet);
  ASSERT_THAT(s, IsOk());
  for (const char* spec : {"ci", "ci,change=fresh_address+address_type", "default", "ci"}) {
    auto policy = heuristics::ParsePolicy(spec);
    ASSERT_THAT(policy, IsOk());
    auto r = heuristics::Recluster(s->get(), *policy);
    ASSERT_THAT(r, IsOk());
    StoredClustering stored = ReadStored(**s);
    EXPECT_EQ(stored.policy, policy->ToSpec());
    EXPECT_EQ(stored.evidence.size(), r->counters.common_input_unions + r->counters.change_unions);
  }
  // Only the live generation's rows remain.
  std::unique_ptr<rocksdb::Iterator> it(
      (*s)->db()->NewIterator(rocksdb::ReadOptions(), (*s)->handle(store::Cf::kEvidence)));
  std::set<char> gens;
  for (it->SeekToFirst(); it->Valid(); it->Next()) gens.insert(it->key()[0]);
  EXPECT_EQ(gens.size(), 1u);
}

}  // namespace
}  // namespace ariadne::testing
