// The store's schema: column families, key layouts and row formats. docs/schema.md describes the
// same with sizes, options and the reasons; keep both in step and bump kSchemaVersion on any
// change of a layout.
//
//   cf          key (big-endian, fixed width)         value
//   meta        ascii name                            schema_version, network, state, file table
//   headers     height u32                            BlockRow: 80-byte header, id ranges, size
//   block_hash  block hash (32)                       height (varint); active chain only
//   block_index block hash (32)                       BlockIndexEntry: every block seen in files
//   tx          TxNum u40                             TxRow: txid, flags, fee, outputs, inputs
//   txid        txid[0..8) | TxNum u40                (empty)
//   addr        AddrId u32                            AddrRow: kind, type, payload, multisig keys
//   addr_key    kind u8 | payload[0..8) | AddrId u32  (empty)
//   hist        AddrId u32 | TxNum u40                (empty)
//   stats       AddrId u32                            AddrStats (merge operator: sums, min, max)
//   evidence    gen u8 | TxNum u40 | index u32        EvidenceRow: one union of a clustering
//   cluster_pending gen u8 | TxNum u40 << 24 | vout   PendingRow: change candidate awaiting spend
//   labels      chain u8 | identity | hash u64        LabelRow: an attribution (tag) of an address
//   cluster_undo gen u8 | TxNum u40 | index u16       UndoPendingRow: a pending candidate consumed
//   by
//               that transaction's spend, kept for the last kClusterUndoBlocks blocks (rewinds)
//   evm_*       the account-model rows of an EVM store (evm_schema.h; Bitcoin stores leave them
//               empty)
#ifndef ARIADNE_ENGINE_STORE_SCHEMA_H_
#define ARIADNE_ENGINE_STORE_SCHEMA_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/core/network.h"
#include "engine/core/script.h"
#include "engine/core/types.h"

namespace ariadne::store {

// Version 1: the first layout.
inline constexpr uint32_t kSchemaVersion = 1;

enum class Cf : uint8_t {
  kDefault = 0,
  kMeta,
  kHeaders,
  kBlockHash,
  kBlockIndex,
  kTx,
  kTxid,
  kAddr,
  kAddrKey,
  kHist,
  kStats,
  kEvidence,
  kClusterPending,
  kLabels,
  // EVM stores (evm_schema.h, docs/schema.md "EVM stores").
  kEvmBlock,
  kEvmTx,
  kEvmTxHash,
  kEvmTransfer,
  kEvmAccount,
  kEvmAccountKey,
  kEvmHist,
  kEvmTotals,
  kEvmAsset,
  kEvmApproval,
  kEvmEvidence,
  // Bitcoin clustering, added after the EVM families.
  kClusterUndo,
  kCount,  // number of column families, not a family
};
inline constexpr int kNumCfs = static_cast<int>(Cf::kCount);

// Returns: the RocksDB column family name ("default", "meta", "headers", ...).
std::string_view CfName(Cf cf);

// Meta keys.
inline constexpr std::string_view kMetaSchemaVersion = "schema_version";
inline constexpr std::string_view kMetaNetwork = "network";
inline constexpr std::string_view kMetaState = "state";
inline constexpr std::string_view kMetaFilePrefix = "file/";  // + file id u32 -> FileEntry
inline constexpr std::string_view kMetaCluster = "cluster";   // ClusterMeta
// Present while the indexer switches branches: written before its first rewind, deleted in the
// commit that takes the new branch to the old tip's height (or to its end, when shorter). The
// value is the old tip: height (u32 BE) and hash (32 bytes). Readers keep the old state meanwhile.
inline constexpr std::string_view kMetaReorg = "reorg";
// The graph files' committed lengths (engine/graph/graph_files.h); bookkeeping of files beside
// the store, so not in the digest (db check compares the files with the rows).
inline constexpr std::string_view kMetaGraphFiles = "graph_files";
// ClusterUndoMeta: which generation keeps undo rows, and for how many blocks.
inline constexpr std::string_view kMetaClusterUndo = "cluster_undo";

// Key widths.
inline constexpr int kTxNumBytes = 5;  // 40 bits: 1.1e12 transactions
inline constexpr int kAddrIdBytes = 4;

// ---- meta/state: the tip and the id counters, committed atomically with the rows they cover.
struct ChainState {
  int32_t tip_height = -1;  // -1: no block indexed
  BlockHash tip_hash;
  uint64_t tx_count = 0;      // the next TxNum
  uint64_t output_count = 0;  // the next OutNum
  uint64_t input_count = 0;   // non-coinbase inputs indexed
  uint32_t addr_count = 0;    // the next AddrId
  uint64_t utxo_count =
      0;  // unspent outputs, OP_RETURN and the genesis output excluded (as Bitcoin Core)
  int64_t utxo_value = 0;  // their value in satoshi

