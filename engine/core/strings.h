// Bridges std::string_view and absl::string_view. Debian's abseil is built with its own
// string_view type (ABSL_OPTION_USE_STD_STRING_VIEW 0), so absl::StrCat and absl::Status take
// absl::string_view, while our APIs use std::string_view.
#ifndef ARIADNE_ENGINE_CORE_STRINGS_H_
#define ARIADNE_ENGINE_CORE_STRINGS_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace ariadne {

inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view SV(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace ariadne

#endif  // ARIADNE_ENGINE_CORE_STRINGS_H_
