// The request checks written once for every chain (engine/query/validate.h): seeds decided by
// their content, pages, cursors, directions, trace, paths and exposure limits.
#include "engine/query/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "engine/core/address.h"
#include "tests/testutil.h"

namespace ariadne::query {
namespace {

using Kind = Seed::Kind;

// The seed syntax of a UTXO network: addresses are what the network decodes.
SeedSyntax UtxoSyntax(Network network) {
  SeedSyntax s;
  s.index_noun = "output";
  s.is_address = [network](std::string_view text) { return DecodeAddress(text, network).ok(); };
  return s;
}

AddressKey Key(AddrKind kind, uint8_t size, uint8_t fill) {
  AddressKey k;
  k.kind = kind;
  k.size = size;
  for (uint8_t i = 0; i < size; ++i) k.payload[i] = static_cast<uint8_t>(fill + i * 37);
  return k;
}

TEST(Seed, EveryAddressKindOfEveryNetworkIsAnAddressWhateverItsLength) {
  const std::string txid(64, 'a');
  for (Network n : {Network::kMainnet, Network::kTestnet, Network::kTestnet4, Network::kSignet,
                    Network::kRegtest}) {
    for (const AddressKey& key :
         {Key(AddrKind::kKeyHash, 20, 1), Key(AddrKind::kScriptHash, 20, 2),
          Key(AddrKind::kWitnessV0KeyHash, 20, 3), Key(AddrKind::kWitnessV0ScriptHash, 32, 4),
          Key(AddrKind::kTaproot, 32, 5)}) {
      const std::string address = EncodeAddress(key, n);
      ASSERT_FALSE(address.empty());
      auto seed = ParseSeed(address, UtxoSyntax(n));
      ASSERT_THAT(seed, IsOk());
      EXPECT_EQ(seed->kind, Kind::kAddress) << address;
      EXPECT_EQ(seed->text, address);
      EXPECT_FALSE(seed->index.has_value());
    }
    // A txid stays a transaction on every network, alone or with an output.
    auto tx = ParseSeed(txid, UtxoSyntax(n));
    ASSERT_THAT(tx, IsOk());
    EXPECT_EQ(tx->kind, Kind::kTransaction);
    auto out = ParseSeed(txid + ":3", UtxoSyntax(n));
    ASSERT_THAT(out, IsOk());
    EXPECT_EQ(out->kind, Kind::kTransaction);
    EXPECT_EQ(out->text, txid);
    EXPECT_EQ(out->index, 3u);
  }
  // The lengths that made a P2WSH or P2TR address pass for a txid.
  EXPECT_EQ(EncodeAddress(Key(AddrKind::kWitnessV0ScriptHash, 32, 4), Network::kRegtest).size(),
            64u);
  EXPECT_EQ(EncodeAddress(Key(AddrKind::kTaproot, 32, 5), Network::kRegtest).size(), 64u);
}

TEST(Seed, ClustersHashesWithIndexesAndBadIndexes) {
  auto c = ParseSeed("cluster:42", UtxoSyntax(Network::kMainnet));
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->kind, Kind::kCluster);
  EXPECT_EQ(c->text, "cluster:42");
  EXPECT_THAT(ParseSeed(std::string(64, 'b') + ":x", UtxoSyntax(Network::kMainnet)),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "invalid output index"));
  // Not hex: an address (its own check names what is wrong with it).
  auto not_hex = ParseSeed(std::string(64, 'g'), UtxoSyntax(Network::kMainnet));
  ASSERT_THAT(not_hex, IsOk());
  EXPECT_EQ(not_hex->kind, Kind::kAddress);
  // Account chains: "0x" and 64 hex digits, or an index of one of its transfers.
  SeedSyntax account;
  account.hash_0x = true;
  account.index_noun = "transfer";
  const std::string hash = "0x" + std::string(64, 'C');
  auto h = ParseSeed(hash + ":1", account);
  ASSERT_THAT(h, IsOk());
  EXPECT_EQ(h->kind, Kind::kTransaction);
  EXPECT_EQ(h->text, hash);
  EXPECT_EQ(h->index, 1u);
  EXPECT_EQ(ParseSeed(std::string(64, 'c'), account)->kind, Kind::kAddress);
  EXPECT_EQ(ParseSeed("0x" + std::string(40, 'c'), account)->kind, Kind::kAddress);
  EXPECT_THAT(ParseSeed(hash + ":-1", account),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "invalid transfer index"));
}

