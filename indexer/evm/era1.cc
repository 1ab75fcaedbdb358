#include "indexer/evm/era1.h"

#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "engine/core/hash.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "indexer/evm/snappy_frame.h"

namespace ariadne::evm {
namespace {

constexpr uint16_t kTypeVersion = 0x3265;
constexpr uint16_t kTypeCompressedHeader = 0x03;
constexpr uint16_t kTypeCompressedBody = 0x04;
constexpr uint16_t kTypeCompressedReceipts = 0x05;
constexpr uint16_t kTypeTotalDifficulty = 0x06;
constexpr uint16_t kTypeAccumulator = 0x07;
constexpr uint16_t kTypeBlockIndex = 0x3266;
constexpr size_t kMaxEra1Blocks = 8192;

uint64_t Le64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Returns: the value of 32 little-endian bytes.
U256 FromLe32(const uint8_t* p) {
  uint8_t be[32];
  for (int i = 0; i < 32; ++i) be[i] = p[31 - i];
  return U256::FromWord(be);
}

void ToLe32(const U256& v, uint8_t out[32]) {
  uint8_t be[32];
  v.ToWord(be);
  for (int i = 0; i < 32; ++i) out[i] = be[31 - i];
}

void Sha256Pair(const uint8_t a[32], const uint8_t b[32], uint8_t out[32]) {
  Sha256Hasher h;
  h.Write(a, 32).Write(b, 32).Finish(out);
}

}  // namespace

absl::StatusOr<H256> Era1AccumulatorRoot(const std::vector<std::pair<H256, U256>>& records) {
  if (records.size() > kMaxEra1Blocks) {
    return absl::InvalidArgumentError("more than 8192 era1 header records");
  }
  // Leaves: hash_tree_root(HeaderRecord) = SHA-256(block_hash || td as 32 LE bytes).
  std::vector<std::array<uint8_t, 32>> level(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    uint8_t td[32];
    ToLe32(records[i].second, td);
    Sha256Pair(records[i].first.data(), td, level[i].data());
  }
  // Merkleize with the limit 8192 = 2^13: pad each level with the zero subtree of its height.
  std::array<uint8_t, 32> zero{};
  for (int depth = 0; depth < 13; ++depth) {
    if (level.size() % 2 == 1) level.push_back(zero);
    std::vector<std::array<uint8_t, 32>> next(level.size() / 2);
    for (size_t i = 0; i < next.size(); ++i) {
      Sha256Pair(level[2 * i].data(), level[2 * i + 1].data(), next[i].data());
    }
    Sha256Pair(zero.data(), zero.data(), zero.data());
    level = std::move(next);
  }
  const std::array<uint8_t, 32> root = level.empty() ? zero : level[0];
  uint8_t length[32] = {};
  const uint64_t n = records.size();
  std::memcpy(length, &n, 8);  // little-endian host
  H256 out;
  Sha256Pair(root.data(), length, out.data());
  return out;
}

absl::StatusOr<Era1Summary> ReadEra1File(
    const std::filesystem::path& path, const Era1Options& options,
    absl::FunctionRef<absl::Status(const EvmBlock&)> on_block) {
  const std::string name = path.filename().string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path.string(), ": cannot open"));
  std::error_code ec;
  const uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec) return absl::NotFoundError(absl::StrCat(path.string(), ": ", ec.message()));

  Era1Summary summary;
  RlpBlockDecoder decoder(options.block);
  EvmBlock block;
  std::vector<uint8_t> entry;
  std::vector<uint8_t> parts[3];
  std::vector<std::pair<H256, U256>> records;
  std::vector<uint64_t> header_offsets;
  U256 prev_td;
  EvmBlockHash prev_hash;
  int tuple_pos = 0;  // 0: expecting a header, 1: body, 2: receipts, 3: total difficulty
  bool have_version = false;
  bool have_accumulator = false;
  bool have_index = false;
  H256 accumulator;
  uint64_t offset = 0;
  auto fail = [&](const std::string& what, uint64_t at) {
    return absl::DataLossError(absl::StrCat(name, ": ", what, " at offset ", at));
  };
  while (offset < file_size) {
    uint8_t hdr[8];
    if (file_size - offset < 8 || !in.read(reinterpret_cast<char*>(hdr), 8)) {
      return fail("truncated e2store entry header", offset);
    }
    const uint16_t type = static_cast<uint16_t>(hdr[0] | (hdr[1] << 8));
    uint32_t length;
    std::memcpy(&length, hdr + 2, 4);
    if (hdr[6] != 0 || hdr[7] != 0) return fail("e2store reserved bytes are not zero", offset);
    if (length > options.max_entry_bytes) {
      return fail(absl::StrCat("e2store entry of ", length, " bytes exceeds the cap"), offset);
    }
    if (length > file_size - offset - 8) return fail("truncated e2store entry", offset);
    entry.resize(length);
    if (length > 0 && !in.read(reinterpret_cast<char*>(entry.data()), length)) {
      return fail("read error", offset);
    }
    const uint64_t entry_offset = offset;
    offset += 8 + uint64_t{length};
    if (!have_version) {
      if (type != kTypeVersion || length != 0)
        return fail("file does not start with the e2store version entry", entry_offset);
      have_version = true;
      continue;
    }
    if (have_index) return fail("entry after the block index", entry_offset);
    const bool tuple_type = type >= kTypeCompressedHeader && type <= kTypeTotalDifficulty;
    if (tuple_type && have_accumulator)
      return fail("block entry after the accumulator", entry_offset);
    if (type == kTypeCompressedHeader || type == kTypeCompressedBody ||
        type == kTypeCompressedReceipts) {
      const int want = type - kTypeCompressedHeader;
      if (tuple_pos != want) return fail("block tuple entries out of order", entry_offset);
      if (type == kTypeCompressedHeader) header_offsets.push_back(entry_offset);
      RETURN_IF_ERROR(SnappyFrameDecompress(entry, options.max_decompressed_bytes, name,
                                            entry_offset + 8, &parts[want]));
      ++tuple_pos;
      continue;
    }
    if (type == kTypeTotalDifficulty) {
      if (tuple_pos != 3) return fail("block tuple entries out of order", entry_offset);
      if (length != 32) return fail("total difficulty is not 32 bytes", entry_offset);
      tuple_pos = 0;
      if (records.size() == kMaxEra1Blocks) return fail("more than 8192 blocks", entry_offset);
      const std::string context =
          absl::StrCat(name, " block tuple at offset ", header_offsets.back());
      RETURN_IF_ERROR(decoder.Decode(parts[0], parts[1], parts[2], context, &block));
      const U256 td = FromLe32(entry.data());
      if (records.empty()) {
        summary.start_block = block.number;
      } else {
        if (block.number != summary.start_block + records.size()) {
          return fail(absl::StrCat("block ", block.number, " does not follow block ",
                                   summary.start_block + records.size() - 1),
                      entry_offset);
        }
        if (block.parent_hash != prev_hash) {
          return fail(
              absl::StrCat("block ", block.number, " parent hash is not the previous block's hash"),
              entry_offset);
        }
        U256 expect;
        if (!U256::CheckedAdd(prev_td, decoder.header().difficulty, &expect) || expect != td) {
          return fail(absl::StrCat("block ", block.number,
                                   " total difficulty is not the previous plus its difficulty"),
                      entry_offset);
        }
      }
      prev_td = td;
      prev_hash = block.hash;
      records.emplace_back(RetagHash<H256>(block.hash), td);
      summary.tx_count += block.txs.size();
      RETURN_IF_ERROR(on_block(block));
      continue;
    }
    if (type == kTypeAccumulator) {
      if (tuple_pos != 0) return fail("accumulator inside a block tuple", entry_offset);
      if (length != 32) return fail("accumulator is not 32 bytes", entry_offset);
      accumulator = H256::FromBytes(entry.data());
      have_accumulator = true;
      continue;
    }
    if (type == kTypeBlockIndex) {
      if (length < 16 || (length - 16) % 8 != 0) return fail("malformed block index", entry_offset);
      const uint64_t count = Le64(entry.data() + length - 8);
      const uint64_t start = Le64(entry.data());
      if (count != (length - 16) / 8 || count != records.size()) {
        return fail(
            absl::StrCat("block index counts ", count, " blocks, the file holds ", records.size()),
            entry_offset);
      }
      if (count > 0 && start != summary.start_block) {
        return fail("block index starting number differs from the first block", entry_offset);
      }
      for (uint64_t i = 0; i < count; ++i) {
        const int64_t rel = static_cast<int64_t>(Le64(entry.data() + 8 + 8 * i));
        if (static_cast<int64_t>(entry_offset) + rel != static_cast<int64_t>(header_offsets[i])) {
          return fail(absl::StrCat("block index entry ", i, " does not point at block ", start + i,
                                   "'s header"),
                      entry_offset);
        }
      }
      have_index = true;
      continue;
    }
    if (tuple_pos != 0) return fail("unexpected entry inside a block tuple", entry_offset);
    // Other entries are allowed by the format and skipped.
  }
  if (tuple_pos != 0) return fail("file ends inside a block tuple", offset);
  if (!have_accumulator) return fail("no accumulator entry", offset);
  if (!have_index) return fail("no block index entry", offset);
  summary.block_count = records.size();
  summary.accumulator_root = accumulator;
  summary.total_difficulty = prev_td;
  if (options.verify_accumulator) {
    ASSIGN_OR_RETURN(const H256 root, Era1AccumulatorRoot(records));
    if (root != accumulator) {
      return absl::DataLossError(absl::StrCat(name, ": accumulator root mismatch: computed ",
                                              HashHex(root), ", file has ", HashHex(accumulator)));
    }
    summary.accumulator_verified = true;
  }
  return summary;
}

}  // namespace ariadne::evm
