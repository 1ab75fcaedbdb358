#include "indexer/pipeline/rpc_block_source.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "indexer/btc/blk_reader.h"

namespace ariadne::pipeline {
namespace {

std::string FileName(uint32_t number) { return absl::StrFormat("blk%05u.dat", number); }

absl::Status IoError(const std::filesystem::path& path, absl::string_view what) {
  return absl::UnavailableError(
      absl::StrCat(path.string(), ": cannot ", what, ": ", std::strerror(errno)));
}

}  // namespace

RpcBlockSource::~RpcBlockSource() {
  if (fd_ >= 0) ::close(fd_);
}

absl::StatusOr<std::unique_ptr<RpcBlockSource>> RpcBlockSource::Create(const store::Store* store,
                                                                       RpcSourceOptions options) {
  ASSIGN_OR_RETURN(std::unique_ptr<btc::BitcoinRpc> rpc, btc::BitcoinRpc::Create(options.rpc));
  auto source = std::unique_ptr<RpcBlockSource>(new RpcBlockSource(store, std::move(options)));
  source->rpc_ = std::move(rpc);
  RETURN_IF_ERROR(source->OpenFolder());
  return source;
}

std::string RpcBlockSource::Describe() const {
  return absl::StrCat("the node at ", options_.rpc.url, " (blocks written to ",
                      options_.folder.string(), ")");
}

absl::Status RpcBlockSource::OpenFolder() {
  const std::filesystem::path& dir = options_.folder;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat(dir.string(), ": cannot create: ", ec.message()));
  }
  absl::StatusOr<std::vector<std::filesystem::path>> files = btc::ListBlkFiles(dir);
  if (files.ok() && !files->empty()) {
    const std::string name = files->back().filename().string();
    file_number_ = static_cast<uint32_t>(std::stoul(name.substr(3, 5)));
  }
  const std::filesystem::path path = dir / FileName(file_number_);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return IoError(path, "open");
  // Walk the records of the last file; a record a crash cut short is cut off, so that appending
  // goes on after the last whole one (the indexer has read nothing beyond it).
  const uint64_t size = static_cast<uint64_t>(::lseek(fd_, 0, SEEK_END));
  uint64_t pos = 0;
  while (pos + 8 <= size) {
    uint8_t head[8];
    if (::pread(fd_, head, 8, static_cast<off_t>(pos)) != 8) return IoError(path, "read");
    uint32_t record;
    std::memcpy(&record, head + 4, 4);
    if (pos + 8 + record > size) break;
    pos += 8 + record;
  }
  if (pos != size && ::ftruncate(fd_, static_cast<off_t>(pos)) != 0) {
    return IoError(path, "cut off an incomplete record");
  }
  file_size_ = pos;
  return absl::OkStatus();
}

absl::StatusOr<std::optional<BlockHash>> RpcBlockSource::OursAt(int32_t height) const {
  if (auto it = ours_.find(height); it != ours_.end()) return std::optional<BlockHash>(it->second);
  ASSIGN_OR_RETURN(store::ChainState state, store_->ReadState());
  if (height > state.tip_height) return std::optional<BlockHash>();
  ASSIGN_OR_RETURN(store::BlockRow row, store_->ReadBlock(static_cast<uint32_t>(height)));
  return std::optional<BlockHash>(row.hash());
}

