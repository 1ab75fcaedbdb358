// libFuzzer target: attribution files (GraphSense TagPack YAML and case CSVs) for stores of both
// models, on arbitrary text. Each must parse or fail with INVALID_ARGUMENT naming the file; a bad
// tag is skipped and counted, never imported half.
#include <cstddef>
#include <cstdint>

#include "indexer/tags/tag_import.h"
#include "tests/fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne;
  for (const char* name : {"input.yaml", "input.csv"}) {
    const std::filesystem::path path = fuzz::WriteInput(name, data, size);
    for (Network network : {Network::kMainnet, Network::kRegtest, Network::kEthereum}) {
      std::vector<tags::ParsedTag> parsed;
      tags::ImportReport report;
      if (!tags::ParseTagFile(path, network, &parsed, &report).ok()) continue;
      for (const tags::ParsedTag& t : parsed) (void)t.label.category.size();
    }
  }
  return 0;
}
