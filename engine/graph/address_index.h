// For every address, the outputs it received (CSR: offsets per address + OutNums, ascending):
// the seeds of a trace from an address and the neighbours of path searches. Built in memory by one
// pass over the outputs, or mapped from the cluster files (cluster_files.h: the lists as of the
// last recluster) with the outputs added after them in a small overlay.
// Memory: 8 bytes per address + 8 per output with an address (in memory or in the files; the
// overlay: 8 per later output, 4 per address that received one).
#ifndef ARIADNE_ENGINE_GRAPH_ADDRESS_INDEX_H_
#define ARIADNE_ENGINE_GRAPH_ADDRESS_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <span>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/core/types.h"
#include "engine/graph/tx_graph.h"

namespace ariadne::graph {

// The outputs of one address in chain order: the base's then the overlay's.
class OutList {
 public:
  OutList() = default;
  OutList(std::span<const uint64_t> base, std::span<const uint64_t> later)
      : base_(base), later_(later) {}
  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = uint64_t;
    using difference_type = std::ptrdiff_t;
    using pointer = const uint64_t*;
    using reference = uint64_t;
    Iterator() = default;
    Iterator(const OutList* l, size_t i) : l_(l), i_(i) {}
    uint64_t operator*() const { return (*l_)[i_]; }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator r = *this;
      ++i_;
      return r;
    }
    bool operator!=(const Iterator& o) const { return i_ != o.i_; }
    bool operator==(const Iterator& o) const { return i_ == o.i_; }

   private:
    const OutList* l_ = nullptr;
    size_t i_ = 0;
  };
  using value_type = uint64_t;
  using const_iterator = Iterator;
  using iterator = Iterator;
  size_t size() const { return base_.size() + later_.size(); }
  bool empty() const { return size() == 0; }
  uint64_t operator[](size_t i) const {
    return i < base_.size() ? base_[i] : later_[i - base_.size()];
  }
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, size()); }

 private:
  std::span<const uint64_t> base_, later_;
};

class AddressIndex {
 public:
  // One pass over the graph's outputs.
  // Args: address_count: ids above the graph's largest are given empty lists.
  AddressIndex(const TxGraph& graph, uint32_t address_count);
  // Over lists kept elsewhere (mapped files, held by `holder`): `offsets` (per address + 1) and
  // `outs` cover the outputs below `base_outputs`; the graph's outputs from there on are indexed
  // in memory.
  AddressIndex(std::span<const uint64_t> offsets, std::span<const uint64_t> outs,
               std::shared_ptr<const void> holder, uint64_t base_outputs, const TxGraph& graph,
               uint32_t address_count);

  // Returns: the outputs `a` received, in chain order.
  OutList Received(AddrId a) const {
    std::span<const uint64_t> base;
    if (a.value() + 1 < offsets_.size()) {
      base = outs_.subspan(offsets_[a.value()], offsets_[a.value() + 1] - offsets_[a.value()]);
    }
    if (!later_.empty()) {
      auto it = later_.find(a.value());
      if (it != later_.end()) return OutList(base, it->second);
    }
    return OutList(base, {});
  }
  uint32_t address_count() const { return address_count_; }
  // The arrays (the cluster files' writer and checker).
  std::span<const uint64_t> offsets() const { return offsets_; }
  std::span<const uint64_t> outs() const { return outs_; }

 private:
  std::vector<uint64_t> offsets_vec_;
  std::vector<uint64_t> outs_vec_;
  std::shared_ptr<const void> holder_;
  std::span<const uint64_t> offsets_;
  std::span<const uint64_t> outs_;
  absl::flat_hash_map<uint32_t, std::vector<uint64_t>> later_;  // outputs after the base
  uint32_t address_count_ = 0;
};

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_ADDRESS_INDEX_H_
