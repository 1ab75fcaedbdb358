// For every address, the outputs it received (CSR: offsets per address + OutNums, ascending):
// the seeds of a trace from an address and the neighbours of path searches.
// Memory: 8 bytes per address + 8 per output with an address.
#ifndef ARIADNE_ENGINE_GRAPH_ADDRESS_INDEX_H_
#define ARIADNE_ENGINE_GRAPH_ADDRESS_INDEX_H_

#include <cstdint>
#include <span>
#include <vector>

#include "engine/core/types.h"
#include "engine/graph/tx_graph.h"

namespace ariadne::graph {

class AddressIndex {
 public:
  // Args: address_count: ids above the graph's largest are given empty lists.
  AddressIndex(const TxGraph& graph, uint32_t address_count);

  // Returns: the outputs `a` received, in chain order.
  std::span<const uint64_t> Received(AddrId a) const {
    if (a.value() + 1 >= offsets_.size()) return {};
    return std::span<const uint64_t>(outs_.data() + offsets_[a.value()],
                                     offsets_[a.value() + 1] - offsets_[a.value()]);
  }
  uint32_t address_count() const { return static_cast<uint32_t>(offsets_.size() - 1); }

 private:
  std::vector<uint64_t> offsets_;
  std::vector<uint64_t> outs_;
};

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_ADDRESS_INDEX_H_
