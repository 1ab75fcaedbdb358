// A transaction as the indexer sees it after resolving its inputs and assigning ids: what the
// heuristics (clustering) and other per-transaction consumers need, without the raw bytes.
#ifndef ARIADNE_ENGINE_STORE_RESOLVED_TX_H_
#define ARIADNE_ENGINE_STORE_RESOLVED_TX_H_

#include <cstdint>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/core/script.h"
#include "engine/core/types.h"

namespace rocksdb {
class WriteBatch;
}

namespace ariadne::store {

class CommitBatch;
class Store;
struct BlockRow;
struct ChainState;

// ResolvedInput::prev_out when the resolver does not know it.
inline constexpr uint64_t kUnknownOutNum = ~uint64_t{0};

struct ResolvedInput {
  AddrId addr;      // invalid when the spent output had no address
  int64_t value;    // satoshi
  ScriptType type;  // type of the spent output
  TxNum prev_tx;
  uint32_t prev_vout;
  // The spent output's number (outputs counted over the chain), when the resolver knows it (the
  // indexer's prevout cache does); kUnknownOutNum otherwise, and consumers look it up from
  // prev_tx. It spares the graph files a random read of the transaction array per input.
  uint64_t prev_out = kUnknownOutNum;
};

struct ResolvedOutput {
  AddrId addr;  // invalid for OP_RETURN
  int64_t value;
  ScriptType type;
  bool new_address;  // the address appears on chain for the first time in this transaction
};

struct ResolvedTx {
  TxNum num;
  Txid txid;
  uint32_t height;
  uint32_t time;  // block time
  int32_t version;
  uint32_t locktime;
  bool coinbase;
  uint32_t vsize;
  int64_t fee;
  std::span<const ResolvedInput> inputs;  // empty for a coinbase
  std::span<const ResolvedOutput> outputs;
  // The keys of the addresses this transaction created (its outputs' and, for a bare multisig,
  // its keys'), in AddrId order from first_new_addr.
  AddrId first_new_addr;
  std::span<const AddressKey> new_keys;
};

// Receives every indexed transaction in chain order and adds its own rows to the indexer's
// commits, so that derived state (e.g. clusters) is committed atomically with the chain rows.
class IndexObserver {
 public:
  virtual ~IndexObserver() = default;
  virtual void OnTx(const ResolvedTx& tx) = 0;
  // Adds the rows derived since the last commit to `batch` (which holds the new chain state).
  virtual absl::Status OnCommit(CommitBatch* batch) = 0;
  // The tip block, at `height`, is being rewound. The observer adds to `batch` what takes its rows
  // back to before the block; the indexer writes that batch with the block's own removal, in one
  // atomic write. In-memory state derived from the block must be dropped too.
  virtual absl::Status OnRewind(const Store& store, uint32_t height, const BlockRow& block,
                                rocksdb::WriteBatch* batch) = 0;
  // Called once rewinds are done, before the first OnTx of a run that will end with about
  // `addresses_at_end` addresses. Returns: the bytes the observer will then hold (the memory
  // budget's share for it; it may reserve them now).
  virtual absl::StatusOr<uint64_t> Prepare(uint64_t addresses_at_end) { return 0; }
  // Returns: bytes the observer keeps in memory-mapped files (page cache, not its own memory).
  virtual uint64_t MappedBytes() const { return 0; }
  // The run is over and the store holds `durable` (its last commit). The observer may save what it
  // keeps beside the store, valid for exactly that state.
  virtual absl::Status OnRunEnd(const ChainState& durable) { return absl::OkStatus(); }
};

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_RESOLVED_TX_H_
