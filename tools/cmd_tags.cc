// `ariadne tags import`: attributions (GraphSense TagPacks, CSV) into a store.
#include <cstdio>

#include "engine/store/store.h"
#include "indexer/tags/tag_import.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace ariadne::cli {

int RunTags(const std::vector<std::string>& argv) {
  constexpr char kUsage[] =
      "usage: ariadne tags import PATH... --db DIR\n"
      "  PATH: TagPack YAML files, CSV files (address,label,category,source), or folders of them\n";
  if (argv.empty() || argv[0] != "import") {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto args = Args::Parse(std::vector<std::string>(argv.begin() + 1, argv.end()), {{"db", true}});
  if (!args.ok()) return PrintError(args.status());
  if (args->positionals().empty() || !args->Has("db")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto store = store::Store::Open(*args->Get("db"), store::StoreOptions());
  if (!store.ok()) return PrintError(store.status());
  std::vector<std::filesystem::path> paths(args->positionals().begin(), args->positionals().end());
  auto r = tags::ImportTags(store->get(), paths);
  if (!r.ok()) return PrintError(r.status());
  std::printf("imported %s labels from %s tags in %s files\n", FormatCount(r->imported).c_str(),
              FormatCount(r->tags).c_str(), FormatCount(r->files).c_str());
  for (const auto& [category, n] : r->by_category) {
    std::printf("  %-24s %10s\n", category.c_str(), FormatCount(n).c_str());
  }
  if (!r->skipped.empty()) {
    std::printf("skipped:\n");
    for (const auto& [reason, n] : r->skipped) {
      std::printf("  %-40s %10s\n", reason.c_str(), FormatCount(n).c_str());
    }
    if (!r->other_currencies.empty()) {
      std::string list;
      for (const auto& c : r->other_currencies) list += (list.empty() ? "" : " ") + c;
      std::printf("  (other currencies: %s)\n", list.c_str());
    }
    for (const auto& e : r->examples) std::printf("    e.g. %s\n", e.c_str());
  }
  std::printf("(a running `ariadne serve` picks the labels up when restarted)\n");
  return 0;
}

}  // namespace ariadne::cli
