// Blocks made for tests, with real proof of work where it is cheap: regtest chains (a hash meets
// 0x207fffff with probability 1/2), chains under custom easy rules, headers from lists of
// (bits, time), and Bitcoin Core's alternative mainnet chain (test/functional/data/
// mainnet_alt.json: 2,016 blocks mined at difficulty 1, the last one at the first retarget).
#ifndef ARIADNE_TESTS_INDEXER_BTC_CHAIN_BUILDER_H_
#define ARIADNE_TESTS_INDEXER_BTC_CHAIN_BUILDER_H_

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "engine/core/network.h"
#include "engine/core/types.h"
#include "indexer/btc/ancestry.h"

namespace ariadne::testing {

struct TestBlock {
  std::vector<uint8_t> bytes;  // the serialised block
  BlockHash hash;
};

struct TestHeader {
  BlockHash prev;
  uint32_t height = 0;  // goes into the coinbase (BIP34)
  uint32_t time = 0;
  uint32_t bits = 0x207fffff;
  int32_t version = 0x20000000;
  std::string tag;  // coinbase text: blocks with equal fields but different tags differ
};

// Returns: a block of one coinbase (BIP34 height, the tag, 50 BTC to OP_TRUE) under `h`. With
//          `mine`, its nonce is ground until the hash meets the bits; without, until it does not.
TestBlock MakeTestBlock(const TestHeader& h, bool mine = true);

// Returns: blk-file records (magic, little-endian size, block) of `blocks` on `network`.
std::vector<uint8_t> BlkRecords(Network network, std::span<const TestBlock> blocks);
// Writes `bytes` to `path` (replacing it).
void WriteFile(const std::filesystem::path& path, std::span<const uint8_t> bytes);

// Returns: regtest's genesis block.
TestBlock RegtestGenesis();
// Returns: `n` mined regtest blocks on top of `parent` (height `parent_height`, time
//          `parent_time`), 600 s apart, tagged "<tag> <height>".
std::vector<TestBlock> RegtestBlocks(const BlockHash& parent, uint32_t parent_height,
                                     uint32_t parent_time, int n, const std::string& tag);

// Returns: Core's alternative mainnet chain: heights 1..2016 on top of the real genesis, real
//          proof of work (difficulty 1, then 4 at height 2016).
std::vector<TestBlock> CoreMainnetAltChain();

// Returns: the 80-byte headers of mainnet heights 0..8999 (bitcoin-s/block_headers.json).
std::vector<std::vector<uint8_t>> MainnetHeaders();

// An Ancestry over a list of headers, height 0 first (the last is the parent); the list must
// outlive it.
class ListAncestry : public btc::Ancestry {
 public:
  explicit ListAncestry(std::span<const btc::AncestorHeader> headers, uint32_t pow_limit_bits = 0,
                        int32_t interval = 2016)
      : headers_(headers), limit_bits_(pow_limit_bits), interval_(interval) {}
  int32_t parent_height() const override { return static_cast<int32_t>(headers_.size()) - 1; }
  btc::AncestorHeader At(int32_t height) const override { return headers_[height]; }
  int RecentTimes(int n, uint32_t* times) const override;
  // Core's loop, walked every time.
  uint32_t LastNonMinDifficultyBits() const override;

 private:
  std::span<const btc::AncestorHeader> headers_;
  uint32_t limit_bits_;
  int32_t interval_;
};

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_INDEXER_BTC_CHAIN_BUILDER_H_
