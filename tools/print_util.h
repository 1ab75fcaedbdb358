// Small text helpers the printers share.
#ifndef ARIADNE_TOOLS_PRINT_UTIL_H_
#define ARIADNE_TOOLS_PRINT_UTIL_H_

#include <string>

#include "proto/ariadne.pb.h"

namespace ariadne::cli {

// Returns: "-" for an empty string.
inline std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }
// Returns: true when reply `r` is of an account-model chain.
template <typename Reply>
bool IsAccount(const Reply& r) {
  return r.model() == v1::ACCOUNT;
}

}  // namespace ariadne::cli

#endif  // ARIADNE_TOOLS_PRINT_UTIL_H_
