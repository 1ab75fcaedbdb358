// Merkle Patricia Trie roots (Yellow Paper appendix D), computed from a complete key/value set in
// one pass: sort the keys, then build each node bottom-up. No trie is stored; this is what the
// transaction and receipt roots of a block header commit to.
#ifndef ARIADNE_INDEXER_EVM_TRIE_H_
#define ARIADNE_INDEXER_EVM_TRIE_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "engine/core/evm_types.h"
#include "engine/core/types.h"

namespace ariadne::evm {

// The root of the empty trie, Keccak-256(0x80).
H256 EmptyTrieRoot();

// Returns: the root of the trie holding the given pairs. Keys must be distinct (a later duplicate
//          replaces an earlier one); an empty value means "absent" (as in the trie tests).
H256 TrieRoot(std::vector<std::pair<ByteSpan, ByteSpan>> entries);

// Returns: the root of the trie mapping rlp(i) to value(i) for i in [0, count): a block's
//          transactions root (values: canonical transaction encodings) or receipts root (values:
//          consensus receipt encodings).
H256 OrderedTrieRoot(size_t count, absl::FunctionRef<ByteSpan(size_t)> value);

}  // namespace ariadne::evm

#endif  // ARIADNE_INDEXER_EVM_TRIE_H_
