// Shared pieces of the benchmarks: locating chaindata, reading files, peak RSS, and a reporter
// that prints each benchmark's throughput as a ratio to a baseline measured in the same run.
#ifndef ARIADNE_BENCH_BENCH_UTIL_H_
#define ARIADNE_BENCH_BENCH_UTIL_H_

#include <benchmark/benchmark.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ariadne::bench {

// Returns: $ARIADNE_TESTDATA, else ../shared/chaindata beside the source tree.
std::filesystem::path TestDataDir();
// Returns: the file's bytes; exits with a message when it cannot be read.
std::vector<uint8_t> ReadFileOrDie(const std::filesystem::path& path);
// Returns: the process's peak resident set size in bytes (VmHWM).
uint64_t PeakRssBytes();

// Console output plus, at the end, "ratio <name> / <baseline>" lines for bytes_per_second.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  // Args: pairs: (benchmark name prefix, baseline name prefix).
  explicit RatioReporter(std::vector<std::pair<std::string, std::string>> pairs)
      : pairs_(std::move(pairs)) {}
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
  std::map<std::string, double> bytes_per_second_;
};

}  // namespace ariadne::bench

#endif  // ARIADNE_BENCH_BENCH_UTIL_H_
