#include "indexer/evm/evm_sources.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ariadne::evm {
namespace {

// Returns: the format told by the extension, if it tells one.
std::optional<SourceFormat> FormatOfName(const std::filesystem::path& p) {
  const std::string ext = absl::AsciiStrToLower(p.extension().string());
  if (ext == ".era1") return SourceFormat::kEra1;
  if (ext == ".json" || ext == ".jsonl" || ext == ".ndjson") return SourceFormat::kJsonRpc;
  if (ext == ".yaml" || ext == ".yml") return SourceFormat::kPortal;
  return std::nullopt;
}

// Returns: the last run of digits in the file name (the block number of "block-data-N.yaml").
uint64_t NumberInName(const std::filesystem::path& p) {
  const std::string name = p.stem().string();
  size_t end = name.size();
  while (end > 0 && !std::isdigit(static_cast<unsigned char>(name[end - 1]))) --end;
  size_t begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(name[begin - 1]))) --begin;
  uint64_t n = 0;
  for (size_t i = begin; i < end && i < begin + 19; ++i) n = n * 10 + (name[i] - '0');
  return n;
}

// Returns: whether a JSON file found in a folder holds JSON-RPC data (responses, or bare block,
// receipt or trace results) rather than something else, such as ethereum-etl's exports
// (expected_*.json) that sit beside its web3 responses: the first 4 KiB must name one of the
// fields only RPC data has.
bool LooksLikeRpc(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  char head[4096];
  in.read(head, sizeof(head));
  const std::string_view text(head, static_cast<size_t>(in.gcount()));
  for (std::string_view key : {"\"jsonrpc\"", "\"result\"", "\"transactions\"",
                               "\"transactionHash\"", "\"traceAddress\"", "\"calls\""}) {
    if (text.find(key) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

std::string_view SourceFormatName(SourceFormat f) {
  switch (f) {
    case SourceFormat::kJsonRpc:
      return "JSON-RPC";
    case SourceFormat::kPortal:
      return "portal block";
    case SourceFormat::kEra1:
      return "era1";
  }
  return "unknown";
}

absl::StatusOr<SourceFormat> DetectSourceFormat(const std::filesystem::path& file) {
  if (auto f = FormatOfName(file)) return *f;
  std::ifstream in(file, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(file.string(), ": cannot read"));
  char head[64] = {};
  in.read(head, sizeof(head));
  const size_t n = static_cast<size_t>(in.gcount());
  // e2store Version entry: type 0x3265 little-endian, length 0.
  if (n >= 8 && static_cast<uint8_t>(head[0]) == 0x65 && static_cast<uint8_t>(head[1]) == 0x32) {
    return SourceFormat::kEra1;
  }
  size_t i = 0;
  while (i < n && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  if (i < n && (head[i] == '{' || head[i] == '[')) return SourceFormat::kJsonRpc;
  if (std::string_view(head + i, n - i).rfind("header:", 0) == 0) return SourceFormat::kPortal;
  return absl::InvalidArgumentError(
      absl::StrCat(file.string(),
                   ": not EVM block data (expected JSON-RPC .json, portal block .yaml or .era1)"));
}

absl::StatusOr<std::vector<SourceUnit>> PlanSources(
    const std::vector<std::filesystem::path>& inputs) {
  std::vector<SourceUnit> units;
  auto add = [&units](SourceFormat f, std::vector<std::filesystem::path> files) {
    if (f == SourceFormat::kJsonRpc && !units.empty() &&
        units.back().format == SourceFormat::kJsonRpc) {
      for (auto& p : files) units.back().files.push_back(std::move(p));
      return;
    }
    if (f == SourceFormat::kJsonRpc) {
      units.push_back({f, std::move(files)});
      return;
    }
    for (auto& p : files) units.push_back({f, {std::move(p)}});
  };
  for (const auto& input : inputs) {
    std::error_code ec;
    if (std::filesystem::is_directory(input, ec)) {
      std::vector<std::filesystem::path> era1, portal, json;
      for (const auto& e : std::filesystem::directory_iterator(input, ec)) {
        if (!e.is_regular_file()) continue;
        auto f = FormatOfName(e.path());
        if (!f.has_value()) continue;
        if (*f == SourceFormat::kJsonRpc && !LooksLikeRpc(e.path())) continue;
        (*f == SourceFormat::kEra1     ? era1
         : *f == SourceFormat::kPortal ? portal
                                       : json)
            .push_back(e.path());
      }
      if (ec) return absl::NotFoundError(absl::StrCat(input.string(), ": ", ec.message()));
      if (era1.empty() && portal.empty() && json.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            input.string(), ": no EVM block data in this folder (*.json, *.yaml, *.era1)"));
      }
      std::sort(era1.begin(), era1.end());
      std::sort(portal.begin(), portal.end(), [](const auto& a, const auto& b) {
        const uint64_t na = NumberInName(a), nb = NumberInName(b);
        return na != nb ? na < nb : a < b;
      });
      std::sort(json.begin(), json.end());
      if (!era1.empty()) add(SourceFormat::kEra1, std::move(era1));
      if (!portal.empty()) add(SourceFormat::kPortal, std::move(portal));
      if (!json.empty()) add(SourceFormat::kJsonRpc, std::move(json));
    } else if (std::filesystem::is_regular_file(input, ec)) {
      auto f = DetectSourceFormat(input);
      if (!f.ok()) return f.status();
      add(*f, {input});
    } else {
      return absl::NotFoundError(absl::StrCat(input.string(), ": no such file or folder"));
    }
  }
  return units;
}

}  // namespace ariadne::evm
