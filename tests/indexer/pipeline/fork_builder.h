// Crafted forks for reorg tests: a heavier branch made of a chain's own transactions. The branch
// leaves out some of the replaced blocks' transactions (and everything that spends them) and packs
// the rest into more, differently cut blocks with new coinbases, so that after the reorg the
// transaction numbers, address ids, unions and pending change candidates all differ from the old
// branch's, and spends that consumed candidates of blocks below the fork are undone.
#ifndef ARIADNE_TESTS_INDEXER_PIPELINE_FORK_BUILDER_H_
#define ARIADNE_TESTS_INDEXER_PIPELINE_FORK_BUILDER_H_

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/core/network.h"

namespace ariadne::testing {

using RawBlock = std::vector<uint8_t>;

// Returns: the blocks of blk files that hold one chain in order (e.g. a generated one), one per
// height. Only the last `keep` blocks are held; those before them are left empty, so that a chain
// of any length can be read for its tip.
absl::StatusOr<std::vector<RawBlock>> ReadChain(const std::vector<std::filesystem::path>& files,
                                                Network network, size_t keep = SIZE_MAX);

struct ForkOptions {
  // Blocks of the chain's tip replaced by the branch (the fork is at tip - depth). Required.
  uint32_t depth = 1;
  // Default 1: the branch has depth + extra blocks, so it has the most work.
  uint32_t extra = 1;
  // Default 4: every n-th transaction of the replaced blocks is left out, with its descendants.
  uint32_t drop_every = 4;
};

// Returns: the branch's blocks (valid proof of work for regtest's limit, correct merkle roots and
// prev links, BIP34 heights), to be appended after block (tip - depth) of `chain`.
absl::StatusOr<std::vector<RawBlock>> CraftFork(const std::vector<RawBlock>& chain,
                                                const ForkOptions& options);

// Returns: a P2PKH output script whose key hash is Hash160(seed).
RawBlock P2pkhScript(std::string_view seed);

// Returns: a legacy coinbase transaction of `height` (its BIP34 push, then `tag` in the script)
// paying 50 BTC to P2pkhScript(tag): give every writer of blocks a tag of its own.
RawBlock MakeCoinbase(uint32_t height, std::string_view tag);

// Writes blocks as one blk file of `network` (magic, size, block records).
absl::Status WriteBlkFile(const std::filesystem::path& path, const std::vector<RawBlock>& blocks,
                          Network network);

}  // namespace ariadne::testing

#endif  // ARIADNE_TESTS_INDEXER_PIPELINE_FORK_BUILDER_H_
