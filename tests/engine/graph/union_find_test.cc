// The union-find against a naive partition: same sets, and the set id is always the smallest
// member whatever the order of unions.
#include "engine/graph/union_find.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace ariadne::graph {
namespace {

TEST(UnionFind, MatchesANaivePartitionUnderRandomUnions) {
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    const uint32_t n = 1 + rng() % 2000;
    UnionFind uf(n);
    std::vector<uint32_t> label(n);
    std::iota(label.begin(), label.end(), 0);  // naive: label = smallest member
    for (int k = 0; k < static_cast<int>(n); ++k) {
      uint32_t a = rng() % n, b = rng() % n;
      const bool merged = uf.Union(a, b);
      const uint32_t la = label[a], lb = label[b];
      EXPECT_EQ(merged, la != lb);
      if (la != lb) {
        const uint32_t keep = std::min(la, lb), drop = std::max(la, lb);
        for (auto& l : label)
          if (l == drop) l = keep;
      }
    }
    for (uint32_t x = 0; x < n; ++x) ASSERT_EQ(uf.SetId(x), label[x]) << "round " << round;
  }
}

TEST(UnionFind, SetIdIsTheSmallestMemberInAnyUnionOrder) {
  UnionFind a(10), b(10);
  a.Union(9, 8);
  a.Union(8, 3);
  a.Union(7, 9);
  b.Union(3, 7);
  b.Union(9, 7);
  b.Union(8, 9);
  for (uint32_t x : {3u, 7u, 8u, 9u}) {
    EXPECT_EQ(a.SetId(x), 3u);
    EXPECT_EQ(b.SetId(x), 3u);
  }
  EXPECT_EQ(a.SetId(5), 5u);
  EXPECT_FALSE(a.Union(3, 9));
  EXPECT_TRUE(a.Same(7, 8));
  EXPECT_FALSE(a.Same(5, 8));
  EXPECT_EQ(UnionFind::BytesPerElement(), 5);
}

TEST(UnionFind, GrowKeepsExistingSets) {
  UnionFind uf(3);
  uf.Union(1, 2);
  uf.Grow(6);
  EXPECT_EQ(uf.size(), 6u);
  EXPECT_EQ(uf.SetId(2), 1u);
  EXPECT_EQ(uf.SetId(5), 5u);
  uf.Union(5, 2);
  EXPECT_EQ(uf.SetId(5), 1u);
}

}  // namespace
}  // namespace ariadne::graph
