#include "engine/service/connection_guard.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace ariadne::service {
namespace {

// Consecutive network errors retried before answering EAGAIN (a guard against a loop on an error
// that does not go away).
constexpr int kMaxRetries = 64;
// At most one warning of each kind per this many seconds.
constexpr auto kWarnEvery = std::chrono::seconds(10);

int RawAccept4(int fd, sockaddr* addr, socklen_t* len, int flags) {
  return static_cast<int>(::syscall(SYS_accept4, fd, addr, len, flags));
}

// accept(2): "Linux accept() passes already-pending network errors on the new socket as an error
// code from accept() ... treat them like EAGAIN by retrying".
bool IsNetworkError(int e) {
  switch (e) {
    case ECONNABORTED:
    case ENETDOWN:
    case EPROTO:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
      return true;
    default:
      return false;
  }
}

// The process's guard. The one piece of process-wide mutable state of the server: accept4() is a
// process-wide function, so what it consults has to be too. Never destroyed (accept4() may run on
// a gRPC thread while the process exits).
class Guard {
 public:
  static Guard& Get() {
    static Guard* guard = new Guard();
    return *guard;
  }

  bool enabled() const { return enabled_.load(std::memory_order_acquire); }

  void Configure(int max_connections) {
    absl::MutexLock lock(&mu_);
    max_ = std::max(1, max_connections);
    if (reserve_ < 0) reserve_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    enabled_.store(true, std::memory_order_release);
  }

  // Returns: whether the new connection `fd` may stay (false: the caller closes it).
  bool Admit(int fd) ABSL_LOCKS_EXCLUDED(mu_) {
    struct stat st;
    if (::fstat(fd, &st) != 0) return true;
    absl::MutexLock lock(&mu_);
    if (static_cast<int>(open_.size()) >= max_) Prune();
    if (static_cast<int>(open_.size()) >= max_) {
      ++over_limit_;
      Warn(&last_over_limit_warning_,
           "connection limit reached (%d open, --max-connections): closing new connections\n",
           max_);
      return false;
    }
    open_[fd] = st.st_ino;
    ++accepted_;
    return true;
  }

  // Out of descriptors: frees the reserve, accepts and closes what waits on `listener`, takes the
  // reserve back.
  void ShedWaiting(int listener) ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    int closed = 0;
    if (reserve_ >= 0) {
      ::close(reserve_);
      for (;;) {
        const int c = RawAccept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) {
          if (errno == EINTR || IsNetworkError(errno)) continue;
          break;  // EAGAIN: nothing waits any more (or another thread took the freed descriptor)
        }
        ::close(c);
        ++closed;
      }
      reserve_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    } else {
      reserve_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    }
    no_descriptors_ += static_cast<uint64_t>(closed);
    Warn(&last_no_descriptor_warning_,
         "out of file descriptors: closed %d waiting connection(s) (raise the limit: ulimit -n, "
         "LimitNOFILE=, or lower --max-connections)\n",
         closed);
  }

  ConnectionGuardCounters Counters() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    Prune();
    ConnectionGuardCounters c;
    c.accepted = accepted_;
    c.over_limit = over_limit_;
    c.no_descriptors = no_descriptors_;
    c.open = static_cast<int>(open_.size());
    return c;
  }

 private:
  Guard() = default;

  // Drops the connections gRPC has closed since.
  void Prune() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    absl::erase_if(open_, [](const auto& entry) {
      struct stat st;
      return ::fstat(entry.first, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_ino != entry.second;
    });
  }

  void Warn(std::chrono::steady_clock::time_point* last, const char* format, int n)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const auto now = std::chrono::steady_clock::now();
    if (*last != std::chrono::steady_clock::time_point() && now - *last < kWarnEvery) return;
    *last = now;
    std::fputs("warning: ", stderr);
    std::fprintf(stderr, format, n);
  }

  std::atomic<bool> enabled_{false};
  absl::Mutex mu_;
  int max_ ABSL_GUARDED_BY(mu_) = 0;
  int reserve_ ABSL_GUARDED_BY(mu_) = -1;
  absl::flat_hash_map<int, ino_t> open_ ABSL_GUARDED_BY(mu_);  // descriptor -> socket inode
  uint64_t accepted_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t over_limit_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t no_descriptors_ ABSL_GUARDED_BY(mu_) = 0;
  std::chrono::steady_clock::time_point last_over_limit_warning_ ABSL_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point last_no_descriptor_warning_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

uint64_t FileLimit() {
  rlimit rl;
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return 1024;
  return rl.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(rl.rlim_cur);
}

uint64_t RaiseFileLimit() {
  rlimit rl;
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  return FileLimit();
}

int ConnectionBudget(uint64_t file_limit) {
  return static_cast<int>(std::clamp<uint64_t>(file_limit / 2, 8, 1 << 30));
}

void ConfigureConnectionGuard(int max_connections) { Guard::Get().Configure(max_connections); }

ConnectionGuardCounters GetConnectionGuardCounters() { return Guard::Get().Counters(); }

namespace {

// The accept4() of the process (see the header); gRPC's listeners call it.
int GuardedAccept4(int fd, sockaddr* addr, socklen_t* len, int flags) {
  const socklen_t len0 = len != nullptr ? *len : 0;
  for (int retries = 0;; ++retries) {
    if (len != nullptr) *len = len0;
    const int c = RawAccept4(fd, addr, len, flags);
    if (c >= 0) {
      Guard& guard = Guard::Get();
      if (!guard.enabled() || guard.Admit(c)) return c;
      ::close(c);
      continue;
    }
    const int e = errno;
    if (IsNetworkError(e) && retries < kMaxRetries) continue;
    if ((e == EMFILE || e == ENFILE) && Guard::Get().enabled()) {
      Guard::Get().ShedWaiting(fd);
      errno = EAGAIN;
      return -1;
    }
    // What gRPC 1.51 cannot survive becomes "nothing to accept now": it waits for the next one.
    errno = IsNetworkError(e) || e == ENOBUFS || e == ENOMEM ? EAGAIN : e;
    return -1;
  }
}

}  // namespace
}  // namespace ariadne::service

extern "C" int accept4(int fd, sockaddr* __restrict addr, socklen_t* __restrict len, int flags) {
  return ariadne::service::GuardedAccept4(fd, addr, len, flags);
}
