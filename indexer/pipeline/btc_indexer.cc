#include "indexer/pipeline/btc_indexer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "engine/core/file_limit.h"
#include "engine/core/hash.h"
#include "engine/core/hex.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "engine/store/codec.h"
#include "engine/store/commit_batch.h"
#include "engine/store/height_index.h"
#include "engine/store/rewind_reads.h"
#include "indexer/btc/block.h"
#include "indexer/btc/block_tree.h"
#include "indexer/btc/header_rules.h"
#include "indexer/pipeline/address_cache.h"
#include "indexer/pipeline/address_filter.h"
#include "indexer/pipeline/blk_file_cache.h"
#include "indexer/pipeline/block_queue.h"
#include "indexer/pipeline/graph_files_observer.h"
#include "indexer/pipeline/prevout_cache.h"
#include "indexer/pipeline/reorg_marker.h"
#include "indexer/pipeline/store_lookup.h"

namespace ariadne::pipeline {
namespace {

using store::Cf;
using Clock = std::chrono::steady_clock;

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view HashView(const BlockHash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), 32);
}
// An address key as bytes (kind, witness version, payload), for a hash set.
std::string KeyBytes(const AddressKey& k) {
  std::string out;
  out.reserve(2 + k.size);
  out.push_back(static_cast<char>(k.kind));
  out.push_back(static_cast<char>(k.witness_version));
  out.append(reinterpret_cast<const char*>(k.payload.data()), k.size);
  return out;
}

struct InputFile {
  std::filesystem::path path;
  btc::XorKey xor_key;
};

class Indexer {
 public:
  Indexer(store::Store* store, const BtcIndexOptions& options, IndexResult* result)
      : store_(store),
        options_(options),
        result_(result),
        tree_(btc::PowParamsOf(store->network())),
        addr_cache_(0),
        prevout_cache_(0) {}

  absl::Status Run();
  // One round of a session (BtcIndexSession): loads once, then scans, applies and commits what the
  // inputs gained, keeping the caches, filter, observers and committer between rounds.
  // Out: *needs_full_run when the round would rewind (left to a whole run; nothing applied).
  absl::Status Round(IndexResult* result, bool* needs_full_run);
  // Saves the filter, caches and observers' files for the next run, as the end of a run does.
  void SaveForNextRun(uint64_t blocks_applied);
  void Reconcile(bool ok, int64_t fork, uint64_t tx_count_at_fork, uint32_t addr_count_at_start);
  // Returns: the blocks of the best valid chain the tree knows, from genesis (empty: none).
  std::vector<uint32_t> BestChain() const;
  // Returns: the bytes of the blocks of `chain` above `fork`.
  uint64_t BytesToApply(const std::vector<uint32_t>& chain, int32_t fork) const;
  void SaveForNextRunInto(IndexResult* result, uint64_t blocks_applied) {
    result_ = result;
    SaveForNextRun(blocks_applied);
  }
  void set_inputs(const std::vector<std::filesystem::path>& inputs) { inputs_override_ = inputs; }

 private:
  absl::Status Load();
  absl::StatusOr<std::vector<InputFile>> ExpandInputs() const;
  absl::Status Scan();
  absl::Status ScanFile(const InputFile& input, rocksdb::WriteBatch* wb);
  void Refuse(const BlockHash& hash, const store::BlockIndexEntry& entry, const absl::Status& why,
              bool descendant, rocksdb::WriteBatch* wb);
  absl::StatusOr<int32_t> FindFork(const std::vector<uint32_t>& chain) const;
  // Args: last_rewind: the last rewind of this run (its write is synced, and with it the earlier
  // ones).
  absl::Status RewindTip(bool last_rewind);
  // Args: at_start: the store's state when the run began (before any rewind): a filter saved
  //   for it still holds every address of the store after a rewind.
  absl::Status PrepareCaches(uint64_t bytes_to_apply, const store::ChainState& at_start);
  // Sizes the caches, commits and queue (from the budget, when one is set), once the observers are
  // prepared for a run ending with `addresses_at_end` addresses.
  absl::Status PlanMemoryUse(uint64_t addresses_at_end);
  // Files the indexer keeps beside the store between runs (docs/schema.md).
  std::filesystem::path CachePath(const char* name) const {
    return store_->dir() / "index-cache" / name;
  }
  std::filesystem::path FilterPath() const { return CachePath("address.filter"); }
  absl::Status Apply(const std::vector<uint32_t>& chain, size_t from);
  void ReaderLoop(const std::vector<uint32_t>& chain, size_t from, BlockQueue* queue);
  absl::Status ProcessBlock(BlockItem& item);
  absl::Status ProcessBlockRows(BlockItem& item);
  absl::Status ResolveInput(const btc::TxIn& in, const btc::Tx& tx, uint32_t index, uint32_t height,
                            store::ResolvedInput* out);
  absl::StatusOr<std::pair<AddrId, bool>> FindOrCreateAddress(const AddressKey& key,
                                                              ScriptType type, ByteSpan script);
  absl::Status HandOff(bool final);
  // Returns: FAILED_PRECONDITION naming the file and height when a blk file holding one of the
  // blocks to apply is gone (a pruned node deletes the files of blocks it has validated).
  absl::Status CheckBlocksPresent(const std::vector<uint32_t>& chain, size_t from) const;
  void Progress(bool force);

  store::Store* store_;
  const BtcIndexOptions& options_;
  IndexResult* result_;
  // A session's inputs for the current round (instead of options_.inputs); whether it is loaded.
  std::optional<std::vector<std::filesystem::path>> inputs_override_;
  bool session_loaded_ = false;
  // A round failed while applying: the caches may hold the failed block's spends and addresses,
  // so they are not saved for the next run (the filter, a superset, still is).
  bool caches_dirty_ = false;

  store::ChainState state_;
  store::HeightIndex heights_;
  btc::BlockTree tree_;
  std::vector<store::FileEntry> files_;  // by file id
  // Blk files open for reading blocks, bounded (the reader thread's alone).
  BlkFileCache blk_files_{std::max<uint64_t>(8, std::min<uint64_t>(64, OpenFileLimit() / 16))};
  // Blocks refused by the header rules in this run (rows from earlier runs included): the first
  // error and how many more.
  absl::Status refused_error_;
  uint64_t refused_more_ = 0;
  rocksdb::WriteBatch load_refusals_;  // block_index rows refused when loaded

