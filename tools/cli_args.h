// Command-line arguments of one `ariadne` subcommand: positionals and --flags.
#ifndef ARIADNE_TOOLS_CLI_ARGS_H_
#define ARIADNE_TOOLS_CLI_ARGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ariadne::cli {

struct FlagSpec {
  std::string name;  // without the leading "--"
  bool takes_value;  // --name VALUE / --name=VALUE; otherwise a boolean switch
  bool repeated = false;
};

class Args {
 public:
  // Parses argv against the known flags. Values may follow as "--name value" or "--name=value".
  // Returns: INVALID_ARGUMENT for an unknown flag (listing the known ones), a missing value, or a
  // repeated flag that is not marked repeated.
  static absl::StatusOr<Args> Parse(const std::vector<std::string>& argv,
                                    const std::vector<FlagSpec>& specs);

  const std::vector<std::string>& positionals() const { return positionals_; }
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> Get(const std::string& name) const;
  std::string GetOr(const std::string& name, const std::string& fallback) const;
  std::vector<std::string> GetAll(const std::string& name) const;
  // Returns: the flag as an integer in [min, max]; INVALID_ARGUMENT naming the flag otherwise.
  absl::StatusOr<int64_t> GetInt(const std::string& name, int64_t fallback, int64_t min,
                                 int64_t max) const;
  absl::StatusOr<double> GetDouble(const std::string& name, double fallback) const;

 private:
  std::vector<std::string> positionals_;
  std::multimap<std::string, std::string> values_;
};

}  // namespace ariadne::cli

#endif  // ARIADNE_TOOLS_CLI_ARGS_H_
