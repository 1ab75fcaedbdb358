#include "engine/graph/tx_graph.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/store/codec.h"

namespace ariadne::graph {

absl::StatusOr<std::unique_ptr<TxGraph>> TxGraph::Load(const store::Store& store) {
  std::unique_ptr<TxGraph> g(new TxGraph());
  auto state = store.ReadState();
  if (!state.ok()) return state.status();
  g->first_out_.reserve(state->tx_count + 1);
  g->first_in_.reserve(state->tx_count + 1);
  g->txids_.reserve(state->tx_count);
  g->out_value_.reserve(state->output_count);
  g->out_addr_.reserve(state->output_count);
  g->out_type_.reserve(state->output_count);
  g->out_spent_by_.reserve(state->output_count);
  g->in_prev_.reserve(state->input_count);
  auto added = g->Extend(store);
  if (!added.ok()) return added.status();
  return g;
}

absl::StatusOr<uint64_t> TxGraph::Extend(const store::Store& store) {
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
      const uint64_t o = first_out_[prev] + in.prev_vout;
      if (o >= first_out_[prev + 1]) {
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
  const uint64_t n = tx_count();
  for (OutNum in : inputs) {
    if (in.value() >= out_value_.size() || out_spent_by_[in.value()] != kUnspent) {
      return absl::InvalidArgumentError(
          absl::StrCat("tx ", n, " spends a missing or spent output ", in.value()));
    }
  }
  for (OutNum in : inputs) {
    in_prev_.push_back(in.value());
    out_spent_by_[in.value()] = n;
  }
  for (const NewOutput& o : outputs) {
    out_value_.push_back(o.value);
    out_addr_.push_back(o.addr.value());
    out_type_.push_back(static_cast<uint8_t>(o.type));
    out_spent_by_.push_back(kUnspent);
  }
  first_out_.push_back(out_value_.size());
  first_in_.push_back(in_prev_.size());
  txids_.push_back(txid);
  return TxNum(n);
}

TxNum TxGraph::TxOf(OutNum o) const {
  auto it = std::upper_bound(first_out_.begin(), first_out_.end(), o.value());
  return TxNum(static_cast<uint64_t>(it - first_out_.begin()) - 1);
}

}  // namespace ariadne::graph
