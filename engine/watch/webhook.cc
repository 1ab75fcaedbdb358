#include "engine/watch/webhook.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"

namespace ariadne::watch {
namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Waits until `fd` is ready for `events` or the deadline. Returns: false on time out.
bool WaitFd(int fd, short events, absl::Time deadline) {
  for (;;) {
    const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) return false;
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(ms, 1000)));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return false;
  }
}

}  // namespace

absl::StatusOr<WebhookUrl> ParseWebhookUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  const auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("webhook URL '", AV(url), "': ", AV(why),
                                                   " (expected http://HOST[:PORT]/PATH)"));
  };
  if (url.substr(0, kScheme.size()) != kScheme) {
    return bad(url.rfind("https://", 0) == 0 ? "https is not supported" : "not an http:// URL");
  }
  std::string_view rest = url.substr(kScheme.size());
  WebhookUrl u;
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) u.path = std::string(rest.substr(slash));
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed [");
    u.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("junk after ]");
      port = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (u.host.empty()) return bad("no host");
  if (!port.empty()) {
    uint32_t p = 0;
    if (!absl::SimpleAtoi(AV(port), &p) || p == 0 || p > 65535) return bad("bad port");
    u.port = static_cast<uint16_t>(p);
  }
  for (char c : u.path) {
    if (c <= ' ' || c == 0x7f) return bad("the path has blanks or control characters");
  }
  return u;
}

absl::Status PostJson(const WebhookUrl& url, std::string_view json, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  const std::string where = absl::StrCat("webhook ", url.host, ":", url.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const int gai = ::getaddrinfo(url.host.c_str(), std::to_string(url.port).c_str(), &hints, &res);
  if (gai != 0) {
    return absl::UnavailableError(absl::StrCat(where, ": cannot resolve: ", gai_strerror(gai)));
  }
  std::string last_error = "no address";
  int fd = -1;
  for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
    int s = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (s < 0) continue;
    if (::connect(s, a->ai_addr, a->ai_addrlen) == 0 ||
        (errno == EINPROGRESS && WaitFd(s, POLLOUT, deadline))) {
      int err = 0;
      socklen_t len = sizeof(err);
      ::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == 0) {
        fd = s;
        break;
      }
      last_error = std::strerror(err);
    } else {
      last_error = errno == EINPROGRESS ? "connection timed out" : std::strerror(errno);
    }
    ::close(s);
  }
  ::freeaddrinfo(res);
  if (fd < 0) return absl::UnavailableError(absl::StrCat(where, ": cannot connect: ", last_error));
  Fd closer(fd);
  const std::string request =
      absl::StrCat("POST ", url.path, " HTTP/1.1\r\nHost: ", url.host, ":", url.port,
                   "\r\nContent-Type: application/json\r\nContent-Length: ", json.size(),
                   "\r\nUser-Agent: ariadne-alerts\r\nConnection: close\r\n\r\n", AV(json));
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!WaitFd(fd, POLLOUT, deadline)) {
        return absl::UnavailableError(absl::StrCat(where, ": time limit while sending"));
      }
    } else {
      return absl::UnavailableError(absl::StrCat(where, ": send: ", std::strerror(errno)));
    }
  }
  // The status line and a little of the body, for the error message.
  std::string answer;
  char buf[4096];
  while (answer.size() < 16384) {
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n > 0) {
      answer.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) break;
    if (errno == EAGAIN || errno == EINTR) {
      if (!WaitFd(fd, POLLIN, deadline)) {
        if (answer.find("\r\n") != std::string::npos) break;
        return absl::UnavailableError(absl::StrCat(where, ": no answer within the time limit"));
      }
      continue;
    }
    return absl::UnavailableError(absl::StrCat(where, ": recv: ", std::strerror(errno)));
  }
  // "HTTP/1.1 200 OK"
  int code = 0;
  if (answer.rfind("HTTP/1.", 0) != 0 || answer.size() < 12 ||
      !absl::SimpleAtoi(AV(std::string_view(answer).substr(9, 3)), &code)) {
    return absl::UnavailableError(absl::StrCat(where, ": not an HTTP answer"));
  }
  if (code < 200 || code > 299) {
    const size_t body = answer.find("\r\n\r\n");
    std::string excerpt = body == std::string::npos ? "" : answer.substr(body + 4, 200);
    return absl::UnavailableError(
        absl::StrCat(where, ": answered ", code, excerpt.empty() ? "" : ": ", excerpt));
  }
  return absl::OkStatus();
}

absl::Duration Backoff(uint32_t attempt, absl::Duration first, absl::Duration max) {
  absl::Duration d = first;
  for (uint32_t i = 1; i < attempt && d < max; ++i) d *= 2;
  return std::min(d, max);
}

}  // namespace ariadne::watch
