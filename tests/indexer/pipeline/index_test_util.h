// Helpers for indexer tests: index files into a fresh store, and an independent replay of blk
// files (a plain second pass that shares no code with the indexer beyond the block decoder).
#ifndef ARIADNE_TESTS_PIPELINE_INDEX_TEST_UTIL_H_
#define ARIADNE_TESTS_PIPELINE_INDEX_TEST_UTIL_H_

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/network.h"
#include "engine/store/store.h"
#include "indexer/pipeline/btc_indexer.h"

namespace ariadne::testing {

// Opens (creating) a store and indexes `inputs` into it.
absl::StatusOr<std::unique_ptr<store::Store>> IndexInto(
    const std::filesystem::path& db, const std::vector<std::filesystem::path>& inputs,
    Network network, pipeline::IndexResult* result = nullptr, uint64_t commit_txs = 250'000);

struct AddressTotals {
  uint64_t tx_count = 0;
  int64_t received = 0;
  int64_t sent = 0;
  uint32_t first_height = UINT32_MAX;
  uint32_t last_height = 0;
};

struct Replay {
  uint64_t blocks = 0;
  uint64_t txs = 0;
  uint64_t utxo_count = 0;
  int64_t utxo_value = 0;
  int64_t fees = 0;
  std::map<std::string, AddressTotals> addresses;  // by address string
};

// Replays blk files whose blocks are in chain order (one chain, no forks) with the decoder only.
absl::StatusOr<Replay> ReplayFiles(const std::vector<std::filesystem::path>& files,
                                   Network network);

// Checks the store's consistency and its graph files against its rows (a test failure per
// problem) and digests its content.
// Returns: the digest in hex, with that of the graph files' committed records; "" (after a test
// failure) when it cannot be computed.
std::string CheckedDigest(const store::Store& s);

// Returns: SHA-256 of the committed part of the store's graph files (headers and records, what a
// reader maps), in hex; "no graph files" for a store without them.
std::string GraphFilesDigest(const store::Store& s);

// Returns: the `ariadne` binary of this build.
std::filesystem::path AriadneBinary();

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_PIPELINE_INDEX_TEST_UTIL_H_
