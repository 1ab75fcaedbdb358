// Checks shared by the store codec tests: a row that lost bytes at its end, or gained some, is
// DATA_LOSS.
#ifndef ARIADNE_TESTS_ENGINE_STORE_CODEC_TEST_UTIL_H_
#define ARIADNE_TESTS_ENGINE_STORE_CODEC_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/testutil.h"

namespace ariadne::testing {

// Expects `decode` to answer DATA_LOSS for every strict prefix of `encoded` and, when `strict_end`,
// for `encoded` with a byte appended. Decode: std::string_view -> absl::Status or StatusOr.
template <typename Decode>
void ExpectCorruptionIsDataLoss(const std::string& encoded, Decode decode, bool strict_end = true) {
  for (size_t n = 0; n < encoded.size(); ++n) {
    EXPECT_THAT(decode(std::string_view(encoded).substr(0, n)),
                StatusIs(absl::StatusCode::kDataLoss))
        << "prefix of " << n << " of " << encoded.size() << " bytes";
  }
  if (strict_end) {
    EXPECT_THAT(decode(encoded + '\x01'), StatusIs(absl::StatusCode::kDataLoss))
        << "a byte appended";
  }
}

// Expects `got` to hold `want`.
template <typename T>
void ExpectValue(const absl::StatusOr<T>& got, const T& want) {
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, want);
}

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_ENGINE_STORE_CODEC_TEST_UTIL_H_
