// A one-line progress bar on stderr, shown only when stderr is a terminal.
#ifndef ARIADNE_TOOLS_PROGRESS_H_
#define ARIADNE_TOOLS_PROGRESS_H_

#include <cstdint>
#include <string>

namespace ariadne::cli {

class ProgressBar {
 public:
  ProgressBar();
  bool enabled() const { return enabled_; }
  // Redraws the bar: `done` of `total` units (total 0: unknown), and `detail` after it.
  // Args: elapsed: seconds since the start, for the ETA.
  void Update(uint64_t done, uint64_t total, double elapsed, const std::string& detail);
  // Clears the bar line (before printing a summary).
  void Finish();

 private:
  bool enabled_;
  bool drawn_ = false;
};

// Returns: "1h02m", "3m05s" or "12s".
std::string FormatDuration(double seconds);

}  // namespace ariadne::cli

#endif  // ARIADNE_TOOLS_PROGRESS_H_
