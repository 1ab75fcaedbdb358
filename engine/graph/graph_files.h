// The UTXO graph in flat files beside the store (docs/schema.md, "The graph files"): what
// TxGraph and AddressNames hold, as id-ordered arrays the indexer appends as it commits
// (indexer/pipeline/graph_files_observer.h) and servers map instead of reading every tx and addr
// row at start-up.
//
// Per transaction one 48-byte record (where its outputs and inputs start, its txid): a visited
// transaction costs one page here, one or two in the outputs, and one per spent output's
// spent-by. The arrays' committed lengths are in meta/graph_files, written in the same atomic
// commit as the rows they mirror.
#ifndef ARIADNE_ENGINE_GRAPH_GRAPH_FILES_H_
#define ARIADNE_ENGINE_GRAPH_GRAPH_FILES_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "engine/core/types.h"
#include "engine/files/flat_array.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::graph {

struct TxRecord {
  uint64_t first_out;  // OutNum of output 0
  uint64_t first_in;   // index of input 0 in the inputs array
  Txid txid;
};
static_assert(sizeof(TxRecord) == 48);

struct OutRecord {
  int64_t value;
  uint32_t addr;  // AddrId, invalid for OP_RETURN
  uint8_t type;   // ScriptType
  uint8_t pad[3];
};
static_assert(sizeof(OutRecord) == 16);

// An address's key: a key longer than 32 bytes (witness programs of unknown versions) keeps its
// first 32 here and the rest in a LongNameRecord.
struct NameSlot {
  uint8_t kind;
  uint8_t witness_version;
  uint8_t size;
  uint8_t payload[32];
};
static_assert(sizeof(NameSlot) == 35);

struct LongNameRecord {
  uint32_t addr;
  uint8_t tail[8];  // payload bytes 32..39
};
static_assert(sizeof(LongNameRecord) == 12);

inline constexpr uint64_t kUnspentRecord = UINT64_MAX;  // a spent-by entry of an unspent output

// The arrays, in the order of GraphFileLengths::n.
enum class GraphArray : uint8_t { kTx, kOut, kIn, kSpentBy, kNames, kLongNames };
inline constexpr size_t kGraphArrays = 6;
files::FlatSpec GraphArraySpec(GraphArray a);
// Returns: the file of array `a` in `dir`.
std::filesystem::path GraphArrayPath(const std::filesystem::path& dir, GraphArray a);
// Returns: the folder of the graph files of the store in `store_dir`.
std::filesystem::path GraphFilesDir(const std::filesystem::path& store_dir);

// meta/graph_files: the committed length of each array and the largest length ever committed
// (what readers may have mapped: the indexer never cuts a file below it).
using store::kMetaGraphFiles;
struct GraphFileLengths {
  std::array<uint64_t, kGraphArrays> n{};
  std::array<uint64_t, kGraphArrays> high{};
  uint64_t& of(GraphArray a) { return n[static_cast<size_t>(a)]; }
  uint64_t of(GraphArray a) const { return n[static_cast<size_t>(a)]; }
  friend bool operator==(const GraphFileLengths&, const GraphFileLengths&) = default;
};
std::string EncodeGraphFileLengths(const GraphFileLengths& l);
absl::StatusOr<GraphFileLengths> DecodeGraphFileLengths(std::string_view v);
// Returns: the lengths `state` implies (all but the long names'): DATA_LOSS when `l` disagrees.
absl::Status CheckLengthsMatch(const GraphFileLengths& l, const store::ChainState& state);
// Returns: the store's meta/graph_files; nullopt when the store has none (indexed before the
// files, or with them turned off).
absl::StatusOr<std::optional<GraphFileLengths>> ReadGraphFileLengths(const store::Store& store);

// The arrays mapped read-only at their committed lengths (shared by the structures over them).
struct GraphFiles {
  std::array<std::unique_ptr<files::FlatArrayReader>, kGraphArrays> arrays;
  GraphFileLengths lengths;
  const files::FlatArrayReader& at(GraphArray a) const { return *arrays[static_cast<size_t>(a)]; }
};
// Maps the files of `store` at the lengths of its meta/graph_files, which must match its state.
// Returns: nullopt-like nullptr when the store has no graph files; DATA_LOSS naming the file that
// is missing, shorter than committed or whose header is wrong.
absl::StatusOr<std::shared_ptr<const GraphFiles>> OpenGraphFiles(const store::Store& store);

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_GRAPH_FILES_H_
