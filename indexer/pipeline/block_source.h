// Where the indexer's blocks come from while it follows a node: a source brings what is new into
// blk files (a Bitcoin Core blocks folder as the node writes it, or a folder the source fills
// from the node's RPC) and says whether anything changed, so that a follow loop
// (follow.h) runs the indexer only when there is something to index.
#ifndef ARIADNE_INDEXER_PIPELINE_BLOCK_SOURCE_H_
#define ARIADNE_INDEXER_PIPELINE_BLOCK_SOURCE_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ariadne::pipeline {

class BlockSource {
 public:
  virtual ~BlockSource() = default;
  // Brings what is new (a network source fetches blocks) and looks for changes.
  // Returns: true when the inputs may hold blocks the indexer has not seen (always on the first
  // call); false when nothing changed since the last call; an error of the source (the follow loop
  // retries it at the next poll).
  virtual absl::StatusOr<bool> Poll() = 0;
  // Returns: the blk files and folders to index (BtcIndexOptions::inputs).
  virtual std::vector<std::filesystem::path> inputs() const = 0;
  // Returns: what the source reads, for messages ("folder X", "node at URL").
  virtual std::string Describe() const = 0;
};

// A blocks folder (or blk files) written by Bitcoin Core: a change is a blk file that appeared,
// grew, was rewritten or was removed (pruned), seen from the folder listing and the files' sizes
// and modification times (a few microseconds per file).
class FolderSource final : public BlockSource {
 public:
  explicit FolderSource(std::vector<std::filesystem::path> inputs) : inputs_(std::move(inputs)) {}
  absl::StatusOr<bool> Poll() override;
  std::vector<std::filesystem::path> inputs() const override { return inputs_; }
  std::string Describe() const override;

 private:
  std::vector<std::filesystem::path> inputs_;
  std::string fingerprint_;  // of the last poll ("" before the first)
};

}  // namespace ariadne::pipeline

#endif  // ARIADNE_INDEXER_PIPELINE_BLOCK_SOURCE_H_
