// The process's limit on open files (RLIMIT_NOFILE). The indexer keeps its blk files and the
// store's SST files under bounded caches sized from this limit; the limit is raised to the hard
// limit where the system allows, and reaching it is a clear error.
#ifndef ARIADNE_ENGINE_CORE_FILE_LIMIT_H_
#define ARIADNE_ENGINE_CORE_FILE_LIMIT_H_

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"

namespace ariadne {

// Raises the soft open-file limit to the hard limit (capped at 1,048,576).
// Returns: the soft limit afterwards.
uint64_t RaiseOpenFileLimit();

// Returns: the soft open-file limit (1024 when it cannot be read).
uint64_t OpenFileLimit();

// Returns: the error for a failed open() of `path` with errno `err`: RESOURCE_EXHAUSTED naming the
// limit for EMFILE / ENFILE ("raise it with ulimit -n"), NOT_FOUND for ENOENT, PERMISSION_DENIED
// for EACCES / EPERM, UNAVAILABLE otherwise; each names the path.
absl::Status OpenError(std::string_view path, int err);

}  // namespace ariadne

#endif  // ARIADNE_ENGINE_CORE_FILE_LIMIT_H_
