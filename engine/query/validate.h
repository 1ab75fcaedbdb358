// The checks of requests, written once for every chain: page sizes, cursors, hops, edge and path
// limits, height windows, taint models, directions and seeds. Each returns the checked query, or
// the status the service answers with (INVALID_ARGUMENT for a malformed field, RESOURCE_EXHAUSTED
// for a field beyond its limit), with a message naming the field.
#ifndef ARIADNE_ENGINE_QUERY_VALIDATE_H_
#define ARIADNE_ENGINE_QUERY_VALIDATE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/u256.h"
#include "engine/query/requests.h"
#include "engine/query/vocabulary.h"

namespace ariadne::query {

// Returns: `text` cut to 100 bytes, for echoing user input in error messages.
std::string Clip(std::string_view text);

// Returns: the page size of a request (0: limits.default_page); RESOURCE_EXHAUSTED above
//          limits.max_page.
absl::StatusOr<uint32_t> PageLimit(uint32_t requested, const RequestLimits& limits);

// Returns: the position a cursor names (a decimal number at most `max`); INVALID_ARGUMENT
//          otherwise.
absl::StatusOr<uint64_t> ParseCursor(std::string_view cursor, uint64_t max = UINT64_MAX);

// Returns: the direction of a request's wire value (0 forward, 1 backward); INVALID_ARGUMENT for
//          any other value.
absl::StatusOr<Direction> ParseDirection(int wire_value);

// Returns: the shape of a trace request's wire value (0 edges, 1 summary, 2 aggregated);
//          INVALID_ARGUMENT for any other value.
absl::StatusOr<TraceShape> ParseTraceShape(int wire_value);

// A trace request, checked.
struct TraceQuery {
  std::string seed;
  Direction direction = Direction::kForward;
  TaintModel model = TaintModel::kHaircut;
  uint32_t max_hops = 3;
  int64_t min_value = 0;                // UTXO: satoshi
  std::optional<evm::U256> min_amount;  // account: base units
  uint64_t from_height = 0;
  uint64_t to_height = UINT64_MAX;   // the tip
  std::vector<std::string> stop_at;  // label categories
  bool by_cluster = false;
  uint32_t max_edges = 0;
  bool through_coinjoins = false;
  std::string asset;  // account: empty for every asset
  TraceShape shape = TraceShape::kEdges;
};
// Returns: the query, or the first field at fault in the order of the request's fields.
absl::StatusOr<TraceQuery> CheckTrace(const TraceRequest& request, const RequestLimits& limits);

// Returns: the hops (0: 6) and paths (0: 10) of a paths request; INVALID_ARGUMENT for more hops
//          than limits.max_path_hops, RESOURCE_EXHAUSTED for more paths than limits.max_paths.
absl::StatusOr<std::pair<uint32_t, uint32_t>> CheckPaths(const PathsRequest& request,
                                                         const RequestLimits& limits);

// Returns: the hops of an exposure (0: 3); INVALID_ARGUMENT above limits.max_exposure_hops.
absl::StatusOr<uint32_t> CheckExposureHops(uint32_t hops, const RequestLimits& limits);

// Returns: the taint model named (empty: haircut); INVALID_ARGUMENT for an unknown name.
absl::StatusOr<TaintModel> TaintModelOr(std::string_view name);

// Where a trace starts, decided by the seed's content.
struct Seed {
  enum class Kind : uint8_t { kAddress, kCluster, kTransaction };
  Kind kind = Kind::kAddress;
  std::string text;               // the address, or the transaction hash without ":N"
  std::optional<uint64_t> index;  // a transaction's N-th output or transfer
};
// How a chain writes transaction hashes, and tells addresses apart.
struct SeedSyntax {
  bool hash_0x = false;         // hashes are "0x" + 64 hex digits (account chains)
  std::string_view index_noun;  // "output" or "transfer", for errors
  // Returns: true for a text that is an address of the chain (checked first: an address is never
  // taken for a hash).
  std::function<bool(std::string_view)> is_address;
};
// Returns: "cluster:…" as a cluster seed (its id is resolved with the cluster); 64 hex digits
// (after
//          "0x" on account chains) as a transaction, ":N" after them as its N-th output or
//          transfer; any other text as an address. INVALID_ARGUMENT for a malformed N.
absl::StatusOr<Seed> ParseSeed(std::string_view seed, const SeedSyntax& syntax);

}  // namespace ariadne::query

#endif  // ARIADNE_ENGINE_QUERY_VALIDATE_H_
