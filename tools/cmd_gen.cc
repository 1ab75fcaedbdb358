// `ariadne gen`: write a synthetic Bitcoin chain (a Bitcoin Core blocks folder) and its ground
// truth (docs/generator.md).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "gen/generator.h"
#include "tools/cli_args.h"
#include "tools/commands.h"
#include "tools/output.h"

namespace ariadne::cli {
namespace {

constexpr const char* kUsage =
    "usage: ariadne gen --out DIR --blocks N --seed S [--network regtest] [--xor]\n"
    "                   [--txs-per-block N] [--scenarios N] [--individuals N]\n"
    "                   [--maturity N] [--era-begin YEAR] [--era-end YEAR]\n"
    "                   [--roll-size MIB] [--premine BTC] [--no-truth] [--chunks]\n"
    "--chunks: generate in chunks, for a streaming replay. A line on stdin gives the transaction\n"
    "count to stop at next; once it is reached the blk file is closed and `chunk HEIGHT TXS\n"
    "BYTES` is printed on stdout, and the next line is read (0 or end of input: run to the end).\n";

}  // namespace

int RunGen(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {{"out", true},
                                 {"blocks", true},
                                 {"seed", true},
                                 {"network", true},
                                 {"xor", false},
                                 {"txs-per-block", true},
                                 {"scenarios", true},
                                 {"individuals", true},
                                 {"maturity", true},
                                 {"era-begin", true},
                                 {"era-end", true},
                                 {"roll-size", true},
                                 {"premine", true},
                                 {"no-truth", false},
                                 {"chunks", false},
                                 {"help", false}});
  if (!args.ok()) {
    PrintError(args.status());
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (args->Has("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (!args->positionals().empty() || !args->Has("out") || !args->Has("blocks")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  gen::GenOptions o;
  o.out_dir = *args->Get("out");
  auto blocks = args->GetInt("blocks", 0, 1, 100'000'000);
  auto seed = args->GetInt("seed", 1, 0, INT64_MAX);
  auto tpb = args->GetInt("txs-per-block", o.txs_per_block, 0, 20'000);
  auto scenarios = args->GetInt("scenarios", -1, -1, 100'000);
  auto individuals = args->GetInt("individuals", 0, 0, 100'000'000);
  auto maturity = args->GetInt("maturity", 0, 0, 100'000);
  auto roll = args->GetInt("roll-size", 128, 1, 1 << 20);
  auto premine = args->GetInt("premine", o.premine / 100'000'000, 0, 15'000'000);
  auto era_begin = args->GetDouble("era-begin", o.era_begin);
  auto era_end = args->GetDouble("era-end", o.era_end);
  for (const absl::Status& s :
       {blocks.status(), seed.status(), tpb.status(), scenarios.status(), individuals.status(),
        maturity.status(), roll.status(), premine.status(), era_begin.status(), era_end.status()}) {
    if (!s.ok()) return PrintError(s);
  }
  if (auto name = args->Get("network")) {
    auto n = ParseNetwork(*name);
    if (!n.ok()) return PrintError(n.status());
    o.network = *n;
  }
  o.blocks = static_cast<uint32_t>(*blocks);
  o.seed = static_cast<uint64_t>(*seed);
  o.xor_blocks = args->Has("xor");
  o.txs_per_block = static_cast<uint32_t>(*tpb);
  o.scenarios = static_cast<int32_t>(*scenarios);
  o.individuals = static_cast<uint32_t>(*individuals);
  o.coinbase_maturity = static_cast<uint32_t>(*maturity);
  o.max_blk_file_size = static_cast<uint64_t>(*roll) << 20;
  o.premine = *premine * 100'000'000LL;
  o.era_begin = *era_begin;
  o.era_end = *era_end;
  o.write_truth = !args->Has("no-truth");

  const auto start = std::chrono::steady_clock::now();
  const bool tty = isatty(STDERR_FILENO) != 0;
  auto last = start;
  if (tty) {
    o.progress = [&](const gen::GenProgress& p) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last < std::chrono::milliseconds(250) && p.height + 1 < p.blocks) return;
      last = now;
      const double secs = std::chrono::duration<double>(now - start).count();
      std::fprintf(stderr, "\r  block %s / %s  %s txs  %.1f MB  %.0f tx/s   ",
                   FormatCount(p.height + 1).c_str(), FormatCount(p.blocks).c_str(),
                   FormatCount(p.txs).c_str(), p.bytes / 1e6, secs > 0 ? p.txs / secs : 0.0);
      std::fflush(stderr);
    };
  }
  if (args->Has("chunks")) {
    o.next_chunk = [](const gen::GenProgress& p) -> uint64_t {
      if (p.height > 0) {
        std::printf("chunk %u %llu %llu\n", p.height, static_cast<unsigned long long>(p.txs),
                    static_cast<unsigned long long>(p.bytes));
        std::fflush(stdout);
      }
      char line[64];
      if (std::fgets(line, sizeof(line), stdin) == nullptr) return 0;
      return std::strtoull(line, nullptr, 10);
    };
  }
  gen::GenStats stats;
  const absl::Status status = gen::GenerateChain(o, &stats);
  if (tty) std::fputs("\n", stderr);
  if (!status.ok()) return PrintError(status);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "generated %s blocks, %s txs, %.1f MB in %u blk file(s), %s addresses, %u/%u scenarios "
      "complete, in %.2f s (%.0f tx/s) -> %s\n",
      FormatCount(stats.blocks).c_str(), FormatCount(stats.txs).c_str(), stats.bytes / 1e6,
      stats.blk_files, FormatCount(stats.addresses).c_str(), stats.scenarios_completed,
      stats.scenarios, secs, secs > 0 ? stats.txs / secs : 0.0, o.out_dir.c_str());
  return 0;
}

}  // namespace ariadne::cli
