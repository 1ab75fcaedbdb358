// Importing attributions (labels) into a store: GraphSense TagPacks (YAML: header fields are
// defaults for every tag, a tag's own fields override them) and plain CSV
// (address,label,category,source; a header row is optional).
//
// Rules: the category is the first of the tag's `category`, the tag's `abuse` (e.g. ransomware),
// the pack's `category`, the pack's `abuse`, lowercased;
// the label is the tag's `label`, else its actor; Bitcoin addresses must decode on the store's
// network; Ethereum addresses (currency ETH, or 0x-prefixed in CSV) are accepted in any case but a
// mixed-case address with a wrong EIP-55 checksum is refused. Everything not imported is counted
// with its reason (and the first examples kept with file and line).
#ifndef ARIADNE_INDEXER_TAGS_TAG_IMPORT_H_
#define ARIADNE_INDEXER_TAGS_TAG_IMPORT_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::tags {

struct ImportReport {
  uint64_t files = 0;
  uint64_t tags = 0;      // tags read
  uint64_t imported = 0;  // rows written (a repeated tag is written once)
  std::map<std::string, uint64_t> by_category;
  std::map<std::string, uint64_t> skipped;  // reason -> count
  std::set<std::string> other_currencies;   // tags of chains this store is not
  std::vector<std::string> examples;        // the first problems of each reason, file and line
};

// A parsed tag: the store identity (store::LabelIdentity or an EVM identity) and the label.
struct ParsedTag {
  std::string identity;
  store::LabelRow label;
};

// Parses one TagPack (YAML text) or CSV file for a store of `network`.
// Out: *tags, and skipped tags counted in *report.
// Returns: INVALID_ARGUMENT naming the file (and line) when the file is not a TagPack/CSV at all.
absl::Status ParseTagFile(const std::filesystem::path& path, Network network,
                          std::vector<ParsedTag>* tags, ImportReport* report);

// Imports files and folders (recursively: *.yaml, *.yml, *.csv) into the store: all of them or,
// when one cannot be read or parsed, none (one atomic write after every file is parsed).
// Returns: the report; NOT_FOUND for a missing path, INVALID_ARGUMENT naming the file that is not
//          a TagPack/CSV, and nothing is written on any error.
absl::StatusOr<ImportReport> ImportTags(store::Store* store,
                                        const std::vector<std::filesystem::path>& paths);

}  // namespace ariadne::tags

#endif  // ARIADNE_INDEXER_TAGS_TAG_IMPORT_H_
