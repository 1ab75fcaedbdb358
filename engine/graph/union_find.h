// Disjoint sets over dense AddrIds in 5 bytes per element: a 4-byte parent array and a 1-byte
// root flag + rank. Union by rank, path halving. A root's parent slot holds the smallest element of
// its set, so the set's id (the smallest AddrId) is stable and deterministic whatever the order of
// unions.
//
// The arrays live on the heap, or in a Storage the caller provides: the indexer keeps them in a
// memory-mapped file beside the store (heuristics/cluster_file.h), so that at Bitcoin's 1.45
// billion addresses (7.3 GB) they are page cache rather than the process's own memory.
#ifndef ARIADNE_ENGINE_GRAPH_UNION_FIND_H_
#define ARIADNE_ENGINE_GRAPH_UNION_FIND_H_

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace ariadne::graph {

class UnionFind {
 public:
  // Where the arrays live when not on the heap.
  class Storage {
   public:
    virtual ~Storage() = default;
    // Makes room for at least `n` elements, keeping the contents of the first `size`.
    // Out: *parent, *meta: the arrays (they may have moved). Returns: false when there is no room
    // (e.g. the disk is full); the arrays are unchanged then.
    virtual bool Reserve(uint32_t n, uint32_t size, uint32_t** parent, uint8_t** meta) = 0;
  };

  UnionFind() = default;
  explicit UnionFind(uint32_t n) { Grow(n); }
  // Args: storage: holds `size` elements already (their sets are kept).
  UnionFind(std::unique_ptr<Storage> storage, uint32_t size) : storage_(std::move(storage)) {
    storage_->Reserve(size, 0, &parent_, &meta_);
    size_ = capacity_ = size;
  }
  UnionFind(UnionFind&& o) noexcept { *this = std::move(o); }
  UnionFind& operator=(UnionFind&& o) noexcept {
    journal_ = std::exchange(o.journal_, nullptr);
    parent_vec_ = std::move(o.parent_vec_);
    meta_vec_ = std::move(o.meta_vec_);
    storage_ = std::move(o.storage_);
    parent_ = std::exchange(o.parent_, nullptr);
    meta_ = std::exchange(o.meta_, nullptr);
    size_ = std::exchange(o.size_, 0);
    capacity_ = std::exchange(o.capacity_, 0);
    return *this;
  }
  UnionFind(const UnionFind&) = delete;
  UnionFind& operator=(const UnionFind&) = delete;

  // Adds singleton sets up to n elements (existing sets are kept).
  // Returns: false when the storage has no room (nothing is added then).
  bool Grow(uint32_t n) {
    if (n <= size_) return true;
    if (n > capacity_) {
      const uint64_t doubled = 2 * uint64_t{capacity_};
      const uint32_t want =
          doubled > n ? static_cast<uint32_t>(doubled > UINT32_MAX ? UINT32_MAX : doubled) : n;
      if (!Reserve(want) && !Reserve(n)) return false;
    }
    for (uint32_t i = size_; i < n; ++i) {
      parent_[i] = i;  // a root: the slot holds the set's smallest element (itself)
      meta_[i] = kRoot;
    }
    size_ = n;
    return true;
  }
  // Reserves room for n elements, so that growing to n does not reallocate (a reallocation holds
  // the old and the new arrays at once). Returns: false when the storage has no room.
  bool Reserve(uint32_t n) {
    if (n <= capacity_) return true;
    if (storage_ != nullptr) {
      if (!storage_->Reserve(n, size_, &parent_, &meta_)) return false;
    } else {
      parent_vec_.resize(n);
      meta_vec_.resize(n);
      parent_ = parent_vec_.data();
      meta_ = meta_vec_.data();
    }
    capacity_ = n;
    return true;
  }
  uint32_t size() const { return size_; }

  // One change of the arrays: the element and what it held before.
  struct Write {
    uint32_t index;
    uint32_t parent;
    uint8_t meta;
  };
  // Records every change of the arrays in *journal from now on (nullptr: stop), so that Undo can
  // take them back (the indexer's clustering rewinds the unions of rewound blocks this way).
  void set_journal(std::vector<Write>* journal) { journal_ = journal; }
  // Takes back the changes recorded in *journal after its first `from` entries, newest first, and
  // drops them.
  void Undo(std::vector<Write>* journal, size_t from) {
    while (journal->size() > from) {
      const Write& w = journal->back();
      parent_[w.index] = w.parent;
      meta_[w.index] = w.meta;
      journal->pop_back();
    }
  }

  // Returns: the root of x's set (an internal representative, not stable across unions).
  uint32_t FindRoot(uint32_t x) {
    while (!(meta_[x] & kRoot)) {
      const uint32_t p = parent_[x];
      if (meta_[p] & kRoot) return p;
      const uint32_t grandparent = parent_[p];  // p is not a root: its slot is a real parent
      if (journal_ != nullptr) journal_->push_back({x, p, meta_[x]});
      parent_[x] = grandparent;  // path halving
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
    if (journal_ != nullptr) {
      journal_->push_back({rb, min_b, meta_[rb]});
      journal_->push_back({ra, min_a, meta_[ra]});
    }
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
  std::vector<Write>* journal_ = nullptr;
  std::vector<uint32_t> parent_vec_;  // heap storage (when storage_ is null)
  std::vector<uint8_t> meta_vec_;
  std::unique_ptr<Storage> storage_;
  uint32_t* parent_ = nullptr;
  uint8_t* meta_ = nullptr;
  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
};

}  // namespace ariadne::graph

#endif  // ARIADNE_ENGINE_GRAPH_UNION_FIND_H_