  friend bool operator==(const ChainState&, const ChainState&) = default;
};
std::string EncodeState(const ChainState& s);
absl::StatusOr<ChainState> DecodeState(std::string_view v);

// ---- meta/file/<id>: a blk file seen by the indexer and how far it was scanned.
struct FileEntry {
  std::string path;                  // absolute
  uint64_t scanned = 0;              // bytes of whole records read
  std::array<uint8_t, 8> xor_key{};  // obfuscation key (all zero: none)
};
std::string EncodeFileEntry(const FileEntry& f);
absl::StatusOr<FileEntry> DecodeFileEntry(std::string_view v);
std::string FileKey(uint32_t file_id);

// ---- headers: one row per block of the active chain.
struct BlockRow {
  std::array<uint8_t, 80> header{};
  uint64_t first_txnum = 0;
  uint32_t tx_count = 0;
  uint64_t first_outnum = 0;
  uint32_t first_addrid = 0;  // AddrIds >= this were created by this block or later
  uint32_t size = 0;          // serialised block size in bytes

  // Decoded from the header.
  BlockHash hash() const;
  BlockHash prev_hash() const;
  uint32_t time() const;
  uint32_t bits() const;
};
std::string EncodeBlockRow(const BlockRow& r);
absl::StatusOr<BlockRow> DecodeBlockRow(std::string_view v);

// ---- block_index: every block found in the blk files (active, stale or not yet connected).
struct BlockIndexEntry {
  BlockHash prev_hash;
  uint32_t bits = 0;
  uint32_t time = 0;
  uint32_t file_id = 0;
  uint64_t offset = 0;  // file offset of the block's first byte
  uint32_t size = 0;
};
std::string EncodeBlockIndexEntry(const BlockIndexEntry& e);
absl::StatusOr<BlockIndexEntry> DecodeBlockIndexEntry(std::string_view v);

// ---- tx
struct TxOutRow {
  int64_t value = 0;
  AddrId addr;  // invalid for outputs without an address (OP_RETURN)
  ScriptType type = ScriptType::kNonstandard;
};
struct TxInRow {
  TxNum prev_tx;
  uint32_t prev_vout = 0;
};
struct TxRow {
  Txid txid;
  bool coinbase = false;
  bool segwit = false;
  int32_t version = 0;
  uint32_t locktime = 0;
  uint32_t size = 0;
  uint32_t vsize = 0;
  int64_t fee = 0;  // 0 for coinbase
  std::vector<TxOutRow> outputs;
  std::vector<TxInRow> inputs;  // empty for a coinbase
};
// Inputs are stored as (self - prev_tx, vout): recent spends, the common case, take 1-3 bytes.
void EncodeTxRow(const TxRow& row, TxNum self, std::string* out);
// Out: *row (vectors reused). Returns: DATA_LOSS naming the TxNum on a malformed row.
absl::Status DecodeTxRow(std::string_view v, TxNum self, TxRow* row);
// Returns: only the txid of an encoded row (cheap, no allocation).
absl::StatusOr<Txid> DecodeTxRowTxid(std::string_view v);

// ---- addr
struct AddrRow {
  AddressKey key;
  ScriptType type = ScriptType::kNonstandard;  // script type of its first output
  std::vector<AddrId> multisig_keys;           // P2PKH ids of a bare multisig's keys
};
std::string EncodeAddrRow(const AddrRow& r);
absl::StatusOr<AddrRow> DecodeAddrRow(std::string_view v);

// ---- stats: per-address totals, maintained by merge operands (see stats_merge.h).
struct AddrStats {
  uint64_t tx_count = 0;
  uint64_t received = 0;      // satoshi received in outputs
  uint64_t sent = 0;          // satoshi spent from its outputs
  uint64_t output_count = 0;  // outputs received
  uint64_t spent_count = 0;   // of which spent
  uint32_t first_height = UINT32_MAX;
  uint32_t last_height = 0;

