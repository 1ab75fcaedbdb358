// A digest of a store's logical content: every row of every column family in key order (merge
// operands resolved), independent of how RocksDB laid it out in files. Two stores with equal
// digests hold the same data. Left out, as bookkeeping rather than content: the file table
// (paths of the blk files read: where the input was, not what it held) and the clustering's
// generation counter (how many times it was rebuilt, also in meta/cluster_undo and an EVM store's
// meta/evm/cluster); evidence and pending rows (an EVM store's evm_evidence rows) count only for
// the live generation, without their generation byte.
#ifndef ARIADNE_ENGINE_STORE_DIGEST_H_
#define ARIADNE_ENGINE_STORE_DIGEST_H_

#include <array>
#include <string>

#include "absl/status/statusor.h"
#include "engine/core/types.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::store {

struct StoreDigest {
  struct Family {
    uint64_t rows = 0;
    Uint256 digest;  // SHA-256 over the family's rows
  };
  std::array<Family, kNumCfs> families;
  Uint256 total;  // SHA-256 over the families' digests
};

absl::StatusOr<StoreDigest> ComputeDigest(const Store& store);

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_DIGEST_H_
