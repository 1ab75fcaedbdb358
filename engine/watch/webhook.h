// The webhook transport: one HTTP/1.1 POST of a JSON body to an http:// URL, with a time limit.
// (No TLS: put a local forwarder in front of an https endpoint; docs/alerts.md.)
#ifndef ARIADNE_ENGINE_WATCH_WEBHOOK_H_
#define ARIADNE_ENGINE_WATCH_WEBHOOK_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ariadne::watch {

struct WebhookUrl {
  std::string host;
  uint16_t port = 80;
  std::string path = "/";
};

// Parses http://HOST[:PORT][/PATH] (HOST a name, an IPv4 address or [IPv6]).
// Returns: INVALID_ARGUMENT naming the URL for another scheme or a malformed one.
absl::StatusOr<WebhookUrl> ParseWebhookUrl(std::string_view url);

// POSTs `json` (Content-Type: application/json) and reads the status line.
// Returns: OK for a 2xx answer; UNAVAILABLE naming the host and what failed (resolution,
// connection, time limit, another status code with the start of its body).
absl::Status PostJson(const WebhookUrl& url, std::string_view json, absl::Duration timeout);

// Returns: the wait before attempt `attempt` (1-based) of a delivery: `first` doubled each time,
// at most `max`.
absl::Duration Backoff(uint32_t attempt, absl::Duration first, absl::Duration max);

}  // namespace ariadne::watch

#endif  // ARIADNE_ENGINE_WATCH_WEBHOOK_H_