absl::Status RpcBlockSource::Append(int32_t height, const std::vector<uint8_t>& block) {
  if (file_size_ > 0 && file_size_ + 8 + block.size() > options_.max_file_bytes) {
    if (::fdatasync(fd_) != 0) return IoError(options_.folder / FileName(file_number_), "sync");
    ::close(fd_);
    ++file_number_;
    const std::filesystem::path path = options_.folder / FileName(file_number_);
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) return IoError(path, "create");
    file_size_ = 0;
  }
  const std::array<uint8_t, 4>& magic = Params(store_->network()).magic;
  std::vector<uint8_t> record(8 + block.size());
  std::memcpy(record.data(), magic.data(), 4);
  const uint32_t size = static_cast<uint32_t>(block.size());
  std::memcpy(record.data() + 4, &size, 4);
  std::memcpy(record.data() + 8, block.data(), block.size());
  size_t done = 0;
  while (done < record.size()) {
    const ssize_t n = ::pwrite(fd_, record.data() + done, record.size() - done,
                               static_cast<off_t>(file_size_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return IoError(options_.folder / FileName(file_number_), "write");
    done += static_cast<size_t>(n);
  }
  file_size_ += record.size();
  file_top_[file_number_] = std::max(file_top_[file_number_], height);
  return absl::OkStatus();
}

absl::Status RpcBlockSource::RemoveOldFiles() {
  ASSIGN_OR_RETURN(store::ChainState state, store_->ReadState());
  for (auto it = file_top_.begin(); it != file_top_.end();) {
    if (it->first == file_number_ || it->second > state.tip_height - kKeepBlocks) {
      ++it;
      continue;
    }
    std::error_code ec;
    std::filesystem::remove(options_.folder / FileName(it->first), ec);
    ++counters_.files_removed;
    it = file_top_.erase(it);
  }
  // What the store holds deep below its tip needs no copy here.
  while (!ours_.empty() && ours_.begin()->first < state.tip_height - kKeepBlocks) {
    ours_.erase(ours_.begin());
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> RpcBlockSource::Poll() {
  if (!genesis_checked_) {
    ASSIGN_OR_RETURN(BlockHash genesis, rpc_->GetBlockHash(0));
    const NetworkParams& params = Params(store_->network());
    if (genesis.ToHex() != params.genesis_hash) {
      return absl::FailedPreconditionError(
          absl::StrCat("the node at ", options_.rpc.url, " has genesis block ", genesis.ToHex(),
                       ", not that of ", AV(params.name), " (the store's network; see --network)"));
    }
    genesis_checked_ = true;
  }
  RETURN_IF_ERROR(RemoveOldFiles());
  ASSIGN_OR_RETURN(BlockHash best, rpc_->GetBestBlockHash());
  if (best == synced_best_) return false;
  ASSIGN_OR_RETURN(btc::RpcBlockHeader tip, rpc_->GetBlockHeader(best));
  counters_.node_height = tip.height;
  ASSIGN_OR_RETURN(store::ChainState state, store_->ReadState());
  int32_t ours_tip = ours_.empty() ? state.tip_height : ours_.rbegin()->first;
  // The fork: the highest height at which the node's chain and ours hold the same block.
  int32_t fork = std::min(ours_tip, tip.height);
  for (; fork >= 0; --fork) {
    ASSIGN_OR_RETURN(std::optional<BlockHash> mine, OursAt(fork));
    if (!mine.has_value()) continue;
    ASSIGN_OR_RETURN(BlockHash theirs, fork == tip.height ? absl::StatusOr<BlockHash>(best)
                                                          : rpc_->GetBlockHash(fork));
    if (*mine == theirs) break;
  }
  ours_.erase(ours_.upper_bound(fork), ours_.end());
  uint64_t bytes = 0;
  bool wrote = false;
  int32_t h = fork + 1;
  for (; h <= tip.height && bytes < options_.max_bytes_per_poll; ++h) {
    absl::StatusOr<BlockHash> hash = h == tip.height ? best : rpc_->GetBlockHash(h);
    if (absl::IsOutOfRange(hash.status())) break;  // the node's chain got shorter meanwhile
    if (!hash.ok()) return hash.status();
    ASSIGN_OR_RETURN(std::vector<uint8_t> block, rpc_->GetBlock(*hash));
    RETURN_IF_ERROR(Append(h, block));
    ours_[h] = *hash;
    bytes += block.size();
    ++counters_.blocks_fetched;
    counters_.bytes_fetched += block.size();
    wrote = true;
  }
  if (wrote && ::fdatasync(fd_) != 0) {
    return IoError(options_.folder / FileName(file_number_), "sync");
  }
  if (h > tip.height) synced_best_ = best;
  return wrote || h <= tip.height;
}

}  // namespace ariadne::pipeline
