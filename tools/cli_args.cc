#include "tools/cli_args.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ariadne::cli {

absl::StatusOr<Args> Args::Parse(const std::vector<std::string>& argv,
                                 const std::vector<FlagSpec>& specs) {
  Args args;
  auto find = [&](const std::string& name) -> const FlagSpec* {
    for (const FlagSpec& s : specs)
      if (s.name == name) return &s;
    return nullptr;
  };
  auto known = [&] {
    std::vector<std::string> names;
    for (const FlagSpec& s : specs) names.push_back("--" + s.name);
    return names.empty() ? std::string("none") : absl::StrJoin(names, " ");
  };
  bool only_positionals = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (only_positionals || a.size() < 3 || a.rfind("--", 0) != 0) {
      if (a == "--") {
        only_positionals = true;
        continue;
      }
      args.positionals_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const FlagSpec* spec = find(name);
    if (spec == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag --", name, " (known: ", known(), ")"));
    }
    if (spec->takes_value && !value.has_value()) {
      if (i + 1 >= argv.size()) {
        return absl::InvalidArgumentError(absl::StrCat("flag --", name, " needs a value"));
      }
      value = argv[++i];
    }
    if (!spec->takes_value && value.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat("flag --", name, " takes no value"));
    }
    if (!spec->repeated && args.values_.count(name) > 0) {
      return absl::InvalidArgumentError(absl::StrCat("flag --", name, " given twice"));
    }
    args.values_.emplace(name, value.value_or(""));
  }
  return args;
}

std::optional<std::string> Args::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Args::GetOr(const std::string& name, const std::string& fallback) const {
  return Get(name).value_or(fallback);
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  std::vector<std::string> out;
  auto [begin, end] = values_.equal_range(name);
  for (auto it = begin; it != end; ++it) out.push_back(it->second);
  return out;
}

absl::StatusOr<int64_t> Args::GetInt(const std::string& name, int64_t fallback, int64_t min,
                                     int64_t max) const {
  std::optional<std::string> v = Get(name);
  if (!v.has_value()) return fallback;
  int64_t out;
  if (!absl::SimpleAtoi(*v, &out) || out < min || out > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " must be an integer in [", min, ", ", max, "], got '", *v, "'"));
  }
  return out;
}

absl::StatusOr<double> Args::GetDouble(const std::string& name, double fallback) const {
  std::optional<std::string> v = Get(name);
  if (!v.has_value()) return fallback;
  double out;
  if (!absl::SimpleAtod(*v, &out)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " must be a number, got '", *v, "'"));
  }
  return out;
}

}  // namespace ariadne::cli
