// Helpers shared by the Bitcoin decoding tests.
#ifndef ARIADNE_TESTS_BTC_BTC_TEST_UTIL_H_
#define ARIADNE_TESTS_BTC_BTC_TEST_UTIL_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/types.h"
#include "indexer/btc/blk_reader.h"

namespace ariadne::btc::testing {

struct DecodedBlock {
  BlockHash hash;
  BlockHash prev_hash;
  size_t tx_count;
  bool merkle_ok;
  uint64_t offset;
};

// Decodes every record of a blk file. Returns the first error of reading or decoding.
// Out: warnings: the reader's warnings.
absl::StatusOr<std::vector<DecodedBlock>> DecodeBlkFile(
    const std::filesystem::path& path, const XorKey& key = {},
    std::vector<std::string>* warnings = nullptr);
// Returns: hashes of mainnet heights 0..8999 from bitcoin-s/block_headers.json.
std::vector<BlockHash> MainnetHeaderHashes();
// Returns: the bytes of a hex file (whitespace ignored).
std::vector<uint8_t> ReadHexFile(const std::filesystem::path& path);

}  // namespace ariadne::btc::testing

#endif  // ARIADNE_TESTS_BTC_BTC_TEST_UTIL_H_
