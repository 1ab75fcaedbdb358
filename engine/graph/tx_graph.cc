#include "engine/graph/tx_graph.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/store/codec.h"

namespace ariadne::graph {

absl::StatusOr<std::unique_ptr<TxGraph>> TxGraph::Load(const store::Store& store) {
  std::unique_ptr<TxGraph> g(new TxGraph());
  auto state = store.ReadState();
  if (!state.ok()) return state.status();
  g->tx_vec_.reserve(state->tx_count);
  g->out_vec_.reserve(state->output_count);
  g->spent_vec_.reserve(state->output_count);
  g->in_vec_.reserve(state->input_count);
  auto added = g->Extend(store);
  if (!added.ok()) return added.status();
  return g;
}

std::unique_ptr<TxGraph> TxGraph::Map(std::shared_ptr<const GraphFiles> files) {
  std::unique_ptr<TxGraph> g(new TxGraph());
  g->tx_ = files->at(GraphArray::kTx).As<TxRecord>();
  g->out_ = files->at(GraphArray::kOut).As<OutRecord>();
  g->in_prev_ = files->at(GraphArray::kIn).As<uint64_t>();
  g->spent_by_ = files->at(GraphArray::kSpentBy).As<uint64_t>();
  g->tx_count_ = files->lengths.of(GraphArray::kTx);
  g->out_count_ = files->lengths.of(GraphArray::kOut);
  g->in_count_ = files->lengths.of(GraphArray::kIn);
  g->files_ = std::move(files);
  return g;
}

absl::StatusOr<std::unique_ptr<TxGraph>> TxGraph::Open(const store::Store& store) {
  auto files = OpenGraphFiles(store);
  if (!files.ok()) return files.status();
  if (*files != nullptr) return Map(*std::move(files));
  return Load(store);
}

TxGraph::TxGraph(const TxGraph& other)
    : tx_(other.tx_),
      out_(other.out_),
      in_prev_(other.in_prev_),
      spent_by_(other.spent_by_),
      tx_count_(other.tx_count_),
      out_count_(other.out_count_),
      in_count_(other.in_count_),
      tx_vec_(other.tx_vec_),
      out_vec_(other.out_vec_),
      in_vec_(other.in_vec_),
      spent_vec_(other.spent_vec_),
      files_(other.files_) {
  if (files_ == nullptr) ViewVectors();
}

void TxGraph::ViewVectors() {
  tx_ = tx_vec_.data();
  out_ = out_vec_.data();
  in_prev_ = in_vec_.data();
  spent_by_ = spent_vec_.data();
  tx_count_ = tx_vec_.size();
  out_count_ = out_vec_.size();
  in_count_ = in_vec_.size();
}

absl::StatusOr<uint64_t> TxGraph::Extend(const store::Store& store) {
  if (mapped()) {
    return absl::FailedPreconditionError("a mapped graph grows by mapping the grown files");
  }
  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  ro.readahead_size = 4 << 20;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.handle(store::Cf::kTx)));
  store::TxRow row;
  std::vector<OutNum> inputs;
  std::vector<NewOutput> outputs;
  const uint64_t start = tx_count();
  uint64_t n = start;
  for (it->Seek(store::TxKey(TxNum(start))); it->Valid(); it->Next(), ++n) {
    const uint64_t key = store::GetBE(it->key().data(), store::kTxNumBytes);
    if (key != n) {
      return absl::DataLossError(absl::StrCat("tx rows skip from ", n, " to ", key));
    }
    absl::Status s = store::DecodeTxRow(std::string_view(it->value().data(), it->value().size()),
                                        TxNum(n), &row);
    if (!s.ok()) return s;
    inputs.clear();
    outputs.clear();
    for (const store::TxInRow& in : row.inputs) {
      const uint64_t prev = in.prev_tx.value();
      if (prev >= n) return absl::DataLossError(absl::StrCat("tx ", n, " spends a later tx"));
      const uint64_t o = FirstOut(TxNum(prev)) + in.prev_vout;
      if (o >= FirstOut(TxNum(prev + 1))) {
        return absl::DataLossError(absl::StrCat("tx ", n, " spends a missing output"));
      }
      inputs.push_back(OutNum(o));
    }
    for (const store::TxOutRow& o : row.outputs) outputs.push_back({o.value, o.addr, o.type});
    auto added = AppendTx(inputs, outputs, row.txid);
    if (!added.ok()) return absl::DataLossError(added.status().message());
  }
  if (!it->status().ok()) return store::FromRocks(it->status(), "loading the graph");
  return n - start;
}

absl::StatusOr<TxNum> TxGraph::AppendTx(std::span<const OutNum> inputs,
                                        std::span<const NewOutput> outputs, const Txid& txid) {
  if (mapped())
    return absl::FailedPreconditionError("a mapped graph is appended to by the indexer");
  const uint64_t n = tx_count();
  for (OutNum in : inputs) {
    if (in.value() >= out_vec_.size() || spent_vec_[in.value()] != kUnspentRecord) {
      return absl::InvalidArgumentError(
          absl::StrCat("tx ", n, " spends a missing or spent output ", in.value()));
    }
  }
  tx_vec_.push_back({out_vec_.size(), in_vec_.size(), txid});
  for (OutNum in : inputs) {
    in_vec_.push_back(in.value());
    spent_vec_[in.value()] = n;
  }
  for (const NewOutput& o : outputs) {
    out_vec_.push_back({o.value, o.addr.value(), static_cast<uint8_t>(o.type), {}});
    spent_vec_.push_back(kUnspentRecord);
  }
  ViewVectors();
  return TxNum(n);
}

TxNum TxGraph::TxOf(OutNum o) const {
  // The last transaction whose first output is at or before `o`.
  uint64_t lo = 0, hi = tx_count_;  // answer in [lo, hi)
  while (hi - lo > 1) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (tx_[mid].first_out <= o.value()) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return TxNum(lo);
}

}  // namespace ariadne::graph
