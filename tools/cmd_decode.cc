// `ariadne decode`: decode blk files and print every block (JSON lines or a readable summary).
#include <chrono>
#include <filesystem>

#include "absl/strings/str_format.h"
#include "engine/core/address.h"
#include "engine/core/script.h"
#include "engine/render/json_writer.h"
#include "indexer/btc/blk_reader.h"
#include "indexer/btc/block.h"
#include "indexer/btc/header_rules.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace ariadne::cli {
namespace {

void WriteBlockJson(const btc::Block& block, Network network, bool header_ok, std::string* out) {
  render::JsonWriter w(out);
  w.BeginObject()
      .Field("hash", block.header.hash.ToHex())
      .Field("prev_hash", block.header.prev_hash.ToHex())
      .Field("time", block.header.time)
      .Field("tx_count", static_cast<uint64_t>(block.txs.size()))
      .Field("merkle_ok", block.merkle_ok)
      .Field("header_ok", header_ok)
      .Key("txs")
      .BeginArray();
  for (const btc::Tx& tx : block.txs) {
    w.BeginObject()
        .Field("txid", tx.txid.ToHex())
        .Field("version", tx.version)
        .Field("locktime", tx.locktime)
        .Field("size", tx.size)
        .Field("vsize", tx.vsize())
        .Key("inputs")
        .BeginArray();
    for (uint32_t i = 0; i < tx.input_count; ++i) {
      const btc::TxIn& in = block.input(tx, i);
      w.BeginObject()
          .Field("prev_txid", in.prev_txid().ToHex())
          .Field("prev_vout", in.prev_vout())
          .EndObject();
    }
    w.EndArray().Key("outputs").BeginArray();
    for (uint32_t i = 0; i < tx.output_count; ++i) {
      const btc::TxOut& o = block.output(tx, i);
      ScriptType type = ClassifyScript(o.script);
      w.BeginObject().Field("value", o.value).Field("type", ScriptTypeName(type)).Key("address");
      // Only real addresses here: multisig and non-standard scripts have none in Bitcoin.
      if (type == ScriptType::kOpReturn || type == ScriptType::kMultisig ||
          type == ScriptType::kNonstandard) {
        w.Null();
      } else {
        w.String(EncodeAddress(ScriptAddressKey(o.script, type), network));
      }
      w.EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  out->push_back('\n');
}

void WriteBlockSummary(const btc::Block& block, bool header_ok, std::string* out) {
  size_t inputs = block.inputs.size(), outputs = block.outputs.size();
  int64_t value = 0;
  for (const btc::TxOut& o : block.outputs) value += o.value;
  absl::StrAppendFormat(
      out, "block %s  %s  %5d txs  %6d in  %6d out  %9d bytes  %s BTC out  %s%s\n",
      block.header.hash.ToHex(), FormatTime(block.header.time), block.txs.size(), inputs, outputs,
      block.size, FormatBtc(value), block.merkle_ok ? "merkle ok" : "MERKLE MISMATCH",
      header_ok ? "" : "  INVALID HEADER");
}

}  // namespace

int RunDecode(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {{"xor-key", true}, {"network", true}, {"json", false}});
  if (!args.ok()) return PrintError(args.status());
  if (args->positionals().empty()) {
    std::fprintf(stderr,
                 "usage: ariadne decode FILE_OR_DIR... [--xor-key HEX] [--network NET] "
                 "[--json]\n");
    return 2;
  }
  std::optional<btc::XorKey> xor_flag;
  if (auto hex = args->Get("xor-key")) {
    auto key = btc::ParseXorKey(*hex);
    if (!key.ok()) return PrintError(key.status());
    xor_flag = *key;
  }
  std::optional<Network> network;
  if (auto name = args->Get("network")) {
    auto n = ParseNetwork(*name);
    if (!n.ok()) return PrintError(n.status());
    network = *n;
  }
  const bool json = args->Has("json");

  // Expand folders into their blk files; a folder's xor.dat applies unless --xor-key is given.
  std::vector<std::pair<std::filesystem::path, btc::XorKey>> files;
  for (const std::string& p : args->positionals()) {
    if (std::filesystem::is_directory(p)) {
      auto list = btc::ListBlkFiles(p);
      if (!list.ok()) return PrintError(list.status());
      auto key = xor_flag.has_value() ? absl::StatusOr<btc::XorKey>(*xor_flag) : btc::ReadXorKey(p);
      if (!key.ok()) return PrintError(key.status());
      for (const auto& f : *list) files.emplace_back(f, *key);
    } else {
      files.emplace_back(p, xor_flag.value_or(btc::XorKey{}));
    }
  }

  StdoutBuffer out;
  btc::Block block;
  btc::DecodeOptions options;
  uint64_t blocks = 0, txs = 0, bytes = 0, bad_merkle = 0, bad_headers = 0;
  auto start = std::chrono::steady_clock::now();
  for (const auto& [path, key] : files) {
    auto file = btc::BlkFile::Load(path, key, network);
    if (!file.ok()) return PrintError(file.status());
    btc::BlkRecord rec;
    while (true) {
      auto more = (*file)->Next(&rec);
      if (!more.ok()) return PrintError(more.status());
      if (!*more) break;
      if (absl::Status s = btc::DecodeBlock(rec.block, rec.offset, options, &block); !s.ok()) {
        return PrintError(absl::Status(s.code(), absl::StrCat(path.string(), ": ", s.message())));
      }
      // The header rules that need no other block: the genesis rule and proof of work.
      const absl::Status header =
          btc::CheckHeader(btc::PowParamsOf(*(*file)->network()), block.header.hash,
                           block.header.prev_hash, block.header.bits);
      if (!header.ok()) {
        ++bad_headers;
        out.Flush();
        std::fprintf(
            stderr, "error: %s\n",
            std::string(btc::RefusedBlockError(header, path.string(), block.header.hash, rec.offset)
                            .message())
                .c_str());
      }
      if (json) {
        WriteBlockJson(block, *(*file)->network(), header.ok(), out.buffer());
      } else {
        WriteBlockSummary(block, header.ok(), out.buffer());
      }
      out.MaybeFlush();
      ++blocks;
      txs += block.txs.size();
      bytes += block.size;
      bad_merkle += block.merkle_ok ? 0 : 1;
    }
    network = (*file)->network();  // later files must be of the same network
    for (const std::string& w : (*file)->warnings()) {
      out.Flush();
      std::fprintf(stderr, "warning: %s\n", w.c_str());
    }
  }
  out.Flush();
  if (!json) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf(
        "decoded %s blocks, %s transactions, %.1f MB from %zu file(s) in %.2f s; %s; %s\n",
        FormatCount(blocks).c_str(), FormatCount(txs).c_str(), bytes / 1e6, files.size(), secs,
        bad_merkle == 0 ? "all merkle roots match"
                        : absl::StrCat(bad_merkle, " MERKLE MISMATCHES").c_str(),
        bad_headers == 0
            ? "all headers meet their proof of work"
            : absl::StrCat(bad_headers, " INVALID HEADERS (proof of work or genesis)").c_str());
  }
  return bad_merkle == 0 && bad_headers == 0 ? 0 : 1;
}

}  // namespace ariadne::cli
