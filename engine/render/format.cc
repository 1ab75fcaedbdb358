#include "engine/render/format.h"

#include <ctime>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ariadne::render {

std::string FormatTime(int64_t unix_time) {
  std::time_t t = static_cast<std::time_t>(unix_time);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string FormatBtc(int64_t sat) {
  const char* sign = sat < 0 ? "-" : "";
  uint64_t a = sat < 0 ? static_cast<uint64_t>(-(sat + 1)) + 1 : static_cast<uint64_t>(sat);
  return absl::StrFormat("%s%d.%08d", sign, a / 100000000, a % 100000000);
}

std::string FormatCount(uint64_t n) {
  std::string digits = absl::StrCat(n);
  std::string out;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (count > 0 && count % 3 == 0) out.push_back(',');
    out.push_back(*it);
    ++count;
  }
  return std::string(out.rbegin(), out.rend());
}

}  // namespace ariadne::render
