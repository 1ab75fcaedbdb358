// A case file of the web workspace (docs/http-api.md): {"id", "title", "seeds": [address, txid,
// txid:vout or cluster:ID, ...], "notes": [{"target", "text"}], ...}, as `ariadne report` and the
// HTTP API's report route read it.
#ifndef ARIADNE_ENGINE_REPORT_CASE_FILE_H_
#define ARIADNE_ENGINE_REPORT_CASE_FILE_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ariadne::report {

struct CaseNote {
  std::string target;
  std::string text;
};

struct CaseFile {
  std::string id;
  std::string title;
  std::vector<std::string> seeds;
  std::vector<CaseNote> notes;
};

// Returns: NOT_FOUND when the file cannot be read; INVALID_ARGUMENT naming the file and the field
// when it is not JSON, lacks id, title or seeds, or a field has the wrong type (unknown fields are
// ignored).
absl::StatusOr<CaseFile> ReadCaseFile(const std::filesystem::path& path);
// The same for a case's JSON text (the web app posts it). Args: where: names it in errors.
absl::StatusOr<CaseFile> ParseCaseJson(std::string_view json, const std::string& where);

}  // namespace ariadne::report

#endif  // ARIADNE_ENGINE_REPORT_CASE_FILE_H_
