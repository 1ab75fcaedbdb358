#include "engine/http/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <cerrno>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ariadne::http {

namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct HttpServer::Impl {
  int listen_fd = -1;
};

namespace {

// Returns: the peer of a connected socket as gRPC names peers ("ipv4:1.2.3.4:5678").
std::string PeerOf(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
    return absl::StrCat("ipv4:", host, ":", ntohs(a->sin_port));
  }
  const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
  ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
  return absl::StrCat("ipv6:[", host, "]:", ntohs(a->sin6_port));
}

// Args: head: a HEAD request's answer: the headers of the GET answer (its Content-Length too),
//       no body.
void WriteReply(tcp::socket& socket, const HttpReply& reply, unsigned version, bool keep_alive,
                bool head, beast::error_code& ec) {
  beast::http::response<beast::http::string_body> res{
      static_cast<beast::http::status>(reply.status), version};
  res.set(beast::http::field::server, "ariadne");
  res.set(beast::http::field::content_type, reply.content_type);
  // The API's answers are case data: no cache keeps them, no other site's page reads them.
  res.set(beast::http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  for (const auto& [k, v] : reply.headers) res.set(k, v);
  res.keep_alive(keep_alive);
  res.body() = reply.body;
  res.prepare_payload();
  if (head) {
    beast::http::response_serializer<beast::http::string_body> serializer{res};
    beast::http::write_header(socket, serializer, ec);
    return;
  }
  beast::http::write(socket, res, ec);
}

// A JSON error body; `message` is ours (no escaping needed).
HttpReply ErrorReply(int status, const std::string& code, const std::string& message) {
  HttpReply r;
  r.status = status;
  r.body = "{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}";
  return r;
}

}  // namespace

std::string_view ReasonPhrase(int status) {
  const beast::string_view s =
      beast::http::obsolete_reason(static_cast<beast::http::status>(status));
  return std::string_view(s.data(), s.size());
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(HttpOptions options,
                                                              HttpHandler handler) {
  std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (host.empty()) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_any;
    a->sin6_port = htons(static_cast<uint16_t>(options.port));
    len = sizeof(sockaddr_in6);
  } else if (auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
             ::inet_pton(AF_INET, host.c_str(), &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons(static_cast<uint16_t>(options.port));
    len = sizeof(sockaddr_in);
  } else if (auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
             ::inet_pton(AF_INET6, host.c_str(), &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(static_cast<uint16_t>(options.port));
    len = sizeof(sockaddr_in6);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "--http: '", options.host, "' is not an IP address or localhost (name the interface)"));
  }
  const std::string where = absl::StrCat(options.host, ":", options.port);
  const int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("--http ", where, ": ", strerror(errno)));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 128) != 0) {
    const int err = errno;
    ::close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat("--http ", where, ": cannot listen: ", strerror(err)));
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof(bound);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  std::unique_ptr<HttpServer> s(new HttpServer());
  s->options_ = std::move(options);
  s->handler_ = std::move(handler);
  s->impl_ = std::make_unique<Impl>();
  s->impl_->listen_fd = fd;
  s->port_ = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&bound)->sin_port
                                              : reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  s->acceptor_ = std::thread([p = s.get()] { p->AcceptLoop(); });
  return s;
}

HttpServer::~HttpServer() { Shutdown(); }

