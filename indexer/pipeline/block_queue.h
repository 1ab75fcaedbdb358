// The queue between the indexer's reader thread (read, de-obfuscate, decode) and its main thread
// (resolve, assign ids, build rows): decoded blocks, bounded in bytes.
#ifndef ARIADNE_INDEXER_PIPELINE_BLOCK_QUEUE_H_
#define ARIADNE_INDEXER_PIPELINE_BLOCK_QUEUE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/status.h"
#include "indexer/btc/block.h"

namespace ariadne::pipeline {

// A decoded block on its way from the reader thread to the main thread.
struct BlockItem {
  std::vector<uint8_t> bytes;
  btc::Block block;
  uint32_t height = 0;
  absl::Status status;
};

// A single-producer single-consumer queue bounded in bytes (of the blocks' serialised size, about
// half of what a decoded block holds; it always takes one block).
class BlockQueue {
 public:
  explicit BlockQueue(size_t capacity_bytes) : capacity_(capacity_bytes) {}
  void Push(std::unique_ptr<BlockItem> item) {
    const size_t size = 2 * item->bytes.size();
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock,
                   [&] { return items_.empty() || bytes_ + size <= capacity_ || cancelled_; });
    if (cancelled_) return;
    bytes_ += size;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
  }
  std::unique_ptr<BlockItem> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock, [&] { return !items_.empty(); });
    auto item = std::move(items_.front());
    items_.pop_front();
    bytes_ -= 2 * item->bytes.size();
    not_full_.notify_one();
    return item;
  }
  void Cancel() {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled_ = true;
    not_full_.notify_all();
  }
  bool cancelled() {
    std::lock_guard<std::mutex> lock(mu_);
    return cancelled_;
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<std::unique_ptr<BlockItem>> items_;
  size_t capacity_;
  size_t bytes_ = 0;
  bool cancelled_ = false;
};

}  // namespace ariadne::pipeline

#endif  // ARIADNE_INDEXER_PIPELINE_BLOCK_QUEUE_H_
