// The indexer's in-memory structures for a chain that outgrows memory: the address filter (no false
// negatives, a bounded false-positive rate, kept between runs), the address and prevout caches kept
// between runs, and the bounded blk-file descriptors.
#include <fstream>
#include <random>

#include "engine/core/file_limit.h"
#include "indexer/pipeline/address_cache.h"
#include "indexer/pipeline/address_filter.h"
#include "indexer/pipeline/blk_file_cache.h"
#include "indexer/pipeline/prevout_cache.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

AddressKey RandomKey(std::mt19937_64& rng, int size = 20) {
  AddressKey k;
  k.kind = size == 20 ? AddrKind::kKeyHash : AddrKind::kTaproot;
  k.size = static_cast<uint8_t>(size);
  for (int i = 0; i < size; ++i) k.payload[i] = static_cast<uint8_t>(rng());
  return k;
}

TEST(AddressFilter, NeverForgetsAKeyAndRarelyClaimsANewOne) {
  std::mt19937_64 rng(1);
  pipeline::AddressFilter filter(50'000);  // 200,000 keys: segments of 100,000 and 300,000 added
  std::vector<AddressKey> keys;
  for (int i = 0; i < 200'000; ++i) {
    keys.push_back(RandomKey(rng, i % 5 == 0 ? 32 : 20));
    filter.Insert(keys.back());
  }
  for (const AddressKey& k : keys) ASSERT_TRUE(filter.MayContain(k));
  int false_positives = 0;
  for (int i = 0; i < 100'000; ++i) false_positives += filter.MayContain(RandomKey(rng));
  // 10 bits per key: about 1% per segment, and a new key is checked against every segment.
  EXPECT_LT(false_positives, 4'000);
  EXPECT_EQ(filter.keys(), 200'000u);
  // A new segment is twice all before it, which are full: at most 3x the keys' bits.
  EXPECT_LE(filter.bytes(), 3 * 200'000u * pipeline::AddressFilter::kBitsPerKey / 8 + 3 * 32);
}

TEST(AddressFilter, IsKeptForExactlyTheStateItWasSavedAt) {
  std::mt19937_64 rng(2);
  pipeline::AddressFilter filter(1000);
  std::vector<AddressKey> keys;
  for (int i = 0; i < 3000; ++i) {
    keys.push_back(RandomKey(rng));
    filter.Insert(keys.back());
  }
  store::ChainState state;
  state.tip_height = 7;
  state.addr_count = 3000;
  const auto path = MakeTempDir("filter") / "address.filter";
  ASSERT_THAT(filter.Save(path, state), IsOk());
  auto loaded = pipeline::AddressFilter::Load(path, state);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ((*loaded)->keys(), 3000u);
  for (const AddressKey& k : keys) ASSERT_TRUE((*loaded)->MayContain(k));
  store::ChainState later = state;
  later.addr_count = 3001;
  EXPECT_THAT(pipeline::AddressFilter::Load(path, later),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-40, std::ios::end);
    f.put('\x01');
  }
  EXPECT_THAT(pipeline::AddressFilter::Load(path, state), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(AddressCache, IsKeptBetweenRunsWithBothGenerations) {
  std::mt19937_64 rng(3);
  pipeline::AddressCache cache(100);
  std::vector<AddressKey> keys;
  for (uint32_t i = 0; i < 80; ++i) {
    keys.push_back(RandomKey(rng, i % 3 == 0 ? 32 : 20));
    cache.Insert(keys.back(), AddrId(i));
    if (i == 60) cache.MaybeRotate();  // the first 61 move to the old generation
  }
  AddressKey odd;
  odd.kind = AddrKind::kWitnessUnknown;
  odd.witness_version = 2;
  odd.size = 2;
  odd.payload[0] = 0xab;
  cache.Insert(odd, AddrId(999));
  const auto path = MakeTempDir("addrcache") / "address.cache";
  ASSERT_THAT(cache.Save(path, "state-a"), IsOk());
  pipeline::AddressCache loaded(100);
  ASSERT_THAT(loaded.Load(path, "state-a"), IsOk());
  EXPECT_EQ(loaded.size(), cache.size());
  for (uint32_t i = 0; i < keys.size(); ++i) EXPECT_EQ(loaded.Find(keys[i]), AddrId(i));
  EXPECT_EQ(loaded.Find(odd), AddrId(999));
  pipeline::AddressCache other(100);
  EXPECT_THAT(other.Load(path, "state-b"), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(other.size(), 0u);
}

TEST(PrevoutCache, IsKeptBetweenRunsWithWhatIsSpent) {
  pipeline::PrevoutCache cache(1000);
  Txid a, b;
  a.data()[0] = 1;
  b.data()[0] = 2;
  std::vector<pipeline::CachedOutput> outs = {{5000, 1, ScriptType::kP2wpkh, false},
                                              {6000, 2, ScriptType::kP2pkh, false},
                                              {0, AddrId::kInvalid, ScriptType::kOpReturn, false}};
  cache.Add(a, TxNum(10), 40, outs);
  cache.Add(b, TxNum(11), store::kUnknownOutNum, outs);  // as read from the store: no number
  TxNum num;
  pipeline::CachedOutput o;
  uint64_t out_num = 0;
  ASSERT_EQ(cache.Spend(a, 0, &num, &o, &out_num), pipeline::PrevoutCache::Result::kOk);
  EXPECT_EQ(out_num, 40u);
  cache.set_complete(true);
  const auto path = MakeTempDir("prevouts") / "prevout.cache";
  ASSERT_THAT(cache.Save(path, "s"), IsOk());
  pipeline::PrevoutCache loaded(1000);
  ASSERT_THAT(loaded.Load(path, "s"), IsOk());
  EXPECT_TRUE(loaded.complete());
  EXPECT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded.Spend(a, 0, &num, &o), pipeline::PrevoutCache::Result::kAlreadySpent);
  EXPECT_EQ(loaded.Spend(a, 2, &num, &o), pipeline::PrevoutCache::Result::kAlreadySpent);
  ASSERT_EQ(loaded.Spend(a, 1, &num, &o, &out_num), pipeline::PrevoutCache::Result::kOk);
  EXPECT_EQ(num, TxNum(10));
  EXPECT_EQ(out_num, 41u);  // the output numbers are kept too
  EXPECT_EQ(o.value, 6000);
  EXPECT_EQ(o.addr, 2u);
  ASSERT_EQ(loaded.Spend(b, 1, &num, &o, &out_num), pipeline::PrevoutCache::Result::kOk);
  EXPECT_EQ(out_num, store::kUnknownOutNum);
  EXPECT_THAT(loaded.Load(path, "t"), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(loaded.size(), 0u);
  EXPECT_FALSE(loaded.complete());
}

TEST(BlkFileCache, KeepsAtMostItsBoundOpenAndNamesAMissingFile) {
  const auto dir = MakeTempDir("blkfds");
  for (int i = 0; i < 20; ++i) {
    std::ofstream(dir / ("f" + std::to_string(i))) << "file number " << i;
  }
  pipeline::BlkFileCache cache(4);
  for (int round = 0; round < 3; ++round) {
    for (uint32_t i = 0; i < 20; ++i) {
      uint8_t buf[4];
      ASSERT_THAT(cache.Read(i, (dir / ("f" + std::to_string(i))).string(), 5, 4, buf), IsOk());
      EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), 4), "numb");
      EXPECT_LE(cache.open_files(), 4u);
    }
  }
  uint8_t buf[4];
  EXPECT_THAT(cache.Read(99, (dir / "gone").string(), 0, 4, buf),
              StatusIsWithMessage(absl::StatusCode::kNotFound, (dir / "gone").string()));
  EXPECT_THAT(cache.Read(0, (dir / "f0").string(), 100, 4, buf),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "at offset 100"));
}

TEST(FileLimit, ReachingItIsResourceExhaustedNamingTheLimit) {
  EXPECT_THAT(OpenError("/x/blk00001.dat", EMFILE),
              StatusIsWithMessage(absl::StatusCode::kResourceExhausted, "ulimit -n"));
  EXPECT_THAT(OpenError("/x/blk00001.dat", ENOENT),
              StatusIsWithMessage(absl::StatusCode::kNotFound, "/x/blk00001.dat"));
  EXPECT_GE(RaiseOpenFileLimit(), OpenFileLimit() > 0 ? 1u : 0u);
}

}  // namespace
}  // namespace ariadne::testing
