#include "engine/query/validate.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"

namespace ariadne::query {

std::string Clip(std::string_view text) { return std::string(text.substr(0, 100)); }

absl::StatusOr<uint32_t> PageLimit(uint32_t requested, const RequestLimits& limits) {
  const uint32_t limit = requested == 0 ? limits.default_page : requested;
  if (limit > limits.max_page) {
    return absl::ResourceExhaustedError(
        absl::StrCat("limit ", limit, " is above the maximum page of ", limits.max_page));
  }
  return limit;
}

absl::StatusOr<uint64_t> ParseCursor(std::string_view cursor, uint64_t max) {
  uint64_t c;
  if (!absl::SimpleAtoi(AV(cursor), &c) || c > max) {
    return absl::InvalidArgumentError(absl::StrCat("invalid cursor '", Clip(cursor), "'"));
  }
  return c;
}

absl::StatusOr<Direction> ParseDirection(int wire_value) {
  if (wire_value == 0) return Direction::kForward;
  if (wire_value == 1) return Direction::kBackward;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown direction ", wire_value, " (0 forward, 1 backward)"));
}

absl::StatusOr<TaintModel> TaintModelOr(std::string_view name) {
  if (name.empty()) return TaintModel::kHaircut;
  return ParseTaintModel(name);
}

absl::StatusOr<TraceShape> ParseTraceShape(int wire_value) {
  if (wire_value < 0 || wire_value > static_cast<int>(TraceShape::kAggregated)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown shape ", wire_value, " (0 edges, 1 summary, 2 aggregated)"));
  }
  return static_cast<TraceShape>(wire_value);
}

absl::StatusOr<TraceQuery> CheckTrace(const TraceRequest& r, const RequestLimits& limits) {
  TraceQuery q;
  q.seed = r.seed;
  auto direction = ParseDirection(r.direction);
  if (!direction.ok()) return direction.status();
  q.direction = *direction;
  auto model = TaintModelOr(r.taint);
  if (!model.ok()) return model.status();
  q.model = *model;
  q.max_hops = r.hops == 0 ? 3 : r.hops;
  if (q.max_hops > limits.max_trace_hops) {
    return absl::InvalidArgumentError(
        absl::StrCat("hops ", q.max_hops, " above the limit of ", limits.max_trace_hops));
  }
  if (r.min_value < 0) return absl::InvalidArgumentError("min_value is negative");
  q.min_value = r.min_value;
  if (!r.min_amount.empty()) {
    auto m = evm::U256::FromDecimal(r.min_amount);
    if (!m.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid min_amount '", Clip(r.min_amount), "': ", m.status().message()));
    }
    q.min_amount = *m;
  }
  q.from_height = r.from_height;
  q.to_height = r.to_height == 0 ? UINT64_MAX : r.to_height;
  if (q.from_height > q.to_height) {
    return absl::InvalidArgumentError("from_height is above to_height");
  }
  q.max_edges = r.max_edges == 0 ? limits.default_trace_edges : r.max_edges;
  if (q.max_edges > limits.max_trace_edges) {
    return absl::ResourceExhaustedError(
        absl::StrCat("max_edges ", q.max_edges, " above the limit of ", limits.max_trace_edges));
  }
  q.stop_at = r.stop_at;
  q.by_cluster = r.by_cluster;
  q.through_coinjoins = r.through_coinjoins;
  q.asset = r.asset;
  auto shape = ParseTraceShape(r.shape);
  if (!shape.ok()) return shape.status();
  q.shape = *shape;
  return q;
}

absl::StatusOr<std::pair<uint32_t, uint32_t>> CheckPaths(const PathsRequest& r,
                                                         const RequestLimits& limits) {
  const uint32_t hops = r.max_hops == 0 ? 6 : r.max_hops;
  if (hops > limits.max_path_hops) {
    return absl::InvalidArgumentError(absl::StrCat("max_hops is at most ", limits.max_path_hops));
  }
  const uint32_t paths = r.max_paths == 0 ? 10 : r.max_paths;
  if (paths > limits.max_paths) {
    return absl::ResourceExhaustedError(
        absl::StrCat("max_paths ", paths, " above the limit of ", limits.max_paths));
  }
  return std::make_pair(hops, paths);
}

absl::StatusOr<uint32_t> CheckExposureHops(uint32_t requested, const RequestLimits& limits) {
  const uint32_t hops = requested == 0 ? 3 : requested;
  if (hops > limits.max_exposure_hops) {
    return absl::InvalidArgumentError(absl::StrCat("hops is at most ", limits.max_exposure_hops));
  }
  return hops;
}

namespace {

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<Seed> ParseSeed(std::string_view seed, const SeedSyntax& syntax) {
  Seed s;
  if (seed.rfind("cluster:", 0) == 0) {
    s.kind = Seed::Kind::kCluster;
    s.text = std::string(seed);
    return s;
  }
  s.text = std::string(seed);
  if (syntax.is_address && syntax.is_address(seed)) return s;
  const size_t prefix = syntax.hash_0x ? 2 : 0;
  const size_t hash_end = prefix + 64;
  const bool hash = seed.size() >= hash_end && (seed.size() == hash_end || seed[hash_end] == ':') &&
                    (!syntax.hash_0x || (seed[0] == '0' && (seed[1] == 'x' || seed[1] == 'X'))) &&
                    IsHex(seed.substr(prefix, 64));
  if (!hash) return s;
  s.kind = Seed::Kind::kTransaction;
  s.text = std::string(seed.substr(0, hash_end));
  if (seed.size() > hash_end) {
    uint64_t n;
    if (!absl::SimpleAtoi(AV(seed.substr(hash_end + 1)), &n)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid ", AV(syntax.index_noun), " index in '", Clip(seed), "'"));
    }
    s.index = n;
  }
  return s;
}

}  // namespace ariadne::query
