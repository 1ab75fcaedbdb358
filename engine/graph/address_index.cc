#include "engine/graph/address_index.h"

namespace ariadne::graph {

AddressIndex::AddressIndex(const TxGraph& graph, uint32_t address_count)
    : offsets_(static_cast<size_t>(address_count) + 1, 0) {
  const uint64_t n = graph.output_count();
  for (uint64_t o = 0; o < n; ++o) {
    const AddrId a = graph.Addr(OutNum(o));
    if (a.valid() && a.value() < address_count) offsets_[a.value() + 1]++;
  }
  for (uint32_t a = 0; a < address_count; ++a) offsets_[a + 1] += offsets_[a];
  outs_.resize(offsets_[address_count]);
  std::vector<uint64_t> fill(offsets_.begin(), offsets_.end() - 1);
  for (uint64_t o = 0; o < n; ++o) {
    const AddrId a = graph.Addr(OutNum(o));
    if (a.valid() && a.value() < address_count) outs_[fill[a.value()]++] = o;
  }
}

}  // namespace ariadne::graph
