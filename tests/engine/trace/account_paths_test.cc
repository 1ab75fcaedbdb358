// Paths of value in the account model follow time: a transfer continues a path only after the one
// that reached its sender.
#include "engine/trace/account_paths.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ariadne::trace {
namespace {

evm::Address Addr(uint8_t n) {
  evm::Address a;
  a.data()[19] = n;
  a.data()[0] = 1;
  return a;
}

TEST(AccountPaths, ShortestPathsRespectTime) {
  graph::AccountGraph::Builder b;
  const AccountId a = b.AddAccount(Addr(1)), bb = b.AddAccount(Addr(2)), c = b.AddAccount(Addr(3)),
                  d = b.AddAccount(Addr(4));
  b.AddBlock(1, 0);
  b.AddTx(1, bb, evm::U256());
  const TransferNum early =
      b.AddTransfer(bb, d, AssetId(0), evm::U256(5));  // B -> D before A paid B
  b.AddBlock(2, 0);
  b.AddTx(2, a, evm::U256());
  const TransferNum ab = b.AddTransfer(a, bb, AssetId(0), evm::U256(10));
  b.AddBlock(3, 0);
  b.AddTx(3, bb, evm::U256());
  const TransferNum bc = b.AddTransfer(bb, c, AssetId(0), evm::U256(8));
  b.AddBlock(4, 0);
  b.AddTx(4, c, evm::U256());
  const TransferNum cd = b.AddTransfer(c, d, AssetId(0), evm::U256(7));
  auto g = b.Finish();
  const uint32_t from[] = {a.value()};
  const uint32_t to[] = {d.value()};
  AccountPaths r = FindAccountPaths(*g, from, to, PathOptions());
  // A -> B -> D is shorter on paper, but B paid D before A paid B.
  ASSERT_EQ(r.hops, 3u);
  ASSERT_EQ(r.paths.size(), 1u);
  EXPECT_EQ(r.paths[0], (std::vector<TransferNum>{ab, bc, cd}));
  EXPECT_NE(r.paths[0][1], early);
  PathOptions short_hops;
  short_hops.max_hops = 2;
  EXPECT_TRUE(FindAccountPaths(*g, from, to, short_hops).paths.empty());
}

TEST(AccountPaths, AnAccountReachedEarlierAtALaterHopIsFollowedAgain) {
  graph::AccountGraph::Builder b;
  const AccountId s = b.AddAccount(Addr(1)), x = b.AddAccount(Addr(2)), y = b.AddAccount(Addr(3)),
                  t = b.AddAccount(Addr(4));
  b.AddBlock(1, 0);
  b.AddTx(1, s, evm::U256());
  const TransferNum sx = b.AddTransfer(s, x, AssetId(0), evm::U256(1));
  b.AddBlock(2, 0);
  b.AddTx(2, x, evm::U256());
  const TransferNum xy = b.AddTransfer(x, y, AssetId(0), evm::U256(1));  // y at hop 2, early
  b.AddBlock(3, 0);
  b.AddTx(3, y, evm::U256());
  const TransferNum yt = b.AddTransfer(y, t, AssetId(0), evm::U256(1));
  b.AddBlock(5, 0);
  b.AddTx(5, s, evm::U256());
  b.AddTransfer(s, y, AssetId(0), evm::U256(1));  // y at hop 1, but after y paid t
  auto g = b.Finish();
  const uint32_t from[] = {s.value()};
  const uint32_t to[] = {t.value()};
  AccountPaths r = FindAccountPaths(*g, from, to, PathOptions());
  ASSERT_EQ(r.hops, 3u);
  ASSERT_EQ(r.paths.size(), 1u);
  EXPECT_EQ(r.paths[0], (std::vector<TransferNum>{sx, xy, yt}));
}

}  // namespace
}  // namespace ariadne::trace
