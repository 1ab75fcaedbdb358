// The questions queries answer, in the engine's own types: what the service takes from a proto
// request, field by field, before any check (ChainBackend checks them, validate.h), and the limits
// every request is held to.
#ifndef ARIADNE_ENGINE_QUERY_REQUESTS_H_
#define ARIADNE_ENGINE_QUERY_REQUESTS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ariadne::query {

// The limits of requests: options of the server, with a documented default on every field.
struct RequestLimits {
  // Default 1000: entries per page when a request gives no limit.
  uint32_t default_page = 1000;
  // Default 10000: the largest page a request may ask for (larger is RESOURCE_EXHAUSTED).
  uint32_t max_page = 10000;
  // Default 10000 and 1,000,000: edges of a trace when the request gives no limit, and at most
  // (larger is RESOURCE_EXHAUSTED). A trace never answers more edges than its limit.
  uint32_t default_trace_edges = 10'000;
  uint32_t max_trace_edges = 1'000'000;
  // Default 50: the most hops a trace may ask for (more is INVALID_ARGUMENT).
  uint32_t max_trace_hops = 50;
  // Default 12: the most hops of a paths search (more is INVALID_ARGUMENT).
  uint32_t max_path_hops = 12;
  // Default 100: the most paths a search may ask for (more is RESOURCE_EXHAUSTED).
  uint32_t max_paths = 100;
  // Default 10: the most hops of an exposure (more is INVALID_ARGUMENT).
  uint32_t max_exposure_hops = 10;
};

// Polled by long queries; true stops them (the client went away or the deadline passed).
using CancelFn = std::function<bool()>;

// A cluster named by one of its addresses or by its id.
struct ClusterSelector {
  std::optional<std::string> address;
  std::optional<uint32_t> cluster_id;
};

struct HistoryRequest {
  std::string address;
  uint32_t limit = 0;  // 0: the default page
  std::string cursor;  // empty: from the start (or the newest)
  bool newest_first = false;
};

struct MembersRequest {
  ClusterSelector cluster;
  uint32_t limit = 0;
  std::string cursor;
};

struct TraceRequest {
  std::string seed;
  int direction = 0;  // the wire value: 0 forward, 1 backward, anything else refused
  std::string taint;  // empty: haircut
  uint32_t hops = 0;  // 0: 3
  int64_t min_value = 0;
  uint32_t from_height = 0;
  uint32_t to_height = 0;  // 0: the tip
  std::vector<std::string> stop_at;
  bool by_cluster = false;
  uint32_t max_edges = 0;  // 0: the default
  bool through_coinjoins = false;
  std::string asset;       // account chains
  std::string min_amount;  // account chains: decimal base units
  int shape = 0;           // the wire value: 0 edges, 1 summary, 2 aggregated, anything else refused
};

struct PathsRequest {
  std::string from;
  std::string to;
  uint32_t max_hops = 0;  // 0: 6
  bool by_cluster = false;
  uint32_t max_paths = 0;  // 0: 10
  std::string asset;       // account chains
};

struct ExposureRequest {
  std::optional<std::string> address;
  std::optional<uint32_t> cluster_id;
  uint32_t hops = 0;  // 0: 3
  std::string taint;
  bool by_cluster = false;
};

}  // namespace ariadne::query

#endif  // ARIADNE_ENGINE_QUERY_REQUESTS_H_
