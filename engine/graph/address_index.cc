#include "engine/graph/address_index.h"

namespace ariadne::graph {

AddressIndex::AddressIndex(const TxGraph& graph, uint32_t address_count)
    : offsets_vec_(static_cast<size_t>(address_count) + 1, 0), address_count_(address_count) {
  const uint64_t n = graph.output_count();
  for (uint64_t o = 0; o < n; ++o) {
    const AddrId a = graph.Addr(OutNum(o));
    if (a.valid() && a.value() < address_count) offsets_vec_[a.value() + 1]++;
  }
  for (uint32_t a = 0; a < address_count; ++a) offsets_vec_[a + 1] += offsets_vec_[a];
  outs_vec_.resize(offsets_vec_[address_count]);
  std::vector<uint64_t> fill(offsets_vec_.begin(), offsets_vec_.end() - 1);
  for (uint64_t o = 0; o < n; ++o) {
    const AddrId a = graph.Addr(OutNum(o));
    if (a.valid() && a.value() < address_count) outs_vec_[fill[a.value()]++] = o;
  }
  offsets_ = offsets_vec_;
  outs_ = outs_vec_;
}

AddressIndex::AddressIndex(std::span<const uint64_t> offsets, std::span<const uint64_t> outs,
                           std::shared_ptr<const void> holder, uint64_t base_outputs,
                           const TxGraph& graph, uint32_t address_count)
    : holder_(std::move(holder)), offsets_(offsets), outs_(outs), address_count_(address_count) {
  for (uint64_t o = base_outputs; o < graph.output_count(); ++o) {
    const AddrId a = graph.Addr(OutNum(o));
    if (a.valid() && a.value() < address_count) later_[a.value()].push_back(o);
  }
}

}  // namespace ariadne::graph
