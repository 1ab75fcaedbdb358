// Writes a heavier branch for a chain in blk files, for the reorg measurement
// (bench/reorg/reorg.sh): the branch replaces the chain's last `depth` blocks with depth + 1 blocks
// made of their transactions (tests/indexer/pipeline/fork_builder.h says how), so that indexing the
// chain's files and then the branch's file reorgs the store by exactly `depth` blocks.
//
//   fork_tool --blocks DIR --depth N --out FILE [--network regtest]
//
// Only the last depth + 1 blocks are kept in memory: a chain of any length can be forked.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "indexer/btc/blk_reader.h"
#include "tests/indexer/pipeline/fork_builder.h"

namespace ariadne {
namespace {

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "fork_tool: %s\n", s.ToString().c_str());
  return 1;
}

int Run(int argc, char** argv) {
  std::string blocks, out, network_name = "regtest";
  uint32_t depth = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--blocks") {
      blocks = value;
    } else if (flag == "--out") {
      out = value;
    } else if (flag == "--network") {
      network_name = value;
    } else if (flag == "--depth" && absl::SimpleAtoi(value, &depth)) {
    } else {
      blocks.clear();
      break;
    }
  }
  if (blocks.empty() || out.empty() || depth == 0) {
    std::fputs("usage: fork_tool --blocks DIR --depth N --out FILE [--network regtest]\n", stderr);
    return 2;
  }
  const Network network = network_name == "mainnet" ? Network::kMainnet : Network::kRegtest;
  auto files = btc::ListBlkFiles(blocks);
  if (!files.ok()) return Fail(files.status());
  // The chain with every block but the last depth + 1 left empty: CraftFork reads only those, and
  // the branch's heights (its coinbases' BIP34 heights) come from their positions.
  auto chain = testing::ReadChain(*files, network, depth + 1);
  if (!chain.ok()) return Fail(chain.status());
  testing::ForkOptions options;
  options.depth = depth;
  auto fork = testing::CraftFork(*chain, options);
  if (!fork.ok()) return Fail(fork.status());
  if (auto s = testing::WriteBlkFile(out, *fork, network); !s.ok()) return Fail(s);
  std::printf("fork of depth %u after height %zu: %zu blocks -> %s\n", depth,
              chain->size() - 1 - depth, fork->size(), out.c_str());
  return 0;
}

}  // namespace
}  // namespace ariadne

int main(int argc, char** argv) { return ariadne::Run(argc, argv); }
