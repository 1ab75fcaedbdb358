// What queries need of heuristics/ at answer time. The engine below the service may not include
// heuristics/ (DESIGN.md), so the service hands an implementation (heuristics/query_hooks.h) to the
// backend when it opens a store.
#ifndef ARIADNE_ENGINE_QUERY_HOOKS_H_
#define ARIADNE_ENGINE_QUERY_HOOKS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/store/resolved_tx.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::query {

// Tells CoinJoins (UTXO chains). Keeps scratch space: one per query.
class CoinJoinTest {
 public:
  virtual ~CoinJoinTest() = default;
  // Returns: true for a transaction detected as a CoinJoin.
  virtual bool IsCoinJoin(const store::ResolvedTx& tx) = 0;
  // Returns: false when no transaction of this shape can be a CoinJoin, so that a trace asks
  //          IsCoinJoin (and builds its ResolvedTx) only for the few that can: most transactions
  //          have one input or two outputs.
  virtual bool MayBeCoinJoin(size_t inputs, size_t outputs) const = 0;
};

class QueryHooks {
 public:
  virtual ~QueryHooks() = default;
  // Returns: a CoinJoin test for one query.
  virtual std::unique_ptr<CoinJoinTest> NewCoinJoinTest() const = 0;
  // Returns: the name of a stored union of a UTXO clustering: "common_input", "change:<rule>" or
  //          "change:<rule>:unspent".
  virtual std::string EvidenceName(uint8_t kind, uint8_t rule) const = 0;
  // Returns: the links the served view of a UTXO clustering adds to its stored unions (under a
  //          deferring policy, the change outputs not yet spent).
  // Args: stored: the active generation's unions.
  virtual absl::StatusOr<std::vector<store::EvidenceRow>> SettledLinks(
      const store::Store& store, std::span<const store::EvidenceRow> stored) const = 0;
  // The same links over a clustering already built from the stored unions (the cluster files and
  // their overlay), without replaying them: cluster_of(member) names a member's cluster,
  // size(cluster) counts its members.
  // Returns: UNIMPLEMENTED when these hooks cannot (the caller replays the unions instead).
  virtual absl::StatusOr<std::vector<store::EvidenceRow>> SettledLinksOver(
      const store::Store& store, const std::function<uint32_t(uint32_t)>& cluster_of,
      const std::function<uint32_t(uint32_t)>& size) const {
    return absl::UnimplementedError("no settled links over a built clustering");
  }
};

}  // namespace ariadne::query

#endif  // ARIADNE_ENGINE_QUERY_HOOKS_H_
