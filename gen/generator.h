// `ariadne gen`: a synthetic Bitcoin chain with ground truth (docs/generator.md).
//
// GenerateChain writes DIR/blocks/blk00000.dat, ... (Bitcoin Core's layout, rolled at 128 MiB,
// optionally XOR-obfuscated with DIR/blocks/xor.dat) starting from the network's real genesis
// block, and DIR/truth/ (entities.csv, addresses.csv, scenarios.csv, txlabels.csv, summary.json).
// The same options give the same bytes. It keeps no transaction history: memory is the UTXO set
// and the entities' state, bounded by the population size.
#ifndef ARIADNE_GEN_GENERATOR_H_
#define ARIADNE_GEN_GENERATOR_H_

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>

#include "absl/status/status.h"
#include "engine/core/network.h"
#include "gen/entity_kind.h"

namespace ariadne::gen {

// Written to summary.json; changes whenever the same options would give different bytes.
// Version 2: blocks carry proof of work (ground nonces); otherwise the same bytes as version 1.
inline constexpr std::string_view kGeneratorVersion = "ariadne-gen/2";

struct GenProgress {
  uint32_t height = 0;  // last block written
  uint32_t blocks = 0;  // blocks in the chain
  uint64_t txs = 0;     // transactions written so far, coinbases included
  uint64_t bytes = 0;   // blk-file bytes written so far
};

struct GenOptions {
  // Output folder; blocks/ and truth/ are created in it. Required: no default.
  std::filesystem::path out_dir;
  // Blocks in the chain, genesis included (heights 0 .. blocks-1). Default: 1000.
  uint32_t blocks = 1000;
  // Seed of every random choice: equal options give byte-identical output. Default: 1.
  uint64_t seed = 1;
  // Network: blk-file magic, address encodings and genesis block. Default: regtest, the only
  // network whose blocks can be mined here (miner.h).
  Network network = Network::kRegtest;
  // XOR-obfuscate the blk files with an 8-byte key derived from the seed, written to
  // blocks/xor.dat (Bitcoin Core 28+). Default: false.
  bool xor_blocks = false;
  // Average transactions per block, coinbase excluded: blocks x txs_per_block is the chain's
  // size (blocks are capped at 4M weight units; a shortfall moves to the next blocks).
  // Default: 1000.
  uint32_t txs_per_block = 1000;
  // A new blk file starts when the next block would take the current one to this size.
  // Default: 128 MiB (Bitcoin Core's MAX_BLOCKFILE_SIZE).
  uint64_t max_blk_file_size = 128ULL << 20;
  // Case scenarios; -1 scales with the chain: max(1, txs / 250,000), at most 200. Default: -1.
  int32_t scenarios = -1;
  // Individuals in the population; 0 scales with the chain: txs / 8 in [500, 4,000,000].
  // Default: 0.
  uint32_t individuals = 0;
  // Blocks before a coinbase can be spent; 0 means 100 (Core's rule), shortened to
  // max(1, blocks / 20) for chains under 2,000 blocks so that small chains still have activity.
  // Default: 0.
  uint32_t coinbase_maturity = 0;
  // The span of Bitcoin's history the heights are mapped onto (script types, fees, prices,
  // CoinJoin implementations follow it). Defaults: 2009.0 and 2025.0.
  double era_begin = 2009.0;
  double era_end = 2025.0;
  // Extra value in block 1's coinbase that seeds exchanges, services and early individuals, in
  // satoshi. Default: 2,000,000 BTC.
  int64_t premine = 2'000'000LL * 100'000'000LL;
  // Write truth/. Default: true.
  bool write_truth = true;
  // Called after every block with the totals so far. Default: none.
  std::function<void(const GenProgress&)> progress;
  // Generating in chunks (a streaming replay indexes and deletes each chunk's blk files before the
  // next is written). Default: none. Called first with the totals before block 1 (height 0): it
  // returns the transaction count (coinbases included) at which to stop next, or 0 for none. Once
  // the count is reached, after a whole block, the current blk file is closed and it is called
  // again; 0 from then on runs to the last block. The chain is the same as without chunks: only
  // where blk files end differs.
  std::function<uint64_t(const GenProgress&)> next_chunk;
};

struct GenStats {
  uint32_t blocks = 0;
  uint64_t txs = 0;      // coinbases included
  uint64_t inputs = 0;   // non-coinbase inputs
  uint64_t outputs = 0;  // OP_RETURN included
  uint64_t bytes = 0;    // blk-file bytes (records with their 8-byte headers)
  uint32_t blk_files = 0;
  uint64_t addresses = 0;  // distinct output addresses (rows of addresses.csv)
  uint64_t utxo_count = 0;
  int64_t utxo_value = 0;
  std::array<uint64_t, kNumEntityKinds> entities{};
  uint32_t scenarios = 0;
  uint32_t scenarios_completed = 0;
  uint64_t coinjoins = 0;  // labelled CoinJoin transactions (tx0s included)
};

// Generates a chain as described above.
// Args: options: see GenOptions. Out: stats (optional): what was written.
// Returns: OK; INVALID_ARGUMENT for unusable options (no out_dir, zero blocks, a network other
//          than regtest, an empty era span, a roll size under 1 KiB); ALREADY_EXISTS when
//          out_dir/blocks already holds blk files; PERMISSION_DENIED or INTERNAL naming the file
//          that could not be written.
absl::Status GenerateChain(const GenOptions& options, GenStats* stats);

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_GENERATOR_H_
