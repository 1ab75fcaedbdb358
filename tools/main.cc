// `ariadne`: index chains, serve them over gRPC, and ask analyst questions.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tools/commands.h"

namespace {

struct Command {
  const char* name;
  int (*run)(const std::vector<std::string>&);
  const char* usage;
};

constexpr Command kCommands[] = {
    {"decode", ariadne::cli::RunDecode,
     "decode FILE_OR_DIR... [--xor-key HEX] [--network NET] [--json]\n"
     "      decode blk files (or a blocks folder) and print each block"},
    {"index", ariadne::cli::RunIndex,
     "index btc --blocks DIR_OR_FILE... --db DIR [--network NET] [--xor-key HEX]\n"
     "      index Bitcoin blk files or a blocks folder (incremental, reorg- and crash-safe)"},
    {"db", ariadne::cli::RunDb,
     "db digest|check --db DIR [--json]\n"
     "      logical digest of a store's content, or its consistency check"},
    {"gen", ariadne::cli::RunGen,
     "gen --out DIR --blocks N --seed S [--network regtest] [--xor] [...]\n"
     "      generate a synthetic chain (Bitcoin Core blocks folder) with its ground truth"},
};

void PrintUsage(FILE* out) {
  std::fprintf(out, "usage: ariadne COMMAND [ARGS...]\n\ncommands:\n");
  for (const Command& c : kCommands) std::fprintf(out, "  %s\n", c.usage);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "help") == 0) {
    PrintUsage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const Command& c : kCommands) {
    if (std::strcmp(argv[1], c.name) == 0) return c.run(args);
  }
  std::fprintf(stderr, "ariadne: unknown command '%s'\n\n", argv[1]);
  PrintUsage(stderr);
  return 2;
}
