#include "indexer/pipeline/address_filter.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "engine/core/hash.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "engine/store/codec.h"

namespace ariadne::pipeline {
namespace {

constexpr char kMagic[8] = {'A', 'R', 'D', 'N', 'A', 'F', 'L', '1'};
constexpr uint32_t kWordsPerBlock = 8;
// Parquet's split-block Bloom filter salts: one bit in each of a block's eight words.
constexpr uint32_t kSalt[kWordsPerBlock] = {0x47b6137bU, 0x44974d91U, 0x8824ad5bU, 0xa2b7289dU,
                                            0x705495c7U, 0x2df1424bU, 0x9efc4947U, 0x5c6bfb31U};

uint64_t Mix(AddressFilter::KeyPrefix p) {
  uint64_t x = p.payload ^ (uint64_t{p.kind} * 0x9e3779b97f4a7c15ULL);
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t BlockOf(uint64_t h, uint64_t blocks) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(h) * blocks) >> 64);
}

void PutU64(std::string* s, uint64_t v) { s->append(reinterpret_cast<const char*>(&v), 8); }
uint64_t GetU64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

}  // namespace

AddressFilter::AddressFilter(uint64_t expected_keys) {
  segments_.push_back(NewSegment(std::max<uint64_t>(expected_keys, 1024)));
}

AddressFilter::Segment AddressFilter::NewSegment(uint64_t capacity) {
  Segment s;
  s.capacity = capacity;
  s.blocks = std::max<uint64_t>(1, (capacity * kBitsPerKey + 255) / 256);
  s.words.reset(new uint32_t[s.blocks * kWordsPerBlock]());
  return s;
}

AddressFilter::KeyPrefix AddressFilter::Prefix(const AddressKey& key) {
  KeyPrefix p{static_cast<uint8_t>(key.kind), 0};
  std::memcpy(&p.payload, key.payload.data(), std::min<size_t>(key.size, 8));
  return p;
}

void AddressFilter::InsertPrefix(KeyPrefix p) {
  if (segments_.back().keys >= segments_.back().capacity) {
    uint64_t total = 0;
    for (const Segment& s : segments_) total += s.capacity;
    segments_.push_back(NewSegment(2 * total));
  }
  Segment& s = segments_.back();
  const uint64_t h = Mix(p);
  uint32_t* w = s.words.get() + BlockOf(h, s.blocks) * kWordsPerBlock;
  const uint32_t low = static_cast<uint32_t>(h);
  for (uint32_t i = 0; i < kWordsPerBlock; ++i) w[i] |= uint32_t{1} << ((low * kSalt[i]) >> 27);
  ++s.keys;
  ++keys_;
}

bool AddressFilter::MayContainPrefix(KeyPrefix p) const {
  const uint64_t h = Mix(p);
  const uint32_t low = static_cast<uint32_t>(h);
  for (const Segment& s : segments_) {
    const uint32_t* w = s.words.get() + BlockOf(h, s.blocks) * kWordsPerBlock;
    bool all = true;
    for (uint32_t i = 0; i < kWordsPerBlock; ++i) {
      all &= (w[i] >> ((low * kSalt[i]) >> 27)) & 1;
    }
    if (all) return true;
  }
  return false;
}

uint64_t AddressFilter::bytes() const {
  uint64_t n = 0;
  for (const Segment& s : segments_) n += s.blocks * kWordsPerBlock * 4;
  return n;
}

