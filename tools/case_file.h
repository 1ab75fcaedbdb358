// A case file of the web workspace (docs/http-api.md): {"id", "title", "seeds": [address, txid,
// txid:vout or cluster:ID, ...], "notes": [{"target", "text"}], ...}, as `ariadne report` reads it.
#ifndef ARIADNE_TOOLS_CASE_FILE_H_
#define ARIADNE_TOOLS_CASE_FILE_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ariadne::cli {

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

}  // namespace ariadne::cli

#endif  // ARIADNE_TOOLS_CASE_FILE_H_
