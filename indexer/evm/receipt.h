// Transaction receipts and their logs, in the two RLP shapes found in block archives:
//   consensus (what the receipts root commits to):
//     legacy  rlp([statusOrPostState, cumulativeGasUsed, bloom, logs])
//     typed   type || rlp([status, cumulativeGasUsed, bloom, logs])  (a string item in a list)
//   eth/69 network form (portal-spec-tests block data): rlp([type, status, cumulativeGasUsed,
//   logs])
//     without the bloom, which is recomputed from the logs.
// log = rlp([address, [topic...], data]). Decoded receipts and logs are views into the buffer.
#ifndef ARIADNE_INDEXER_EVM_RECEIPT_H_
#define ARIADNE_INDEXER_EVM_RECEIPT_H_

#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "engine/core/evm_types.h"
#include "engine/core/types.h"
#include "indexer/evm/rlp.h"
#include "indexer/evm/transaction.h"

namespace ariadne::evm {

// The most topics a log can have (LOG0..LOG4).
inline constexpr size_t kMaxTopics = 4;
inline constexpr size_t kBloomSize = 256;

struct LogView {
  Address address;
  uint8_t topic_count = 0;
  std::array<H256, kMaxTopics> topics{};
  ByteSpan data;
  uint64_t offset = 0;  // file offset of the log's encoding
};

struct Receipt {
  TxType type = TxType::kLegacy;
  bool has_status = false;  // false: pre-Byzantium receipt carrying a post-state root
  bool success = false;     // valid when has_status
  H256 post_state;          // valid when !has_status
  uint64_t cumulative_gas_used = 0;
  ByteSpan bloom;          // 256 bytes when the encoding carried it (consensus form), else empty
  ByteSpan logs_encoding;  // the whole RLP list of logs, as encoded
  uint32_t log_count = 0;
  uint64_t offset = 0;
};

// Decodes one receipt item of a block's receipt list (either shape above) and checks its logs'
// structure (at most 4 topics of 32 bytes, 20-byte address).
// Args: item: the item as read from the enclosing list; err: receives the first failure.
void DecodeReceipt(const RlpItem& item, RlpError* err, Receipt* out);

// Calls fn for each log of a receipt decoded by DecodeReceipt.
void ForEachLog(const Receipt& receipt, absl::FunctionRef<void(const LogView&)> fn);

// Adds the log's address and topics to a 2048-bit bloom filter (Yellow Paper: three bits per
// item, from the first three byte pairs of its Keccak-256).
void AddToBloom(ByteSpan item, uint8_t bloom[kBloomSize]);

// Appends the consensus encoding of a receipt (the receipts-trie value): the type byte for typed
// receipts, then rlp([status or post state, cumulativeGasUsed, bloom, logs]).
// Args: bloom: 256 bytes (the receipt's own, or computed with AddToBloom over its logs);
//       logs_encoding: the RLP list of logs.
void EncodeConsensusReceipt(TxType type, bool has_status, bool success, const H256& post_state,
                            uint64_t cumulative_gas_used, const uint8_t bloom[kBloomSize],
                            ByteSpan logs_encoding, std::vector<uint8_t>* out);

// Remembers the bloom bits of addresses and topics already hashed: logs repeat a few contract
// addresses and event signatures, so a block's bloom filters cost a fraction of their Keccaks.
// Not thread-safe; one per decoder. Bounded: it empties itself past 1 << 16 entries.
class BloomCache {
 public:
  // Same as AddToBloom for items of at most 32 bytes, with the bit positions memoised.
  void Add(ByteSpan item, uint8_t bloom[kBloomSize]);

 private:
  struct Key {
    std::array<uint8_t, 32> bytes{};
    uint8_t size = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  std::unordered_map<Key, std::array<uint16_t, 3>, KeyHash> bits_;
};

// Out: bloom = the bloom of all logs of the receipt (cache: optional memo of bit positions).
void ComputeBloom(const Receipt& receipt, uint8_t bloom[kBloomSize], BloomCache* cache = nullptr);

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_RECEIPT_H_
