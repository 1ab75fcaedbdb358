// `ariadne gen`: the synthetic chain generator's command (owned by the generator work).
#include <cstdio>

#include "tools/commands.h"

namespace ariadne::cli {

int RunGen(const std::vector<std::string>& args) {
  std::fprintf(stderr, "ariadne gen: not built yet\n");
  return 2;
}

}  // namespace ariadne::cli
