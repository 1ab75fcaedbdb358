#include "indexer/pipeline/block_source.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "indexer/btc/blk_reader.h"

namespace ariadne::pipeline {
namespace {

void AddFile(const std::filesystem::path& path, std::string* out) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    absl::StrAppend(out, path.string(), ":gone;");
    return;
  }
  absl::StrAppend(out, path.string(), ":", st.st_size, ":", st.st_mtim.tv_sec, ".",
                  st.st_mtim.tv_nsec, ";");
}

}  // namespace

absl::StatusOr<bool> FolderSource::Poll() {
  std::string fingerprint = "polled;";
  for (const std::filesystem::path& input : inputs_) {
    std::error_code ec;
    if (std::filesystem::is_directory(input, ec)) {
      absl::StatusOr<std::vector<std::filesystem::path>> files = btc::ListBlkFiles(input);
      if (!files.ok()) {
        absl::StrAppend(&fingerprint, input.string(), ":empty;");
        continue;  // a folder without blk files yet: the indexer says so when it runs
      }
      for (const auto& f : *files) AddFile(f, &fingerprint);
      AddFile(input / "xor.dat", &fingerprint);
    } else {
      AddFile(input, &fingerprint);
    }
  }
  const bool changed = fingerprint != fingerprint_;
  fingerprint_ = std::move(fingerprint);
  return changed;
}

std::string FolderSource::Describe() const {
  std::vector<std::string> names;
  for (const auto& p : inputs_) names.push_back(p.string());
  return absl::StrCat("blk files in ", absl::StrJoin(names, ", "));
}

}  // namespace ariadne::pipeline
