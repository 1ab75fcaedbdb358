// Unit tests of the generator's parts: random numbers, keys and scripts, genesis blocks, values.
#include <unistd.h>

#include <cmath>
#include <set>

#include "engine/core/address.h"
#include "engine/core/hash.h"
#include "engine/core/script.h"
#include "gen/era.h"
#include "gen/file_sink.h"
#include "gen/genesis.h"
#include "gen/keys.h"
#include "gen/random.h"
#include "gen/values.h"
#include "tests/testutil.h"

namespace ariadne::gen {
namespace {

TEST(RngTest, SameSeedSameSequenceDifferentSeedDifferent) {
  Rng a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
}

TEST(RngTest, KnownFirstOutputsPinTheAlgorithm) {
  // xoshiro256** seeded by splitmix64(0): changing either changes every generated chain.
  Rng r(0);
  const uint64_t first = r.Next();
  Rng again(0);
  EXPECT_EQ(first, again.Next());
  EXPECT_EQ(Mix64(0), 0xe220a8397b1dcdafULL);
}

TEST(RngTest, BelowStaysInRangeAndCoversIt) {
  Rng r(7);
  std::vector<int> counts(10, 0);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t v = r.Below(10);
    ASSERT_LT(v, 10u);
    ++counts[v];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 600);
}

TEST(RngTest, DeterministicLogAndExpMatchLibm) {
  for (double x : {1e-300, 1e-9, 0.001, 0.5, 0.7071, 1.0, 1.5, 2.0, 10.0, 12345.678, 1e300}) {
    EXPECT_NEAR(DetLog(x), std::log(x), 1e-13 * std::max(1.0, std::fabs(std::log(x)))) << x;
  }
  for (double x : {-700.0, -20.0, -1.0, -0.1, 0.0, 0.3, 1.0, 5.5, 100.0, 700.0}) {
    EXPECT_NEAR(DetExp(x) / std::exp(x), 1.0, 1e-13) << x;
  }
}

TEST(RngTest, DistributionsHaveTheirMoments) {
  Rng r(11);
  double sum = 0, sum2 = 0, lsum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double z = r.Normal();
    sum += z;
    sum2 += z * z;
    lsum += DetLog(r.LogNormal(100, 1.0));
  }
  EXPECT_NEAR(sum / n, 0, 0.01);
  EXPECT_NEAR(sum2 / n, 1, 0.02);
  EXPECT_NEAR(lsum / n, std::log(100.0), 0.02);
  double g = 0;
  for (int i = 0; i < n; ++i) g += static_cast<double>(r.Geometric(0.25, 1000));
  EXPECT_NEAR(g / n, 3.0, 0.05);
}

class KeysTest : public ::testing::TestWithParam<OutKind> {};

TEST_P(KeysTest, OutputScriptIsStandardAndMatchesTheEngine) {
  const KeyDeriver keys(99);
  for (uint32_t id : {0u, 1u, 12345u, 0xfffffffeu}) {
    const AddrRef ref{id, GetParam()};
    uint8_t script[kMaxOutputScript];
    const size_t n = keys.OutputScript(ref, script);
    ASSERT_GT(n, 0u);
    EXPECT_EQ(n + 9, OutputSize(ref.kind));
    const ByteSpan s(script, n);
    EXPECT_EQ(ClassifyScript(s), ScriptTypeOf(ref.kind));
    const AddressKey key = keys.Key(ref);
    EXPECT_EQ(ScriptAddressKey(s), key);
    if (ScriptTypeOf(ref.kind) != ScriptType::kP2pk) {
      EXPECT_EQ(ScriptForAddressKey(key), std::vector<uint8_t>(s.begin(), s.end()));
    }
    EXPECT_EQ(keys.Address(ref, Network::kRegtest),
              EncodeAddress(ScriptAddressKey(s), Network::kRegtest));
  }
}

