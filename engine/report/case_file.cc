#include "engine/report/case_file.h"

#include <simdjson.h>

#include "absl/strings/str_cat.h"

namespace ariadne::report {
namespace {

absl::StatusOr<CaseFile> FromJson(const simdjson::dom::element& root, const std::string& where) {
  simdjson::dom::object obj;
  if (root.get(obj) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": the case must be one JSON object"));
  }
  CaseFile c;
  for (auto [key, out] : {std::pair<const char*, std::string*>{"id", &c.id}, {"title", &c.title}}) {
    std::string_view v;
    if (obj[key].get(v) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": \"", key, "\" is missing or not a string"));
    }
    *out = std::string(v);
  }
  simdjson::dom::array seeds;
  if (obj["seeds"].get(seeds) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": \"seeds\" is missing or not a list"));
  }
  for (simdjson::dom::element s : seeds) {
    std::string_view v;
    if (s.get(v) != simdjson::SUCCESS || v.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": seed ", c.seeds.size() + 1, " is not a non-empty string"));
    }
    c.seeds.emplace_back(v);
  }
  simdjson::dom::array notes;
  if (obj["notes"].get(notes) == simdjson::SUCCESS) {
    for (simdjson::dom::element n : notes) {
      std::string_view target, text;
      if (n["target"].get(target) != simdjson::SUCCESS ||
          n["text"].get(text) != simdjson::SUCCESS) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": note ", c.notes.size() + 1, " needs \"target\" and \"text\""));
      }
      c.notes.push_back({std::string(target), std::string(text)});
    }
  }
  return c;
}

}  // namespace

absl::StatusOr<CaseFile> ReadCaseFile(const std::filesystem::path& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const auto loaded = parser.load(path.string()).get(root);
  if (loaded == simdjson::IO_ERROR) {
    return absl::NotFoundError(absl::StrCat(path.string(), ": cannot read the case file"));
  }
  if (loaded != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat(path.string(), ": not JSON (", simdjson::error_message(loaded), ")"));
  }
  return FromJson(root, path.string());
}

absl::StatusOr<CaseFile> ParseCaseJson(std::string_view json, const std::string& where) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const auto parsed = parser.parse(json.data(), json.size()).get(root);
  if (parsed != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ": not JSON (", simdjson::error_message(parsed), ")"));
  }
  return FromJson(root, where);
}

}  // namespace ariadne::report