  MemoryPlan plan_;
  AddressCache addr_cache_;
  std::unique_ptr<AddressFilter> addr_filter_;  // every address of the store
  PrevoutCache prevout_cache_;
  StoreLookup lookup_{store_};  // what the caches no longer hold
  std::unique_ptr<store::Committer> committer_;
  std::optional<int32_t> reorg_from_;  // the old tip's height while meta/reorg is set
  // Keys of the addresses this run's rewinds removed (up to kMaxRewoundAddresses): the filter
  // saved before the rewinds still answers "maybe" for them, but the store no longer holds them,
  // so the branch that replaces the rewound blocks creates them again without a store lookup.
  // 2^18 keys (about 25 MB, outside the memory plan) cover about 100 mainnet blocks.
  static constexpr size_t kMaxRewoundAddresses = size_t{1} << 18;
  absl::flat_hash_set<std::string> rewound_addresses_;

  // The batch being built and the one being committed.
  std::unique_ptr<store::CommitBatch> building_ = std::make_unique<store::CommitBatch>();
  std::unique_ptr<store::CommitBatch> committing_ = std::make_unique<store::CommitBatch>();
  std::future<absl::Status> commit_done_;
  uint64_t batch_txs_ = 0;
  uint64_t batch_first_txnum_ = 0;
  absl::flat_hash_map<uint32_t, store::AddrStats> batch_stats_;
  absl::flat_hash_map<uint32_t, store::AddrStats> block_stats_;

  // The block's resolved transactions, handed to observers once the whole block succeeded.
  struct PendingTx {
    store::ResolvedTx tx;  // spans filled in at dispatch
    size_t first_input, first_output, first_key;
  };
  std::vector<PendingTx> pending_;
  // The graph files' observer, then the caller's.
  std::unique_ptr<GraphFilesObserver> graph_files_;
  std::vector<store::IndexObserver*> observers_;
  std::vector<store::ResolvedInput> block_inputs_;
  std::vector<store::ResolvedOutput> block_outputs_;
  std::vector<AddressKey> block_keys_;  // of the addresses the block's transactions created

  // Per-transaction scratch (reused).
  std::vector<store::ResolvedInput> inputs_;
  std::vector<store::ResolvedOutput> outputs_;
  std::vector<AddressKey> new_keys_;  // of the addresses the transaction created, by AddrId
  std::vector<CachedOutput> cached_;
  std::vector<std::pair<uint32_t, store::AddrStats>> touched_;
  store::TxRow row_;
  std::string value_;
  store::TxRow lookup_row_;

  Clock::time_point start_ = Clock::now();
  Clock::time_point last_progress_ = start_;
  uint64_t blocks_total_ = 0;
};

absl::Status Indexer::Load() {
  ASSIGN_OR_RETURN(state_, store_->ReadState());
  // The graph files are kept by every run (not only the command's): a run without them would
  // leave meta/graph_files behind the rows, and servers would refuse the store.
  ASSIGN_OR_RETURN(graph_files_, GraphFilesObserver::Create(*store_));
  observers_.push_back(graph_files_.get());
  observers_.insert(observers_.end(), options_.observers.begin(), options_.observers.end());
  RETURN_IF_ERROR(heights_.Load(*store_));
  if (heights_.blocks() != static_cast<size_t>(state_.tip_height + 1)) {
    return absl::DataLossError(absl::StrCat("store has ", heights_.blocks(),
                                            " header rows for tip height ", state_.tip_height));
  }
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(store_->db()->NewIterator(ro, store_->handle(Cf::kMeta)));
  for (it->Seek(ToSlice(store::kMetaFilePrefix)); it->Valid(); it->Next()) {
    std::string_view k(it->key().data(), it->key().size());
    if (k.rfind(store::kMetaFilePrefix, 0) != 0) break;
    uint32_t id = static_cast<uint32_t>(store::GetBE(k.data() + store::kMetaFilePrefix.size(), 4));
    ASSIGN_OR_RETURN(store::FileEntry f, store::DecodeFileEntry(std::string_view(
                                             it->value().data(), it->value().size())));
    if (files_.size() <= id) files_.resize(id + 1);
    files_[id] = std::move(f);
  }
  RETURN_IF_ERROR(store::FromRocks(it->status(), "reading the file table"));
  std::unique_ptr<rocksdb::Iterator> bi(
      store_->db()->NewIterator(ro, store_->handle(Cf::kBlockIndex)));
  for (bi->SeekToFirst(); bi->Valid(); bi->Next()) {
    if (bi->key().size() != 32) return absl::DataLossError("corrupt block_index key");
    ASSIGN_OR_RETURN(store::BlockIndexEntry e, store::DecodeBlockIndexEntry(std::string_view(
                                                   bi->value().data(), bi->value().size())));
    // Rows are not trusted: an earlier build or another writer may have stored invalid headers.
    const BlockHash hash = BlockHash::FromBytes(reinterpret_cast<const uint8_t*>(bi->key().data()));
    absl::StatusOr<bool> added = tree_.Add(hash, e);
    if (!added.ok()) Refuse(hash, e, added.status(), false, &load_refusals_);
  }
  return store::FromRocks(bi->status(), "reading the block index");
}

