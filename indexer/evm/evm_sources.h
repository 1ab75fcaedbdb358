// Where EVM blocks come from: the inputs of `ariadne index evm --source PATH...` (files or folders)
// sorted into units the indexer reads one at a time, each in one of the three formats, told apart
// by the file name and, failing that, by the content:
//   JSON-RPC   *.json, *.jsonl, *.ndjson, or text starting with '{' or '[' (ethereum-etl's
//              resources: blocks, receipts and traces in separate files, joined by the reader)
//   portal     *.yaml / *.yml with "header: 0x…" lines (portal-spec-tests block_data files)
//   era1       *.era1, or an e2store file starting with the era1 Version entry
// In a folder, files of other kinds (CSV, README, PROVENANCE) are ignored, and so are JSON files
// that hold no JSON-RPC data (ethereum-etl's expected_*.json exports beside its responses). A unit
// is one era1 archive, one portal block file, or all the JSON files of consecutive JSON sources
// (receipts and traces are joined to their blocks across files).
#ifndef ARIADNE_INDEXER_EVM_EVM_SOURCES_H_
#define ARIADNE_INDEXER_EVM_EVM_SOURCES_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ariadne::evm {

enum class SourceFormat : uint8_t { kJsonRpc, kPortal, kEra1 };
std::string_view SourceFormatName(SourceFormat f);

struct SourceUnit {
  SourceFormat format = SourceFormat::kJsonRpc;
  std::vector<std::filesystem::path> files;  // in reading order
};

// Returns: the format of one file; NOT_FOUND when it cannot be read, INVALID_ARGUMENT naming the
//          file when it is none of the three.
absl::StatusOr<SourceFormat> DetectSourceFormat(const std::filesystem::path& file);

// Returns: the units of the inputs, in the order given (a folder's era1 archives by name, then its
//          portal files by the block number in their names, then its JSON files); NOT_FOUND for a
//          missing input, INVALID_ARGUMENT for a file of no known format or a folder without any
//          block data.
absl::StatusOr<std::vector<SourceUnit>> PlanSources(
    const std::vector<std::filesystem::path>& inputs);

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_EVM_SOURCES_H_