TEST_P(KeysTest, SpendsHaveTheEstimatedShape) {
  const KeyDeriver keys(5);
  Rng rng(5);
  const AddrRef ref{77, GetParam()};
  size_t max_sig = 0, max_wit = 0;
  for (int i = 0; i < 64; ++i) {
    std::vector<uint8_t> sig, wit;
    ByteWriter s(&sig), w(&wit);
    keys.WriteScriptSig(ref, &rng, &s);
    keys.WriteWitness(ref, &rng, &w);
    max_sig = std::max(max_sig, sig.size());
    max_wit = std::max(max_wit, wit.size());
  }
  const SpendSize est = EstimatedSpendSize(ref.kind);
  // The estimate assumes 72-byte signatures: the largest real spend matches it exactly.
  EXPECT_EQ(36 + max_sig + 4, est.base);
  if (SpendHasWitness(ref.kind)) {
    EXPECT_EQ(max_wit, est.witness);
  } else {
    EXPECT_EQ(max_wit, 1u);  // an empty witness in a segwit transaction
  }
}

INSTANTIATE_TEST_SUITE_P(AllKinds, KeysTest,
                         ::testing::Values(OutKind::kP2pkUncompressed, OutKind::kP2pk,
                                           OutKind::kP2pkhUncompressed, OutKind::kP2pkh,
                                           OutKind::kP2shMultisig, OutKind::kP2shP2wpkh,
                                           OutKind::kP2wpkh, OutKind::kP2wshMultisig,
                                           OutKind::kP2tr));

TEST(KeysTest, P2shSpendsRevealTheScriptTheirHashCommitsTo) {
  const KeyDeriver keys(3);
  Rng rng(3);
  for (OutKind kind : {OutKind::kP2shMultisig, OutKind::kP2shP2wpkh}) {
    const AddrRef ref{9, kind};
    std::vector<uint8_t> sig;
    ByteWriter w(&sig);
    keys.WriteScriptSig(ref, &rng, &w);
    // The redeem script is the last push of the scriptSig.
    const size_t redeem_len = kind == OutKind::kP2shMultisig ? 105 : 22;
    const ByteSpan redeem(sig.data() + sig.size() - redeem_len, redeem_len);
    const Hash160Bytes h = Hash160(redeem);
    const AddressKey key = keys.Key(ref);
    EXPECT_TRUE(std::equal(h.begin(), h.end(), key.payload.begin())) << OutKindName(kind);
  }
}

TEST(KeysTest, AddressesAreExactlyTheEnginesOnEveryNetwork) {
  const KeyDeriver keys(17);
  for (Network n : {Network::kMainnet, Network::kTestnet, Network::kRegtest, Network::kSignet}) {
    for (uint32_t id = 0; id < 3000; ++id) {
      for (OutKind k : {OutKind::kP2pkh, OutKind::kP2shMultisig, OutKind::kP2pkUncompressed}) {
        const AddrRef ref{id, k};
        ASSERT_EQ(keys.Address(ref, n), EncodeAddress(keys.Key(ref), n)) << id;
      }
    }
  }
}

TEST(KeysTest, DistinctIdsGiveDistinctAddresses) {
  const KeyDeriver keys(1);
  std::set<std::string> seen;
  for (uint32_t id = 0; id < 2000; ++id) {
    EXPECT_TRUE(seen.insert(keys.Address(AddrRef{id, OutKind::kP2wpkh}, Network::kRegtest)).second);
  }
}

TEST(GenesisTest, EveryNetworkHasItsRealGenesisBlock) {
  for (Network n : {Network::kMainnet, Network::kTestnet, Network::kTestnet4, Network::kSignet,
                    Network::kRegtest}) {
    const std::vector<uint8_t> block = GenesisBlock(n);
    ASSERT_GT(block.size(), 80u);
    EXPECT_EQ(BlockHash(Sha256d(ByteSpan(block.data(), 80)).span()).ToHex(), Params(n).genesis_hash)
        << Params(n).name;
  }
}

