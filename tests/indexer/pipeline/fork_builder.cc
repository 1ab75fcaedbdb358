#include "tests/indexer/pipeline/fork_builder.h"

#include <fstream>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/core/byte_writer.h"
#include "engine/core/hash.h"
#include "engine/core/merkle.h"
#include "indexer/btc/blk_reader.h"
#include "indexer/btc/block.h"

namespace ariadne::testing {
namespace {

struct ForkTx {
  Txid txid;
  RawBlock bytes;
};

// Appends a minimal CScriptNum push of `v` (BIP34 heights).
void PushNumber(uint32_t v, ByteWriter* w) {
  uint8_t bytes[5];
  int n = 0;
  while (v > 0) {
    bytes[n++] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
  if (n > 0 && (bytes[n - 1] & 0x80)) bytes[n++] = 0;
  w->U8(static_cast<uint8_t>(n));
  w->Bytes(bytes, static_cast<size_t>(n));
}

}  // namespace

RawBlock P2pkhScript(std::string_view seed) {
  const Hash160Bytes key =
      Hash160(ByteSpan(reinterpret_cast<const uint8_t*>(seed.data()), seed.size()));
  RawBlock script = {0x76, 0xa9, 0x14};
  script.insert(script.end(), key.data(), key.data() + 20);
  script.push_back(0x88);
  script.push_back(0xac);
  return script;
}

RawBlock MakeCoinbase(uint32_t height, std::string_view tag) {
  RawBlock cb;
  ByteWriter w(&cb);
  w.I32LE(1);
  w.CompactSize(1);
  w.Bytes(Uint256().span());
  w.U32LE(0xffffffff);
  RawBlock sig;
  ByteWriter s(&sig);
  PushNumber(height, &s);
  s.U8(static_cast<uint8_t>(tag.size()));
  s.Bytes(reinterpret_cast<const uint8_t*>(tag.data()), tag.size());
  w.VarBytes(sig);
  w.U32LE(0xffffffff);
  w.CompactSize(1);
  w.I64LE(50LL * 100'000'000);
  w.VarBytes(P2pkhScript(tag));
  w.U32LE(0);
  return cb;
}

absl::StatusOr<std::vector<RawBlock>> ReadChain(const std::vector<std::filesystem::path>& files,
                                                Network network, size_t keep) {
  std::vector<RawBlock> out;
  size_t held_from = 0;  // out[held_from, end) hold their blocks
  for (const auto& path : files) {
    auto file = btc::BlkFile::Load(path, {}, network);
    if (!file.ok()) return file.status();
    btc::BlkRecord rec;
    while (true) {
      auto more = (*file)->Next(&rec);
      if (!more.ok()) return more.status();
      if (!*more) break;
      out.emplace_back(rec.block.begin(), rec.block.end());
      if (out.size() - held_from > keep) RawBlock().swap(out[held_from++]);
    }
  }
  return out;
}

absl::StatusOr<std::vector<RawBlock>> CraftFork(const std::vector<RawBlock>& chain,
                                                const ForkOptions& options) {
  if (options.depth == 0 || options.depth >= chain.size() || options.drop_every < 2) {
    return absl::InvalidArgumentError("bad fork options");
  }
  const size_t fork = chain.size() - 1 - options.depth;  // the last block both branches share
  // The replaced blocks' transactions, minus every n-th and whatever depends on a left-out one
  // (the replaced coinbases are left out too: the branch has its own).
  absl::flat_hash_set<Txid> dropped;
  std::vector<ForkTx> kept;
  btc::Block block;
  uint64_t n = 0;
  for (size_t h = fork + 1; h < chain.size(); ++h) {
    absl::Status s = btc::DecodeBlock(chain[h], 0, btc::DecodeOptions(), &block);
    if (!s.ok()) return s;
    for (size_t t = 0; t < block.txs.size(); ++t) {
      const btc::Tx& tx = block.txs[t];
      bool drop = t == 0 || ++n % options.drop_every == 0;
      for (uint32_t i = 0; i < tx.input_count && !drop; ++i) {
        drop = dropped.contains(block.input(tx, i).prev_txid());
      }
      if (drop) {
        dropped.insert(tx.txid);
        continue;
      }
      const uint8_t* begin = chain[h].data() + tx.offset;
      kept.push_back({tx.txid, RawBlock(begin, begin + tx.size)});
    }
  }
  // Pack them into depth + extra blocks, in order (parents before children).
  const uint32_t count = options.depth + options.extra;
  std::vector<RawBlock> out;
  btc::BlockHeader prev = btc::DecodeHeader(chain[fork].data());
  std::vector<Uint256> leaves, scratch;
  for (uint32_t j = 0; j < count; ++j) {
    const uint32_t height = static_cast<uint32_t>(fork + 1 + j);
    const size_t lo = kept.size() * j / count, hi = kept.size() * (j + 1) / count;
    const RawBlock cb = MakeCoinbase(height, absl::StrCat("/fork:", height, "/"));
    leaves.clear();
    leaves.push_back(Uint256(Sha256d(cb).span()));
    for (size_t i = lo; i < hi; ++i) leaves.push_back(Uint256(kept[i].txid.span()));
    const Uint256 root = ComputeMerkleRoot(leaves, &scratch);
    RawBlock b;
    ByteWriter w(&b);
    w.I32LE(0x20000000);
    w.Bytes(prev.hash.span());
    w.Bytes(root.span());
    w.U32LE(prev.time + 600);
    w.U32LE(0x207fffff);
    w.U32LE(0);
    // Regtest's proof-of-work limit: about every second nonce gives a hash below it.
    for (uint32_t nonce = 0;; ++nonce) {
      std::memcpy(b.data() + 76, &nonce, 4);
      if (Sha256d(ByteSpan(b.data(), 80)).data()[31] < 0x7f) break;
    }
    w.CompactSize(1 + hi - lo);
    w.Bytes(cb);
    for (size_t i = lo; i < hi; ++i) w.Bytes(kept[i].bytes);
    prev = btc::DecodeHeader(b.data());
    out.push_back(std::move(b));
  }
  return out;
}

absl::Status WriteBlkFile(const std::filesystem::path& path, const std::vector<RawBlock>& blocks,
                          Network network) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  for (const RawBlock& b : blocks) {
    f.write(reinterpret_cast<const char*>(Params(network).magic.data()), 4);
    const uint32_t size = static_cast<uint32_t>(b.size());
    f.write(reinterpret_cast<const char*>(&size), 4);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  if (!f) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

}  // namespace ariadne::testing
