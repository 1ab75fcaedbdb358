// Disjoint sets over dense AddrIds in 5 bytes per element: a 4-byte parent array and a 1-byte
// root flag + rank. Union by rank, path halving. A root's parent slot holds the smallest element of
// its set, so the set's id (the smallest AddrId) is stable and deterministic whatever the order of
// unions.
#ifndef ARIADNE_ENGINE_GRAPH_UNION_FIND_H_
#define ARIADNE_ENGINE_GRAPH_UNION_FIND_H_

#include <cstdint>
#include <vector>

namespace ariadne::graph {

class UnionFind {
 public:
  UnionFind() = default;
  explicit UnionFind(uint32_t n) { Grow(n); }

  // Adds singleton sets up to n elements (existing sets are kept).
  void Grow(uint32_t n) {
    for (uint32_t i = static_cast<uint32_t>(parent_.size()); i < n; ++i) {
      parent_.push_back(i);  // a root: the slot holds the set's smallest element (itself)
      meta_.push_back(kRoot);
    }
  }
  // Reserves room for n elements, so that growing to n does not reallocate (a reallocation holds
  // the old and the new arrays at once).
  void Reserve(uint32_t n) {
    parent_.reserve(n);
    meta_.reserve(n);
  }
  uint32_t size() const { return static_cast<uint32_t>(parent_.size()); }

  // Returns: the root of x's set (an internal representative, not stable across unions).
  uint32_t FindRoot(uint32_t x) {
    while (!(meta_[x] & kRoot)) {
      const uint32_t p = parent_[x];
      if (meta_[p] & kRoot) return p;
      const uint32_t grandparent = parent_[p];  // p is not a root: its slot is a real parent
      parent_[x] = grandparent;                 // path halving
      x = grandparent;
    }
    return x;
  }
  // Returns: the id of x's set: its smallest element.
  uint32_t SetId(uint32_t x) { return parent_[FindRoot(x)]; }
  bool Same(uint32_t a, uint32_t b) { return FindRoot(a) == FindRoot(b); }

  // Merges the sets of a and b. Returns: false when they were one set already.
  bool Union(uint32_t a, uint32_t b) {
    uint32_t ra = FindRoot(a), rb = FindRoot(b);
    if (ra == rb) return false;
    uint8_t ka = meta_[ra] & kRankMask, kb = meta_[rb] & kRankMask;
    if (ka < kb || (ka == kb && ra > rb)) std::swap(ra, rb);  // ra becomes the root
    const uint32_t min_a = parent_[ra], min_b = parent_[rb];
    parent_[rb] = ra;
    meta_[rb] = 0;
    parent_[ra] = min_a < min_b ? min_a : min_b;
    if (ka == kb) meta_[ra] = kRoot | static_cast<uint8_t>(ka + 1);
    return true;
  }

  // Returns: bytes of memory per element (5).
  static constexpr int BytesPerElement() { return sizeof(uint32_t) + sizeof(uint8_t); }

 private:
  static constexpr uint8_t kRoot = 0x80;
  static constexpr uint8_t kRankMask = 0x7f;
  std::vector<uint32_t> parent_;
  std::vector<uint8_t> meta_;
};

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_UNION_FIND_H_
