// Paths of value in the account model follow time: a transfer continues a path only after the one
// that reached its sender.
#include "engine/evm/account_paths.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/core/keccak.h"

namespace ariadne::account {
namespace {

Address Addr(uint8_t n) {
  Address a;
  a.data()[19] = n;
  a.data()[0] = 1;
  return a;
}

TEST(AccountPaths, ShortestPathsRespectTime) {
  Graph::Builder b;
  const uint32_t a = b.AddAccount(Addr(1)), bb = b.AddAccount(Addr(2)), c = b.AddAccount(Addr(3)),
                 d = b.AddAccount(Addr(4));
  b.AddBlock(1, 0);
  b.AddTx(1, bb, U256());
  const uint64_t early = b.AddTransfer(bb, d, 0, U256(5));  // B -> D before A paid B
  b.AddBlock(2, 0);
  b.AddTx(2, a, U256());
  const uint64_t ab = b.AddTransfer(a, bb, 0, U256(10));
  b.AddBlock(3, 0);
  b.AddTx(3, bb, U256());
  const uint64_t bc = b.AddTransfer(bb, c, 0, U256(8));
  b.AddBlock(4, 0);
  b.AddTx(4, c, U256());
  const uint64_t cd = b.AddTransfer(c, d, 0, U256(7));
  auto g = b.Finish();
  const uint32_t from[] = {a};
  const uint32_t to[] = {d};
  PathResult r = FindPaths(*g, from, to, PathOptions());
  // A -> B -> D is shorter on paper, but B paid D before A paid B.
  ASSERT_EQ(r.hops, 3u);
  ASSERT_EQ(r.paths.size(), 1u);
  EXPECT_EQ(r.paths[0], (std::vector<uint64_t>{ab, bc, cd}));
  EXPECT_NE(r.paths[0][1], early);
  PathOptions short_hops;
  short_hops.max_hops = 2;
  EXPECT_TRUE(FindPaths(*g, from, to, short_hops).paths.empty());
}

TEST(AccountPaths, AnAccountReachedEarlierAtALaterHopIsFollowedAgain) {
  Graph::Builder b;
  const uint32_t s = b.AddAccount(Addr(1)), x = b.AddAccount(Addr(2)), y = b.AddAccount(Addr(3)),
                 t = b.AddAccount(Addr(4));
  b.AddBlock(1, 0);
  b.AddTx(1, s, U256());
  const uint64_t sx = b.AddTransfer(s, x, 0, U256(1));
  b.AddBlock(2, 0);
  b.AddTx(2, x, U256());
  const uint64_t xy = b.AddTransfer(x, y, 0, U256(1));  // y at hop 2, early
  b.AddBlock(3, 0);
  b.AddTx(3, y, U256());
  const uint64_t yt = b.AddTransfer(y, t, 0, U256(1));
  b.AddBlock(5, 0);
  b.AddTx(5, s, U256());
  b.AddTransfer(s, y, 0, U256(1));  // y at hop 1, but after y paid t
  auto g = b.Finish();
  const uint32_t from[] = {s};
  const uint32_t to[] = {t};
  PathResult r = FindPaths(*g, from, to, PathOptions());
  ASSERT_EQ(r.hops, 3u);
  ASSERT_EQ(r.paths.size(), 1u);
  EXPECT_EQ(r.paths[0], (std::vector<uint64_t>{sx, xy, yt}));
}

}  // namespace
}  // namespace ariadne::account
