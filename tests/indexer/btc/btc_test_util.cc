#include "tests/indexer/btc/btc_test_util.h"

#include <simdjson.h>

#include "engine/core/hash.h"
#include "engine/core/hex.h"
#include "indexer/btc/block.h"
#include "tests/testutil.h"

namespace ariadne::btc::testing {

absl::StatusOr<std::vector<DecodedBlock>> DecodeBlkFile(const std::filesystem::path& path,
                                                        const XorKey& key,
                                                        std::vector<std::string>* warnings) {
  auto file = BlkFile::Load(path, key, std::nullopt);
  if (!file.ok()) return file.status();
  std::vector<DecodedBlock> out;
  Block block;
  BlkRecord rec;
  while (true) {
    auto more = (*file)->Next(&rec);
    if (!more.ok()) return more.status();
    if (!*more) break;
    absl::Status s = DecodeBlock(rec.block, rec.offset, DecodeOptions(), &block);
    if (!s.ok()) return s;
    out.push_back(
        {block.header.hash, block.header.prev_hash, block.txs.size(), block.merkle_ok, rec.offset});
  }
  if (warnings != nullptr) *warnings = (*file)->warnings();
  return out;
}

std::vector<BlockHash> MainnetHeaderHashes() {
  std::string text =
      ariadne::testing::ReadFileText(ariadne::testing::TestData("bitcoin-s/block_headers.json"));
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(text);
  std::vector<BlockHash> hashes;
  for (simdjson::dom::element e : doc.get_array()) {
    std::string_view hex = e.get_string();
    auto bytes = HexDecode(hex);
    EXPECT_TRUE(bytes.ok() && bytes->size() == 80);
    hashes.push_back(BlockHash::FromBytes(Sha256d(*bytes).data()));
  }
  return hashes;
}

std::vector<uint8_t> ReadHexFile(const std::filesystem::path& path) {
  std::string text = ariadne::testing::ReadFileText(path);
  std::string hex;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) hex.push_back(c);
  auto bytes = HexDecode(hex);
  EXPECT_TRUE(bytes.ok()) << path << ": " << bytes.status();
  return bytes.ok() ? *bytes : std::vector<uint8_t>();
}

}  // namespace ariadne::btc::testing
