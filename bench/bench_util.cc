#include "bench/bench_util.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace ariadne::bench {

std::filesystem::path TestDataDir() {
  if (const char* env = std::getenv("ARIADNE_TESTDATA"); env != nullptr && *env != '\0') {
    return env;
  }
  return ARIADNE_DEFAULT_TESTDATA;
}

std::vector<uint8_t> ReadFileOrDie(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s (set ARIADNE_TESTDATA to the chaindata folder)\n",
                 path.c_str());
    std::exit(1);
  }
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

uint64_t PeakRssBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

void RatioReporter::ReportRuns(const std::vector<Run>& runs) {
  ConsoleReporter::ReportRuns(runs);
  for (const Run& r : runs) {
    auto it = r.counters.find("bytes_per_second");
    if (it != r.counters.end()) bytes_per_second_[r.benchmark_name()] = it->second.value;
  }
}

void RatioReporter::Finalize() {
  ConsoleReporter::Finalize();
  auto find = [&](const std::string& prefix) -> const std::pair<const std::string, double>* {
    for (const auto& kv : bytes_per_second_)
      if (kv.first.rfind(prefix, 0) == 0) return &kv;
    return nullptr;
  };
  for (const auto& [name, base] : pairs_) {
    const auto* a = find(name);
    const auto* b = find(base);
    if (a == nullptr || b == nullptr || b->second <= 0) continue;
    std::printf("ratio %-40s / %-28s = %.3f  (%.1f MB/s vs %.1f MB/s)\n", a->first.c_str(),
                b->first.c_str(), a->second / b->second, a->second / 1e6, b->second / 1e6);
  }
  std::printf("peak RSS %.1f MiB\n", PeakRssBytes() / 1048576.0);
}

}  // namespace ariadne::bench
