// The JSON API of `ariadne serve --http` (docs/http-api.md): GET routes under /api/v1/ that ask the
// same questions as the CLI's client commands and answer the same JSON (engine/render), over the
// same engine.
//
// Each request becomes a call on the gRPC front's in-process channel, so it passes the gateway
// like any gRPC client: the bearer token (Authorization header) and the case id (X-Ariadne-Case)
// go as the call's metadata, and the gateway authenticates, checks the role, applies the rate and
// concurrency limits and writes the audit record, naming the HTTP client's address. Nothing here
// reaches the engine another way (tests/boundaries_test.py keeps it so).
#ifndef ARIADNE_ENGINE_HTTP_API_H_
#define ARIADNE_ENGINE_HTTP_API_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "engine/http/http_server.h"
#include "proto/ariadne.grpc.pb.h"

namespace ariadne::http {

// Returns: the HTTP status for a gRPC status code (the mapping of grpc-gateway:
// INVALID_ARGUMENT 400, NOT_FOUND 404, UNAUTHENTICATED 401, PERMISSION_DENIED 403,
// RESOURCE_EXHAUSTED 429, UNAVAILABLE 503, DEADLINE_EXCEEDED 504, ...).
int HttpStatusOf(grpc::StatusCode code);
// Returns: the name of a gRPC status code ("NOT_FOUND").
std::string CodeName(grpc::StatusCode code);

class ApiHandler {
 public:
  // Args: channel: the gRPC front's in-process channel (AriadneServer::InProcessChannel()).
  //       max_call_time: the deadline of each call (the gateway caps it too).
  ApiHandler(std::shared_ptr<grpc::Channel> channel, absl::Duration max_call_time);

  // Answers one request of /api/v1/; other paths are 404 (the caller serves the app's files).
  HttpReply Handle(const HttpRequest& request) const;

 private:
  std::unique_ptr<v1::Ariadne::Stub> stub_;
  std::unique_ptr<v1::Watchlist::Stub> watch_stub_;  // GET /api/v1/alerts
  absl::Duration max_call_time_;
};

}  // namespace ariadne::http

#endif  // ARIADNE_ENGINE_HTTP_API_H_