TEST(ValuesTest, RoundingAndRoundness) {
  Rng rng(1);
  for (int i = 0; i < 1000; ++i) {
    const int64_t v = 1000 + static_cast<int64_t>(rng.Below(1'000'000'000));
    EXPECT_TRUE(ValueModel::IsRound(ValueModel::RoundBtc(v, &rng))) << v;
  }
  EXPECT_TRUE(ValueModel::IsRound(5'000'000));    // 0.05 BTC
  EXPECT_TRUE(ValueModel::IsRound(120'000'000));  // 1.2 BTC
  EXPECT_FALSE(ValueModel::IsRound(123'456'789));
  EXPECT_EQ(ValueModel::RoundUsd(23), 25);
  EXPECT_EQ(ValueModel::RoundUsd(140), 100);
  EXPECT_EQ(ValueModel::RoundUsd(4100), 5000);
}

TEST(EraTest, ScriptTypesFollowTheCalendar) {
  const EraModel era(2009.0, 2025.0, 1000);
  EXPECT_DOUBLE_EQ(era.YearAt(0), 2009.0);
  EXPECT_DOUBLE_EQ(era.YearAt(999), 2025.0);
  Rng rng(2);
  auto share = [&](double year, std::initializer_list<OutKind> kinds) {
    int hits = 0;
    for (int i = 0; i < 10000; ++i) {
      const OutKind k = era.SampleWalletKind(year, &rng);
      for (OutKind want : kinds) hits += k == want ? 1 : 0;
    }
    return hits / 10000.0;
  };
  EXPECT_GT(share(2009.2, {OutKind::kP2pkUncompressed, OutKind::kP2pk}), 0.5);
  EXPECT_EQ(share(2016.0, {OutKind::kP2wpkh, OutKind::kP2shP2wpkh, OutKind::kP2tr}), 0.0);
  EXPECT_EQ(share(2021.0, {OutKind::kP2tr}), 0.0);
  EXPECT_GT(share(2022.0, {OutKind::kP2wpkh}), 0.5);
  EXPECT_GT(share(2024.8, {OutKind::kP2tr}), 0.1);
  EXPECT_EQ(era.Subsidy(0), 50 * 100'000'000LL);
  EXPECT_EQ(era.Subsidy(999), 3'125'000'00LL);
  EXPECT_GT(era.MedianFeeRate(2017.95), era.MedianFeeRate(2019.0));
}

// Writes odd-sized pieces across several 4 MiB flushes; the file must hold exactly them, whether
// the filesystem takes O_DIRECT (the temp dir) or not (tmpfs, when /dev/shm exists).
TEST(FileSinkTest, WritesExactlyWhatWasAppended) {
  std::vector<std::filesystem::path> dirs = {::ariadne::testing::MakeTempDir("sink")};
  if (std::filesystem::is_directory("/dev/shm")) dirs.push_back("/dev/shm");
  for (const std::filesystem::path& dir : dirs) {
    const std::filesystem::path path = dir / ("sink-" + std::to_string(getpid()) + ".bin");
    std::vector<uint8_t> expect;
    {
      auto sink = FileSink::Create(path);
      ASSERT_THAT(sink, IsOk());
      Rng rng(3);
      while (expect.size() < (11u << 20)) {
        std::vector<uint8_t> piece(1 + rng.Below(300'000));
        rng.Fill(piece.data(), piece.size());
        (*sink)->Append(piece.data(), piece.size());
        expect.insert(expect.end(), piece.begin(), piece.end());
      }
      EXPECT_EQ((*sink)->size(), expect.size());
      ASSERT_THAT((*sink)->Close(), IsOk());
    }
    EXPECT_EQ(::ariadne::testing::ReadFileBytes(path), expect) << path;
    std::filesystem::remove(path);
  }
}

}  // namespace
}  // namespace ariadne::gen
