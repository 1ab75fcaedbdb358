// Small helpers of the server attacks in tests/hostile: a suite over one small chain, fresh
// folders, `ariadne` runs with their own TMPDIR (to see what they leave behind), a status call.
#ifndef ARIADNE_TESTS_HOSTILE_HOSTILE_SERVER_UTIL_H_
#define ARIADNE_TESTS_HOSTILE_HOSTILE_SERVER_UTIL_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/engine/service/hardening_util.h"

namespace ariadne::testing {

// A suite over one small chain (20 blocks of 20 transactions), generated and indexed once.
class HostileChainTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  static inline std::filesystem::path* dir_ = nullptr;
  static inline TestChain* chain_ = nullptr;
};

// Returns: `dir`, emptied (created when missing).
std::filesystem::path EmptyDir(const std::filesystem::path& dir);

// Runs `ariadne ARGS...` with TMPDIR=`tmpdir` to completion (at most 60 s).
// Returns: its exit code (128 + signal when a signal ended it, -1 when it did not end).
// Out: *output: what it printed.
int RunWithTmpdir(const std::vector<std::string>& args, const std::filesystem::path& tmpdir,
                  std::string* output);

// Returns: the status of a GetStatus call to `target` (plaintext, 10 s deadline, a connection of
// its own), with a bearer token when not empty.
grpc::Status StatusCall(const std::string& target, const std::string& token = "");

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_HOSTILE_HOSTILE_SERVER_UTIL_H_
