// Buffered writes to stdout for commands that print many lines, and small display helpers.
#ifndef ARIADNE_TOOLS_OUTPUT_H_
#define ARIADNE_TOOLS_OUTPUT_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace ariadne::cli {

// Collects output and writes it to stdout in large chunks (and at destruction).
class StdoutBuffer {
 public:
  ~StdoutBuffer() { Flush(); }
  std::string* buffer() { return &buf_; }
  void Append(std::string_view s) {
    buf_.append(s);
    MaybeFlush();
  }
  void MaybeFlush() {
    if (buf_.size() >= (1 << 20)) Flush();
  }
  void Flush() {
    if (!buf_.empty()) std::fwrite(buf_.data(), 1, buf_.size(), stdout);
    std::fflush(stdout);
    buf_.clear();
  }

 private:
  std::string buf_;
};

// Prints "error: <message>" to stderr; returns the process exit code for the status (1).
int PrintError(const absl::Status& status);
// Returns: "YYYY-MM-DD HH:MM:SS UTC" for a Unix time.
std::string FormatTime(int64_t unix_time);
// Returns: an amount in satoshi as BTC with 8 decimals, e.g. "50.00000000".
std::string FormatBtc(int64_t sat);
// Returns: a count with thousands separators, e.g. "1,234,567".
std::string FormatCount(uint64_t n);

}  // namespace ariadne::cli

#endif  // ARIADNE_TOOLS_OUTPUT_H_
