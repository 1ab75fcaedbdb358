// Which block a transaction is in: the first TxNum of every active-chain block, in memory
// (8 bytes per block: 7 MB for Bitcoin's ~900k blocks).
#ifndef ARIADNE_ENGINE_STORE_HEIGHT_INDEX_H_
#define ARIADNE_ENGINE_STORE_HEIGHT_INDEX_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "engine/core/types.h"

namespace ariadne::store {

class Store;

class HeightIndex {
 public:
  // Reads every header row of the store. Replaces the current contents.
  absl::Status Load(const Store& store);
  // Appends the next block (heights must be consecutive).
  void Append(uint64_t first_txnum, uint32_t time) {
    first_txnum_.push_back(first_txnum);
    time_.push_back(time);
  }
  // Keeps heights [0, height].
  void TruncateAbove(int32_t height) {
    first_txnum_.resize(static_cast<size_t>(height + 1));
    time_.resize(static_cast<size_t>(height + 1));
  }
  // Returns: the height of the block holding `n` (which must be indexed).
  uint32_t HeightOf(TxNum n) const;
  uint32_t TimeOf(uint32_t height) const { return time_[height]; }
  uint64_t FirstTxNum(uint32_t height) const { return first_txnum_[height]; }
  size_t blocks() const { return first_txnum_.size(); }

 private:
  std::vector<uint64_t> first_txnum_;
  std::vector<uint32_t> time_;
};

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_HEIGHT_INDEX_H_
