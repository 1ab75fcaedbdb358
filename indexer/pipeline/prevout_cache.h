// The indexer's cache of recent transactions' outputs, to resolve the inputs that spend them
// without reading the store. Fully spent transactions leave the cache; when it grows beyond its
// capacity the oldest transactions (by TxNum) are evicted, and lookups of those go to the store.
#ifndef ARIADNE_INDEXER_PIPELINE_PREVOUT_CACHE_H_
#define ARIADNE_INDEXER_PIPELINE_PREVOUT_CACHE_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "engine/core/script.h"
#include "engine/core/types.h"
#include "engine/store/resolved_tx.h"

namespace ariadne::pipeline {

struct CachedOutput {
  int64_t value;
  uint32_t addr;  // AddrId value, AddrId::kInvalid for none
  ScriptType type;
  bool spent;
};

class PrevoutCache {
 public:
  enum class Result : uint8_t { kOk, kMissing, kBadVout, kAlreadySpent };

  // Args: capacity: transactions kept before the oldest are evicted.
  explicit PrevoutCache(size_t capacity) : capacity_(capacity) {}
  // Changes the capacity (takes effect at the next eviction).
  void set_capacity(size_t capacity) { capacity_ = capacity; }

  // Adds a transaction's outputs (OP_RETURN outputs count as spent: they never can be). A second
  // transaction with the same txid replaces the first (BIP30's duplicate coinbases).
  // Args: first_out: the number of its first output over the chain, or store::kUnknownOutNum.
  void Add(const Txid& txid, TxNum num, uint64_t first_out, std::span<const CachedOutput> outputs);
  // Marks output `vout` of `txid` spent. Out: *num, *out and, when not null, *out_num (the
  // output's number, or store::kUnknownOutNum when it was added without one), on kOk.
  Result Spend(const Txid& txid, uint32_t vout, TxNum* num, CachedOutput* out,
               uint64_t* out_num = nullptr);
  // Evicts the oldest transactions while over capacity, never any with TxNum >= `keep_from` (not
  // yet durable). Returns: true when something was evicted (the cache is then incomplete).
  bool Evict(TxNum keep_from);
  void Clear();

  // Between runs the cache is kept in a file beside the store (engine/files/checked_file.h), valid
  // only for the state it was written at (`binding`, the store's meta/state).
  // Returns: UNAVAILABLE naming the file when it cannot be written.
  absl::Status Save(const std::filesystem::path& path, std::string_view binding) const;
  // Replaces the contents with a cache saved with exactly `binding`.
  // Returns: NOT_FOUND, FAILED_PRECONDITION (stale) or DATA_LOSS as files::ReadCheckedFile.
  absl::Status Load(const std::filesystem::path& path, std::string_view binding);

  // "Complete": every transaction with an unspent output is cached, so a miss is an error.
  bool complete() const { return complete_; }
  void set_complete(bool complete) { complete_ = complete; }
  size_t size() const { return map_.size(); }

 private:
  struct Entry {
    uint64_t num;
    uint64_t first_out;
    uint32_t count;
    uint32_t unspent;
    std::unique_ptr<CachedOutput[]> outputs;
  };
  size_t capacity_;
  absl::flat_hash_map<Txid, Entry> map_;
  bool complete_ = false;
};

}  // namespace ariadne::pipeline

#endif  // ARIADNE_INDEXER_PIPELINE_PREVOUT_CACHE_H_
