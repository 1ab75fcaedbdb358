// Keeps the graph files beside the store (engine/graph/graph_files.h) while `ariadne index btc`
// runs: every transaction's records are appended as it is indexed, each commit syncs them before
// the store commits the rows they mirror and puts their lengths (meta/graph_files) in the same
// atomic commit, and a rewound block takes its records back. Servers then map the files instead
// of reading every tx and addr row at start-up.
//
// Crash safety: what a killed run appended past the committed lengths is cut back when the next
// run opens the files, and the spent-by entries its transactions set on committed outputs are
// reset first (they are named by the cut inputs, and each holds a spender at or past the
// committed transaction count).
#ifndef ARIADNE_INDEXER_PIPELINE_GRAPH_FILES_OBSERVER_H_
#define ARIADNE_INDEXER_PIPELINE_GRAPH_FILES_OBSERVER_H_

#include <array>
#include <memory>

#include "absl/status/statusor.h"
#include "engine/files/flat_array.h"
#include "engine/graph/graph_files.h"
#include "engine/store/resolved_tx.h"
#include "engine/store/store.h"

namespace ariadne::pipeline {

class GraphFilesObserver : public store::IndexObserver {
 public:
  // Opens the files of `store` at the lengths it committed and repairs what a killed run left
  // past them. A store without them (new, or indexed before them) gets them built from its tx
  // and addr rows first (one pass over each; `store` must be the indexer's, read-write).
  // Returns: DATA_LOSS naming a file shorter than committed or with a bad header, or when
  // meta/graph_files disagrees with meta/state; the rows' read errors.
  static absl::StatusOr<std::unique_ptr<GraphFilesObserver>> Create(const store::Store& store);

  void OnTx(const store::ResolvedTx& tx) override;
  absl::Status OnCommit(store::CommitBatch* batch) override;
  absl::Status OnRewind(const store::Store& store, uint32_t height, const store::BlockRow& block,
                        rocksdb::WriteBatch* batch) override;
  uint64_t MappedBytes() const override;
  absl::Status OnRunEnd(const store::ChainState& durable) override;

 private:
  explicit GraphFilesObserver(graph::GraphFileLengths committed) : lengths_(committed) {}
  files::FlatArrayWriter& W(graph::GraphArray a) { return *writers_[static_cast<size_t>(a)]; }
  // Resets the spent-by entries that inputs [from, to) of the inputs array set on outputs below
  // `outputs` to spenders at or past `txs`.
  void UnspendInputs(uint64_t from, uint64_t to, uint64_t outputs, uint64_t txs);
  // Builds the files of a store indexed before them from its rows, and commits their lengths.
  absl::Status Backfill(const store::Store& store, const store::ChainState& state);
  // Appends the names of the addresses `tx` created.
  void AppendNames(const store::ResolvedTx& tx);
  // Returns: lengths_ with the writers' counts and the high-water marks raised to them.
  graph::GraphFileLengths Current() const;
  absl::Status SyncAll();

  std::array<std::unique_ptr<files::FlatArrayWriter>, graph::kGraphArrays> writers_;
  graph::GraphFileLengths lengths_;  // as last committed
  absl::Status status_;              // the first failure of OnTx, reported by OnCommit
};

}  // namespace ariadne::pipeline

#endif  // ARIADNE_INDEXER_PIPELINE_GRAPH_FILES_OBSERVER_H_
