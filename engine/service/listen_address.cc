#include "engine/service/listen_address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"

namespace ariadne::service {
namespace {

constexpr std::string_view kUnix = "unix:";
constexpr std::string_view kUnixAbstract = "unix-abstract:";

absl::Status Bad(std::string_view listen, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("--listen ", AV(listen), ": ", AV(what)));
}

// A socket that closes itself.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  const int fd_;
};

std::string AddressText(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    port = ntohs(in->sin_port);
    return absl::StrCat(host, ":", port);
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
  ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
  port = ntohs(in6->sin6_port);
  return absl::StrCat("[", host, "]:", port);
}

// Binds one resolved address the way gRPC does (SO_REUSEADDR, no SO_REUSEPORT).
// Returns: 0 or the errno of socket() or bind().
int TryBind(const addrinfo* ai) {
  Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
  if (fd.get() < 0) return errno;
  const int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (ai->ai_family == AF_INET6) {
    // gRPC listens dual-stack on a wildcard address: probe the same way.
    const int zero = 0;
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
  }
  if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) return errno;
  // A listening socket (not just a bound one) is what makes a later bind fail with EADDRINUSE.
  return ::listen(fd.get(), 1) == 0 ? 0 : errno;
}

absl::Status CheckTcp(const ListenAddress& a, std::string_view listen) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = absl::StrCat(a.port);
  const int rc =
      ::getaddrinfo(a.host.empty() ? nullptr : a.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) {
    const std::string msg = absl::StrCat("--listen ", AV(listen), ": cannot resolve host '", a.host,
                                         "': ", ::gai_strerror(rc));
    return rc == EAI_AGAIN ? absl::UnavailableError(msg) : absl::InvalidArgumentError(msg);
  }
  int bound = 0, not_local = 0, first_error = 0;
  std::string first_address;
  absl::Status refusal;
  for (const addrinfo* ai = found; ai != nullptr && refusal.ok(); ai = ai->ai_next) {
    if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
    const int err = TryBind(ai);
    if (err == 0) {
      ++bound;
    } else if (err == EADDRINUSE) {
      refusal = absl::FailedPreconditionError(
          absl::StrCat("cannot listen on ", AV(listen), ": ", AddressText(ai->ai_addr),
                       " is already in use (another server listens there)"));
    } else if (err == EACCES || err == EPERM) {
      refusal = absl::PermissionDeniedError(
          absl::StrCat("cannot listen on ", AV(listen), ": ", AddressText(ai->ai_addr), ": ",
                       std::strerror(err), " (ports below 1024 need privileges)"));
    } else {
      // EADDRNOTAVAIL, EAFNOSUPPORT (no IPv6): gRPC skips the address too.
      ++not_local;
      if (first_error == 0) {
        first_error = err;
        first_address = AddressText(ai->ai_addr);
      }
    }
  }
  ::freeaddrinfo(found);
  if (!refusal.ok()) return refusal;
  if (bound == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot listen on ", AV(listen), ": ",
                     not_local == 0 ? "the host has no IPv4 or IPv6 address"
                                    : absl::StrCat(first_address, ": ", std::strerror(first_error),
                                                   " (not an address of this machine?)")));
  }
  return absl::OkStatus();
}

absl::Status CheckUnix(const ListenAddress& a, std::string_view listen) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  socklen_t len;
  if (a.kind == ListenAddress::Kind::kUnixAbstract) {
    // The abstract namespace: a leading NUL, then the name (not NUL-terminated).
    std::memcpy(sun.sun_path + 1, a.path.data(), a.path.size());
    len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + a.path.size());
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0 || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&sun), len) != 0) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot listen on ", AV(listen), ": ",
                       errno == EADDRINUSE ? "already in use (another server listens there)"
                                           : std::strerror(errno)));
    }
    return absl::OkStatus();
  }
  const std::filesystem::path path(a.path);
  const std::filesystem::path folder =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot listen on ", AV(listen), ": the folder ", folder.string(), " does not exist"));
  }
  struct stat st;
  if (::lstat(a.path.c_str(), &st) != 0) return absl::OkStatus();  // a new socket
  if (!S_ISSOCK(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot listen on ", AV(listen), ": ", a.path, " exists and is not a socket"));
  }
  // gRPC removes an existing socket file before it binds: refuse when a server answers on it
  // (its clients would silently move to this one); a stale socket (ECONNREFUSED) may go.
  std::memcpy(sun.sun_path, a.path.data(), a.path.size());
  len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + a.path.size() + 1);
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() >= 0 && ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sun), len) == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot listen on ", AV(listen), ": already in use (another server listens there)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ListenAddress> ParseListenAddress(std::string_view listen) {
  ListenAddress a;
  if (listen.starts_with(kUnixAbstract) || listen.starts_with(kUnix)) {
    const bool abstract = listen.starts_with(kUnixAbstract);
    a.kind = abstract ? ListenAddress::Kind::kUnixAbstract : ListenAddress::Kind::kUnix;
    std::string_view path = listen.substr(abstract ? kUnixAbstract.size() : kUnix.size());
    if (!abstract && path.starts_with("//")) {
      path.remove_prefix(2);  // unix://ABSOLUTE_PATH: an empty authority
      if (!path.starts_with("/")) return Bad(listen, "unix:// needs an absolute path");
    }
    if (path.empty()) return Bad(listen, "the socket path is empty");
    if (path.size() + (abstract ? 1 : 0) >= sizeof(sockaddr_un::sun_path)) {
      return Bad(listen, absl::StrCat("the socket path is longer than ",
                                      sizeof(sockaddr_un::sun_path) - 1, " bytes"));
    }
    a.path = std::string(path);
    return a;
  }
  std::string_view host, port;
  if (listen.starts_with("[")) {
    const size_t close = listen.find(']');
    if (close == std::string_view::npos) return Bad(listen, "']' is missing");
    host = listen.substr(1, close - 1);
    if (close + 1 >= listen.size() || listen[close + 1] != ':') {
      return Bad(listen, "expected [IPV6]:PORT");
    }
    port = listen.substr(close + 2);
    in6_addr v6;
    if (::inet_pton(AF_INET6, std::string(host).c_str(), &v6) != 1) {
      return Bad(listen, absl::StrCat("'", AV(host), "' is not an IPv6 address"));
    }
  } else {
    const size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) return Bad(listen, "expected HOST:PORT (no port)");
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return Bad(listen, "an IPv6 address needs brackets: [ADDRESS]:PORT");
    }
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Bad(listen, absl::StrCat("the port '", AV(port), "' is not a number from 0 to 65535"));
  }
  a.port = std::stoi(std::string(port));
  if (a.port > 65535) {
    return Bad(listen, absl::StrCat("the port ", a.port, " is out of range (0 to 65535)"));
  }
  a.host = std::string(host);
  return a;
}

bool IsLoopback(const ListenAddress& a) {
  if (a.kind != ListenAddress::Kind::kTcp) return true;
  if (absl::AsciiStrToLower(a.host) == "localhost") return true;
  in_addr v4;
  if (::inet_pton(AF_INET, a.host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  if (::inet_pton(AF_INET6, a.host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

absl::Status CheckCanListen(const ListenAddress& address, std::string_view listen) {
  return address.kind == ListenAddress::Kind::kTcp ? CheckTcp(address, listen)
                                                   : CheckUnix(address, listen);
}

}  // namespace ariadne::service
