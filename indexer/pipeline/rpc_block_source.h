// A block source that reads a node's best chain over Bitcoin Core's JSON-RPC (rpc_client.h) and
// writes its blocks, as blk-file records, into a folder beside the store (DB/rpc-blocks), which
// the indexer then reads like any blocks folder: the block tree, the choice of the most-work
// chain, reorgs (a rewind to the fork) and resume after a crash are the folder pipeline's.
//
// Each poll asks for the node's best block; when it moved, finds where the node's chain and ours
// (the blocks written in this process, else the store's) part (one getblockhash per height from
// the lower tip down, usually one), and fetches the node's blocks above that point, in height
// order, up to a byte bound per poll. A file of the folder holds 128 MiB of records at most; a
// record cut short by a crash is cut off when the source opens the folder. Files whose blocks are
// all at least kKeepBlocks below the store's tip are removed (the indexer never reads a block
// again once it is applied: the store's rows are its undo data).
#ifndef ARIADNE_INDEXER_PIPELINE_RPC_BLOCK_SOURCE_H_
#define ARIADNE_INDEXER_PIPELINE_RPC_BLOCK_SOURCE_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/network.h"
#include "engine/core/types.h"
#include "engine/store/store.h"
#include "indexer/btc/rpc_client.h"
#include "indexer/pipeline/block_source.h"

namespace ariadne::pipeline {

struct RpcSourceOptions {
  // Required: the node's URL and credentials.
  btc::RpcOptions rpc;
  // Required: the folder the blocks are written to (created if missing).
  std::filesystem::path folder;
  // Default 64 MiB: block bytes fetched by one poll at most (the indexer commits them before the
  // next poll fetches more), which bounds what a kill loses and what the first sync buffers.
  uint64_t max_bytes_per_poll = uint64_t{64} << 20;
  // Default 128 MiB: bytes of records per file (Bitcoin Core's blk files hold the same).
  uint64_t max_file_bytes = uint64_t{128} << 20;
};

struct RpcSourceCounters {
  uint64_t blocks_fetched = 0;
  uint64_t bytes_fetched = 0;
  uint64_t files_removed = 0;
  int32_t node_height = -1;  // at the last poll
};

class RpcBlockSource final : public BlockSource {
 public:
  // Blocks of a file below the store's tip by at least this much are never needed again (deeper
  // than any reorg the indexer would follow from a node).
  static constexpr int32_t kKeepBlocks = 288;

  // Opens (creating) the folder and cuts off a record a crash left incomplete at its end. The
  // node is not contacted before the first poll.
  // Args: store: the store the blocks are indexed into (read for its chain; must outlive this).
  // Returns: the source; INVALID_ARGUMENT for a bad URL; an error naming the folder.
  static absl::StatusOr<std::unique_ptr<RpcBlockSource>> Create(const store::Store* store,
                                                                RpcSourceOptions options);
  ~RpcBlockSource() override;
  RpcBlockSource(const RpcBlockSource&) = delete;
  RpcBlockSource& operator=(const RpcBlockSource&) = delete;

  // Fetches the node's new blocks into the folder (up to the bound).
  // Returns: whether blocks were written (or more wait beyond the bound); FAILED_PRECONDITION
  // when the node's genesis block is not the store's network's; the RPC's errors.
  absl::StatusOr<bool> Poll() override;
  std::vector<std::filesystem::path> inputs() const override { return {options_.folder}; }
  std::string Describe() const override;
  const RpcSourceCounters& counters() const { return counters_; }

 private:
  RpcBlockSource(const store::Store* store, RpcSourceOptions options)
      : store_(store), options_(std::move(options)) {}
  absl::Status OpenFolder();
  // Returns: our block at `height` (written by this source, else the store's), if any.
  absl::StatusOr<std::optional<BlockHash>> OursAt(int32_t height) const;
  absl::Status Append(int32_t height, const std::vector<uint8_t>& block);
  absl::Status RemoveOldFiles();

  const store::Store* store_;
  RpcSourceOptions options_;
  std::unique_ptr<btc::BitcoinRpc> rpc_;
  bool genesis_checked_ = false;
  BlockHash synced_best_;              // the node's best block once every block to it is written
  std::map<int32_t, BlockHash> ours_;  // blocks written by this process, by height
  uint32_t file_number_ = 0;           // of the file being appended to
  uint64_t file_size_ = 0;
  int fd_ = -1;
  std::map<uint32_t, int32_t> file_top_;  // highest height written to each file by this process
  RpcSourceCounters counters_;
};

}  // namespace ariadne::pipeline

#endif  // ARIADNE_INDEXER_PIPELINE_RPC_BLOCK_SOURCE_H_
