// Simulated public attribution tags for a generated chain: what an analyst would have from tag
// packs before an investigation. A deterministic share of every service's addresses (exchanges,
// mixers, gambling, darknet markets, merchants, miners) is tagged with the entity's name and kind;
// individuals are never tagged. Written as truth/tags.csv (address,label,category,source), the
// CSV `ariadne tags import` reads.
#ifndef ARIADNE_GEN_PUBLIC_TAGS_H_
#define ARIADNE_GEN_PUBLIC_TAGS_H_

#include <cstdint>
#include <filesystem>

#include "absl/status/statusor.h"

namespace ariadne::gen {

struct PublicTagOptions {
  double service_share = 0.30;   // default: 30% of a service's addresses are tagged
  double merchant_share = 0.10;  // default: 10% of a merchant's
  uint64_t seed = 1;             // default 1: which addresses are tagged (deterministic)
};

// Reads truth/entities.csv and truth/addresses.csv in `truth_dir` and writes truth/tags.csv.
// Returns: the number of tags written; errors naming the file.
absl::StatusOr<uint64_t> WritePublicTags(const std::filesystem::path& truth_dir,
                                         const PublicTagOptions& options);

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_PUBLIC_TAGS_H_
