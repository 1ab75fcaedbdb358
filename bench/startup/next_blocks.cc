// Writes blocks that extend a chain in blk files, for the refresh measurement
// (bench/startup/refresh.sh): `count` blocks of `txs` new transactions each on top of the chain's
// tip, every transaction spending one or two outputs the chain's last `tail` blocks left unspent
// (so the indexer makes common-input unions, consumes pending change candidates and adds new
// ones) and paying a fresh address and change back to its first input's script.
//
//   next_blocks --blocks DIR --out FILE [--count 1] [--txs 1000] [--tail 20] [--network regtest]
//
// Only the last `tail` blocks are kept in memory: a chain of any length can be extended.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/core/byte_writer.h"
#include "engine/core/hash.h"
#include "engine/core/merkle.h"
#include "indexer/btc/blk_reader.h"
#include "indexer/btc/block.h"
#include "tests/indexer/pipeline/fork_builder.h"

namespace ariadne {
namespace {

using Bytes = std::vector<uint8_t>;

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "next_blocks: %s\n", s.ToString().c_str());
  return 1;
}

struct Unspent {
  uint8_t prevout[36];
  int64_t value;
  Bytes script;
};

int Run(int argc, char** argv) {
  std::string blocks, out, network_name = "regtest";
  uint32_t count = 1, txs = 1000, tail = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--blocks") {
      blocks = value;
    } else if (flag == "--out") {
      out = value;
    } else if (flag == "--network") {
      network_name = value;
    } else if ((flag == "--count" && absl::SimpleAtoi(value, &count)) ||
               (flag == "--txs" && absl::SimpleAtoi(value, &txs)) ||
               (flag == "--tail" && absl::SimpleAtoi(value, &tail))) {
    } else {
      blocks.clear();
      break;
    }
  }
  if (blocks.empty() || out.empty() || count == 0 || txs == 0 || tail == 0) {
    std::fputs(
        "usage: next_blocks --blocks DIR --out FILE [--count 1] [--txs 1000] [--tail 20] "
        "[--network regtest]\n",
        stderr);
    return 2;
  }
  const Network network = network_name == "mainnet" ? Network::kMainnet : Network::kRegtest;
  auto files = btc::ListBlkFiles(blocks);
  if (!files.ok()) return Fail(files.status());
  auto chain = testing::ReadChain(*files, network, tail);
  if (!chain.ok()) return Fail(chain.status());
  if (chain->empty()) return Fail(absl::NotFoundError("no blocks"));
  uint32_t height = static_cast<uint32_t>(chain->size());
  const std::span<const testing::RawBlock> last(
      chain->data() + chain->size() - std::min<size_t>(tail, chain->size()),
      std::min<size_t>(tail, chain->size()));
  // The outputs of the tail blocks that nothing in them spends (nothing after them exists).
  std::vector<Unspent> unspent;
  absl::flat_hash_set<std::string> spent;
  btc::Block block;
  for (const testing::RawBlock& b : last) {
    if (auto s = btc::DecodeBlock(b, 0, btc::DecodeOptions(), &block); !s.ok()) return Fail(s);
    for (const btc::Tx& tx : block.txs) {
      for (uint32_t i = 0; i < tx.input_count; ++i) {
        spent.insert(std::string(reinterpret_cast<const char*>(block.input(tx, i).prevout), 36));
      }
    }
  }
  for (const testing::RawBlock& b : last) {
    (void)btc::DecodeBlock(b, 0, btc::DecodeOptions(), &block);
    for (size_t t = 1; t < block.txs.size(); ++t) {  // coinbases left out (maturity)
      const btc::Tx& tx = block.txs[t];
      for (uint32_t v = 0; v < tx.output_count; ++v) {
        const btc::TxOut& o = block.output(tx, v);
        if (o.value < 20'000 || o.script.empty() || o.script[0] == 0x6a) continue;
        Unspent u;
        std::memcpy(u.prevout, tx.txid.span().data(), 32);
        std::memcpy(u.prevout + 32, &v, 4);
        if (spent.contains(std::string(reinterpret_cast<const char*>(u.prevout), 36))) continue;
        u.value = o.value;
        u.script.assign(o.script.begin(), o.script.end());
        unspent.push_back(std::move(u));
      }
    }
  }
  if (unspent.size() < uint64_t{count} * txs) {
    return Fail(absl::FailedPreconditionError(
        absl::StrCat(unspent.size(), " unspent outputs in the last ", last.size(),
                     " blocks: fewer than ", uint64_t{count} * txs, " (raise --tail)")));
  }
  // Two inputs per transaction while there are enough, one after.
  size_t next = 0;
  btc::BlockHeader prev = btc::DecodeHeader(last.back().data());
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  std::vector<Uint256> leaves, scratch;
  for (uint32_t j = 0; j < count; ++j, ++height) {
    std::vector<Bytes> body;
    body.push_back(testing::MakeCoinbase(height, absl::StrCat("/next:", height, "/")));
    for (uint32_t i = 0; i < txs; ++i) {
      const uint64_t txs_left = uint64_t{count - j} * txs - i;  // this one included
      const bool two = unspent.size() - next >= txs_left + 1;
      const Unspent& a = unspent[next++];
      const Unspent* b = two ? &unspent[next++] : nullptr;
      const int64_t total = a.value + (b ? b->value : 0);
      const int64_t pay = total * 3 / 5, fee = 1000;
      Bytes tx;
      ByteWriter w(&tx);
      w.I32LE(2);
      w.CompactSize(b ? 2 : 1);
      for (const Unspent* u : {&a, b}) {
        if (u == nullptr) continue;
        w.Bytes(u->prevout, 36);
        w.CompactSize(0);
        w.U32LE(0xfffffffe);
      }
      w.CompactSize(2);
      w.I64LE(pay);
      w.VarBytes(testing::P2pkhScript(absl::StrCat("next:", height, ":", i)));
      w.I64LE(total - pay - fee);
      w.VarBytes(a.script);  // change back to the first input's address
      w.U32LE(0);
      body.push_back(std::move(tx));
    }
    leaves.clear();
    for (const Bytes& t : body) leaves.push_back(Uint256(Sha256d(t).span()));
    const Uint256 root = ComputeMerkleRoot(leaves, &scratch);
    Bytes blk;
    ByteWriter w(&blk);
    w.I32LE(0x20000000);
    w.Bytes(prev.hash.span());
    w.Bytes(root.span());
    w.U32LE(prev.time + 600);
    w.U32LE(0x207fffff);
    w.U32LE(0);
    for (uint32_t nonce = 0;; ++nonce) {  // regtest's proof-of-work limit
      std::memcpy(blk.data() + 76, &nonce, 4);
      if (Sha256d(ByteSpan(blk.data(), 80)).data()[31] < 0x7f) break;
    }
    w.CompactSize(body.size());
    for (const Bytes& t : body) w.Bytes(t);
    prev = btc::DecodeHeader(blk.data());
    f.write(reinterpret_cast<const char*>(Params(network).magic.data()), 4);
    const uint32_t size = static_cast<uint32_t>(blk.size());
    f.write(reinterpret_cast<const char*>(&size), 4);
    f.write(reinterpret_cast<const char*>(blk.data()), static_cast<std::streamsize>(blk.size()));
  }
  if (!f) return Fail(absl::InternalError(absl::StrCat("cannot write ", out)));
  std::printf("%u block(s) of %u transactions after height %u -> %s\n", count, txs,
              height - count - 1, out.c_str());
  return 0;
}

}  // namespace
}  // namespace ariadne

int main(int argc, char** argv) { return ariadne::Run(argc, argv); }
