#include "engine/core/file_limit.h"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"

namespace ariadne {

uint64_t RaiseOpenFileLimit() {
  struct rlimit r;
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return OpenFileLimit();
  const rlim_t want = std::min<rlim_t>(r.rlim_max, 1 << 20);
  if (r.rlim_cur < want) {
    r.rlim_cur = want;
    ::setrlimit(RLIMIT_NOFILE, &r);
  }
  return OpenFileLimit();
}

uint64_t OpenFileLimit() {
  struct rlimit r;
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return 1024;
  return static_cast<uint64_t>(r.rlim_cur);
}

absl::Status OpenError(std::string_view path, int err) {
  const std::string where = absl::StrCat(AV(path), ": cannot open: ", std::strerror(err));
  switch (err) {
    case EMFILE:
    case ENFILE:
      return absl::ResourceExhaustedError(absl::StrCat(
          where, " (the open-file limit is ", OpenFileLimit(), "; raise it with `ulimit -n`)"));
    case ENOENT:
      return absl::NotFoundError(where);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(where);
    default:
      return absl::UnavailableError(where);
  }
}

}  // namespace ariadne
