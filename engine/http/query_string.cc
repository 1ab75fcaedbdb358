#include "engine/http/query_string.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/core/hex.h"
#include "engine/core/strings.h"

namespace ariadne::http {
namespace {

// The first 40 bytes of `s`, for error messages about what a client sent.
std::string Shown(std::string_view s) {
  return s.size() <= 40 ? std::string(s) : std::string(s.substr(0, 40)) + "...";
}

}  // namespace

absl::StatusOr<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+' && plus_is_space) {
      c = ' ';
    } else if (c == '%') {
      const int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
      const int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("malformed percent escape at byte ", i, " of '", Shown(s), "'"));
      }
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') {
      return absl::InvalidArgumentError(absl::StrCat("NUL byte in '", Shown(s), "'"));
    }
    out.push_back(c);
  }
  return out;
}

absl::StatusOr<Target> Target::Parse(std::string_view target) {
  Target t;
  const size_t q = target.find('?');
  auto path = PercentDecode(target.substr(0, q), false);
  if (!path.ok()) return path.status();
  t.path_ = *std::move(path);
  if (q == std::string_view::npos) return t;
  for (absl::string_view part : absl::StrSplit(AV(target.substr(q + 1)), '&', absl::SkipEmpty())) {
    const size_t eq = part.find('=');
    auto name = PercentDecode(SV(part.substr(0, eq)), true);
    if (!name.ok()) return name.status();
    auto value = PercentDecode(eq == absl::string_view::npos ? "" : SV(part.substr(eq + 1)), true);
    if (!value.ok()) return value.status();
    t.params_[*std::move(name)].push_back(*std::move(value));
  }
  return t;
}

std::string Target::Get(std::string_view name, std::string_view fallback) const {
  auto it = params_.find(std::string(name));
  return it == params_.end() ? std::string(fallback) : it->second.back();
}

std::vector<std::string> Target::GetList(std::string_view name) const {
  std::vector<std::string> out;
  auto it = params_.find(std::string(name));
  if (it == params_.end()) return out;
  for (const std::string& v : it->second) {
    for (absl::string_view p : absl::StrSplit(v, ',', absl::SkipEmpty())) out.emplace_back(p);
  }
  return out;
}

absl::StatusOr<int64_t> Target::GetInt(std::string_view name, int64_t fallback, int64_t lo,
                                       int64_t hi) const {
  if (!Has(name)) return fallback;
  const std::string v = Get(name);
  int64_t n = 0;
  if (!absl::SimpleAtoi(v, &n) || n < lo || n > hi) {
    return absl::InvalidArgumentError(absl::StrCat("parameter ", AV(name), "='", Shown(v),
                                                   "' is not an integer from ", lo, " to ", hi));
  }
  return n;
}

absl::StatusOr<bool> Target::GetBool(std::string_view name) const {
  if (!Has(name)) return false;
  const std::string v = Get(name);
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  return absl::InvalidArgumentError(
      absl::StrCat("parameter ", AV(name), "='", Shown(v), "' is not true or false"));
}

}  // namespace ariadne::http
