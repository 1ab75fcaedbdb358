#include "engine/graph/graph_files.h"

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/store/codec.h"

namespace ariadne::graph {
namespace {

constexpr uint8_t kLengthsVersion = 1;
constexpr size_t kLengthsBytes = 1 + 2 * kGraphArrays * 8;

struct ArrayInfo {
  const char* name;  // also the file's name (+ ".bin")
  uint32_t record_size;
};
constexpr ArrayInfo kArrays[kGraphArrays] = {
    {"tx", sizeof(TxRecord)},     {"outputs", sizeof(OutRecord)},
    {"inputs", sizeof(uint64_t)}, {"spent_by", sizeof(uint64_t)},
    {"names", sizeof(NameSlot)},  {"long_names", sizeof(LongNameRecord)},
};

}  // namespace

files::FlatSpec GraphArraySpec(GraphArray a) {
  const ArrayInfo& i = kArrays[static_cast<size_t>(a)];
  return files::FlatSpec{i.name, i.record_size};
}

std::filesystem::path GraphArrayPath(const std::filesystem::path& dir, GraphArray a) {
  return dir / absl::StrCat(kArrays[static_cast<size_t>(a)].name, ".bin");
}

std::filesystem::path GraphFilesDir(const std::filesystem::path& store_dir) {
  return store_dir / "graph";
}

std::string EncodeGraphFileLengths(const GraphFileLengths& l) {
  std::string v;
  v.push_back(static_cast<char>(kLengthsVersion));
  for (uint64_t n : l.n) store::PutBE64(&v, n);
  for (uint64_t n : l.high) store::PutBE64(&v, n);
  return v;
}

absl::StatusOr<GraphFileLengths> DecodeGraphFileLengths(std::string_view v) {
  if (v.size() != kLengthsBytes || static_cast<uint8_t>(v[0]) != kLengthsVersion) {
    return absl::DataLossError(absl::StrCat("meta/graph_files: ", v.size(),
                                            " bytes, not a version ", kLengthsVersion, " row"));
  }
  GraphFileLengths l;
  const char* p = v.data() + 1;
  for (uint64_t& n : l.n) n = store::GetBE(p, 8), p += 8;
  for (uint64_t& n : l.high) n = store::GetBE(p, 8), p += 8;
  for (size_t i = 0; i < kGraphArrays; ++i) {
    if (l.high[i] < l.n[i]) {
      return absl::DataLossError(
          absl::StrCat("meta/graph_files: ", kArrays[i].name, " length above its high-water mark"));
    }
  }
  return l;
}

absl::Status CheckLengthsMatch(const GraphFileLengths& l, const store::ChainState& state) {
  const uint64_t want[] = {state.tx_count, state.output_count, state.input_count,
                           state.output_count, state.addr_count};
  for (size_t i = 0; i < std::size(want); ++i) {
    if (l.n[i] != want[i]) {
      return absl::DataLossError(absl::StrCat("meta/graph_files: ", kArrays[i].name, " has ",
                                              l.n[i], " records, meta/state says ", want[i]));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<GraphFileLengths>> ReadGraphFileLengths(const store::Store& store) {
  auto v = store.ReadMeta(kMetaGraphFiles);
  if (absl::IsNotFound(v.status())) return std::nullopt;
  if (!v.ok()) return v.status();
  ASSIGN_OR_RETURN(GraphFileLengths l, DecodeGraphFileLengths(*v));
  return l;
}

absl::StatusOr<std::shared_ptr<const GraphFiles>> OpenGraphFiles(const store::Store& store) {
  ASSIGN_OR_RETURN(const std::optional<GraphFileLengths> lengths, ReadGraphFileLengths(store));
  if (!lengths.has_value()) return nullptr;
  ASSIGN_OR_RETURN(const store::ChainState state, store.ReadState());
  RETURN_IF_ERROR(CheckLengthsMatch(*lengths, state));
  auto files = std::make_shared<GraphFiles>();
  files->lengths = *lengths;
  const std::filesystem::path dir = GraphFilesDir(store.dir());
  for (size_t i = 0; i < kGraphArrays; ++i) {
    const auto a = static_cast<GraphArray>(i);
    auto r = files::FlatArrayReader::Open(GraphArrayPath(dir, a), GraphArraySpec(a), lengths->n[i]);
    if (absl::IsNotFound(r.status())) {
      // meta/graph_files says the file holds committed records: its absence loses them.
      return absl::DataLossError(r.status().message());
    }
    if (!r.ok()) return r.status();
    files->arrays[i] = *std::move(r);
  }
  return files;
}

}  // namespace ariadne::graph
