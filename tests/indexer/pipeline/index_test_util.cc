#include "tests/indexer/pipeline/index_test_util.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "engine/core/address.h"
#include "engine/core/hash.h"
#include "engine/core/hex.h"
#include "engine/core/script.h"
#include "engine/graph/graph_files.h"
#include "engine/graph/graph_files_check.h"
#include "engine/store/check.h"
#include "engine/store/digest.h"
#include "indexer/btc/blk_reader.h"
#include "indexer/btc/block.h"

namespace ariadne::testing {

absl::StatusOr<std::unique_ptr<store::Store>> IndexInto(
    const std::filesystem::path& db, const std::vector<std::filesystem::path>& inputs,
    Network network, pipeline::IndexResult* result, uint64_t commit_txs) {
  store::StoreOptions so;
  so.create_if_missing = true;
  so.network = network;
  auto s = store::Store::Open(db, so);
  if (!s.ok()) return s.status();
  pipeline::BtcIndexOptions o;
  o.inputs = inputs;
  o.commit_txs = commit_txs;
  pipeline::IndexResult r;
  absl::Status st = pipeline::IndexBitcoin(s->get(), o, &r);
  if (result != nullptr) *result = r;
  if (!st.ok()) return st;
  return s;
}

absl::StatusOr<Replay> ReplayFiles(const std::vector<std::filesystem::path>& files,
                                   Network network) {
  Replay out;
  struct Coin {
    int64_t value;
    std::string address;
    bool op_return;
  };
  std::map<std::pair<Txid, uint32_t>, Coin> utxo;
  btc::Block block;
  uint32_t height = 0;
  for (const auto& path : files) {
    auto file = btc::BlkFile::Load(path, {}, network);
    if (!file.ok()) return file.status();
    btc::BlkRecord rec;
    while (true) {
      auto more = (*file)->Next(&rec);
      if (!more.ok()) return more.status();
      if (!*more) break;
      absl::Status s = btc::DecodeBlock(rec.block, rec.offset, btc::DecodeOptions(), &block);
      if (!s.ok()) return s;
      for (size_t t = 0; t < block.txs.size(); ++t) {
        const btc::Tx& tx = block.txs[t];
        std::set<std::string> touched;
        int64_t in_value = 0, out_value = 0;
        if (t > 0) {
          for (uint32_t i = 0; i < tx.input_count; ++i) {
            const btc::TxIn& in = block.input(tx, i);
            auto it = utxo.find({in.prev_txid(), in.prev_vout()});
            if (it == utxo.end()) return absl::DataLossError("replay: missing prevout");
            in_value += it->second.value;
            if (!it->second.address.empty()) {
              out.addresses[it->second.address].sent += it->second.value;
              touched.insert(it->second.address);
            }
            utxo.erase(it);
          }
        }
        for (uint32_t v = 0; v < tx.output_count; ++v) {
          const btc::TxOut& o = block.output(tx, v);
          const ScriptType type = ClassifyScript(o.script);
          AddressKey key = ScriptAddressKey(o.script, type);
          std::string address = EncodeAddress(key, network);
          // The genesis output is unspendable and, as in Bitcoin Core, not in the UTXO set.
          utxo[{tx.txid, v}] = {o.value, address, type == ScriptType::kOpReturn || height == 0};
          out_value += o.value;
          if (!address.empty()) {
            out.addresses[address].received += o.value;
            touched.insert(address);
          }
        }
        if (t > 0) out.fees += in_value - out_value;
        for (const std::string& a : touched) {
          AddressTotals& at = out.addresses[a];
          at.tx_count++;
          at.first_height = std::min(at.first_height, height);
          at.last_height = std::max(at.last_height, height);
        }
        ++out.txs;
      }
      ++out.blocks;
      ++height;
    }
  }
  for (const auto& [k, c] : utxo) {
    if (c.op_return) continue;
    ++out.utxo_count;
    out.utxo_value += c.value;
  }
  return out;
}

std::string GraphFilesDigest(const store::Store& s) {
  auto files = graph::OpenGraphFiles(s);
  EXPECT_TRUE(files.ok()) << files.status();
  if (!files.ok()) return "";
  if (*files == nullptr) return "no graph files";
  Sha256Hasher h;
  for (size_t i = 0; i < graph::kGraphArrays; ++i) {
    const files::FlatArrayReader& a = (*files)->at(static_cast<graph::GraphArray>(i));
    const uint64_t n = a.count();
    h.Write(reinterpret_cast<const uint8_t*>(&n), 8);
    h.Write(a.records() - files::kFlatHeaderBytes,
            files::kFlatHeaderBytes +
                n * graph::GraphArraySpec(static_cast<graph::GraphArray>(i)).record_size);
  }
  uint8_t out[32];
  h.Finish(out);
  return HexEncode(ByteSpan(out, 32));
}

std::string CheckedDigest(const store::Store& s) {
  auto report = store::CheckStore(s);
  EXPECT_TRUE(report.ok()) << report.status();
  if (report.ok()) {
    for (const auto& p : report->problems) ADD_FAILURE() << p;
  }
  auto files = graph::CheckGraphFiles(s);
  EXPECT_TRUE(files.ok()) << files.status();
  auto d = store::ComputeDigest(s);
  EXPECT_TRUE(d.ok()) << d.status();
  return d.ok() ? absl::StrCat(d->total.ToHex(), " graph files ", GraphFilesDigest(s)) : "";
}

std::filesystem::path AriadneBinary() {
  const char* dir = std::getenv("ARIADNE_BUILD_DIR");
  return std::filesystem::path(dir != nullptr ? dir : ".") / "tools" / "ariadne";
}

}  // namespace ariadne::testing
