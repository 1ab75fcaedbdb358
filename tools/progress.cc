#include "tools/progress.h"

#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_format.h"

namespace ariadne::cli {

ProgressBar::ProgressBar() : enabled_(::isatty(STDERR_FILENO) != 0) {}

std::string FormatDuration(double seconds) {
  if (seconds < 0) seconds = 0;
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return absl::StrFormat("%dh%02dm", s / 3600, (s / 60) % 60);
  if (s >= 60) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%ds", s);
}

void ProgressBar::Update(uint64_t done, uint64_t total, double elapsed, const std::string& detail) {
  if (!enabled_) return;
  constexpr int kWidth = 28;
  std::string bar;
  if (total > 0) {
    const double f = done >= total ? 1.0 : static_cast<double>(done) / total;
    const int fill = static_cast<int>(f * kWidth);
    bar = "[" + std::string(fill, '=') + (fill < kWidth ? ">" : "") +
          std::string(kWidth - fill - (fill < kWidth ? 1 : 0), ' ') + "]";
    const double eta = done > 0 ? elapsed * (total - done) / done : 0;
    bar += absl::StrFormat(" %3d%% ", static_cast<int>(f * 100));
    std::fprintf(stderr, "\r\033[K%s%s | ETA %s", bar.c_str(), detail.c_str(),
                 FormatDuration(eta).c_str());
  } else {
    std::fprintf(stderr, "\r\033[K%s", detail.c_str());
  }
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (enabled_ && drawn_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
}

}  // namespace ariadne::cli
