#include "tests/indexer/btc/chain_builder.h"

#include <simdjson.h>

#include <cstring>
#include <fstream>

#include "engine/core/byte_writer.h"
#include "engine/core/hash.h"
#include "engine/core/hex.h"
#include "gen/genesis.h"
#include "gen/miner.h"
#include "tests/testutil.h"

namespace ariadne::testing {
namespace {

// Pushes a number as Core's CScriptNum (minimal little-endian, sign byte when needed).
void PushNumber(uint32_t v, std::vector<uint8_t>* script) {
  std::vector<uint8_t> bytes;
  for (; v > 0; v >>= 8) bytes.push_back(static_cast<uint8_t>(v & 0xff));
  if (!bytes.empty() && (bytes.back() & 0x80)) bytes.push_back(0);
  script->push_back(static_cast<uint8_t>(bytes.size()));
  script->insert(script->end(), bytes.begin(), bytes.end());
}

// Returns: a one-input one-output coinbase transaction.
std::vector<uint8_t> Coinbase(int32_t version, const std::vector<uint8_t>& script_sig,
                              const std::vector<uint8_t>& output_script) {
  std::vector<uint8_t> tx;
  ByteWriter w(&tx);
  w.I32LE(version);
  w.CompactSize(1);
  w.Bytes(Uint256().span());
  w.U32LE(0xffffffff);
  w.VarBytes(script_sig);
  w.U32LE(0xffffffff);
  w.CompactSize(1);
  w.I64LE(50 * 100'000'000LL);
  w.VarBytes(output_script);
  w.U32LE(0);
  return tx;
}

enum class Pow { kMine, kFail, kAsIs };

TestBlock Assemble(int32_t version, const BlockHash& prev, uint32_t time, uint32_t bits,
                   uint32_t nonce, const std::vector<uint8_t>& coinbase, Pow pow) {
  const Uint256 merkle = Sha256d(coinbase);  // one transaction: the root is its txid
  TestBlock b;
  ByteWriter w(&b.bytes);
  w.I32LE(version);
  w.Bytes(prev.span());
  w.Bytes(merkle.span());
  w.U32LE(time);
  w.U32LE(bits);
  w.U32LE(nonce);
  if (pow == Pow::kMine) {
    auto hash = gen::GrindNonce(b.bytes.data());
    EXPECT_TRUE(hash.ok()) << hash.status();
    b.hash = hash.ok() ? *hash : BlockHash();
  } else {
    for (;; ++nonce) {
      std::memcpy(b.bytes.data() + 76, &nonce, 4);
      b.hash = BlockHash(Sha256d(ByteSpan(b.bytes.data(), 80)).span());
      if (pow == Pow::kAsIs || !gen::MeetsTarget(b.hash, bits)) break;
    }
  }
  w.CompactSize(1);
  w.Bytes(coinbase);
  return b;
}

}  // namespace

TestBlock MakeTestBlock(const TestHeader& h, bool mine) {
  std::vector<uint8_t> script_sig;
  PushNumber(h.height, &script_sig);
  script_sig.push_back(static_cast<uint8_t>(h.tag.size()));
  script_sig.insert(script_sig.end(), h.tag.begin(), h.tag.end());
  const std::vector<uint8_t> op_true = {0x51};
  return Assemble(h.version, h.prev, h.time, h.bits, 0, Coinbase(1, script_sig, op_true),
                  mine ? Pow::kMine : Pow::kFail);
}

std::vector<uint8_t> BlkRecords(Network network, std::span<const TestBlock> blocks) {
  std::vector<uint8_t> out;
  ByteWriter w(&out);
  for (const TestBlock& b : blocks) {
    w.Bytes(Params(network).magic.data(), 4);
    w.U32LE(static_cast<uint32_t>(b.bytes.size()));
    w.Bytes(b.bytes);
  }
  return out;
}

void WriteFile(const std::filesystem::path& path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  EXPECT_TRUE(out.good()) << path;
}

TestBlock RegtestGenesis() {
  TestBlock g;
  g.bytes = gen::GenesisBlock(Network::kRegtest);
  g.hash = BlockHash(Sha256d(ByteSpan(g.bytes.data(), 80)).span());
  return g;
}

std::vector<TestBlock> RegtestBlocks(const BlockHash& parent, uint32_t parent_height,
                                     uint32_t parent_time, int n, const std::string& tag) {
  std::vector<TestBlock> out;
  BlockHash prev = parent;
  for (int i = 1; i <= n; ++i) {
    TestHeader h;
    h.prev = prev;
    h.height = parent_height + static_cast<uint32_t>(i);
    h.time = parent_time + 600 * static_cast<uint32_t>(i);
    h.tag = tag + " " + std::to_string(h.height);
    out.push_back(MakeTestBlock(h));
    prev = out.back().hash;
  }
  return out;
}

std::vector<TestBlock> CoreMainnetAltChain() {
  // As test/functional/mining_mainnet.py rebuilds it: version 0x20000000, one coinbase (version 2,
  // BIP34 height with an OP_0 dummy below 17, 50 BTC to a P2PKH script), the stored time and nonce.
  const std::string text =
      ReadFileText(TestData("bitcoin-core-testdata/test/functional/data/mainnet_alt.json"));
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(text);
  std::vector<uint32_t> times, nonces;
  for (simdjson::dom::element e : doc["timestamps"].get_array()) {
    times.push_back(static_cast<uint32_t>(int64_t(e)));
  }
  for (simdjson::dom::element e : doc["nonces"].get_array()) {
    nonces.push_back(static_cast<uint32_t>(int64_t(e)));
  }
  const std::vector<uint8_t> p2pkh =
      *HexDecode("76a914eadbac7f36c37e39361168b7aaee3cb24a25312d88ac");
  std::vector<TestBlock> out;
  BlockHash prev = *BlockHash::FromHex(Params(Network::kMainnet).genesis_hash);
  for (uint32_t height = 1; height <= times.size(); ++height) {
    std::vector<uint8_t> script_sig;
    if (height <= 16) {
      script_sig = {static_cast<uint8_t>(0x50 + height), 0x00};
    } else {
      PushNumber(height, &script_sig);
    }
    const uint32_t bits = height < 2016 ? 0x1d00ffff : 0x1c3fffc0;
    TestBlock b = Assemble(0x20000000, prev, times[height - 1], bits, nonces[height - 1],
                           Coinbase(2, script_sig, p2pkh), Pow::kAsIs);
    prev = b.hash;
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<std::vector<uint8_t>> MainnetHeaders() {
  const std::string text = ReadFileText(TestData("bitcoin-s/block_headers.json"));
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(text);
  std::vector<std::vector<uint8_t>> out;
  for (simdjson::dom::element e : doc.get_array()) {
    auto bytes = HexDecode(std::string_view(e.get_string()));
    EXPECT_TRUE(bytes.ok() && bytes->size() == 80);
    out.push_back(bytes.ok() ? *bytes : std::vector<uint8_t>(80));
  }
  return out;
}

int ListAncestry::RecentTimes(int n, uint32_t* times) const {
  int got = 0;
  for (int32_t h = parent_height(); h >= 0 && got < n; --h) times[got++] = headers_[h].time;
  return got;
}

uint32_t ListAncestry::LastNonMinDifficultyBits() const {
  int32_t h = parent_height();
  while (h > 0 && h % interval_ != 0 && headers_[h].bits == limit_bits_) --h;
  return headers_[h].bits;
}

}  // namespace ariadne::testing
