#include "gen/public_tags.h"

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gen/truth.h"

namespace ariadne::gen {
namespace {

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

uint64_t HashString(std::string_view s, uint64_t seed) {
  uint64_t h = seed * 0x9e3779b97f4a7c15ULL;
  for (char c : s) h = Mix(h ^ static_cast<uint8_t>(c));
  return h;
}

}  // namespace

absl::StatusOr<uint64_t> WritePublicTags(const std::filesystem::path& truth_dir,
                                         const PublicTagOptions& options) {
  auto truth = LoadTruth(truth_dir);
  if (!truth.ok()) return truth.status();
  const std::filesystem::path path = truth_dir / "tags.csv";
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return absl::PermissionDeniedError(path.string() + ": cannot write");
  std::fputs("address,label,category,source\n", f);
  uint64_t written = 0;
  for (size_t row = 0; row < truth->address_count(); ++row) {
    const TruthEntity* e = truth->entity(truth->address_entity(row));
    if (e == nullptr || e->kind == EntityKind::kIndividual) continue;
    const double share =
        e->kind == EntityKind::kMerchant ? options.merchant_share : options.service_share;
    const std::string_view address = truth->address(row);
    if (static_cast<double>(HashString(address, options.seed) % 1'000'000) >= share * 1e6) {
      continue;
    }
    std::fprintf(f, "%.*s,%s,%s,simulated public tags (ariadne gen)\n",
                 static_cast<int>(address.size()), address.data(), e->name.c_str(),
                 std::string(EntityKindName(e->kind)).c_str());
    ++written;
  }
  if (std::fclose(f) != 0) return absl::InternalError(path.string() + ": write failed");
  return written;
}

}  // namespace ariadne::gen
