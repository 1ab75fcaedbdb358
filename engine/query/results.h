// The answers of queries in the engine's own types, for both chain models: what a ChainBackend
// produces and the service turns into proto/ariadne.proto messages, field by field. Each answer
// carries the fields of both models, as the API does: UTXO chains fill the satoshi fields (int64),
// account chains the per-asset amounts (decimal strings of 256-bit values in base units); `model`
// says which.
#ifndef ARIADNE_ENGINE_QUERY_RESULTS_H_
#define ARIADNE_ENGINE_QUERY_RESULTS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/query/vocabulary.h"

namespace ariadne::query {

// An attribution of an address (or of a cluster's member).
struct Label {
  std::string label;
  std::string category;
  std::string source;
  std::string address;  // the labelled address
};

struct ChainStatus {
  ChainModel model = ChainModel::kUtxo;
  std::string network;
  int32_t tip_height = -1;  // -1 for an empty store
  std::string tip_hash;
  uint32_t tip_time = 0;
  uint64_t tx_count = 0;
  uint64_t input_count = 0;   // UTXO
  uint64_t output_count = 0;  // UTXO
  uint64_t address_count = 0;
  uint64_t utxo_count = 0;  // UTXO
  int64_t utxo_value = 0;   // UTXO
  uint32_t schema_version = 0;
  uint64_t chain_id = 0;        // account
  uint64_t transfer_count = 0;  // account
  uint64_t asset_count = 0;     // account
  uint64_t log_count = 0;       // account
  uint64_t block_count = 0;     // account
  // account: blocks with transactions indexed without call traces; -1: not counted by the indexer
  int64_t blocks_without_traces = 0;
};

// An amount of one asset (account chains). Which fields are set depends on the answer.
struct AssetAmount {
  std::string asset;  // "ETH", or the token contract in EIP-55 form
  std::string standard;
  std::string amount;
  std::string reason;    // trace summaries
  std::string received;  // history entries
  std::string sent;
};

// The flows of an account in one asset.
struct AssetBalance {
  std::string asset;
  std::string standard;
  bool fungible = true;
  std::string received;
  std::string sent;
  std::string fees;
  std::string balance;
  uint64_t received_count = 0;
  uint64_t sent_count = 0;
  int64_t first_block = -1;
  int64_t last_block = -1;
  bool overflow = false;
};

struct AddressSummary {
  ChainModel model = ChainModel::kUtxo;
  std::string address;
  std::string type;
  uint64_t tx_count = 0;
  int64_t received = 0;
  int64_t sent = 0;
  int64_t balance = 0;
  int32_t first_seen_height = -1;
  int32_t last_seen_height = -1;
  uint64_t output_count = 0;
  uint64_t unspent_count = 0;
  std::vector<std::string> multisig_keys;
  int64_t cluster_id = -1;  // -1 when the store has no clustering
  std::vector<Label> labels;
  std::vector<AssetBalance> assets;  // account
};

struct HistoryEntry {
  ChainModel model = ChainModel::kUtxo;
  std::string txid;
  int32_t block_height = 0;
  uint32_t block_time = 0;
  int64_t received = 0;  // UTXO
  int64_t sent = 0;      // UTXO
  std::string cursor;
  std::vector<AssetAmount> amounts;  // account
  std::string fee;                   // account
  std::string status;                // account
  std::string from;                  // account
  std::string to;                    // account
};

struct TxInput {
  std::string prev_txid;
  uint32_t prev_vout = 0;
  std::string address;
  int64_t value = 0;
  std::string type;
};

struct TxOutput {
  uint32_t vout = 0;
  std::string type;
  std::string address;
  int64_t value = 0;
  std::string spent_by;
};

struct Transfer {
  uint64_t index = 0;
  std::string kind;
  std::string asset;
  std::string from;
  std::string to;
  std::string amount;
  std::string token_id;
  int64_t log_index = -1;
};

struct AccountTransaction {
  std::string from;
  std::string to;
  std::string created_contract;
  std::string value;
  std::string fee;
  std::string status;
  uint32_t index = 0;
  uint32_t type = 0;
  uint64_t nonce = 0;
  uint64_t gas_used = 0;
  std::string effective_gas_price;
  uint32_t log_count = 0;
  std::string selector;
  std::vector<Transfer> transfers;
  uint64_t chain_id = 0;
};

struct Transaction {
  ChainModel model = ChainModel::kUtxo;
  std::string txid;
  int32_t block_height = 0;
  std::string block_hash;
  uint32_t block_time = 0;
  int64_t fee = 0;  // UTXO
  bool coinbase = false;
  uint32_t size = 0;
  uint32_t vsize = 0;
  int32_t version = 0;
  uint32_t locktime = 0;
  std::vector<TxInput> inputs;
  std::vector<TxOutput> outputs;
  AccountTransaction account;  // account
};

struct ClusterSummary {
  ChainModel model = ChainModel::kUtxo;
  uint32_t cluster_id = 0;
  uint64_t size = 0;
  int64_t received = 0;  // UTXO
  int64_t sent = 0;      // UTXO
  int64_t balance = 0;   // UTXO
  int32_t first_seen_height = -1;
  int32_t last_seen_height = -1;
  uint64_t tx_count = 0;
  std::vector<Label> labels;
  std::string policy;
  std::vector<AssetBalance> assets;  // account
};

struct ClusterMember {
  std::string address;
  std::string cursor;
};

struct EvidenceLink {
  std::string heuristic;
  std::string txid;
  int32_t block_height = 0;
  std::string from;
  std::string to;
  std::string via;
  std::string related_txid;
};

struct Explanation {
  ChainModel model = ChainModel::kUtxo;
  uint32_t cluster_id = 0;
  std::vector<EvidenceLink> links;
  std::string policy;
};

struct TraceNode {
  std::string id;    // the address, "cluster:<id>" or "fee"
  std::string kind;  // "address", "cluster", "fee"
  uint32_t cluster_id = 0;
  uint64_t size = 0;
  std::vector<Label> labels;
};

struct TraceEdge {
  std::string from;
  std::string to;
  std::string txid;
  int32_t block_height = 0;
  int64_t value = 0;          // UTXO
  int64_t tainted_value = 0;  // UTXO
  uint32_t hop = 0;
  std::string asset;           // account
  std::string amount;          // account
  std::string tainted_amount;  // account
  uint64_t transfer = 0;       // account
};

// The edges of a trace between two nodes (and of one asset), aggregated (TraceShape::kAggregated):
// sums over the TraceEdges with the same from, to and asset.
struct TraceFlow {
  std::string from;
  std::string to;
  uint64_t transactions = 0;  // distinct transactions
  uint64_t edges = 0;         // the edges summed (account: transfers)
  uint32_t hop = 0;           // the smallest
  int32_t first_block_height = 0;
  int32_t last_block_height = 0;
  int64_t value = 0;           // UTXO
  int64_t tainted_value = 0;   // UTXO
  std::string asset;           // account
  std::string amount;          // account
  std::string tainted_amount;  // account
};
struct TraceEndpoint {
  std::string node;
  std::string reason;
  int64_t tainted_value = 0;  // UTXO
  uint32_t hop = 0;
  std::string asset;           // account
  std::string tainted_amount;  // account
};

struct TraceSummary {
  ChainModel model = ChainModel::kUtxo;
  std::string seed;
  int64_t seed_value = 0;                                          // UTXO
  std::vector<std::pair<std::string, int64_t>> tainted_by_reason;  // UTXO: reason -> value
  uint64_t transactions = 0;
  uint64_t nodes = 0;
  uint64_t edges = 0;
  bool truncated = false;
  std::string taint;
  std::string direction;
  std::vector<AssetAmount> seed_amounts;     // account
  std::vector<AssetAmount> tainted_amounts;  // account
};

struct PathStep {
  std::string txid;
  int32_t block_height = 0;
  std::string from;
  std::string to;
  int64_t value = 0;      // UTXO
  uint32_t vout = 0;      // UTXO
  std::string asset;      // account
  std::string amount;     // account
  uint64_t transfer = 0;  // account
};

struct Path {
  std::vector<PathStep> steps;
  int64_t bottleneck = 0;  // UTXO
};

struct Paths {
  ChainModel model = ChainModel::kUtxo;
  std::vector<Path> paths;
  uint32_t hops = 0;
  bool truncated = false;
};

struct ExposureEntry {
  std::string category;
  std::string entity;
  int64_t received_direct = 0;  // UTXO
  int64_t received_indirect = 0;
  int64_t sent_direct = 0;
  int64_t sent_indirect = 0;
  std::string asset;  // account
  std::string received_direct_amount;
  std::string received_indirect_amount;
  std::string sent_direct_amount;
  std::string sent_indirect_amount;
};

struct Exposure {
  ChainModel model = ChainModel::kUtxo;
  std::string subject;
  uint64_t addresses = 0;
  int64_t received = 0;  // UTXO
  int64_t sent = 0;      // UTXO
  uint32_t hops = 0;
  std::vector<ExposureEntry> categories;
  std::vector<ExposureEntry> entities;
  bool truncated = false;
  std::vector<AssetAmount> received_amounts;  // account
  std::vector<AssetAmount> sent_amounts;      // account
};

}  // namespace ariadne::query

#endif  // ARIADNE_ENGINE_QUERY_RESULTS_H_
