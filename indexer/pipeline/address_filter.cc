#include "indexer/pipeline/address_filter.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/hash.h"
#include "engine/core/status_macros.h"
#include "engine/core/strings.h"
#include "engine/files/checked_file.h"
#include "engine/store/codec.h"

namespace ariadne::pipeline {
namespace {

constexpr std::string_view kMagic = "ARDNAFL1";
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
  return files::WriteCheckedFile(path, kMagic, store::EncodeState(state),
                                 [&](files::CheckedWriter& w) {
                                   w.Put<uint64_t>(segments_.size());
                                   for (const Segment& s : segments_) {
                                     w.Put(s.blocks);
                                     w.Put(s.capacity);
                                     w.Put(s.keys);
                                     w.Bytes(s.words.get(), s.blocks * kWordsPerBlock * 4);
                                   }
                                 });
}

absl::StatusOr<std::unique_ptr<AddressFilter>> AddressFilter::Load(
    const std::filesystem::path& path, const store::ChainState& state) {
  std::unique_ptr<AddressFilter> filter(new AddressFilter(1));
  filter->segments_.clear();
  absl::Status s =
      files::ReadCheckedFile(path, kMagic, store::EncodeState(state), [&](files::CheckedReader& r) {
        const uint64_t count = r.Get<uint64_t>();
        if (count == 0 || count > 64) return false;
        for (uint64_t i = 0; i < count && r.ok(); ++i) {
          Segment seg;
          seg.blocks = r.Get<uint64_t>();
          seg.capacity = r.Get<uint64_t>();
          seg.keys = r.Get<uint64_t>();
          if (seg.keys > seg.capacity || !r.Fits(seg.blocks, kWordsPerBlock * 4)) return false;
          seg.words.reset(new uint32_t[seg.blocks * kWordsPerBlock]);
          r.Bytes(seg.words.get(), seg.blocks * kWordsPerBlock * 4);
          filter->keys_ += seg.keys;
          filter->segments_.push_back(std::move(seg));
        }
        return r.ok();
      });
  if (!s.ok()) return s;
  return filter;
}

}  // namespace ariadne::pipeline
