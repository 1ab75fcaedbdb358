#include "tools/output.h"

#include "absl/strings/str_cat.h"

namespace ariadne::cli {

int PrintError(const absl::Status& status) {
  std::fflush(stdout);
  std::fprintf(stderr, "error: %s: %s\n", absl::StatusCodeToString(status.code()).c_str(),
               std::string(status.message()).c_str());
  return 1;
}

}  // namespace ariadne::cli