absl::StatusOr<std::vector<InputFile>> Indexer::ExpandInputs() const {
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

absl::Status Indexer::Scan() {
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

absl::Status Indexer::ScanFile(const InputFile& input, rocksdb::WriteBatch* wb) {
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

void Indexer::Refuse(const BlockHash& hash, const store::BlockIndexEntry& entry,
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

absl::StatusOr<int32_t> Indexer::FindFork(const std::vector<uint32_t>& chain) const {
  int32_t h = std::min<int32_t>(state_.tip_height, static_cast<int32_t>(chain.size()) - 1);
  for (; h >= 0; --h) {
    ASSIGN_OR_RETURN(store::BlockRow row, store_->ReadBlock(static_cast<uint32_t>(h)));
    if (row.hash() == tree_.block(chain[h]).hash) return h;
  }
  return -1;
}

absl::Status Indexer::CheckBlocksPresent(const std::vector<uint32_t>& chain, size_t from) const {
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

void Indexer::ReaderLoop(const std::vector<uint32_t>& chain, size_t from, BlockQueue* queue) {
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

absl::StatusOr<std::pair<AddrId, bool>> Indexer::FindOrCreateAddress(const AddressKey& key,
                                                                     ScriptType type,
                                                                     ByteSpan script) {
  ++result_->lookups.address_lookups;
  AddrId id = addr_cache_.Find(key);
  if (id.valid()) {
    ++result_->lookups.address_cache_hits;
    return std::make_pair(id, false);
  }
  if (!addr_cache_.complete() && addr_filter_->MayContain(key) &&
      (rewound_addresses_.empty() || !rewound_addresses_.contains(KeyBytes(key)))) {
    ++result_->lookups.address_store_reads;
    absl::StatusOr<AddrId> found = lookup_.FindAddress(key);
    if (found.ok()) {
      ++result_->lookups.address_store_found;
      addr_cache_.Insert(key, *found);
      return std::make_pair(*found, false);
    }
    if (!absl::IsNotFound(found.status())) return found.status();
  }
  id = AddrId(state_.addr_count++);
  // From now on the store holds it again (the cache may drop it: the next lookup reads the store).
  if (!rewound_addresses_.empty()) rewound_addresses_.erase(KeyBytes(key));
  new_keys_.push_back(key);
  addr_cache_.Insert(key, id);
  addr_filter_->Insert(key);
  store::AddrRow row;
  row.key = key;
  row.type = type;
  if (type == ScriptType::kMultisig) {
    // Each key of a bare multisig is also represented, as the P2PKH address of the key.
    for (ByteSpan pubkey : MultisigKeys(script)) {
      AddressKey k;
      k.kind = AddrKind::kKeyHash;
      k.size = 20;
      Hash160Bytes h = Hash160(pubkey);
      std::memcpy(k.payload.data(), h.data(), 20);
      ASSIGN_OR_RETURN(auto key_id, FindOrCreateAddress(k, ScriptType::kP2pk, ByteSpan()));
      row.multisig_keys.push_back(key_id.first);
    }
  }
  building_->Put(Cf::kAddr, store::AddrKey(id), store::EncodeAddrRow(row));
  building_->Put(Cf::kAddrKey, store::AddrKeyIndexKey(key, id), "");
  return std::make_pair(id, true);
}

absl::Status Indexer::ResolveInput(const btc::TxIn& in, const btc::Tx& tx, uint32_t index,
                                   uint32_t height, store::ResolvedInput* out) {
  const Txid prev = in.prev_txid();
  const uint32_t vout = in.prev_vout();
  TxNum num;
  CachedOutput o;
  PrevoutCache::Result r = prevout_cache_.Spend(prev, vout, &num, &o);
  ++result_->lookups.prevout_lookups;
  if (r == PrevoutCache::Result::kOk) ++result_->lookups.prevout_cache_hits;
  if (r == PrevoutCache::Result::kMissing && !prevout_cache_.complete()) {
    ++result_->lookups.prevout_store_reads;
    absl::StatusOr<TxNum> found = lookup_.FindTx(prev, &lookup_row_);
    if (found.ok()) {
      cached_.clear();
      for (const store::TxOutRow& x : lookup_row_.outputs) {
        cached_.push_back({x.value, x.addr.value(), x.type, false});
      }
      prevout_cache_.Add(prev, *found, cached_);
      r = prevout_cache_.Spend(prev, vout, &num, &o);
    } else if (!absl::IsNotFound(found.status())) {
      return found.status();
    }
  }
  if (r != PrevoutCache::Result::kOk) {
    const char* why = r == PrevoutCache::Result::kMissing   ? "an unknown transaction"
                      : r == PrevoutCache::Result::kBadVout ? "a missing output of"
                                                            : "an already spent output of";
    return absl::DataLossError(absl::StrCat("block at height ", height, ", tx ", tx.txid.ToHex(),
                                            " input ", index, " spends ", why, " ", prev.ToHex(),
                                            ":", vout));
  }
  *out = {AddrId(o.addr), o.value, o.type, num, vout};
  return absl::OkStatus();
}

absl::Status Indexer::ProcessBlock(BlockItem& item) {
  const store::CommitBatch::Mark mark = building_->GetMark();
  const store::ChainState saved = state_;
  const uint64_t saved_batch_txs = batch_txs_;
  block_stats_.clear();
  pending_.clear();
  block_inputs_.clear();
  block_outputs_.clear();
  block_keys_.clear();
  absl::Status s = ProcessBlockRows(item);
  if (!s.ok()) {
    // Nothing of a failed block is committed: the batch ends with the last good block.
    building_->Rollback(mark);
    state_ = saved;
    batch_txs_ = saved_batch_txs;
    return s;
  }
  for (const auto& [addr, d] : block_stats_) store::MergeStats(d, &batch_stats_[addr]);
  for (PendingTx& p : pending_) {
    p.tx.inputs = std::span<const store::ResolvedInput>(block_inputs_.data() + p.first_input,
                                                        p.tx.inputs.size());
    p.tx.outputs = std::span<const store::ResolvedOutput>(block_outputs_.data() + p.first_output,
                                                          p.tx.outputs.size());
    p.tx.new_keys =
        std::span<const AddressKey>(block_keys_.data() + p.first_key, p.tx.new_keys.size());
    for (store::IndexObserver* o : observers_) o->OnTx(p.tx);
  }
  heights_.Append(state_.tx_count - item.block.txs.size(), item.block.header.time);
  result_->txs += item.block.txs.size();
  result_->inputs += item.block.inputs.size() - 1;  // the coinbase's input spends nothing
  result_->outputs += item.block.outputs.size();
  result_->bytes += item.block.size;
  result_->blocks_applied++;
  return absl::OkStatus();
}

absl::Status Indexer::ProcessBlockRows(BlockItem& item) {
  const btc::Block& block = item.block;
  const uint32_t height = item.height;
  store::BlockRow brow;
  std::memcpy(brow.header.data(), item.bytes.data(), 80);
  brow.first_txnum = state_.tx_count;
  brow.tx_count = static_cast<uint32_t>(block.txs.size());
  brow.first_outnum = state_.output_count;
  brow.first_addrid = state_.addr_count;
  brow.size = block.size;
  building_->Put(Cf::kHeaders, store::HeightKey(height), store::EncodeBlockRow(brow));
  value_.clear();
  store::PutVarint(&value_, height);
  building_->Put(Cf::kBlockHash, HashView(block.header.hash), value_);

  for (size_t t = 0; t < block.txs.size(); ++t) {
    const btc::Tx& tx = block.txs[t];
    const TxNum num(state_.tx_count);
    const bool coinbase = t == 0;
    if (coinbase != (tx.input_count == 1 && block.input(tx, 0).IsCoinbase())) {
      return absl::DataLossError(absl::StrCat("block at height ", height, ": transaction ", t,
                                              coinbase ? " should be" : " is", " a coinbase"));
    }
    row_.txid = tx.txid;
    row_.coinbase = coinbase;
    row_.segwit = tx.segwit;
    row_.version = tx.version;
    row_.locktime = tx.locktime;
    row_.size = tx.size;
    row_.vsize = tx.vsize();
    row_.inputs.clear();
    row_.outputs.clear();
    inputs_.clear();
    outputs_.clear();
    new_keys_.clear();
    const uint32_t first_new_addr = state_.addr_count;
    touched_.clear();

    int64_t in_value = 0;
    if (!coinbase) {
      for (uint32_t i = 0; i < tx.input_count; ++i) {
        store::ResolvedInput ri;
        RETURN_IF_ERROR(ResolveInput(block.input(tx, i), tx, i, height, &ri));
        inputs_.push_back(ri);
        row_.inputs.push_back({ri.prev_tx, ri.prev_vout});
        in_value += ri.value;
        if (ri.addr.valid()) {
          store::AddrStats d;
          d.sent = static_cast<uint64_t>(ri.value);
          d.spent_count = 1;
          touched_.emplace_back(ri.addr.value(), d);
        }
      }
    }
    int64_t out_value = 0, spendable_value = 0;
    uint64_t spendable = 0;
    cached_.clear();
    for (uint32_t i = 0; i < tx.output_count; ++i) {
      const btc::TxOut& o = block.output(tx, i);
      const ScriptType type = ClassifyScript(o.script);
      const AddressKey key = ScriptAddressKey(o.script, type);
      AddrId addr;
      bool fresh = false;
      if (key.kind != AddrKind::kNone) {
        ASSIGN_OR_RETURN(auto found, FindOrCreateAddress(key, type, o.script));
        addr = found.first;
        fresh = found.second;
      }
      outputs_.push_back({addr, o.value, type, fresh});
      row_.outputs.push_back({o.value, addr, type});
      cached_.push_back({o.value, addr.value(), type, false});
      out_value += o.value;
      // Not in the UTXO set: OP_RETURN outputs, and the genesis coinbase (unspendable by
      // consensus; Bitcoin Core never adds it either).
      if (type == ScriptType::kOpReturn || height == 0) {
        cached_.back().spent = true;
      } else {
        ++spendable;
        spendable_value += o.value;
      }
      if (addr.valid()) {
        store::AddrStats d;
        d.received = static_cast<uint64_t>(o.value);
        d.output_count = 1;
        touched_.emplace_back(addr.value(), d);
      }
    }
    if (!coinbase && in_value < out_value) {
      return absl::DataLossError(absl::StrCat("block at height ", height, ", tx ", tx.txid.ToHex(),
                                              ": outputs exceed inputs"));
    }
    row_.fee = coinbase ? 0 : in_value - out_value;

    value_.clear();
    store::EncodeTxRow(row_, num, &value_);
    building_->Put(Cf::kTx, store::TxKey(num), value_);
    building_->Put(Cf::kTxid, store::TxidKey(tx.txid, num), "");

    // One history row and one tx_count per distinct address of the transaction.
    std::sort(touched_.begin(), touched_.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < touched_.size();) {
      store::AddrStats d = touched_[i].second;
      size_t j = i + 1;
      for (; j < touched_.size() && touched_[j].first == touched_[i].first; ++j) {
        store::MergeStats(touched_[j].second, &d);
      }
      d.tx_count = 1;
      d.first_height = height;
      d.last_height = height;
      const uint32_t a = touched_[i].first;
      building_->Put(Cf::kHist, store::HistKey(AddrId(a), num), "");
      store::MergeStats(d, &block_stats_[a]);
      i = j;
    }

    prevout_cache_.Add(tx.txid, num, cached_);
    state_.tx_count++;
    state_.output_count += tx.output_count;
    state_.input_count += coinbase ? 0 : tx.input_count;
    state_.utxo_count = state_.utxo_count + spendable - (coinbase ? 0 : tx.input_count);
    state_.utxo_value += spendable_value - in_value;
    ++batch_txs_;

    if (!observers_.empty()) {
      PendingTx p;
      p.tx = store::ResolvedTx{num,        tx.txid,     height,   block.header.time,
                               tx.version, tx.locktime, coinbase, tx.vsize(),
                               row_.fee,   {},          {},       AddrId(first_new_addr),
                               {}};
      // Only the sizes for now: the block vectors may still grow (spans are set at dispatch).
      p.tx.inputs = std::span<const store::ResolvedInput>(
          static_cast<const store::ResolvedInput*>(nullptr), inputs_.size());
      p.tx.outputs = std::span<const store::ResolvedOutput>(
          static_cast<const store::ResolvedOutput*>(nullptr), outputs_.size());
      p.first_input = block_inputs_.size();
      p.tx.new_keys =
          std::span<const AddressKey>(static_cast<const AddressKey*>(nullptr), new_keys_.size());
      p.first_output = block_outputs_.size();
      p.first_key = block_keys_.size();
      block_keys_.insert(block_keys_.end(), new_keys_.begin(), new_keys_.end());
      block_inputs_.insert(block_inputs_.end(), inputs_.begin(), inputs_.end());
      block_outputs_.insert(block_outputs_.end(), outputs_.begin(), outputs_.end());
      pending_.push_back(p);
    }
  }
  state_.tip_height = static_cast<int32_t>(height);
  state_.tip_hash = block.header.hash;
  return absl::OkStatus();
}

absl::Status Indexer::HandOff(bool final) {
  // Wait for the previous commit: after it everything up to this batch's start is durable, which
  // is what allows the caches to drop entries.
  if (commit_done_.valid()) {
    RETURN_IF_ERROR(commit_done_.get());
    RETURN_IF_ERROR(lookup_.Refresh());
  }
  if (batch_txs_ == 0 && building_->rows() == 0) return absl::OkStatus();
  addr_cache_.MaybeRotate();
  prevout_cache_.Evict(TxNum(batch_first_txnum_));

  for (const auto& [addr, d] : batch_stats_) {
    building_->Merge(Cf::kStats, store::AddrKey(AddrId(addr)), store::EncodeStats(d));
  }
  // erase(range) keeps the table's capacity (clear() would free it and the next batch would grow
  // it again, page by page).
  batch_stats_.erase(batch_stats_.begin(), batch_stats_.end());
  for (store::IndexObserver* o : observers_) RETURN_IF_ERROR(o->OnCommit(building_.get()));
  if (reorg_from_.has_value() && state_.tip_height >= *reorg_from_) {
    building_->Delete(Cf::kMeta, store::kMetaReorg);  // the new branch reached the old tip
    reorg_from_.reset();
  }
  building_->Put(Cf::kMeta, store::kMetaState, store::EncodeState(state_));
  std::swap(building_, committing_);
  batch_txs_ = 0;
  batch_first_txnum_ = state_.tx_count;
  store::CommitBatch* batch = committing_.get();
  store::Committer* committer = committer_.get();
  commit_done_ =
      std::async(std::launch::async, [committer, batch] { return committer->Commit(batch); });
  if (final) RETURN_IF_ERROR(commit_done_.get());
  return absl::OkStatus();
}

void Indexer::Progress(bool force) {
  if (!options_.progress) return;
  auto now = Clock::now();
  if (!force && now - last_progress_ < std::chrono::milliseconds(200)) return;
  last_progress_ = now;
  IndexProgress p;
  p.blocks_done = result_->blocks_applied;
  p.blocks_total = blocks_total_;
  p.txs = result_->txs;
  p.bytes = result_->bytes;
  p.height = state_.tip_height;
  p.seconds = std::chrono::duration<double>(now - start_).count();
  options_.progress(p);
}

absl::Status Indexer::PlanMemoryUse(uint64_t addresses_at_end) {
  uint64_t observer_bytes = 0, mapped_bytes = 0;
  for (store::IndexObserver* o : observers_) {
    ASSIGN_OR_RETURN(uint64_t bytes, o->Prepare(addresses_at_end));
    observer_bytes += bytes;
    mapped_bytes += o->MappedBytes();
  }
  if (options_.memory_budget_bytes > 0) {
    ChainFacts facts;
    facts.addresses_at_end = addresses_at_end;
    facts.blocks_at_end = tree_.size();
    facts.observer_bytes = observer_bytes;
    facts.mapped_bytes = mapped_bytes;
    plan_ = PlanMemory(options_.memory_budget_bytes, facts);
  } else {
    plan_ = MemoryPlan();
    plan_.observer_bytes = observer_bytes;
    plan_.mapped_bytes = mapped_bytes;
    plan_.address_cache_entries = 40'000'000;
    plan_.prevout_cache_txs = 8'000'000;
    plan_.commit_txs = 250'000;
    plan_.read_queue_bytes = size_t{64} << 20;
  }
  // Expert settings override the plan.
  if (options_.address_cache_entries) plan_.address_cache_entries = *options_.address_cache_entries;
  if (options_.prevout_cache_txs) plan_.prevout_cache_txs = *options_.prevout_cache_txs;
  if (options_.commit_txs) plan_.commit_txs = *options_.commit_txs;
  if (options_.queue_bytes) plan_.read_queue_bytes = *options_.queue_bytes;
  addr_cache_.set_capacity(plan_.address_cache_entries);
  prevout_cache_.set_capacity(plan_.prevout_cache_txs);
  plan_.filter_bytes = addr_filter_->bytes();
  result_->memory_plan = plan_;
  if (options_.on_memory_plan) options_.on_memory_plan(plan_);
  return absl::OkStatus();
}

absl::Status Indexer::PrepareCaches(uint64_t bytes_to_apply, const store::ChainState& at_start) {
  addr_cache_.Clear();
  prevout_cache_.Clear();
  // The filter is sized for the addresses the run may add: about one per 200 bytes of blocks
  // (generated chains ~250, mainnet ~480).
  const uint64_t expected = state_.addr_count + bytes_to_apply / 200 + 1024;
  // A rewind removes addresses, never adds one: the filter of the state the run started from
  // has no false negative for the rewound store (the rewound blocks' addresses cost a lookup).
  absl::StatusOr<std::unique_ptr<AddressFilter>> filter =
      AddressFilter::Load(FilterPath(), at_start);
  if (!filter.ok()) {
    if (!absl::IsNotFound(filter.status())) {
      result_->warnings.push_back(
          absl::StrCat(filter.status().message(), "; rebuilt from the address index"));
    }
    filter = state_.addr_count == 0 ? std::make_unique<AddressFilter>(expected)
                                    : AddressFilter::FromStore(*store_, expected);
    if (!filter.ok()) return filter.status();
  }
  addr_filter_ = *std::move(filter);
  // The caches as the last run left them, when they describe the store as it is.
  const std::string binding = store::EncodeState(state_);
  for (absl::Status loaded : {addr_cache_.Load(CachePath("address.cache"), binding),
                              prevout_cache_.Load(CachePath("prevout.cache"), binding)}) {
    if (!loaded.ok() && !absl::IsNotFound(loaded) && !absl::IsFailedPrecondition(loaded)) {
      result_->warnings.push_back(absl::StrCat(loaded.message(), "; starting empty"));
    }
  }
  RETURN_IF_ERROR(PlanMemoryUse(expected));
  if (state_.tx_count == 0) {
    addr_cache_.set_complete(true);
    prevout_cache_.set_complete(true);
    return absl::OkStatus();
  }
  // Resuming: the cache fills as addresses are met again, and the filter answers for new ones
  // (preloading every address cost more than the lookups it saved: 10 s at 9.7M addresses).
  return absl::OkStatus();
}

absl::Status Indexer::RewindTip(bool last_rewind) {
  // Every row the block touched is read in key order with one call per kind of row (a range scan
  // for its transactions and new addresses, one MultiGet for the outputs it spent and for the
  // stats of the addresses it touched, one iterator for their history): one RocksDB call per row
  // made a rewound transaction cost 25 times what indexing it does.
  const uint32_t h = static_cast<uint32_t>(state_.tip_height);
  ASSIGN_OR_RETURN(store::BlockRow b, store_->ReadBlock(h));
  rocksdb::WriteBatch wb;
  std::vector<store::TxRow> rows;
  RETURN_IF_ERROR(store::ReadTxRange(*store_, TxNum(b.first_txnum), b.tx_count, &rows));
  // The transactions whose outputs the block spends (some of them in the block itself).
  std::vector<TxNum> spent;
  for (const store::TxRow& row : rows) {
    for (const store::TxInRow& in : row.inputs) spent.push_back(in.prev_tx);
  }
  std::sort(spent.begin(), spent.end());
  spent.erase(std::unique(spent.begin(), spent.end()), spent.end());
  std::vector<store::TxRow> prevs;
  RETURN_IF_ERROR(store::MultiReadTx(*store_, spent, &prevs));
  absl::flat_hash_map<uint32_t, store::AddrStats> minus;
  uint64_t inputs = 0;
  int64_t in_value_total = 0, spendable_value = 0;
  uint64_t spendable = 0;
  for (uint64_t i = 0; i < rows.size(); ++i) {
    const uint64_t n = b.first_txnum + i;
    const store::TxRow& row = rows[i];
    wb.Delete(store_->handle(Cf::kTx), store::TxKey(TxNum(n)));
    wb.Delete(store_->handle(Cf::kTxid), store::TxidKey(row.txid, TxNum(n)));
    touched_.clear();
    for (const store::TxInRow& in : row.inputs) {
      const store::TxRow& prev =
          prevs[std::lower_bound(spent.begin(), spent.end(), in.prev_tx) - spent.begin()];
      if (in.prev_vout >= prev.outputs.size()) {
        return absl::DataLossError(absl::StrCat("tx row ", n, " spends output ", in.prev_vout,
                                                " of tx row ", in.prev_tx.value(), ", which has ",
                                                prev.outputs.size()));
      }
      const store::TxOutRow& o = prev.outputs[in.prev_vout];
      in_value_total += o.value;
      ++inputs;
      if (o.addr.valid()) {
        store::AddrStats d;
        d.sent = static_cast<uint64_t>(o.value);
        d.spent_count = 1;
        touched_.emplace_back(o.addr.value(), d);
      }
    }
    for (const store::TxOutRow& o : row.outputs) {
      if (o.type != ScriptType::kOpReturn && h != 0) {
        ++spendable;
        spendable_value += o.value;
      }
      if (o.addr.valid()) {
        store::AddrStats d;
        d.received = static_cast<uint64_t>(o.value);
        d.output_count = 1;
        touched_.emplace_back(o.addr.value(), d);
      }
    }
    std::sort(touched_.begin(), touched_.end(),
              [](const auto& a, const auto& c) { return a.first < c.first; });
    for (size_t i = 0; i < touched_.size();) {
      store::AddrStats d = touched_[i].second;
      size_t j = i + 1;
      for (; j < touched_.size() && touched_[j].first == touched_[i].first; ++j) {
        store::MergeStats(touched_[j].second, &d);
      }
      d.tx_count = 1;
      wb.Delete(store_->handle(Cf::kHist), store::HistKey(AddrId(touched_[i].first), TxNum(n)));
      store::MergeStats(d, &minus[touched_[i].first]);
      i = j;
    }
  }
  heights_.TruncateAbove(static_cast<int32_t>(h) - 1);
  // Addresses older than the block lose what it added to their stats; their last height is that
  // of their last transaction before it (one reused iterator over their history).
  std::vector<AddrId> older;
  for (const auto& [addr, d] : minus) {
    if (addr < b.first_addrid) older.push_back(AddrId(addr));  // newer ones are removed below
  }
  std::sort(older.begin(), older.end());
  std::vector<store::AddrStats> stats;
  RETURN_IF_ERROR(store::MultiReadStats(*store_, older, &stats));
  std::vector<AddrId> still_used;
  for (size_t i = 0; i < older.size(); ++i) {
    store::AddrStats& s = stats[i];
    const store::AddrStats& d = minus[older[i].value()];
    if (s.tx_count < d.tx_count) {
      return absl::DataLossError(absl::StrCat("stats of address ", older[i].value(), " count ",
                                              s.tx_count, " transactions, but block ", h,
                                              " alone has ", d.tx_count, " of them"));
    }
    s.tx_count -= d.tx_count;
    s.received -= d.received;
    s.sent -= d.sent;
    s.output_count -= d.output_count;
    s.spent_count -= d.spent_count;
    if (s.tx_count == 0) {
      s.first_height = store::AddrStats().first_height;
      s.last_height = 0;
    } else {
      still_used.push_back(older[i]);
    }
  }
  std::vector<TxNum> last;
  RETURN_IF_ERROR(store::LastHistoryBefore(*store_, still_used, TxNum(b.first_txnum), &last));
  for (size_t i = 0, u = 0; i < older.size(); ++i) {
    store::AddrStats& s = stats[i];
    if (s.tx_count != 0) {
      if (!last[u].valid()) {
        return absl::DataLossError(
            absl::StrCat("history and stats of address ", older[i].value(), " disagree"));
      }
      s.last_height = heights_.HeightOf(last[u++]);
    }
    wb.Put(store_->handle(Cf::kStats), store::AddrKey(older[i]), store::EncodeStats(s));
  }
  std::vector<store::AddrRow> created;
  RETURN_IF_ERROR(store::ReadAddressRange(*store_, AddrId(b.first_addrid),
                                          AddrId(state_.addr_count), &created));
  for (const store::AddrRow& a : created) {
    if (rewound_addresses_.size() >= kMaxRewoundAddresses) break;
    rewound_addresses_.insert(KeyBytes(a.key));
  }
  for (uint32_t id = b.first_addrid; id < state_.addr_count; ++id) {
    wb.Delete(store_->handle(Cf::kAddr), store::AddrKey(AddrId(id)));
    wb.Delete(store_->handle(Cf::kAddrKey),
              store::AddrKeyIndexKey(created[id - b.first_addrid].key, AddrId(id)));
    wb.Delete(store_->handle(Cf::kStats), store::AddrKey(AddrId(id)));
  }
  wb.Delete(store_->handle(Cf::kHeaders), store::HeightKey(h));
  wb.Delete(store_->handle(Cf::kBlockHash), ToSlice(HashView(b.hash())));
  state_.tip_height = static_cast<int32_t>(h) - 1;
  state_.tip_hash = h == 0 ? BlockHash() : b.prev_hash();
  state_.tx_count = b.first_txnum;
  state_.output_count = b.first_outnum;
  state_.addr_count = b.first_addrid;
  state_.input_count -= inputs;
  state_.utxo_count = state_.utxo_count - spendable + inputs;
  state_.utxo_value = state_.utxo_value - spendable_value + in_value_total;
  wb.Put(store_->handle(Cf::kMeta), ToSlice(store::kMetaState), store::EncodeState(state_));
  // The observers' rows (e.g. the clustering's) go back in the same atomic write.
  for (store::IndexObserver* o : observers_) {
    RETURN_IF_ERROR(o->OnRewind(*store_, h, b, &wb));
  }
  // Each rewind is one atomic write, so a kill or a power loss leaves the store at a block
  // boundary whether or not it was synced (the WAL recovers a prefix of the writes): only the last
  // rewind waits for the disk, which syncs the earlier ones with it. A sync per block cost up to
  // 0.2 s each on a busy disk.
  rocksdb::WriteOptions wo;
  wo.sync = last_rewind;
  RETURN_IF_ERROR(store::FromRocks(store_->db()->Write(wo, &wb), "rewinding a block"));
  result_->blocks_rewound++;
  return absl::OkStatus();
}

absl::Status Indexer::Apply(const std::vector<uint32_t>& chain, size_t from) {
  result_->prepare_seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  blocks_total_ = chain.size() - from;
  batch_first_txnum_ = state_.tx_count;
  BlockQueue queue(plan_.read_queue_bytes);
  std::thread reader([&] { ReaderLoop(chain, from, &queue); });
  absl::Status status;
  bool commit_failed = false;
  for (size_t i = from; i < chain.size(); ++i) {
    std::unique_ptr<BlockItem> item = queue.Pop();
    status = item->status;
    if (status.ok()) status = ProcessBlock(*item);
    if (!status.ok()) break;
    if (batch_txs_ >= plan_.commit_txs) {
      status = HandOff(false);
      commit_failed = !status.ok();
      if (commit_failed) break;
    }
    Progress(false);
    if (options_.stop != nullptr && options_.stop->load(std::memory_order_relaxed)) break;
  }
  queue.Cancel();
  // Drain so the reader can finish, then stop it.
  reader.join();
  if (!status.ok()) {
    // After a failed commit nothing more may be committed (the batch after it would skip its
    // rows); otherwise commit the blocks before the failing one, then report the failure.
    if (commit_failed) return status;
    absl::Status c = HandOff(true);
    return c.ok() ? status : c;
  }
  RETURN_IF_ERROR(HandOff(true));
  Progress(true);
  return absl::OkStatus();
}

absl::Status Indexer::Run() {
  RETURN_IF_ERROR(Load());
  const uint32_t addr_count_at_start = state_.addr_count;
  const store::ChainState state_at_start = state_;
  absl::Status scan_error = Scan();
  if (!scan_error.ok() && !absl::IsDataLoss(scan_error) &&
      !absl::IsFailedPrecondition(scan_error)) {
    return scan_error;  // e.g. a missing input: nothing to do
  }
  absl::Status status;
  // A store on a branch that is no longer valid (or no longer present) rewinds to the fork with
  // the best valid chain, to nothing when there is none.
  const std::vector<uint32_t> chain = BestChain();
  const bool best = !chain.empty();
  ASSIGN_OR_RETURN(int32_t fork, FindFork(chain));
  // Every block to apply must be readable before anything is rewound (a pruned node deletes the
  // files of blocks it has validated).
  if (best) RETURN_IF_ERROR(CheckBlocksPresent(chain, static_cast<size_t>(fork + 1)));
  ASSIGN_OR_RETURN(reorg_from_, MarkReorg(store_, state_, fork));  // readers keep the old tip
  while (state_.tip_height > fork) RETURN_IF_ERROR(RewindTip(state_.tip_height - 1 == fork));
  const uint64_t tx_count_at_fork = state_.tx_count;
  if (best) {
    ASSIGN_OR_RETURN(committer_,
                     store::Committer::Create(store_, store_->dir() / "ingest-staging"));
    RETURN_IF_ERROR(PrepareCaches(BytesToApply(chain, fork), state_at_start));
    status = Apply(chain, static_cast<size_t>(fork + 1));
    result_->stale_blocks = tree_.size() - tree_.unconnected() - tree_.refused() - chain.size();
    // After a failed apply (a full disk) nothing more is written: the store may refuse every
    // write after the failed one, and the next run finds the caches and observers' files stale
    // and rebuilds them, as after a kill (Reconcile marks the caches dirty).
    if (status.ok() && result_->blocks_applied > 0) SaveForNextRun(result_->blocks_applied);
  }
  if (status.ok() && reorg_from_.has_value()) RETURN_IF_ERROR(ClearReorg(store_));
  result_->unconnected_blocks = tree_.unconnected();
  Reconcile(status.ok(), fork, tx_count_at_fork, addr_count_at_start);
  result_->seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  return status.ok() ? scan_error : status;
}

std::vector<uint32_t> Indexer::BestChain() const {
  std::optional<uint32_t> current;
  if (state_.tip_height >= 0) current = tree_.Find(state_.tip_hash);
  std::optional<uint32_t> best = tree_.BestTip(current);
  return best.has_value() ? tree_.ChainTo(*best) : std::vector<uint32_t>();
}

uint64_t Indexer::BytesToApply(const std::vector<uint32_t>& chain, int32_t fork) const {
  uint64_t bytes = 0;
  for (size_t i = static_cast<size_t>(fork + 1); i < chain.size(); ++i) {
    bytes += tree_.block(chain[i]).entry.size;
  }
  return bytes;
}

// Sets the result's counts and tip from what the store holds, not what was built in memory: after
// a failed commit (e.g. a full disk) they differ.
void Indexer::Reconcile(bool ok, int64_t fork, uint64_t tx_count_at_fork,
                        uint32_t addr_count_at_start) {
  if (!ok) {
    caches_dirty_ = true;  // they may hold rows of a block the store does not
    absl::StatusOr<store::ChainState> durable = store_->ReadState();
    if (durable.ok()) {
      const int64_t applied = std::max<int64_t>(0, durable->tip_height - fork);
      result_->blocks_applied = std::min<uint64_t>(result_->blocks_applied, applied);
      result_->txs = durable->tx_count - std::min(durable->tx_count, tx_count_at_fork);
      state_ = *durable;
    }
  }
  result_->new_addresses = state_.addr_count - std::min(state_.addr_count, addr_count_at_start);
  result_->tip_height = state_.tip_height;
  result_->tip_hash = state_.tip_hash;
}

void Indexer::SaveForNextRun(uint64_t blocks_applied) {
  // The filter holds every address of the store (and those of blocks rewound or not committed,
  // which only cost a lookup): it is valid for the state the store holds now.
  absl::StatusOr<store::ChainState> durable = store_->ReadState();
  if (durable.ok() && addr_filter_ != nullptr && blocks_applied > 0) {
    absl::Status saved = addr_filter_->Save(FilterPath(), *durable);
    // The caches hold exactly what the store holds once every block applied is committed.
    if (saved.ok() && *durable == state_ && !caches_dirty_) {
      const std::string binding = store::EncodeState(state_);
      saved = addr_cache_.Save(CachePath("address.cache"), binding);
      if (saved.ok()) saved = prevout_cache_.Save(CachePath("prevout.cache"), binding);
    }
    if (!saved.ok()) result_->warnings.push_back(std::string(saved.message()));
  }
  for (store::IndexObserver* o : observers_) {
    absl::Status saved = durable.ok() ? o->OnRunEnd(*durable) : durable.status();
    if (!saved.ok()) result_->warnings.push_back(std::string(saved.message()));
  }
}

absl::Status Indexer::Round(IndexResult* result, bool* needs_full_run) {
  *needs_full_run = false;
  result_ = result;
  *result_ = IndexResult();
  start_ = last_progress_ = Clock::now();
  refused_error_ = absl::OkStatus();
  refused_more_ = 0;
  if (!session_loaded_) {
    RETURN_IF_ERROR(Load());
    session_loaded_ = true;
  }
  const uint32_t addr_count_at_start = state_.addr_count;
  // Only what the files gained since the last round is read (files_ keeps how far each was).
  absl::Status scan_error = Scan();
  if (!scan_error.ok() && !absl::IsDataLoss(scan_error) &&
      !absl::IsFailedPrecondition(scan_error)) {
    return scan_error;
  }
  const std::vector<uint32_t> chain = BestChain();
  ASSIGN_OR_RETURN(int32_t fork, FindFork(chain));
  // A rewind (or a reorg an earlier run left half done) is a whole run's job: the block rows the
  // scan wrote are in the store, so that run finds them.
  if (fork < state_.tip_height || chain.empty()) {
    *needs_full_run = true;
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::optional<int32_t> marked, MarkReorg(store_, state_, fork));
  if (marked.has_value()) {
    *needs_full_run = true;
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(CheckBlocksPresent(chain, static_cast<size_t>(fork + 1)));
  const uint64_t bytes_to_apply = BytesToApply(chain, fork);
  if (committer_ == nullptr) {
    ASSIGN_OR_RETURN(committer_,
                     store::Committer::Create(store_, store_->dir() / "ingest-staging"));
    RETURN_IF_ERROR(PrepareCaches(bytes_to_apply, state_));
  } else if (bytes_to_apply > 0) {
    // The caches, filter and observers stay as the last round left them; the observers reserve
    // room for what this round adds.
    RETURN_IF_ERROR(PlanMemoryUse(state_.addr_count + bytes_to_apply / 200 + 1024));
  }
  const uint64_t tx_count_at_fork = state_.tx_count;
  absl::Status status = absl::OkStatus();
  if (bytes_to_apply > 0) status = Apply(chain, static_cast<size_t>(fork + 1));
  result_->stale_blocks = tree_.size() - tree_.unconnected() - tree_.refused() - chain.size();
  result_->unconnected_blocks = tree_.unconnected();
  Reconcile(status.ok(), fork, tx_count_at_fork, addr_count_at_start);
  result_->memory_plan = plan_;
  result_->seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  return status.ok() ? scan_error : status;
}

}  // namespace

absl::Status IndexBitcoin(store::Store* store, const BtcIndexOptions& options,
                          IndexResult* result) {
  *result = IndexResult();
  Indexer indexer(store, options, result);
  return indexer.Run();
}

struct BtcIndexSession::Impl {
  BtcIndexOptions options;
  IndexResult closing;  // where the last round's results point while saving
  Indexer indexer;
  uint64_t blocks_applied = 0;
  Impl(store::Store* store, BtcIndexOptions o)
      : options(std::move(o)), indexer(store, options, &closing) {}
};

BtcIndexSession::BtcIndexSession(store::Store* store, const BtcIndexOptions& options)
    : impl_(std::make_unique<Impl>(store, options)) {}

BtcIndexSession::~BtcIndexSession() { Close(); }

absl::Status BtcIndexSession::Round(const std::vector<std::filesystem::path>& inputs,
                                    IndexResult* result, bool* needs_full_run) {
  if (impl_ == nullptr) return absl::FailedPreconditionError("index session is closed");
  impl_->indexer.set_inputs(inputs);
  absl::Status status = impl_->indexer.Round(result, needs_full_run);
  impl_->blocks_applied += result->blocks_applied;
  return status;
}

std::vector<std::string> BtcIndexSession::Close() {
  if (impl_ == nullptr) return {};
  // The indexer's result pointer is the last round's, which the caller may have dropped.
  impl_->closing = IndexResult();
  impl_->indexer.SaveForNextRunInto(&impl_->closing, impl_->blocks_applied);
  std::vector<std::string> warnings = std::move(impl_->closing.warnings);
  impl_.reset();
  return warnings;
}

}  // namespace ariadne::pipeline
