// Builds ResolvedTx values for heuristics tests.
#ifndef ARIADNE_TESTS_HEURISTICS_TX_BUILDER_H_
#define ARIADNE_TESTS_HEURISTICS_TX_BUILDER_H_

#include <cstdint>
#include <vector>

#include "engine/store/resolved_tx.h"

namespace ariadne::testing {

class TxBuilder {
 public:
  explicit TxBuilder(uint64_t num) { tx_.num = TxNum(num); }
  TxBuilder& In(uint32_t addr, int64_t value, ScriptType type = ScriptType::kP2wpkh,
                uint64_t prev_tx = 0, uint32_t vout = 0) {
    inputs_.push_back({AddrId(addr), value, type, TxNum(prev_tx), vout});
    return *this;
  }
  TxBuilder& Out(uint32_t addr, int64_t value, bool fresh = true,
                 ScriptType type = ScriptType::kP2wpkh) {
    outputs_.push_back({AddrId(addr), value, type, fresh});
    return *this;
  }
  TxBuilder& Version(int32_t v) {
    tx_.version = v;
    return *this;
  }
  TxBuilder& Locktime(uint32_t l) {
    tx_.locktime = l;
    return *this;
  }
  TxBuilder& Coinbase() {
    tx_.coinbase = true;
    return *this;
  }
  // The transaction; valid while the builder lives.
  const store::ResolvedTx& Build() {
    tx_.inputs = inputs_;
    tx_.outputs = outputs_;
    return tx_;
  }

 private:
  store::ResolvedTx tx_{};
  std::vector<store::ResolvedInput> inputs_;
  std::vector<store::ResolvedOutput> outputs_;
};

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_HEURISTICS_TX_BUILDER_H_
