// The transaction graph: dense arrays indexed by TxNum and OutNum, inputs as CSR (offsets per
// transaction + spent OutNums), no pointers and no per-node objects. What tracing, spent-by
// look-ups and history amounts walk instead of reading RocksDB row by row.
//
// Two homes for the same arrays (graph_files.h's records): the graph files beside the store,
// mapped (Map: start-up reads no row; the page cache holds the hot part), or vectors in memory
// (Load from the tx rows, for stores without the files; Empty + AppendTx, by hand).
//
// Size: 48 bytes per transaction (the txid included: answers name transactions without a
// RocksDB read), 24 per output (16 + 8 of spent-by), 8 per input (~90 bytes per transaction on
// Bitcoin's mix; 10 M transactions ~0.9 GB, of memory when loaded, of page cache when mapped).
#ifndef ARIADNE_ENGINE_GRAPH_TX_GRAPH_H_
#define ARIADNE_ENGINE_GRAPH_TX_GRAPH_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/script.h"
#include "engine/core/types.h"
#include "engine/graph/graph_files.h"
#include "engine/store/store.h"

namespace ariadne::graph {

class TxGraph {
 public:
  // Reads every tx row of the store into memory.
  static absl::StatusOr<std::unique_ptr<TxGraph>> Load(const store::Store& store);
  // The graph over mapped graph files, at their committed lengths (O(1): nothing is read).
  static std::unique_ptr<TxGraph> Map(std::shared_ptr<const GraphFiles> files);
  // Map over the store's graph files, or Load when it has none (indexed before them).
  static absl::StatusOr<std::unique_ptr<TxGraph>> Open(const store::Store& store);
  // Appends the tx rows the store gained since the last load (the store must only have grown:
  // after a rewind, Load again). Returns: the number of transactions added; FAILED_PRECONDITION
  // on a mapped graph (map the grown files instead).
  absl::StatusOr<uint64_t> Extend(const store::Store& store);

  // An empty graph, to build by hand (tests, other chains' adapters).
  static std::unique_ptr<TxGraph> Empty() { return std::unique_ptr<TxGraph>(new TxGraph()); }
  // A copy (of a loaded graph's vectors; of a mapped graph's mapping, sharing it).
  TxGraph(const TxGraph& other);
  TxGraph& operator=(const TxGraph&) = delete;
  struct NewOutput {
    int64_t value;
    AddrId addr;
    ScriptType type = ScriptType::kP2wpkh;
  };
  // Appends the next transaction. Returns: INVALID_ARGUMENT when an input names a missing or
  // already spent output; FAILED_PRECONDITION on a mapped graph.
  absl::StatusOr<TxNum> AppendTx(std::span<const OutNum> inputs, std::span<const NewOutput> outputs,
                                 const Txid& txid = Txid());

  uint64_t tx_count() const { return tx_count_; }
  uint64_t output_count() const { return out_count_; }
  // Returns: whether the arrays are mapped files (else vectors in memory).
  bool mapped() const { return files_ != nullptr; }

  // Outputs of tx t are [FirstOut(t), FirstOut(t+1)); t may be tx_count().
  uint64_t FirstOut(TxNum t) const {
    return t.value() < tx_count_ ? tx_[t.value()].first_out : out_count_;
  }
  uint32_t OutputCount(TxNum t) const {
    return static_cast<uint32_t>(FirstOut(TxNum(t.value() + 1)) - FirstOut(t));
  }
  // Inputs of tx t are [FirstIn(t), FirstIn(t+1)); each names the OutNum it spends.
  uint64_t FirstIn(TxNum t) const {
    return t.value() < tx_count_ ? tx_[t.value()].first_in : in_count_;
  }
  uint32_t InputCount(TxNum t) const {
    return static_cast<uint32_t>(FirstIn(TxNum(t.value() + 1)) - FirstIn(t));
  }
  OutNum Input(uint64_t i) const { return OutNum(in_prev_[i]); }

  int64_t Value(OutNum o) const { return out_[o.value()].value; }
  AddrId Addr(OutNum o) const { return AddrId(out_[o.value()].addr); }
  ScriptType Type(OutNum o) const { return static_cast<ScriptType>(out_[o.value()].type); }
  // Returns: the transaction spending `o`, invalid while unspent. A spender at or past
  // tx_count() is one the indexer appended to the mapped files after this graph's state: unspent
  // here, as it was in that state.
  TxNum SpentBy(OutNum o) const {
    const uint64_t s = spent_by_[o.value()];
    return s >= tx_count_ ? TxNum() : TxNum(s);  // kUnspentRecord is above every count
  }
  // Returns: the txid of `t` (all zero for a hand-built transaction given none).
  const Txid& TxidOf(TxNum t) const { return tx_[t.value()].txid; }
  // Returns: the transaction that created `o`.
  TxNum TxOf(OutNum o) const;
  uint32_t Vout(OutNum o) const { return static_cast<uint32_t>(o.value() - FirstOut(TxOf(o))); }

 private:
  TxGraph() = default;
  // Points the views at the vectors (after they grew or were copied).
  void ViewVectors();

  // The views every accessor reads: into the vectors below, or into files_'s mappings.
  const TxRecord* tx_ = nullptr;
  const OutRecord* out_ = nullptr;
  const uint64_t* in_prev_ = nullptr;   // per input: OutNum spent
  const uint64_t* spent_by_ = nullptr;  // per output: TxNum spending it, or kUnspentRecord
  uint64_t tx_count_ = 0;
  uint64_t out_count_ = 0;
  uint64_t in_count_ = 0;

  std::vector<TxRecord> tx_vec_;
  std::vector<OutRecord> out_vec_;
  std::vector<uint64_t> in_vec_;
  std::vector<uint64_t> spent_vec_;
  std::shared_ptr<const GraphFiles> files_;
};

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_TX_GRAPH_H_
