// Small helpers of the server attacks in tests/hostile: fresh folders, `ariadne` runs with their
// own TMPDIR (to see what they leave behind), and a status call.
#ifndef ARIADNE_TESTS_HOSTILE_HOSTILE_SERVER_UTIL_H_
#define ARIADNE_TESTS_HOSTILE_HOSTILE_SERVER_UTIL_H_

#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <string>
#include <vector>

namespace ariadne::testing {

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
