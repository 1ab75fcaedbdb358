// Watchlists in the engine's own types: a watch (what is watched, for which case, under which
// rule), the alerts it raises, and how an alert went to the webhook. The service turns them into
// proto/ariadne.proto's Watch and Alert field by field; engine/watch stores and evaluates them.
#ifndef ARIADNE_ENGINE_WATCH_WATCH_H_
#define ARIADNE_ENGINE_WATCH_WATCH_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ariadne::watch {

// What a watch is about.
struct Subject {
  enum class Kind : uint8_t { kAddress = 0, kCluster = 1, kOutpoint = 2 };
  Kind kind = Kind::kAddress;
  std::string address;      // kAddress
  uint32_t cluster_id = 0;  // kCluster
  std::string txid;         // kOutpoint
  uint32_t vout = 0;        // kOutpoint
};

// Parses an address, "cluster:ID" or "TXID:VOUT" (64 hex digits, a decimal index).
// Returns: INVALID_ARGUMENT naming the text for an empty or malformed one (the address itself is
// checked against the chain when the watch is added).
absl::StatusOr<Subject> ParseSubject(std::string_view text);
// Returns: the text ParseSubject reads back.
std::string FormatSubject(const Subject& subject);

struct Rule {
  enum class Kind : uint8_t { kMoves = 0, kReaches = 1 };
  Kind kind = Kind::kMoves;
  std::string category = "exchange";  // kReaches
  uint32_t hops = 3;                  // kReaches: 1..kMaxReachHops
};

inline constexpr uint32_t kMaxReachHops = 10;

// Parses "moves", "reaches", "reaches:CATEGORY" or "reaches:CATEGORY:HOPS" (empty: moves).
// Returns: INVALID_ARGUMENT naming the text and the accepted forms otherwise.
absl::StatusOr<Rule> ParseRule(std::string_view text);
// Returns: the normalised rule, "moves" or "reaches:CATEGORY:HOPS".
std::string FormatRule(const Rule& rule);

struct Watch {
  uint64_t id = 0;
  Subject subject;
  std::string case_id;
  int64_t min_value = 0;  // satoshi; 0: any movement
  Rule rule;
  int64_t created_unix_ms = 0;
  std::string created_by;
  int32_t created_height = -1;
  // The last block evaluated for this watch (height and hash); blocks above it are new to it.
  int32_t evaluated_height = -1;
  std::string evaluated_hash;
};

// One step of the way value tainted from the subject reached a labelled address.
struct AlertStep {
  std::string from;
  std::string to;
  std::string txid;
  int32_t block_height = 0;
  int64_t value = 0;
  int64_t tainted_value = 0;
  uint32_t hop = 0;
};

struct AlertPath {
  std::vector<AlertStep> steps;
  std::string endpoint;
  std::string label;
  std::string category;
  int64_t tainted_value = 0;
};

// How an alert went to the webhook.
struct Delivery {
  enum class State : uint8_t { kOff = 0, kPending = 1, kDelivered = 2, kFailed = 3 };
  State state = State::kOff;
  uint32_t attempts = 0;
  std::string last_error;
  int64_t last_attempt_unix_ms = 0;
  int64_t delivered_unix_ms = 0;
  int64_t next_attempt_unix_ms = 0;  // pending: not before then
};

// Returns: "off", "pending", "delivered", "failed".
std::string_view DeliveryStateName(Delivery::State state);

struct Alert {
  uint64_t id = 0;
  uint64_t watch_id = 0;
  std::string case_id;
  std::string subject;  // FormatSubject
  std::string rule;     // FormatRule
  int32_t block_height = 0;
  std::string block_hash;
  uint32_t block_time = 0;
  std::vector<std::string> txids;
  int64_t sent = 0;
  int64_t received = 0;
  std::vector<AlertPath> paths;
  int64_t raised_unix_ms = 0;
  bool truncated = false;
  Delivery delivery;
  bool audited = false;  // its audit record is written
};

}  // namespace ariadne::watch

#endif  // ARIADNE_ENGINE_WATCH_WATCH_H_
