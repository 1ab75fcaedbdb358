// The generator end to end: determinism, blk files the project's decoder reads back, and ground
// truth that agrees with an independent replay of the chain.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "engine/core/address.h"
#include "engine/core/hex.h"
#include "engine/core/script.h"
#include "gen/generator.h"
#include "gen/truth.h"
#include "indexer/btc/blk_reader.h"
#include "indexer/btc/block.h"
#include "indexer/btc/block_tree.h"
#include "tests/testutil.h"

namespace ariadne::gen {
namespace {

namespace fs = std::filesystem;
using ::ariadne::testing::MakeTempDir;
using ::ariadne::testing::ReadFileBytes;
using ::ariadne::testing::ReadFileText;

GenOptions SmallChain(const fs::path& dir, uint64_t seed) {
  GenOptions o;
  o.out_dir = dir;
  o.blocks = 80;
  o.txs_per_block = 120;
  o.seed = seed;
  return o;
}

struct Outpoint {
  Txid txid;
  uint32_t vout;
  bool operator==(const Outpoint& o) const { return txid == o.txid && vout == o.vout; }
};
struct OutpointHash {
  size_t operator()(const Outpoint& o) const { return o.txid.Prefix64() ^ (o.vout * 0x9e37ULL); }
};
struct Coin {
  int64_t value;
  std::string address;
  ScriptType type = ScriptType::kNonstandard;
};

// A transaction as the replay saw it (kept when asked).
struct SeenTx {
  int32_t version = 0;
  uint32_t locktime = 0;
  std::vector<Coin> inputs;  // the coins spent
  std::vector<Coin> outputs;
};

// What an independent replay of the blk files finds.
struct Replay {
  uint64_t blocks = 0, txs = 0, inputs = 0, outputs = 0;
  uint64_t utxo_count = 0;
  int64_t utxo_value = 0;
  std::set<std::string> output_addresses;
  std::unordered_set<Txid> txids;
  // Input addresses of each transaction (for the truth checks).
  std::unordered_map<Txid, std::vector<std::string>> input_addresses;
  std::unordered_map<Txid, SeenTx> seen;  // non-coinbase transactions, with keep_txs
  std::vector<BlockHash> hashes;
  std::vector<std::string> errors;
};

// Reads every block of `dir`/blocks in file order and replays it: each input must spend an
// existing unspent output, merkle roots must match and each block must link to the previous one.
Replay ReplayChain(const fs::path& dir, Network network, bool keep_txs = false) {
  Replay r;
  auto files = btc::ListBlkFiles(dir / "blocks");
  if (!files.ok()) {
    r.errors.push_back(std::string(files.status().message()));
    return r;
  }
  auto key = btc::ReadXorKey(dir / "blocks");
  if (!key.ok()) {
    r.errors.push_back(std::string(key.status().message()));
    return r;
  }
  std::unordered_map<Outpoint, Coin, OutpointHash> utxos;
  btc::Block block;
  BlockHash prev;
  for (const fs::path& path : *files) {
    auto file = btc::BlkFile::Load(path, *key, network);
    if (!file.ok()) {
      r.errors.push_back(std::string(file.status().message()));
      return r;
    }
    btc::BlkRecord rec;
    while (true) {
      auto more = (*file)->Next(&rec);
      if (!more.ok()) {
        r.errors.push_back(std::string(more.status().message()));
        return r;
      }
      if (!*more) break;
      if (absl::Status s = btc::DecodeBlock(rec.block, rec.offset, btc::DecodeOptions(), &block);
          !s.ok()) {
        r.errors.push_back(std::string(s.message()));
        return r;
      }
      if (!block.merkle_ok)
        r.errors.push_back("merkle mismatch at block " + std::to_string(r.blocks));
      if (r.blocks > 0 && block.header.prev_hash != prev) {
        r.errors.push_back("broken prev link at block " + std::to_string(r.blocks));
      }
      prev = block.header.hash;
      r.hashes.push_back(block.header.hash);
      for (const btc::Tx& tx : block.txs) {
        ++r.txs;
        r.txids.insert(tx.txid);
        std::vector<std::string>& in_addrs = r.input_addresses[tx.txid];
        SeenTx seen{tx.version, tx.locktime, {}, {}};
        for (uint32_t i = 0; i < tx.input_count; ++i) {
          const btc::TxIn& in = block.input(tx, i);
          if (in.IsCoinbase()) continue;
          ++r.inputs;
          auto it = utxos.find(Outpoint{in.prev_txid(), in.prev_vout()});
          if (it == utxos.end()) {
            r.errors.push_back("missing or spent prevout in " + tx.txid.ToHex());
            continue;
          }
          in_addrs.push_back(it->second.address);
          if (keep_txs) seen.inputs.push_back(it->second);
          utxos.erase(it);
        }
        for (uint32_t i = 0; i < tx.output_count; ++i) {
          const btc::TxOut& o = block.output(tx, i);
          ++r.outputs;
          const ScriptType type = ClassifyScript(o.script);
          if (type == ScriptType::kOpReturn) continue;
          const std::string address = EncodeAddress(ScriptAddressKey(o.script, type), network);
          r.output_addresses.insert(address);
          if (keep_txs) seen.outputs.push_back(Coin{o.value, address, type});
          if (r.blocks == 0) continue;  // the genesis output is not spendable
          utxos[Outpoint{tx.txid, i}] = Coin{o.value, address, type};
        }
        if (keep_txs && !seen.inputs.empty()) r.seen[tx.txid] = std::move(seen);
      }
      ++r.blocks;
    }
  }
  r.utxo_count = utxos.size();
  for (const auto& [op, coin] : utxos) r.utxo_value += coin.value;
  return r;
}

std::map<std::string, std::vector<uint8_t>> ReadTree(const fs::path& dir) {
  std::map<std::string, std::vector<uint8_t>> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files[fs::relative(e.path(), dir).string()] = ReadFileBytes(e.path());
  }
  return files;
}

// One chain shared by the read-only tests (generated once).
const fs::path& SharedChain() {
  static const fs::path* dir = [] {
    auto* d = new fs::path(MakeTempDir("gen_shared"));
    GenOptions o = SmallChain(*d, 2024);
    EXPECT_THAT(GenerateChain(o, nullptr), IsOk());
    return d;
  }();
  return *dir;
}

TEST(GenerateChainTest, SameSeedGivesIdenticalBytesOtherSeedDiffers) {
  const fs::path a = MakeTempDir("gen_a"), b = MakeTempDir("gen_b"), c = MakeTempDir("gen_c");
  ASSERT_THAT(GenerateChain(SmallChain(a, 7), nullptr), IsOk());
  ASSERT_THAT(GenerateChain(SmallChain(b, 7), nullptr), IsOk());
  ASSERT_THAT(GenerateChain(SmallChain(c, 8), nullptr), IsOk());
  const auto fa = ReadTree(a), fb = ReadTree(b), fc = ReadTree(c);
  ASSERT_EQ(fa.size(), fb.size());
  for (const auto& [name, bytes] : fa) {
    ASSERT_TRUE(fb.count(name)) << name;
    EXPECT_TRUE(bytes == fb.at(name)) << name << " differs between two runs with the same seed";
  }
  EXPECT_FALSE(fa.at("blocks/blk00000.dat") == fc.at("blocks/blk00000.dat"));
  EXPECT_FALSE(fa.at("truth/addresses.csv") == fc.at("truth/addresses.csv"));
}

// Generating in chunks (a streaming replay) changes where blk files end, not the chain: the blocks,
// read in order across the files, and the truth are byte for byte those of one go.
TEST(GenerateChainTest, ChunksGiveTheSameChainWithAFileEndAtEachStop) {
  const fs::path a = MakeTempDir("gen_whole"), b = MakeTempDir("gen_chunks");
  ASSERT_THAT(GenerateChain(SmallChain(a, 7), nullptr), IsOk());
  GenOptions chunked = SmallChain(b, 7);
  std::vector<uint64_t> stops;
  std::vector<size_t> files_at_stop;
  chunked.next_chunk = [&](const GenProgress& p) -> uint64_t {
    if (p.height > 0) {
      stops.push_back(p.txs);
      size_t n = 0;
      for (const auto& e : fs::directory_iterator(b / "blocks"))
        n += e.path().extension() == ".dat";
      files_at_stop.push_back(n);
    }
    return stops.size() < 3 ? (stops.size() + 1) * 2000 : 0;
  };
  ASSERT_THAT(GenerateChain(chunked, nullptr), IsOk());
  ASSERT_EQ(stops.size(), 3u);
  for (size_t i = 0; i < stops.size(); ++i) {
    EXPECT_GE(stops[i], (i + 1) * 2000);
    EXPECT_EQ(files_at_stop[i], i + 1);  // each stop closes a file; the next chunk starts one
  }
  auto blocks_of = [](const fs::path& dir) {
    std::vector<uint8_t> all;
    for (const auto& [name, bytes] : ReadTree(dir)) {
      if (name.rfind("blocks/", 0) == 0) all.insert(all.end(), bytes.begin(), bytes.end());
    }
    return all;
  };
  EXPECT_TRUE(blocks_of(a) == blocks_of(b));
  EXPECT_TRUE(ReadTree(a).at("truth/addresses.csv") == ReadTree(b).at("truth/addresses.csv"));
}

TEST(GenerateChainTest, BlocksDecodeWithValidMerkleRootsFromTheRegtestGenesis) {
  const Replay r = ReplayChain(SharedChain(), Network::kRegtest);
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  ASSERT_EQ(r.blocks, 80u);
  EXPECT_EQ(r.hashes[0].ToHex(),
            "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206");
  EXPECT_GT(r.txs, 5000u);
}

TEST(GenerateChainTest, EveryHeaderPassesTheRulesTheIndexerChecks) {
  // Proof of work, regtest's bits, timestamps above the median past, the real genesis: the block
  // tree takes every block and refuses none.
  auto key = btc::ReadXorKey(SharedChain() / "blocks");
  ASSERT_THAT(key, IsOk());
  auto files = btc::ListBlkFiles(SharedChain() / "blocks");
  ASSERT_THAT(files, IsOk());
  btc::BlockTree tree(btc::PowParamsOf(Network::kRegtest));
  size_t blocks = 0;
  for (const auto& path : *files) {
    auto file = btc::BlkFile::Load(path, *key, Network::kRegtest);
    ASSERT_THAT(file, IsOk());
    btc::BlkRecord rec;
    while (true) {
      auto more = (*file)->Next(&rec);
      ASSERT_THAT(more, IsOk());
      if (!*more) break;
      const btc::BlockHeader h = btc::DecodeHeader(rec.block.data());
      store::BlockIndexEntry e;
      e.prev_hash = h.prev_hash;
      e.bits = h.bits;
      e.time = h.time;
      ASSERT_THAT(tree.Add(h.hash, e), IsOk()) << "height " << blocks;
      ++blocks;
    }
  }
  std::vector<btc::BlockTree::Refusal> refused;
  tree.Connect(&refused);
  for (const auto& r : refused) ADD_FAILURE() << r.status;
  auto best = tree.BestTip();
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(tree.block(*best).height + 1, static_cast<int32_t>(blocks));
}

TEST(GenerateChainTest, ReplayCountsEqualTheSummary) {
  const Replay r = ReplayChain(SharedChain(), Network::kRegtest);
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  auto truth = LoadTruth(SharedChain());
  ASSERT_THAT(truth, IsOk());
  const TruthSummary& s = truth->summary();
  EXPECT_EQ(s.blocks, r.blocks);
  EXPECT_EQ(s.txs, r.txs);
  EXPECT_EQ(s.inputs, r.inputs);
  EXPECT_EQ(s.outputs, r.outputs);
  EXPECT_EQ(s.utxo_count, r.utxo_count);
  EXPECT_EQ(s.utxo_value, r.utxo_value);
  EXPECT_EQ(s.addresses, r.output_addresses.size());
  EXPECT_EQ(truth->address_count(), r.output_addresses.size());
  EXPECT_EQ(s.network, "regtest");
  EXPECT_EQ(s.seed, 2024u);
  EXPECT_EQ(s.entities_by_kind.size(), 7u);
}

TEST(GenerateChainTest, EveryOutputAddressHasAnOwner) {
  const Replay r = ReplayChain(SharedChain(), Network::kRegtest);
  auto truth = LoadTruth(SharedChain());
  ASSERT_THAT(truth, IsOk());
  for (const std::string& a : r.output_addresses) {
    const std::optional<uint32_t> e = truth->EntityOf(a);
    ASSERT_TRUE(e.has_value()) << a << " is not in addresses.csv";
    ASSERT_NE(truth->entity(*e), nullptr);
  }
  std::set<EntityKind> kinds;
  for (const TruthEntity& e : truth->entities()) kinds.insert(e.kind);
  EXPECT_EQ(kinds.size(), 7u) << "every entity kind is present";
}

TEST(GenerateChainTest, OrdinaryMultiInputTxsAreOneEntityCoinJoinsAreMany) {
  const Replay r = ReplayChain(SharedChain(), Network::kRegtest);
  auto truth = LoadTruth(SharedChain());
  ASSERT_THAT(truth, IsOk());
  std::unordered_map<Txid, std::string> labels;
  for (const TxLabel& l : truth->tx_labels()) labels[l.txid] = l.label;
  size_t multi = 0, coinjoins = 0;
  for (const auto& [txid, addrs] : r.input_addresses) {
    std::set<uint32_t> entities;
    for (const std::string& a : addrs) entities.insert(*truth->EntityOf(a));
    auto it = labels.find(txid);
    const bool coinjoin = it != labels.end() && it->second != "whirlpool_tx0";
    if (coinjoin) {
      ++coinjoins;
      EXPECT_GE(entities.size(), 2u) << it->second << " " << txid.ToHex();
      if (it->second == "whirlpool_mix") {
        EXPECT_EQ(entities.size(), addrs.size());
      }
    } else if (addrs.size() > 1) {
      ++multi;
      std::string who;
      for (uint32_t e : entities) who += truth->entity(e)->name + " ";
      for (const std::string& a : addrs)
        who += "\n   " + a + " " + truth->entity(*truth->EntityOf(a))->name;
      EXPECT_EQ(entities.size(), 1u) << "common-input violated by " << txid.ToHex() << ": " << who;
    }
  }
  EXPECT_GT(multi, 100u);
  EXPECT_GT(coinjoins, 0u);
}

// The bcoin profile (gen/world.h) does what bcoin 1.0.2's wallet did on tests/wallets' chain:
// version 1, locktime 0, outputs in BIP69 order, and a nested-segwit wallet's change to native
// P2WPKH (the quirk that broke address_type, issue 19). Every entity has a profile in the truth.
TEST(GenerateChainTest, BcoinWalletsPayLikeBcoin) {
  const fs::path dir = MakeTempDir("gen_bcoin");
  GenOptions o = SmallChain(dir, 5);
  o.blocks = 150;
  o.txs_per_block = 150;
  o.era_begin = 2018.0;
  o.era_end = 2020.0;
  ASSERT_THAT(GenerateChain(o, nullptr), IsOk());
  auto truth = LoadTruth(dir);
  ASSERT_THAT(truth, IsOk());
  ASSERT_TRUE(truth->has_profiles());
  const std::set<std::string> known = {"legacy", "core", "electrum", "service", "bcoin"};
  for (const TruthEntity& e : truth->entities()) EXPECT_TRUE(known.contains(e.profile)) << e.id;
  std::set<Txid> labelled;
  for (const TxLabel& l : truth->tx_labels()) labelled.insert(l.txid);
  const Replay r = ReplayChain(dir, Network::kRegtest, true);
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  size_t bcoin_txs = 0, nested_change = 0;
  for (const auto& [txid, tx] : r.seen) {
    std::set<uint32_t> payers;
    for (const Coin& c : tx.inputs) payers.insert(*truth->EntityOf(c.address));
    if (payers.size() != 1 || labelled.contains(txid)) continue;
    const uint32_t payer = *payers.begin();
    if (truth->entity(payer)->profile != "bcoin" || tx.outputs.size() < 2) continue;
    std::vector<const Coin*> change;
    for (const Coin& c : tx.outputs) {
      if (c.type != ScriptType::kOpReturn && truth->EntityOf(c.address) == payer) {
        change.push_back(&c);
      }
    }
    if (change.size() != 1) continue;  // a payment with its change
    ++bcoin_txs;
    EXPECT_EQ(tx.version, 1) << txid.ToHex();
    EXPECT_EQ(tx.locktime, 0u) << txid.ToHex();
    for (size_t i = 1; i < tx.outputs.size(); ++i) {
      EXPECT_LE(tx.outputs[i - 1].value, tx.outputs[i].value) << "not BIP69: " << txid.ToHex();
    }
    bool nested = true;
    for (const Coin& c : tx.inputs) nested &= c.type == ScriptType::kP2sh;
    if (nested) {
      ++nested_change;
      EXPECT_EQ(change[0]->type, ScriptType::kP2wpkh) << txid.ToHex();
    }
  }
  EXPECT_GT(bcoin_txs, 20u);
  EXPECT_GT(nested_change, 0u);
}

TEST(GenerateChainTest, ScenarioIsCompleteAndPointsIntoTheChain) {
  const Replay r = ReplayChain(SharedChain(), Network::kRegtest);
  auto truth = LoadTruth(SharedChain());
  ASSERT_THAT(truth, IsOk());
  ASSERT_GE(truth->summary().scenarios, 1u);
  std::map<std::string, int> roles;
  int64_t proceeds = 0, cashout_total = 0, cashout_sum = 0;
  for (const ScenarioRow& row : truth->scenario_rows()) {
    ++roles[row.role];
    EXPECT_EQ(row.kind, "trafficking_proceeds");
    if (row.role.rfind("tx_", 0) == 0) {
      auto txid = Txid::FromHex(row.ref);
      ASSERT_THAT(txid, IsOk());
      EXPECT_TRUE(r.txids.count(*txid)) << row.role << " " << row.ref << " not in the chain";
    } else if (row.role != "proceeds" && row.role != "cashout_total" && row.role != "perpetrator") {
      EXPECT_TRUE(truth->EntityOf(row.ref).has_value()) << row.role << " " << row.ref;
    }
    if (row.role == "proceeds") proceeds += row.value;
    if (row.role == "cashout_total") cashout_total += row.value;
    if (row.role == "cashout") cashout_sum += row.value;
  }
  for (const char* role :
       {"seed", "victim", "tx_victim", "collector", "tx_consolidation", "consolidation", "tx_peel",
        "peel", "cashout", "tx_cashout", "proceeds", "perpetrator"}) {
    EXPECT_GT(roles[role], 0) << role;
  }
  EXPECT_EQ(roles["proceeds"], static_cast<int>(truth->summary().scenarios));
  EXPECT_GT(proceeds, 0);
  EXPECT_EQ(cashout_total, cashout_sum);
  EXPECT_LE(cashout_total, proceeds);
  EXPECT_GT(cashout_total, proceeds / 2);
}

TEST(GenerateChainTest, ObfuscatedFilesHoldTheSameBlocks) {
  const fs::path plain = MakeTempDir("gen_plain"), obf = MakeTempDir("gen_xor");
  GenOptions o = SmallChain(plain, 5);
  o.blocks = 30;
  ASSERT_THAT(GenerateChain(o, nullptr), IsOk());
  o.out_dir = obf;
  o.xor_blocks = true;
  ASSERT_THAT(GenerateChain(o, nullptr), IsOk());
  const std::vector<uint8_t> key = ReadFileBytes(obf / "blocks/xor.dat");
  ASSERT_EQ(key.size(), 8u);
  EXPECT_NE(key, std::vector<uint8_t>(8, 0));
  EXPECT_FALSE(fs::exists(plain / "blocks/xor.dat"));
  std::vector<uint8_t> a = ReadFileBytes(plain / "blocks/blk00000.dat");
  std::vector<uint8_t> b = ReadFileBytes(obf / "blocks/blk00000.dat");
  ASSERT_EQ(a.size(), b.size());
  EXPECT_NE(a, b);
  btc::XorKey k;
  std::copy(key.begin(), key.end(), k.begin());
  btc::ApplyXor(k, 0, b.data(), b.size());
  EXPECT_EQ(a, b);
  const Replay ra = ReplayChain(plain, Network::kRegtest), rb = ReplayChain(obf, Network::kRegtest);
  ASSERT_TRUE(rb.errors.empty()) << rb.errors.front();
  EXPECT_EQ(ra.hashes, rb.hashes);
  EXPECT_EQ(ReadFileText(plain / "truth/addresses.csv"), ReadFileText(obf / "truth/addresses.csv"));
}

TEST(GenerateChainTest, FilesRollAtTheMaximumSize) {
  const fs::path dir = MakeTempDir("gen_roll");
  GenOptions o = SmallChain(dir, 9);
  o.max_blk_file_size = 256 << 10;
  GenStats stats;
  ASSERT_THAT(GenerateChain(o, &stats), IsOk());
  auto files = btc::ListBlkFiles(dir / "blocks");
  ASSERT_THAT(files, IsOk());
  EXPECT_GT(files->size(), 3u);
  EXPECT_EQ(files->size(), stats.blk_files);
  uint64_t total = 0;
  for (const fs::path& f : *files) {
    const uint64_t size = fs::file_size(f);
    total += size;
    EXPECT_LT(size, o.max_blk_file_size + 4'000'000) << f;
  }
  EXPECT_EQ(total, stats.bytes);
  const Replay r = ReplayChain(dir, Network::kRegtest);
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_EQ(r.blocks, o.blocks);
  auto truth = LoadTruth(dir);
  ASSERT_THAT(truth, IsOk());
  EXPECT_EQ(truth->summary().txs, r.txs);
}

TEST(GenerateChainTest, NetworksWhoseBlocksCannotBeMinedAreRefused) {
  // Generated blocks carry proof of work; below regtest's limit that is about 2^32 hashes a block.
  for (Network n : {Network::kMainnet, Network::kTestnet, Network::kTestnet4, Network::kSignet}) {
    const fs::path dir = MakeTempDir("gen_other");
    GenOptions o = SmallChain(dir, 3);
    o.blocks = 25;
    o.network = n;
    EXPECT_THAT(GenerateChain(o, nullptr),
                StatusIsWithMessage(absl::StatusCode::kInvalidArgument,
                                    "cannot generate a " + std::string(Params(n).name) + " chain"));
    EXPECT_FALSE(fs::exists(dir / "blocks" / "blk00000.dat")) << Params(n).name;
  }
}

TEST(GenerateChainTest, RefusesAFolderWithBlocksAndBadOptions) {
  EXPECT_THAT(GenerateChain(GenOptions(), nullptr), StatusIs(absl::StatusCode::kInvalidArgument));
  GenOptions o = SmallChain(MakeTempDir("gen_twice"), 1);
  o.blocks = 3;
  ASSERT_THAT(GenerateChain(o, nullptr), IsOk());
  EXPECT_THAT(GenerateChain(o, nullptr), StatusIs(absl::StatusCode::kAlreadyExists));
  o.out_dir = MakeTempDir("gen_bad_era");
  o.era_end = o.era_begin;
  EXPECT_THAT(GenerateChain(o, nullptr), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(GenerateChainTest, ShapeIsCloseToMainnet) {
  auto truth = LoadTruth(SharedChain());
  ASSERT_THAT(truth, IsOk());
  const Replay r = ReplayChain(SharedChain(), Network::kRegtest);
  // Average inputs and outputs per transaction on mainnet are both a little over 2; most
  // transactions have one or two inputs and two outputs.
  const double in_per_tx = static_cast<double>(r.inputs) / r.txs;
  const double out_per_tx = static_cast<double>(r.outputs) / r.txs;
  EXPECT_GT(in_per_tx, 1.3);
  EXPECT_LT(in_per_tx, 4.0);
  EXPECT_GT(out_per_tx, 1.8);
  EXPECT_LT(out_per_tx, 4.5);
}

// --- the truth reader ------------------------------------------------------------------------

fs::path CopyTruth(const std::string& name) {
  const fs::path dir = MakeTempDir(name);
  fs::copy(SharedChain() / "truth", dir / "truth");
  return dir;
}

void ReplaceLine(const fs::path& file, int line, const std::string& text) {
  std::string data = ReadFileText(file);
  size_t pos = 0;
  for (int i = 1; i < line; ++i) pos = data.find('\n', pos) + 1;
  const size_t end = data.find('\n', pos);
  data.replace(pos, end - pos, text);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << data;
}

TEST(LoadTruthTest, ReadsTheGeneratedTruth) {
  auto truth = LoadTruth(SharedChain() / "truth");
  ASSERT_THAT(truth, IsOk());
  EXPECT_GT(truth->entities().size(), 100u);
  EXPECT_EQ(truth->entities()[0].name, "genesis-satoshi");
  EXPECT_FALSE(truth->EntityOf("bcrt1qnotanaddress").has_value());
  EXPECT_EQ(*truth->EntityOf(truth->address(5)), truth->address_entity(5));
  uint64_t rows = 0;
  ASSERT_THAT(ForEachTruthAddress(SharedChain(),
                                  [&](std::string_view a, uint32_t e) {
                                    EXPECT_EQ(truth->EntityOf(a), e);
                                    ++rows;
                                    return absl::OkStatus();
                                  }),
              IsOk());
  EXPECT_EQ(rows, truth->address_count());
}

// profiles.csv is optional (chains made before it, bcoin's chain of tests/wallets); when present
// it names every entity's profile, and a bad row is named.
TEST(LoadTruthTest, ProfilesAreOptionalAndCheckedWhenPresent) {
  auto truth = LoadTruth(SharedChain());
  ASSERT_THAT(truth, IsOk());
  EXPECT_TRUE(truth->has_profiles());
  EXPECT_EQ(truth->entities()[0].profile, "legacy");  // the genesis coinbase's owner
  {
    const fs::path dir = CopyTruth("truth_no_profiles");
    fs::remove(dir / "truth/profiles.csv");
    auto old = LoadTruth(dir);
    ASSERT_THAT(old, IsOk());
    EXPECT_FALSE(old->has_profiles());
    EXPECT_EQ(old->entities()[0].profile, "");
  }
  {
    const fs::path dir = CopyTruth("truth_bad_profile");
    ReplaceLine(dir / "truth/profiles.csv", 3, "7,core");
    EXPECT_THAT(LoadTruth(dir), StatusIsWithMessage(absl::StatusCode::kDataLoss, "profiles.csv:3"));
  }
}

TEST(LoadTruthTest, MalformedRowsNameFileAndLine) {
  {
    const fs::path dir = CopyTruth("truth_bad_addr");
    ReplaceLine(dir / "truth/addresses.csv", 3, "bcrt1qxyz,notanumber");
    EXPECT_THAT(LoadTruth(dir),
                StatusIsWithMessage(absl::StatusCode::kDataLoss, "addresses.csv:3"));
    EXPECT_THAT(
        ForEachTruthAddress(dir, [](std::string_view, uint32_t) { return absl::OkStatus(); }),
        StatusIsWithMessage(absl::StatusCode::kDataLoss, "addresses.csv:3"));
  }
  {
    const fs::path dir = CopyTruth("truth_bad_owner");
    ReplaceLine(dir / "truth/addresses.csv", 4, "bcrt1qxyz,999999999");
    EXPECT_THAT(LoadTruth(dir), StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                                    "addresses.csv:4: unknown entity_id"));
  }
  {
    const fs::path dir = CopyTruth("truth_dup");
    const std::string second = std::string(LoadTruth(SharedChain())->address(1));
    ReplaceLine(dir / "truth/addresses.csv", 5, second + ",1");
    EXPECT_THAT(LoadTruth(dir), StatusIsWithMessage(absl::StatusCode::kDataLoss, "duplicate"));
  }
  {
    const fs::path dir = CopyTruth("truth_bad_kind");
    ReplaceLine(dir / "truth/entities.csv", 2, "0,wizard,genesis-satoshi");
    EXPECT_THAT(LoadTruth(dir), StatusIsWithMessage(absl::StatusCode::kDataLoss, "entities.csv:2"));
  }
  {
    const fs::path dir = CopyTruth("truth_bad_scenario");
    ReplaceLine(dir / "truth/scenarios.csv", 2, "1,trafficking_proceeds,seed");
    EXPECT_THAT(LoadTruth(dir),
                StatusIsWithMessage(absl::StatusCode::kDataLoss, "scenarios.csv:2"));
  }
  {
    const fs::path dir = CopyTruth("truth_bad_header");
    ReplaceLine(dir / "truth/addresses.csv", 1, "addr,owner");
    EXPECT_THAT(LoadTruth(dir),
                StatusIsWithMessage(absl::StatusCode::kDataLoss, "addresses.csv:1"));
  }
  {
    const fs::path dir = CopyTruth("truth_missing");
    fs::remove(dir / "truth/summary.json");
    EXPECT_THAT(LoadTruth(dir), StatusIs(absl::StatusCode::kNotFound));
  }
}

}  // namespace
}  // namespace ariadne::gen
