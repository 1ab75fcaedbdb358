#include "gen/generator.h"

#include <cstring>
#include <deque>
#include <fstream>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/core/address.h"
#include "engine/core/byte_writer.h"
#include "engine/core/hash.h"
#include "engine/core/merkle.h"
#include "engine/core/script.h"
#include "engine/core/strings.h"
#include "gen/blk_writer.h"
#include "gen/coinjoin.h"
#include "gen/economy.h"
#include "gen/era.h"
#include "gen/genesis.h"
#include "gen/miner.h"
#include "gen/public_tags.h"
#include "gen/scenario.h"
#include "gen/truth_writer.h"
#include "gen/values.h"
#include "gen/world.h"

namespace ariadne::gen {
namespace {

namespace fs = std::filesystem;

// Blocks stop taking transactions at this weight, leaving room for the coinbase and for one more
// large transaction (a sweep or a CoinJoin is below 400k weight units).
constexpr uint64_t kBodyWeightLimit = 3'600'000;

uint32_t Maturity(const GenOptions& o) {
  if (o.coinbase_maturity != 0) return o.coinbase_maturity;
  if (o.blocks >= 2000) return 100;
  return std::max<uint32_t>(1, o.blocks / 20);
}

std::array<uint8_t, 8> XorKeyFor(uint64_t seed) {
  std::array<uint8_t, 8> key;
  uint64_t v = Mix64(seed ^ 0x786f722e646174ULL);  // "xor.dat"
  if (v == 0) v = 1;
  std::memcpy(key.data(), &v, 8);
  return key;
}

// Appends BIP34's height push (a minimal CScriptNum; OP_1..OP_16 for small heights).
void PushHeight(uint32_t height, ByteWriter* w) {
  if (height >= 1 && height <= 16) {
    w->U8(static_cast<uint8_t>(0x50 + height));
    return;
  }
  uint8_t bytes[5];
  int n = 0;
  uint32_t v = height;
  while (v > 0) {
    bytes[n++] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
  if (n > 0 && (bytes[n - 1] & 0x80)) bytes[n++] = 0;
  w->U8(static_cast<uint8_t>(n));
  w->Bytes(bytes, static_cast<size_t>(n));
}

std::string SummaryJson(const GenOptions& o, const GenStats& s, const WorldTotals& t,
                        const std::vector<TxLabel>& labels, uint32_t maturity) {
  std::string j = "{\n";
  absl::StrAppend(&j, "  \"generator_version\": \"", AV(kGeneratorVersion), "\",\n");
  absl::StrAppend(&j, "  \"network\": \"", AV(Params(o.network).name), "\",\n");
  absl::StrAppend(&j, "  \"seed\": ", o.seed, ",\n");
  absl::StrAppend(&j, "  \"blocks\": ", s.blocks, ",\n");
  absl::StrAppend(&j, "  \"txs\": ", s.txs, ",\n");
  absl::StrAppend(&j, "  \"inputs\": ", s.inputs, ",\n");
  absl::StrAppend(&j, "  \"outputs\": ", s.outputs, ",\n");
  absl::StrAppend(&j, "  \"addresses\": ", s.addresses, ",\n");
  absl::StrAppend(&j, "  \"utxo_count\": ", s.utxo_count, ",\n");
  absl::StrAppend(&j, "  \"utxo_value\": ", s.utxo_value, ",\n");
  absl::StrAppend(&j, "  \"blk_files\": ", s.blk_files, ",\n");
  absl::StrAppend(&j, "  \"blk_bytes\": ", s.bytes, ",\n");
  j += "  \"entities\": {";
  for (int k = 0; k < kNumEntityKinds; ++k) {
    absl::StrAppend(&j, k ? ", " : "", "\"", AV(EntityKindName(static_cast<EntityKind>(k))),
                    "\": ", s.entities[k]);
  }
  j += "},\n";
  absl::StrAppend(&j, "  \"scenarios\": ", s.scenarios, ",\n");
  absl::StrAppend(&j, "  \"scenarios_completed\": ", s.scenarios_completed, ",\n");
  std::map<std::string, uint64_t> by_label;
  for (const TxLabel& l : labels) ++by_label[l.label];
  j += "  \"tx_labels\": {";
  bool first = true;
  for (const auto& [label, n] : by_label) {
    absl::StrAppend(&j, first ? "" : ", ", "\"", label, "\": ", n);
    first = false;
  }
  j += "},\n";
  const char* kBuckets[] = {"1", "2", "3", "4-9", "10+"};
  auto histogram = [&](const char* name, const std::array<uint64_t, 5>& h) {
    absl::StrAppend(&j, "    \"", name, "\": {");
    for (int i = 0; i < 5; ++i) absl::StrAppend(&j, i ? ", " : "", "\"", kBuckets[i], "\": ", h[i]);
    j += "},\n";
  };
  j += "  \"shape\": {\n";
  histogram("txs_by_inputs", t.by_inputs);
  histogram("txs_by_outputs", t.by_outputs);
  absl::StrAppend(&j, "    \"one_input_two_outputs\": ", t.one_in_two_out, ",\n");
  absl::StrAppend(&j, "    \"two_outputs_one_round\": ", t.round_payments, ",\n");
  j += "    \"outputs_by_kind\": {";
  for (int k = 0; k < kNumOutKinds; ++k) {
    absl::StrAppend(&j, k ? ", " : "", "\"", OutKindName(static_cast<OutKind>(k)),
                    "\": ", t.by_kind[k]);
  }
  j += "}\n  },\n";
  j += "  \"options\": {";
  absl::StrAppend(&j, "\"txs_per_block\": ", o.txs_per_block, ", \"coinbase_maturity\": ", maturity,
                  ", \"era_begin\": ", absl::StrFormat("%.2f", o.era_begin),
                  ", \"era_end\": ", absl::StrFormat("%.2f", o.era_end),
                  ", \"premine\": ", o.premine, ", \"xor\": ", o.xor_blocks ? "true" : "false",
                  ", \"max_blk_file_size\": ", o.max_blk_file_size, "}\n");
  j += "}\n";
  return j;
}

// Returns: the transactions each block should take (index = height): in proportion to mainnet's
// activity in the block's era (EraModel::TxDensity), but never above what fits in a block of that
// era (about 2,000 legacy or 2,500 segwit-era transactions under the weight limit), the excess
// spread over the blocks with room ("water-filling"). When the chain asks for more than all blocks
// hold, every block is planned full and the chain comes out shorter.
// Out: headroom[h]: 1 - target / capacity (0 for a block planned full).
std::vector<double> PlanBlockTargets(const EraModel& era, uint32_t first, uint32_t blocks,
                                     uint64_t total, std::vector<double>* headroom) {
  std::vector<double> density(blocks, 0), capacity(blocks, 0), targets(blocks, 0);
  for (uint32_t h = first; h < blocks; ++h) {
    const double year = era.YearAt(h);
    density[h] = era.TxDensity(year);
    // Average weight units per transaction the generator produces: ~1,750 in the legacy era,
    // ~1,500 once most inputs are segwit.
    const double t = std::clamp((year - 2017.6) / 3.5, 0.0, 1.0);
    capacity[h] = 0.99 * static_cast<double>(kBodyWeightLimit) / (1750 - 250 * t);
  }
  auto planned = [&](double k) {
    double sum = 0;
    for (uint32_t h = first; h < blocks; ++h) sum += std::min(k * density[h], capacity[h]);
    return sum;
  };
  double lo = 0, hi = 1;
  while (planned(hi) < static_cast<double>(total) && hi < 1e12) hi *= 2;
  for (int i = 0; i < 60; ++i) {
    const double mid = (lo + hi) / 2;
    (planned(mid) < static_cast<double>(total) ? lo : hi) = mid;
  }
  headroom->assign(blocks, 0);
  for (uint32_t h = first; h < blocks; ++h) {
    targets[h] = std::min(hi * density[h], capacity[h]);
    (*headroom)[h] = 1 - targets[h] / capacity[h];
  }
  return targets;
}

absl::Status CheckOptions(const GenOptions& o) {
  if (o.out_dir.empty()) return absl::InvalidArgumentError("no output folder (--out)");
  if (o.blocks == 0) return absl::InvalidArgumentError("blocks must be at least 1");
  if (absl::Status s = CheckMinable(o.network); !s.ok()) return s;
  if (!(o.era_begin < o.era_end)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("era_begin (%.2f) must be before era_end (%.2f)", o.era_begin, o.era_end));
  }
  if (o.max_blk_file_size < 1024) {
    return absl::InvalidArgumentError("the blk file roll size must be at least 1 KiB");
  }
  if (o.premine < 0 || o.premine > 15'000'000LL * 100'000'000LL) {
    return absl::InvalidArgumentError("premine must be within 0 .. 15,000,000 BTC");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status GenerateChain(const GenOptions& options, GenStats* stats_out) {
  if (absl::Status s = CheckOptions(options); !s.ok()) return s;
  const fs::path blocks_dir = options.out_dir / "blocks";
  std::error_code ec;
  fs::create_directories(blocks_dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create ", blocks_dir.string(), ": ", ec.message()));
  }
  for (const auto& entry : fs::directory_iterator(blocks_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("blk", 0) == 0 && entry.path().extension() == ".dat") {
      return absl::AlreadyExistsError(absl::StrCat(
          blocks_dir.string(), " already holds blk files; generate into an empty folder"));
    }
  }

  const uint32_t blocks = options.blocks;
  const uint32_t maturity = Maturity(options);
  const uint64_t expected_txs = static_cast<uint64_t>(blocks - 1) * options.txs_per_block;
  const uint32_t scenario_count =
      options.scenarios >= 0
          ? static_cast<uint32_t>(options.scenarios)
          : static_cast<uint32_t>(std::clamp<uint64_t>(expected_txs / 250'000, 1, 200));
  const Network network = options.network;

  std::unique_ptr<TruthWriter> truth;
  if (options.write_truth) {
    absl::StatusOr<std::unique_ptr<TruthWriter>> t = TruthWriter::Open(options.out_dir / "truth");
    if (!t.ok()) return t.status();
    truth = std::move(*t);
  }
  const std::array<uint8_t, 8> xor_key =
      options.xor_blocks ? XorKeyFor(options.seed) : std::array<uint8_t, 8>{};
  if (options.xor_blocks) {
    const fs::path path = blocks_dir / "xor.dat";
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(xor_key.data()), 8);
    if (!out) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  }

  EraModel era(options.era_begin, options.era_end, blocks);
  ValueModel values(&era);
  World world(options.seed, network, &era, truth.get());
  world.SetHeight(0, 1);
  Population pop = Population::ForChain(expected_txs, scenario_count, options.individuals);
  Economy economy(&world, &values, pop);
  CoinJoins coinjoins(&world, &economy);
  // Transactions only start once the premine (block 1) has matured.
  const uint32_t first_active = 1 + maturity;
  Scenarios scenarios(&world, &economy, &coinjoins, scenario_count, expected_txs);
  Rng& rng = world.rng();

  BlkWriter writer(blocks_dir, Params(network).magic, xor_key, options.max_blk_file_size);
  GenStats stats;

  // Block 0: the network's genesis block. Its output is not spendable (not in the UTXO set).
  const std::vector<uint8_t> genesis = GenesisBlock(network);
  {
    const ByteSpan parts[] = {ByteSpan(genesis)};
    if (absl::Status s = writer.WriteBlock(parts); !s.ok()) return s;
  }
  {
    // The genesis coinbase's output script: the last output of the one transaction.
    const size_t script_end = genesis.size() - 4;
    const size_t script_len = genesis[script_end - 68] == 67 ? 67 : 35;
    const ByteSpan script(genesis.data() + script_end - script_len, script_len);
    if (truth != nullptr) truth->AddAddress(EncodeAddress(ScriptAddressKey(script), network), 0);
    world.totals().txs += 1;
    world.CountOutput(false, 0);
  }
  BlockHash prev = BlockHash(Sha256d(ByteSpan(genesis.data(), 80)).span());
  uint32_t time = GenesisTime(network);
  const uint32_t bits = PowLimitBits(network);

  std::deque<std::pair<uint32_t, uint32_t>> immature;  // (release height, coin slot)
  std::vector<PlannedOutput> coinbase_outputs;
  std::vector<uint32_t> created;
  std::vector<uint8_t> coinbase;
  std::vector<Uint256> merkle_scratch;
  uint64_t tx_index = 0;
  double deficit = 0;
  std::vector<double> headroom;
  const std::vector<double> targets =
      PlanBlockTargets(era, first_active, blocks, expected_txs, &headroom);

  uint64_t chunk_end = 0;
  if (options.next_chunk) {
    GenProgress p;
    p.blocks = blocks;
    p.txs = world.totals().txs;
    p.bytes = writer.bytes();
    chunk_end = options.next_chunk(p);
  }
  for (uint32_t h = 1; h < blocks; ++h) {
    const double year = era.YearAt(h);
    world.SetHeight(h, era.MedianFeeRate(year) * rng.LogNormal(1.0, 0.5));
    economy.OnBlock();
    while (!immature.empty() && immature.front().first <= h) {
      const uint32_t slot = immature.front().second;
      world.Attach(slot, world.utxo(slot).pool);
      immature.pop_front();
    }
    BlockBody& body = world.body();
    body.Clear();
    world.SetActiveShare(0.05 + 0.95 * std::min(1.0, static_cast<double>(tx_index) /
                                                         std::max<uint64_t>(expected_txs, 1)));

    // This block's transactions.
    if (h >= first_active) {
      // Blocks with room vary by up to +-40%; full ones are full.
      const double want = targets[h] * (1 + (0.8 * rng.Unit() - 0.4) * headroom[h]) + deficit;
      const uint64_t target = static_cast<uint64_t>(want);
      const bool hurry = h + 2 >= blocks;
      uint64_t made = 0;
      for (uint64_t attempt = 0; made < target && attempt < 3 * target + 10; ++attempt) {
        if (body.weight >= kBodyWeightLimit) break;
        const bool ok = scenarios.RunDue(tx_index, hurry) || economy.RunDue(tx_index) ||
                        economy.Step(tx_index, &coinjoins);
        if (ok) {
          ++made;
          ++tx_index;
        }
      }
      if (h + 1 == blocks) {
        // The last block completes every scenario that is still running.
        for (int i = 0; i < 5000 && !scenarios.AllDone() && body.weight < kBodyWeightLimit; ++i) {
          if (scenarios.RunDue(tx_index, true)) ++tx_index;
        }
      }
      deficit = std::clamp(want - static_cast<double>(made), 0.0, 2.0 * options.txs_per_block + 10);
    }

    // The coinbase: subsidy and fees (block 1 also carries the premine).
    coinbase_outputs.clear();
    economy.CoinbaseOutputs(era.Subsidy(h) + body.fees, &coinbase_outputs);
    if (h == 1 && options.premine > 0) economy.PremineOutputs(options.premine, &coinbase_outputs);
    const bool segwit = EraModel::SegwitActive(year);
    coinbase.clear();
    ByteWriter cb(&coinbase);
    cb.I32LE(segwit ? 2 : 1);
    if (segwit) {
      cb.U8(0);
      cb.U8(1);
    }
    const size_t cb_vin = coinbase.size();
    cb.CompactSize(1);
    cb.Bytes(Uint256().span());
    cb.U32LE(0xffffffff);
    {
      std::vector<uint8_t> sig;
      ByteWriter s(&sig);
      PushHeight(h, &s);
      uint8_t extranonce[8];
      rng.Fill(extranonce, sizeof(extranonce));
      s.U8(8);
      s.Bytes(extranonce, 8);
      // Pools sign their coinbases (here with the miner's entity id).
      const std::string tag = absl::StrCat("/ariadne:", coinbase_outputs[0].owner, "/");
      s.U8(static_cast<uint8_t>(tag.size()));
      s.Bytes(reinterpret_cast<const uint8_t*>(tag.data()), tag.size());
      cb.VarBytes(sig);
    }
    cb.U32LE(0xffffffff);
    cb.CompactSize(coinbase_outputs.size() + (segwit ? 1 : 0));
    uint8_t script[kMaxOutputScript];
    for (const PlannedOutput& o : coinbase_outputs) {
      cb.I64LE(o.value);
      const size_t n = world.keys().OutputScript(o.addr, script);
      cb.CompactSize(n);
      cb.Bytes(script, n);
    }
    if (segwit) {
      // BIP141 witness commitment: SHA-256d(witness merkle root || 32-byte reserved value), with
      // the coinbase's wtxid taken as zero.
      body.wtxids[0] = Uint256();
      const Uint256 witness_root = ComputeMerkleRoot(body.wtxids, &merkle_scratch);
      uint8_t buf[64] = {};
      std::memcpy(buf, witness_root.data(), 32);
      const Uint256 commitment = Sha256d(ByteSpan(buf, 64));
      cb.I64LE(0);
      cb.U8(38);
      const uint8_t head[6] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
      cb.Bytes(head, 6);
      cb.Bytes(commitment.span());
    }
    const size_t cb_vout_end = coinbase.size();
    if (segwit) {
      cb.U8(1);  // the witness reserved value: one 32-byte item of zeros
      cb.U8(32);
      cb.Bytes(Uint256().span());
    }
    const size_t cb_lock = coinbase.size();
    cb.U32LE(0);
    Txid cb_txid;
    {
      Sha256Hasher hasher;
      hasher.Write(coinbase.data(), 4);
      hasher.Write(coinbase.data() + cb_vin, cb_vout_end - cb_vin);
      hasher.Write(coinbase.data() + cb_lock, 4);
      hasher.FinishDouble(cb_txid.data());
    }
    body.txids[0] = Uint256(cb_txid.span());
    const Uint256 merkle_root = ComputeMerkleRoot(body.txids, &merkle_scratch);

    // The header: realistic, strictly increasing timestamps (10-minute mean), and proof of work:
    // the nonce counts up from a random start until the hash meets the target.
    time += std::max<uint32_t>(1, static_cast<uint32_t>(rng.Exponential(600)));
    std::vector<uint8_t> header;
    header.reserve(80 + 9);
    ByteWriter hw(&header);
    hw.I32LE(era.BlockVersion(year));
    hw.Bytes(prev.span());
    hw.Bytes(merkle_root.span());
    hw.U32LE(time);
    hw.U32LE(bits);
    hw.U32LE(static_cast<uint32_t>(rng.Next()));
    absl::StatusOr<BlockHash> mined = GrindNonce(header.data());
    if (!mined.ok()) return mined.status();
    prev = *mined;
    hw.CompactSize(body.txids.size());
    const ByteSpan parts[] = {ByteSpan(header), ByteSpan(coinbase), ByteSpan(body.bytes)};
    if (absl::Status s = writer.WriteBlock(parts); !s.ok()) return s;

    world.CreateCoinbaseCoins(cb_txid, coinbase_outputs, &created);
    for (uint32_t slot : created) {
      if (slot != kNoId) immature.emplace_back(h + maturity, slot);
    }
    if (segwit) world.CountOutput(false, 0);  // the witness commitment
    world.totals().txs += 1;
    world.totals().tx_bytes += coinbase.size();

    if (options.progress || (chunk_end > 0 && world.totals().txs >= chunk_end)) {
      GenProgress p;
      p.height = h;
      p.blocks = blocks;
      p.txs = world.totals().txs;
      p.bytes = writer.bytes();
      if (options.progress) options.progress(p);
      if (chunk_end > 0 && p.txs >= chunk_end && h + 1 < blocks) {
        // The chunk's last blk file is complete before the caller reads it.
        if (absl::Status s = writer.Close(); !s.ok()) return s;
        chunk_end = options.next_chunk(p);
      }
    }
  }
  if (absl::Status s = writer.Close(); !s.ok()) return s;

  const WorldTotals& t = world.totals();
  stats.blocks = blocks;
  stats.txs = t.txs;
  stats.inputs = t.inputs;
  stats.outputs = t.outputs;
  stats.bytes = writer.bytes();
  stats.blk_files = writer.files();
  stats.addresses = truth != nullptr ? truth->addresses() : 0;
  stats.utxo_count = t.utxo_count;
  stats.utxo_value = t.utxo_value;
  const std::vector<uint64_t> counts = world.CountByKind();
  for (int k = 0; k < kNumEntityKinds; ++k) stats.entities[k] = counts[k];
  stats.scenarios = scenario_count;
  stats.scenarios_completed = scenarios.completed();
  stats.coinjoins = world.labels().size();
  if (truth != nullptr) {
    std::string entities_csv, profiles_csv;
    world.AppendEntitiesCsv(&entities_csv);
    world.AppendProfilesCsv(&profiles_csv);
    const std::vector<ScenarioRow> rows = scenarios.Rows();
    const std::string summary = SummaryJson(options, stats, t, world.labels(), maturity);
    if (absl::Status s = truth->Finish(entities_csv, profiles_csv, rows, world.labels(), summary);
        !s.ok()) {
      return s;
    }
    PublicTagOptions tag_options;
    tag_options.seed = options.seed;
    auto tags = WritePublicTags(options.out_dir / "truth", tag_options);
    if (!tags.ok()) return tags.status();
  }
  if (stats_out != nullptr) *stats_out = stats;
  return absl::OkStatus();
}

}  // namespace ariadne::gen