TEST(Checks, PagesCursorsAndDirections) {
  RequestLimits l;
  l.max_page = 50;
  EXPECT_THAT(PageLimit(0, l), StatusIs(absl::StatusCode::kResourceExhausted));  // 1000 > 50
  l.default_page = 20;
  EXPECT_EQ(*PageLimit(0, l), 20u);
  EXPECT_EQ(*PageLimit(50, l), 50u);
  EXPECT_THAT(PageLimit(51, l), StatusIsWithMessage(absl::StatusCode::kResourceExhausted,
                                                    "limit 51 is above the maximum page of 50"));
  EXPECT_EQ(*ParseCursor("17"), 17u);
  EXPECT_THAT(ParseCursor("18", 17), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseCursor("-1"),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "invalid cursor '-1'"));
  EXPECT_EQ(*ParseDirection(0), Direction::kForward);
  EXPECT_EQ(*ParseDirection(1), Direction::kBackward);
  EXPECT_THAT(ParseDirection(2),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "unknown direction 2"));
}

TEST(Checks, TraceFieldsInOrderAndTheirDefaults) {
  RequestLimits l;
  TraceRequest r;
  r.seed = "x";
  auto q = CheckTrace(r, l);
  ASSERT_THAT(q, IsOk());
  EXPECT_EQ(q->max_hops, 3u);
  EXPECT_EQ(q->model, TaintModel::kHaircut);
  EXPECT_EQ(q->max_edges, l.default_trace_edges);
  EXPECT_EQ(q->to_height, UINT64_MAX);
  EXPECT_FALSE(q->min_amount.has_value());
  r.taint = "poisson";
  EXPECT_THAT(CheckTrace(r, l), StatusIsWithMessage(absl::StatusCode::kInvalidArgument,
                                                    "unknown taint model 'poisson'"));
  r.taint = "fifo";
  r.hops = 51;
  EXPECT_THAT(CheckTrace(r, l), StatusIsWithMessage(absl::StatusCode::kInvalidArgument,
                                                    "hops 51 above the limit of 50"));
  r.hops = 2;
  r.min_value = -1;
  EXPECT_THAT(CheckTrace(r, l),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "min_value is negative"));
  r.min_value = 0;
  r.min_amount = "12a";
  EXPECT_THAT(CheckTrace(r, l),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "invalid min_amount '12a'"));
  r.min_amount = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  ASSERT_THAT(CheckTrace(r, l), IsOk());
  r.from_height = 10;
  r.to_height = 9;
  EXPECT_THAT(CheckTrace(r, l), StatusIsWithMessage(absl::StatusCode::kInvalidArgument,
                                                    "from_height is above to_height"));
  r.to_height = 10;
  r.max_edges = l.max_trace_edges + 1;
  EXPECT_THAT(CheckTrace(r, l), StatusIsWithMessage(absl::StatusCode::kResourceExhausted,
                                                    "max_edges 1000001 above the limit"));
  r.max_edges = l.max_trace_edges;
  r.direction = 1;
  q = CheckTrace(r, l);
  ASSERT_THAT(q, IsOk());
  EXPECT_EQ(q->direction, Direction::kBackward);
  EXPECT_EQ(q->model, TaintModel::kFifo);
  EXPECT_EQ(q->max_edges, l.max_trace_edges);
  EXPECT_EQ(q->shape, TraceShape::kEdges);
  for (int bad : {3, -1, 1000}) {
    r.shape = bad;
    EXPECT_THAT(CheckTrace(r, l),
                StatusIsWithMessage(
                    absl::StatusCode::kInvalidArgument,
                    absl::StrCat("unknown shape ", bad, " (0 edges, 1 summary, 2 aggregated)")));
  }
  r.shape = 1;
  EXPECT_EQ(CheckTrace(r, l)->shape, TraceShape::kSummary);
  r.shape = 2;
  EXPECT_EQ(CheckTrace(r, l)->shape, TraceShape::kAggregated);
}

TEST(Checks, PathsAndExposureLimits) {
  RequestLimits l;
  PathsRequest p;
  EXPECT_EQ(*CheckPaths(p, l), std::make_pair(6u, 10u));
  p.max_hops = 13;
  EXPECT_THAT(CheckPaths(p, l),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "max_hops is at most 12"));
  p.max_hops = 12;
  p.max_paths = 100;
  EXPECT_EQ(*CheckPaths(p, l), std::make_pair(12u, 100u));
  p.max_paths = 101;
  EXPECT_THAT(CheckPaths(p, l), StatusIsWithMessage(absl::StatusCode::kResourceExhausted,
                                                    "max_paths 101 above the limit of 100"));
  EXPECT_EQ(*CheckExposureHops(0, l), 3u);
  EXPECT_THAT(CheckExposureHops(11, l),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "hops is at most 10"));
}

}  // namespace
}  // namespace ariadne::query