  int64_t balance() const { return static_cast<int64_t>(received - sent); }
  friend bool operator==(const AddrStats&, const AddrStats&) = default;
};
std::string EncodeStats(const AddrStats& s);
absl::StatusOr<AddrStats> DecodeStats(std::string_view v);
// Combines two stats (or a stats and a delta): sums of counters, min first, max last height.
void MergeStats(const AddrStats& delta, AddrStats* into);

// ---- clustering (written by heuristics/, read by the service)
// Both models' clusterings (meta `cluster`, meta `evm/cluster`) store this one row.
struct ClusterMeta {
  uint8_t gen = 0;             // evidence and pending rows of other generations are stale
  std::string policy;          // canonical spec of the policy (EVM: parameters) that built it
  uint64_t processed_txs = 0;  // transactions applied; kInvalidProcessed: must be rebuilt
  uint64_t unions = 0;
  static constexpr uint64_t kInvalidProcessed = UINT64_MAX;
};
std::string EncodeClusterMeta(const ClusterMeta& m);
// Args: key: the meta key the row was read at (named by the DATA_LOSS error).
absl::StatusOr<ClusterMeta> DecodeClusterMeta(std::string_view v,
                                              std::string_view key = kMetaCluster);

struct EvidenceRow {
  uint32_t a = 0;
  uint32_t b = 0;
  uint8_t kind = 0;  // 0 common input, 1 change (2, unspent change, is never stored)
  uint8_t rule = 0;  // change heuristics mask
  TxNum tx;  // the transaction the evidence is (common input: the spend; change: the payment)
  TxNum at;  // the transaction whose processing made the union (the key's); >= tx. A
             // change link decided when its output is spent is made after the payment.
};
// Keys are in the order the unions were made: (gen, at, index within at).
std::string EvidenceKey(uint8_t gen, TxNum at, uint32_t index);
// Value: varints a, b; kind; rule; and, only when tx != at, varint (at - tx).
std::string EncodeEvidence(const EvidenceRow& e);
// Args: key: the row's key (holds the TxNum).
absl::StatusOr<EvidenceRow> DecodeEvidence(std::string_view key, std::string_view value);

struct PendingRow {
  uint32_t anchor = 0;
  uint32_t change = 0;
  uint8_t rule = 0;
  int32_t version = 0;
  bool locktime_set = false;
};
std::string PendingKey(uint8_t gen, uint64_t key);
std::string EncodePending(const PendingRow& p);
absl::StatusOr<PendingRow> DecodePending(std::string_view v);

// ---- cluster_undo: what a rewind needs to put back the pending candidates that the rewound
// transactions' spends consumed (the tx rows say which outputs were spent, not what the clustering
// had pending for them). Rows of spends in the last kClusterUndoBlocks blocks are kept; older ones
// are deleted by the commit that moves the tip past them, so the rows a store holds depend on its
// tip only. A deeper rewind rebuilds the clustering.
inline constexpr uint32_t kClusterUndoBlocks = 1000;
struct UndoPendingRow {
  uint64_t key = 0;  // the pending candidate's key: paying TxNum << 24 | vout
  PendingRow pending;
};
// Keys: (gen, spending TxNum, index within the spend).
std::string ClusterUndoKey(uint8_t gen, TxNum spend, uint16_t index);
std::string EncodeUndoPending(const UndoPendingRow& u);
absl::StatusOr<UndoPendingRow> DecodeUndoPending(std::string_view v);
// meta/cluster_undo: generation `gen` keeps undo rows for the spends of blocks at heights >=
// `from_height` (set by every commit to its tip - blocks + 1; rewinds leave it). Absent in stores
// written before undo rows existed: a rewind there rebuilds the clustering.
struct ClusterUndoMeta {
  uint8_t gen = 0;
  uint32_t blocks = kClusterUndoBlocks;
  uint32_t from_height = 0;
  friend bool operator==(const ClusterUndoMeta&, const ClusterUndoMeta&) = default;
};
std::string EncodeClusterUndoMeta(const ClusterUndoMeta& m);
absl::StatusOr<ClusterUndoMeta> DecodeClusterUndoMeta(std::string_view v);

// ---- labels: attributions imported from tag packs and case files. The identity is the address
// key on this store's chain ('b': kind, witness version, payload) or an EVM address ('e': 20
// bytes), so a tag can be imported before its address appears on chain.
struct LabelRow {
  std::string label;     // e.g. "Binance"
  std::string category;  // e.g. "exchange" (lowercase)
  std::string source;    // where the attribution comes from
  std::string actor;     // optional actor id (GraphSense)
  friend bool operator==(const LabelRow&, const LabelRow&) = default;
};
inline constexpr char kLabelChainBitcoin = 'b';
inline constexpr char kLabelChainEvm = 'e';
// Returns: the identity part of a Bitcoin address's label keys.
std::string LabelIdentity(const AddressKey& key);
std::string LabelKey(std::string_view identity, const LabelRow& row);
std::string EncodeLabel(const LabelRow& row);
absl::StatusOr<LabelRow> DecodeLabel(std::string_view v);
// Returns: the address key of a Bitcoin label key's identity (FAILED_PRECONDITION for EVM keys).
absl::StatusOr<AddressKey> LabelKeyAddress(std::string_view key);

// ---- keys
std::string HeightKey(uint32_t height);
std::string TxKey(TxNum n);
std::string TxidKey(const Txid& txid, TxNum n);
std::string TxidPrefix(const Txid& txid);  // first 8 bytes
std::string AddrKey(AddrId id);
std::string AddrKeyIndexKey(const AddressKey& key, AddrId id);
std::string AddrKeyIndexPrefix(const AddressKey& key);  // 9 bytes
std::string HistKey(AddrId id, TxNum n);
inline constexpr size_t kTxidPrefixBytes = 8;
inline constexpr size_t kAddrKeyPrefixBytes = 9;
inline constexpr size_t kHistKeyBytes = kAddrIdBytes + kTxNumBytes;

}  // namespace ariadne::store

#endif  // ARIADNE_ENGINE_STORE_SCHEMA_H_
