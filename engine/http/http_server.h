// A small HTTP/1.1 server (Boost.Beast) for `ariadne serve --http`: it reads requests, hands each
// to a handler and writes the handler's answer, with keep-alive. It knows nothing of the API; the
// handler (api.h) does.
//
// One thread per connection, at most `max_connections` of them: an analyst's browser opens a
// handful, and a blocking handler (which waits for the engine through the gateway) is then the
// simplest correct design. A connection over the cap is answered 503 and closed. Requests are
// bounded before they are read whole: headers (`max_header_bytes`), body (`max_body_bytes`), and
// time (a peer that sends nothing for `read_timeout` is disconnected).
#ifndef ARIADNE_ENGINE_HTTP_HTTP_SERVER_H_
#define ARIADNE_ENGINE_HTTP_HTTP_SERVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace ariadne::http {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent: "/api/v1/address/bc1...?x=1"
  // Header names in lower case; the values as sent (the last one of a repeated header).
  std::map<std::string, std::string> headers;
  std::string body;
  std::string peer;  // "ipv4:127.0.0.1:50312" or "ipv6:[::1]:50312", as gRPC names peers
};

struct HttpReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers (e.g. Cache-Control for the app's files).
  std::vector<std::pair<std::string, std::string>> headers;
};

using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 lets the system choose (see HttpServer::port())
  int max_connections = 64;
  size_t max_header_bytes = 16 << 10;
  size_t max_body_bytes = 1 << 20;
  absl::Duration read_timeout = absl::Seconds(30);
};

class HttpServer {
 public:
  // Binds and starts accepting.
  // Returns: FAILED_PRECONDITION naming the address when it cannot be bound (in use, not of this
  // machine); INVALID_ARGUMENT for a host that is not an IP address or "localhost".
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(HttpOptions options,
                                                           HttpHandler handler);
  ~HttpServer();  // Shutdown()

  int port() const { return port_; }
  // Stops accepting, closes every connection (a request being answered finishes first), joins.
  void Shutdown();

 private:
  struct Impl;
  HttpServer() = default;
  void AcceptLoop();
  void Serve(uint64_t id, int fd, std::string peer);

  HttpOptions options_;
  HttpHandler handler_;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
  std::thread acceptor_;
  std::atomic<bool> stopping_{false};
  absl::Mutex mu_;
  struct Connection {
    int fd;  // open while the connection is in the map
    std::thread thread;
  };
  // By a number of their own: a descriptor is reused as soon as it is closed.
  std::map<uint64_t, Connection> connections_ ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::thread> finished_ ABSL_GUARDED_BY(mu_);  // to join
};

// Returns: the reason phrase of an HTTP status ("Not Found").
std::string_view ReasonPhrase(int status);

}  // namespace ariadne::http

#endif  // ARIADNE_ENGINE_HTTP_HTTP_SERVER_H_
