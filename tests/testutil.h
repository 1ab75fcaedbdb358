// Shared helpers for tests: where the reference data lives, and status matchers.
#ifndef ARIADNE_TESTS_TESTUTIL_H_
#define ARIADNE_TESTS_TESTUTIL_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ariadne::testing {

// Returns: the chaindata folder: $ARIADNE_TESTDATA, else ../shared/chaindata beside the source
// tree.
std::filesystem::path TestDataDir();
// Returns: true when the chaindata folder exists.
bool HaveTestData();
// Returns: TestDataDir()/relative.
std::filesystem::path TestData(const std::string& relative);
// Returns: the whole file; fails the test (and returns empty) if it cannot be read.
std::vector<uint8_t> ReadFileBytes(const std::filesystem::path& path);
std::string ReadFileText(const std::filesystem::path& path);
// Returns: a fresh empty directory under the test temp dir, removed at process exit.
std::filesystem::path MakeTempDir(const std::string& name);

}  // namespace ariadne::testing

// Skips the test with a message when ../shared/chaindata (or $ARIADNE_TESTDATA) is absent.
#define REQUIRE_TESTDATA()                                                           \
  do {                                                                               \
    if (!::ariadne::testing::HaveTestData())                                         \
      GTEST_SKIP() << "chaindata not found at " << ::ariadne::testing::TestDataDir() \
                   << " (set ARIADNE_TESTDATA to run tests on real chain data)";     \
  } while (0)

namespace ariadne {
namespace testing::internal {
inline absl::Status ToStatus(const absl::Status& s) { return s; }
template <typename T>
absl::Status ToStatus(const absl::StatusOr<T>& s) {
  return s.status();
}
}  // namespace testing::internal

// gMock matchers in the spirit of abseil's StatusIs / IsOk, for absl::Status and absl::StatusOr.
MATCHER_P(StatusIs, code, "") {
  absl::Status s = ::ariadne::testing::internal::ToStatus(arg);
  if (s.code() == code) return true;
  *result_listener << "status is " << s;
  return false;
}
MATCHER(IsOk, "") {
  absl::Status s = ::ariadne::testing::internal::ToStatus(arg);
  if (s.ok()) return true;
  *result_listener << "status is " << s;
  return false;
}
MATCHER_P2(StatusIsWithMessage, code, substr, "") {
  absl::Status s = ::ariadne::testing::internal::ToStatus(arg);
  if (s.code() == code && s.message().find(substr) != absl::string_view::npos) return true;
  *result_listener << "status is " << s;
  return false;
}

}  // namespace ariadne

#endif  // ARIADNE_TESTS_TESTUTIL_H_