void HttpServer::AcceptLoop() {
  while (!stopping_.load()) {
    pollfd p{impl_->listen_fd, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    const int fd =
        ::accept4(impl_->listen_fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_CLOEXEC);
    if (fd < 0) continue;
    absl::MutexLock lock(&mu_);
    for (std::thread& t : finished_) t.join();
    finished_.clear();
    if (stopping_.load()) {
      ::close(fd);
      break;
    }
    if (static_cast<int>(connections_.size()) >= options_.max_connections) {
      // Over the cap: a plain answer on the way out, so the browser says why.
      asio::io_context io;
      tcp::socket socket(io);
      boost::system::error_code ec;
      socket.assign(ss.ss_family == AF_INET ? tcp::v4() : tcp::v6(), fd, ec);
      if (ec) {
        ::close(fd);
        continue;
      }
      beast::error_code wec;
      WriteReply(socket,
                 ErrorReply(503, "UNAVAILABLE",
                            absl::StrCat("the server holds ", options_.max_connections,
                                         " connections, its limit: retry later")),
                 11, false, /*head=*/false, wec);
      continue;  // the socket closes here
    }
    const uint64_t id = next_id_++;
    connections_[id].fd = fd;
    connections_[id].thread =
        std::thread([this, id, fd, peer = PeerOf(ss)] { Serve(id, fd, peer); });
  }
}

void HttpServer::Serve(uint64_t id, int fd, std::string peer) {
  {
    // Reads run asynchronously on this connection's own io_context, only so that they can have a
    // deadline (beast's timeouts apply to asynchronous operations; a socket receive timeout does
    // not stop Asio's blocking reads, which poll again on EAGAIN).
    asio::io_context io;
    beast::tcp_stream stream(io);
    boost::system::error_code ec;
    sockaddr_storage ss{};
    socklen_t len = sizeof(ss);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    stream.socket().assign(ss.ss_family == AF_INET ? tcp::v4() : tcp::v6(), fd, ec);
    if (ec) ::close(fd);
    beast::flat_buffer buffer;
    while (!ec && !stopping_.load()) {
      beast::http::request_parser<beast::http::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(options_.max_header_bytes));
      parser.body_limit(options_.max_body_bytes);
      beast::error_code rec;
      stream.expires_after(absl::ToChronoMilliseconds(options_.read_timeout));
      beast::http::async_read(stream, buffer, parser,
                              [&rec](beast::error_code e, size_t) { rec = e; });
      io.restart();
      io.run();
      stream.expires_never();
      if (rec == beast::http::error::end_of_stream || rec == asio::error::eof ||
          rec == asio::error::connection_reset || rec == beast::error::timeout ||
          rec == asio::error::operation_aborted) {
        break;  // the peer went away or went quiet
      }
      if (rec) {
        const bool too_large = rec == beast::http::error::header_limit ||
                               rec == beast::http::error::body_limit ||
                               rec == beast::http::error::buffer_overflow;
        beast::error_code wec;
        WriteReply(stream.socket(),
                   too_large ? ErrorReply(413, "RESOURCE_EXHAUSTED",
                                          "the request's headers or body are over the limit")
                             : ErrorReply(400, "INVALID_ARGUMENT",
                                          "malformed HTTP request: " + rec.message()),
                   11, false, /*head=*/false, wec);
        break;
      }
      const auto& req = parser.get();
      HttpRequest r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      for (const auto& field : req) {
        r.headers[absl::AsciiStrToLower(absl::string_view(
            field.name_string().data(), field.name_string().size()))] = std::string(field.value());
      }
      r.body = req.body();
      r.peer = peer;
      const HttpReply reply = handler_(r);
      beast::error_code wec;
      WriteReply(stream.socket(), reply, req.version(), req.keep_alive() && !stopping_.load(),
                 req.method() == beast::http::verb::head, wec);
      if (wec || !req.keep_alive()) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    // Out of the map before the descriptor closes, so that Shutdown() never touches a reused one.
    absl::MutexLock lock(&mu_);
    auto it = connections_.find(id);
    finished_.push_back(std::move(it->second.thread));
    connections_.erase(it);
  }  // the socket closes here
}

void HttpServer::Shutdown() {
  if (stopping_.exchange(true)) return;
  if (acceptor_.joinable()) acceptor_.join();
  if (impl_ != nullptr && impl_->listen_fd >= 0) ::close(impl_->listen_fd);
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    // Wakes connections blocked in a read; one being answered writes its answer first.
    for (auto& [id, c] : connections_) ::shutdown(c.fd, SHUT_RD);
  }
  // Connections remove themselves; wait until they have, then join them.
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](std::map<uint64_t, Connection>* c) { return c->empty(); }, &connections_));
    threads.swap(finished_);
  }
  for (std::thread& t : threads) t.join();
}

}  // namespace ariadne::http