absl::StatusOr<std::unique_ptr<AddressFilter>> AddressFilter::FromStore(const store::Store& store,
                                                                        uint64_t expected_keys) {
  auto filter = std::make_unique<AddressFilter>(expected_keys);
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  ro.readahead_size = 4 << 20;
  std::unique_ptr<rocksdb::Iterator> it(
      store.db()->NewIterator(ro, store.handle(store::Cf::kAddrKey)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::Slice k = it->key();
    if (k.size() != store::kAddrKeyPrefixBytes + store::kAddrIdBytes) {
      return absl::DataLossError("corrupt addr_key index key");
    }
    KeyPrefix p{static_cast<uint8_t>(k[0]), 0};
    std::memcpy(&p.payload, k.data() + 1, 8);
    filter->InsertPrefix(p);
  }
  RETURN_IF_ERROR(store::FromRocks(it->status(), "reading the address index"));
  return filter;
}

absl::Status AddressFilter::Save(const std::filesystem::path& path,
                                 const store::ChainState& state) const {
  std::string header(kMagic, sizeof(kMagic));
  const std::string bound = store::EncodeState(state);
  PutU64(&header, bound.size());
  header += bound;
  PutU64(&header, segments_.size());
  for (const Segment& s : segments_) {
    PutU64(&header, s.blocks);
    PutU64(&header, s.capacity);
    PutU64(&header, s.keys);
  }
  Sha256Hasher hasher;
  hasher.Write(reinterpret_cast<const uint8_t*>(header.data()), header.size());
  const std::filesystem::path tmp = path.string() + ".tmp";
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("cannot create ", tmp.string()));
  auto write_all = [fd](const void* data, size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      const ssize_t w = ::write(fd, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  };
  bool ok = write_all(header.data(), header.size());
  for (const Segment& s : segments_) {
    const size_t n = s.blocks * kWordsPerBlock * 4;
    hasher.Write(reinterpret_cast<const uint8_t*>(s.words.get()), n);
    ok = ok && write_all(s.words.get(), n);
  }
  uint8_t digest[32];
  hasher.Finish(digest);
  ok = ok && write_all(digest, sizeof(digest)) && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (ok) std::filesystem::rename(tmp, path, ec);
  if (!ok || ec) {
    std::filesystem::remove(tmp, ec);
    return absl::UnavailableError(absl::StrCat("cannot write ", path.string()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<AddressFilter>> AddressFilter::Load(
    const std::filesystem::path& path, const store::ChainState& state) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path.string(), ": no address filter"));
  auto corrupt = [&](std::string_view what) {
    return absl::DataLossError(absl::StrCat(path.string(), ": ", AV(what)));
  };
  std::string header(sizeof(kMagic) + 8, '\0');
  if (!in.read(header.data(), static_cast<std::streamsize>(header.size())) ||
      std::memcmp(header.data(), kMagic, sizeof(kMagic)) != 0) {
    return corrupt("not an address filter (bad magic)");
  }
  const uint64_t bound_size = GetU64(header.data() + sizeof(kMagic));
  if (bound_size > 4096) return corrupt("bad header");
  std::string bound(bound_size, '\0');
  if (!in.read(bound.data(), static_cast<std::streamsize>(bound_size))) return corrupt("truncated");
  if (bound != store::EncodeState(state)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path.string(), ": written at another chain state"));
  }
  char count_bytes[8];
  if (!in.read(count_bytes, 8)) return corrupt("truncated");
  const uint64_t count = GetU64(count_bytes);
  if (count == 0 || count > 64) return corrupt("bad segment count");
  header += bound;
  header.append(count_bytes, 8);
  std::error_code ec;
  const uint64_t file_size = std::filesystem::file_size(path, ec);
  uint64_t payload = 0;
  std::unique_ptr<AddressFilter> filter(new AddressFilter(1));
  filter->segments_.clear();
  for (uint64_t i = 0; i < count; ++i) {
    char meta[24];
    if (!in.read(meta, sizeof(meta))) return corrupt("truncated");
    header.append(meta, sizeof(meta));
    Segment s;
    s.blocks = GetU64(meta);
    s.capacity = GetU64(meta + 8);
    s.keys = GetU64(meta + 16);
    if (s.blocks == 0 || s.blocks > (uint64_t{1} << 36) || s.keys > s.capacity) {
      return corrupt("bad segment");
    }
    filter->keys_ += s.keys;
    payload += s.blocks * kWordsPerBlock * 4;
    filter->segments_.push_back(std::move(s));
  }
  // Sizes are checked against the file before anything is allocated from them.
  if (ec || file_size != header.size() + payload + 32) return corrupt("bad size");
  Sha256Hasher hasher;
  hasher.Write(reinterpret_cast<const uint8_t*>(header.data()), header.size());
  for (Segment& s : filter->segments_) {
    const size_t n = s.blocks * kWordsPerBlock * 4;
    s.words.reset(new uint32_t[s.blocks * kWordsPerBlock]);
    if (!in.read(reinterpret_cast<char*>(s.words.get()), static_cast<std::streamsize>(n))) {
      return corrupt("truncated");
    }
    hasher.Write(reinterpret_cast<const uint8_t*>(s.words.get()), n);
  }
  uint8_t want[32], got[32];
  hasher.Finish(want);
  if (!in.read(reinterpret_cast<char*>(got), 32) || std::memcmp(want, got, 32) != 0) {
    return corrupt("checksum mismatch");
  }
  return filter;
}

}  // namespace ariadne::pipeline
