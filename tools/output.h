// Buffered writes to stdout for commands that print many lines, and small display helpers.
#ifndef ARIADNE_TOOLS_OUTPUT_H_
#define ARIADNE_TOOLS_OUTPUT_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "engine/render/format.h"

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
// The renderings' formats, under the names the commands use.
using render::FormatBtc;
using render::FormatCount;
using render::FormatTime;

}  // namespace ariadne::cli

#endif  // ARIADNE_TOOLS_OUTPUT_H_
