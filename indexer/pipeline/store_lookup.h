// The indexer's lookups of what its caches no longer hold: an address's id (addr_key index, then
// the addr row to check the full key) and a transaction with its outputs (txid index, then the tx
// row, read once). Iterators are kept between lookups (creating one per lookup cost more than the
// seek) and refreshed after every commit, so that they see every row committed so far.
#ifndef ARIADNE_INDEXER_PIPELINE_STORE_LOOKUP_H_
#define ARIADNE_INDEXER_PIPELINE_STORE_LOOKUP_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "engine/core/script.h"
#include "engine/core/types.h"
#include "engine/store/schema.h"
#include "engine/store/store.h"

namespace ariadne::pipeline {

class StoreLookup {
 public:
  explicit StoreLookup(const store::Store* store) : store_(store) {}

  // Makes the rows committed since the last call visible.
  absl::Status Refresh();

  // Returns: the id of an address; NOT_FOUND when the store does not hold it.
  absl::StatusOr<AddrId> FindAddress(const AddressKey& key);
  // Finds a transaction and reads its row (the newest one of BIP30's duplicate txids).
  // Out: *row. Returns: its TxNum; NOT_FOUND when the store does not hold it.
  absl::StatusOr<TxNum> FindTx(const Txid& txid, store::TxRow* row);

 private:
  rocksdb::Iterator* Iter(std::unique_ptr<rocksdb::Iterator>* it, store::Cf cf);

  const store::Store* store_;
  std::unique_ptr<rocksdb::Iterator> addr_it_, txid_it_;
  std::string value_;
  store::AddrRow addr_row_;
};

}  // namespace ariadne::pipeline

#endif  // ARIADNE_INDEXER_PIPELINE_STORE_LOOKUP_H_
