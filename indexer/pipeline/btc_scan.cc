// Scanning blk files into the block tree, and reading the blocks to apply (btc_run.h).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/hex.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "engine/store/codec.h"
#include "indexer/btc/block.h"
#include "indexer/btc/header_rules.h"
#include "indexer/pipeline/btc_run.h"

namespace ariadne::pipeline {

absl::StatusOr<std::vector<InputFile>> BtcRun::ExpandInputs() const {
  std::vector<InputFile> out;
  for (const auto& input : inputs_override_ ? *inputs_override_ : options_.inputs) {
    std::error_code ec;
    std::filesystem::path abs = std::filesystem::absolute(input, ec).lexically_normal();
    if (std::filesystem::is_directory(abs)) {
      ASSIGN_OR_RETURN(auto list, btc::ListBlkFiles(abs));
      btc::XorKey key{};
      if (options_.xor_key.has_value()) {
        key = *options_.xor_key;
      } else {
        ASSIGN_OR_RETURN(key, btc::ReadXorKey(abs));
      }
      for (auto& f : list) out.push_back({f, key});
    } else if (std::filesystem::is_regular_file(abs)) {
      out.push_back({abs, options_.xor_key.value_or(btc::XorKey{})});
    } else {
      return absl::NotFoundError(absl::StrCat(input.string(), ": no such file or folder"));
    }
  }
  return out;
}

absl::Status BtcRun::Scan() {
  ASSIGN_OR_RETURN(std::vector<InputFile> inputs, ExpandInputs());
  // A moved-from WriteBatch has no header (writing it corrupts the memtable): a session's later
  // rounds start from an empty one.
  rocksdb::WriteBatch wb = std::move(load_refusals_);
  load_refusals_ = rocksdb::WriteBatch();
  absl::Status error;
  for (const InputFile& input : inputs) {
    error = ScanFile(input, &wb);
    if (!error.ok()) break;  // blocks after a corrupt record or invalid header are not indexed
  }
  // Check the new blocks against their ancestors; refused ones lose their rows and are read (and
  // refused) again by the next run.
  std::vector<btc::BlockTree::Refusal> refused;
  tree_.Connect(&refused);
  for (const btc::BlockTree::Refusal& r : refused) {
    const btc::TreeBlock& b = tree_.block(r.block);
    Refuse(b.hash, b.entry, r.status, r.descendant, &wb);
  }
  if (error.ok() && !refused_error_.ok()) {
    error = refused_more_ == 0 ? refused_error_
                               : absl::Status(refused_error_.code(),
                                              absl::StrCat(refused_error_.message(), " (and ",
                                                           refused_more_, " more refused blocks)"));
  }
  // The block tree rows and scan positions found before any error are kept.
  rocksdb::WriteOptions wo;
  RETURN_IF_ERROR(store::FromRocks(store_->db()->Write(wo, &wb), "writing the block index"));
  return error;
}

absl::Status BtcRun::ScanFile(const InputFile& input, rocksdb::WriteBatch* wb) {
  uint32_t id = 0;
  while (id < files_.size() && files_[id].path != input.path.string()) ++id;
  if (id == files_.size()) {
    files_.push_back({input.path.string(), 0, input.xor_key});
  }
  store::FileEntry& entry = files_[id];
  entry.xor_key = input.xor_key;
  const std::string& path = entry.path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OpenError(path, errno);
  struct stat st;
  ::fstat(fd, &st);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  absl::Status status;
  if (size < entry.scanned) {
    status = absl::FailedPreconditionError(absl::StrCat(path, ": file is shorter (", size,
                                                        " bytes) than when it was indexed (",
                                                        entry.scanned, " bytes)"));
  }
  uint64_t pos = entry.scanned;
  const std::array<uint8_t, 4>& magic = Params(store_->network()).magic;
  uint8_t buf[8 + btc::kBlockHeaderSize];
  while (status.ok() && pos < size) {
    const uint64_t remaining = size - pos;
    const size_t want = static_cast<size_t>(std::min<uint64_t>(remaining, sizeof(buf)));
    status = ReadAt(fd, pos, want, buf, path);
    if (!status.ok()) break;
    btc::ApplyXor(input.xor_key, pos, buf, want);
    if (buf[0] == 0) {
      // Zeros: padding to the end of the file (scanned up to here), or a hole before a record.
      absl::StatusOr<uint64_t> zeros_end = btc::FindNonZero(fd, path, input.xor_key, pos, size);
      if (!zeros_end.ok()) {
        status = zeros_end.status();
        break;
      }
      uint8_t next[4] = {};
      const size_t got = static_cast<size_t>(std::min<uint64_t>(4, size - *zeros_end));
      if (got > 0) {
        status = ReadAt(fd, *zeros_end, got, next, path);
        if (!status.ok()) break;
        btc::ApplyXor(input.xor_key, *zeros_end, next, got);
      }
      auto after = btc::AfterZeroRun(path, pos, *zeros_end, size, ByteSpan(next, got),
                                     store_->network(), &result_->warnings);
      if (!after.ok()) status = after.status();
      if (!after.ok() || !after->has_value()) break;
      pos = **after;
      continue;
    }
    if (want < 8) {
      result_->warnings.push_back(
          absl::StrCat(path, ": truncated record header at offset ", pos, "; not indexed yet"));
      break;
    }
    if (std::memcmp(buf, magic.data(), 4) != 0) {
      status = absl::DataLossError(absl::StrCat(path, ": bad magic ", HexEncode(ByteSpan(buf, 4)),
                                                " (expected ", HexEncode(ByteSpan(magic.data(), 4)),
                                                " for ", AV(Params(store_->network()).name),
                                                ") at offset ", pos));
      break;
    }
    uint32_t record_size;
    std::memcpy(&record_size, buf + 4, 4);
    if (record_size < btc::kBlockHeaderSize || record_size > btc::kMaxBlockSerializedSize) {
      status = absl::DataLossError(absl::StrCat(path, ": impossible block record size ",
                                                record_size, " at offset ", pos + 4));
      break;
    }
    if (record_size > remaining - 8) {
      result_->warnings.push_back(absl::StrCat(path, ": truncated last record at offset ", pos,
                                               " (needs ", record_size, " bytes, ", remaining - 8,
                                               " present); not indexed yet"));
      break;
    }
    btc::BlockHeader header = btc::DecodeHeader(buf + 8);
    store::BlockIndexEntry e;
    e.prev_hash = header.prev_hash;
    e.bits = header.bits;
    e.time = header.time;
    e.file_id = id;
    e.offset = pos + 8;
    e.size = record_size;
    absl::StatusOr<bool> added = tree_.Add(header.hash, e);
    if (!added.ok()) {
      status = btc::RefusedBlockError(added.status(), path, header.hash, pos + 8);
      break;
    }
    if (*added) {
      wb->Put(store_->handle(Cf::kBlockIndex), ToSlice(HashView(header.hash)),
              store::EncodeBlockIndexEntry(e));
      ++result_->blocks_found;
    }
    pos += 8 + record_size;
  }
  ::close(fd);
  entry.scanned = pos;
  wb->Put(store_->handle(Cf::kMeta), store::FileKey(id), store::EncodeFileEntry(entry));
  return status;
}

void BtcRun::Refuse(const BlockHash& hash, const store::BlockIndexEntry& entry,
                    const absl::Status& why, bool descendant, rocksdb::WriteBatch* wb) {
  wb->Delete(store_->handle(Cf::kBlockIndex), ToSlice(HashView(hash)));
  std::string file = "(unknown file)";
  if (entry.file_id < files_.size()) {
    // Read the record again next time, so that the refusal is reported on every run.
    store::FileEntry& f = files_[entry.file_id];
    file = f.path;
    const uint64_t record = entry.offset >= 8 ? entry.offset - 8 : 0;
    if (record < f.scanned) {
      f.scanned = record;
      wb->Put(store_->handle(Cf::kMeta), store::FileKey(entry.file_id), store::EncodeFileEntry(f));
    }
  }
  if (descendant || !refused_error_.ok()) {
    ++refused_more_;
    return;
  }
  refused_error_ = btc::RefusedBlockError(why, file, hash, entry.offset);
}

absl::StatusOr<int32_t> BtcRun::FindFork(const std::vector<uint32_t>& chain) const {
  int32_t h = std::min<int32_t>(state_.tip_height, static_cast<int32_t>(chain.size()) - 1);
  for (; h >= 0; --h) {
    ASSIGN_OR_RETURN(store::BlockRow row, store_->ReadBlock(static_cast<uint32_t>(h)));
    if (row.hash() == tree_.block(chain[h]).hash) return h;
  }
  return -1;
}

absl::Status BtcRun::CheckBlocksPresent(const std::vector<uint32_t>& chain, size_t from) const {
  absl::flat_hash_map<uint32_t, bool> present;
  for (size_t i = from; i < chain.size(); ++i) {
    const btc::TreeBlock& tb = tree_.block(chain[i]);
    if (tb.entry.file_id >= files_.size()) {
      return absl::DataLossError("block index names an unknown file");
    }
    auto [it, added] = present.try_emplace(tb.entry.file_id, false);
    if (added) {
      struct stat st;
      const std::string& path = files_[tb.entry.file_id].path;
      it->second = ::stat(path.c_str(), &st) == 0 &&
                   static_cast<uint64_t>(st.st_size) >= tb.entry.offset + tb.entry.size;
    }
    if (!it->second) {
      return absl::FailedPreconditionError(
          absl::StrCat(files_[tb.entry.file_id].path, " is gone or shorter than when it was read",
                       " (a pruned node deletes blk files): it holds block ", tb.hash.ToHex(),
                       " at height ", i, ", which is not indexed yet; nothing was changed"));
    }
  }
  return absl::OkStatus();
}

void BtcRun::ReaderLoop(const std::vector<uint32_t>& chain, size_t from, BlockQueue* queue) {
  btc::DecodeOptions decode;
  for (size_t i = from; i < chain.size() && !queue->cancelled(); ++i) {
    auto item = std::make_unique<BlockItem>();
    item->height = static_cast<uint32_t>(i);
    const btc::TreeBlock& tb = tree_.block(chain[i]);
    const store::FileEntry& file = files_[tb.entry.file_id];
    item->bytes.resize(tb.entry.size);
    item->status = blk_files_.Read(tb.entry.file_id, file.path, tb.entry.offset, tb.entry.size,
                                   item->bytes.data());
    if (item->status.ok()) {
      btc::ApplyXor(file.xor_key, tb.entry.offset, item->bytes.data(), item->bytes.size());
      absl::Status s = btc::DecodeBlock(item->bytes, tb.entry.offset, decode, &item->block);
      if (!s.ok()) {
        item->status = absl::Status(s.code(), absl::StrCat(file.path, ": ", s.message()));
      } else if (item->block.header.hash != tb.hash ||
                 item->block.header.prev_hash != tb.entry.prev_hash ||
                 item->block.header.bits != tb.entry.bits ||
                 item->block.header.time != tb.entry.time) {
        item->status = absl::DataLossError(absl::StrCat(
            file.path, ": block at offset ", tb.entry.offset, " changed since it was scanned"));
      } else if (!item->block.merkle_ok) {
        item->status =
            absl::DataLossError(absl::StrCat(file.path, ": block ", tb.hash.ToHex(), " at offset ",
                                             tb.entry.offset, ": merkle root mismatch"));
      }
    }
    const bool failed = !item->status.ok();
    queue->Push(std::move(item));
    if (failed) return;
  }
}

}  // namespace ariadne::pipeline
