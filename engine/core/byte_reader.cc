#include "engine/core/byte_reader.h"

#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"

namespace ariadne {

absl::Status ByteReader::status(std::string_view context) const {
  if (ok()) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat(AV(context), ": ", what_, " at offset ", fail_offset_));
}

}  // namespace ariadne
