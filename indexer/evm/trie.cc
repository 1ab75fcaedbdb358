#include "indexer/evm/trie.h"

#include <algorithm>

#include "engine/core/keccak.h"
#include "indexer/evm/rlp.h"

namespace ariadne::evm {
namespace {

using Entry = std::pair<ByteSpan, ByteSpan>;

size_t NibbleCount(ByteSpan key) { return key.size() * 2; }
uint8_t NibbleAt(ByteSpan key, size_t i) {
  return (i % 2 == 0) ? (key[i / 2] >> 4) : (key[i / 2] & 15);
}

// Appends the hex-prefix (compact) encoding of key's nibbles [from, to) as an RLP string.
void WriteHexPrefix(ByteSpan key, size_t from, size_t to, bool leaf, RlpWriter& w) {
  uint8_t buf[80];
  std::vector<uint8_t> big;
  const size_t n = to - from;
  const size_t bytes = n / 2 + 1;
  uint8_t* out = buf;
  if (bytes > sizeof(buf)) {
    big.resize(bytes);
    out = big.data();
  }
  const uint8_t flag = static_cast<uint8_t>((leaf ? 2 : 0) + (n % 2));
  size_t i = from;
  if (n % 2 == 1) {
    out[0] = static_cast<uint8_t>(flag << 4 | NibbleAt(key, i));
    ++i;
  } else {
    out[0] = static_cast<uint8_t>(flag << 4);
  }
  for (size_t k = 1; k < bytes; ++k, i += 2) {
    out[k] = static_cast<uint8_t>(NibbleAt(key, i) << 4 | NibbleAt(key, i + 1));
  }
  w.Bytes(ByteSpan(out, bytes));
}

void EncodeNode(const std::vector<Entry>& e, size_t lo, size_t hi, size_t depth,
                std::vector<uint8_t>* out);

// Appends the reference to a child node: its encoding inline when shorter than 32 bytes, else the
// Keccak-256 of its encoding.
void WriteRef(const std::vector<Entry>& e, size_t lo, size_t hi, size_t depth, RlpWriter& w) {
  std::vector<uint8_t> child;
  EncodeNode(e, lo, hi, depth, &child);
  if (child.size() < 32) {
    w.Raw(child);
  } else {
    uint8_t h[32];
    Keccak256(child, h);
    w.Bytes(ByteSpan(h, 32));
  }
}

void EncodeNode(const std::vector<Entry>& e, size_t lo, size_t hi, size_t depth,
                std::vector<uint8_t>* out) {
  RlpWriter w(out);
  const size_t list = w.BeginList();
  if (hi - lo == 1) {
    WriteHexPrefix(e[lo].first, depth, NibbleCount(e[lo].first), /*leaf=*/true, w);
    w.Bytes(e[lo].second);
    w.EndList(list);
    return;
  }
  // Sorted keys: the prefix common to all is the prefix common to the first and the last.
  const ByteSpan first = e[lo].first;
  const ByteSpan last = e[hi - 1].first;
  size_t p = depth;
  const size_t limit = std::min(NibbleCount(first), NibbleCount(last));
  while (p < limit && NibbleAt(first, p) == NibbleAt(last, p)) ++p;
  if (p > depth) {
    WriteHexPrefix(first, depth, p, /*leaf=*/false, w);
    WriteRef(e, lo, hi, p, w);
    w.EndList(list);
    return;
  }
  // Branch: a key that ends here (sorted first) is the branch's value.
  size_t i = lo;
  ByteSpan value;
  if (NibbleCount(e[i].first) == depth) value = e[i++].second;
  for (uint8_t nib = 0; nib < 16; ++nib) {
    size_t j = i;
    while (j < hi && NibbleAt(e[j].first, depth) == nib) ++j;
    if (j == i) {
      w.Bytes(ByteSpan());
    } else {
      WriteRef(e, i, j, depth + 1, w);
    }
    i = j;
  }
  w.Bytes(value);
  w.EndList(list);
}

}  // namespace

H256 EmptyTrieRoot() {
  const uint8_t empty = 0x80;
  return Keccak256(ByteSpan(&empty, 1));
}

H256 TrieRoot(std::vector<std::pair<ByteSpan, ByteSpan>> entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::lexicographical_compare(a.first.begin(), a.first.end(), b.first.begin(),
                                        b.first.end());
  });
  // Keep the last of equal keys, then drop absent (empty) values.
  std::vector<Entry> e;
  e.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i + 1 < entries.size() &&
        std::equal(entries[i].first.begin(), entries[i].first.end(), entries[i + 1].first.begin(),
                   entries[i + 1].first.end())) {
      continue;
    }
    if (!entries[i].second.empty()) e.push_back(entries[i]);
  }
  if (e.empty()) return EmptyTrieRoot();
  std::vector<uint8_t> root;
  EncodeNode(e, 0, e.size(), 0, &root);
  return Keccak256(root);
}

H256 OrderedTrieRoot(size_t count, absl::FunctionRef<ByteSpan(size_t)> value) {
  std::vector<uint8_t> keys(count * 9);
  std::vector<Entry> entries;
  entries.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    uint8_t* k = keys.data() + 9 * i;
    size_t n = RlpEncodeU64(i, k);
    entries.emplace_back(ByteSpan(k, n), value(i));
  }
  return TrieRoot(std::move(entries));
}

}  // namespace ariadne::evm
