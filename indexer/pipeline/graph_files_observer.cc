#include "indexer/pipeline/graph_files_observer.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/store/codec.h"
#include "engine/store/commit_batch.h"
#include "engine/store/scan.h"
#include "engine/store/schema.h"
#include "rocksdb/write_batch.h"

namespace ariadne::pipeline {

using graph::GraphArray;

absl::StatusOr<std::unique_ptr<GraphFilesObserver>> GraphFilesObserver::Create(
    const store::Store& store) {
  ASSIGN_OR_RETURN(const store::ChainState state, store.ReadState());
  ASSIGN_OR_RETURN(const std::optional<graph::GraphFileLengths> row,
                   graph::ReadGraphFileLengths(store));
  const graph::GraphFileLengths committed = row.value_or(graph::GraphFileLengths());
  if (row.has_value()) RETURN_IF_ERROR(graph::CheckLengthsMatch(committed, state));
  std::unique_ptr<GraphFilesObserver> o(new GraphFilesObserver(committed));
  const std::filesystem::path dir = graph::GraphFilesDir(store.dir());
  for (size_t i = 0; i < graph::kGraphArrays; ++i) {
    const auto a = static_cast<GraphArray>(i);
    ASSIGN_OR_RETURN(o->writers_[i], files::FlatArrayWriter::Open(
                                         graph::GraphArrayPath(dir, a), graph::GraphArraySpec(a),
                                         committed.n[i], committed.high[i]));
  }
  // A killed run's inputs past the committed ones name the committed outputs it marked spent.
  files::FlatArrayWriter& in = o->W(GraphArray::kIn);
  o->UnspendInputs(in.count(), in.capacity(), committed.of(GraphArray::kOut),
                   committed.of(GraphArray::kTx));
  RETURN_IF_ERROR(o->SyncAll());
  for (size_t i = 0; i < graph::kGraphArrays; ++i) {
    RETURN_IF_ERROR(o->writers_[i]->Trim(committed.high[i]));
  }
  if (!row.has_value() && state.tx_count > 0) RETURN_IF_ERROR(o->Backfill(store, state));
  return o;
}

absl::Status GraphFilesObserver::Backfill(const store::Store& store,
                                          const store::ChainState& state) {
  // The rows give every record: the tx rows the graph's, the addr rows (in AddrId order) the
  // names'. A kill meanwhile leaves no meta/graph_files, so the next run starts again from zero.
  std::vector<store::ResolvedInput> inputs;
  std::vector<store::ResolvedOutput> outputs;
  store::TxRow row;
  uint64_t n = 0;
  RETURN_IF_ERROR(
      store::ScanRows(store, store::Cf::kTx, "", [&](std::string_view key, std::string_view value) {
        if (store::GetBE(key.data(), store::kTxNumBytes) != n) {
          return absl::DataLossError(absl::StrCat("tx rows skip tx ", n));
        }
        RETURN_IF_ERROR(store::DecodeTxRow(value, TxNum(n), &row));
        inputs.clear();
        outputs.clear();
        for (const store::TxInRow& in : row.inputs) {
          inputs.push_back({AddrId(), 0, ScriptType::kNonstandard, in.prev_tx, in.prev_vout});
        }
        for (const store::TxOutRow& out : row.outputs) {
          outputs.push_back({out.addr, out.value, out.type, false});
        }
        store::ResolvedTx tx{};
        tx.num = TxNum(n);
        tx.txid = row.txid;
        tx.inputs = inputs;
        tx.outputs = outputs;
        tx.first_new_addr = AddrId(static_cast<uint32_t>(W(GraphArray::kNames).count()));
        OnTx(tx);
        ++n;
        return status_;
      }));
  std::vector<AddressKey> key(1);
  uint32_t a = 0;
  RETURN_IF_ERROR(
      store::ScanRows(store, store::Cf::kAddr, "", [&](std::string_view k, std::string_view value) {
        if (k.size() != 4 || store::GetBE(k.data(), 4) != a) {
          return absl::DataLossError(absl::StrCat("addr rows skip address ", a));
        }
        ASSIGN_OR_RETURN(const store::AddrRow r, store::DecodeAddrRow(value));
        key[0] = r.key;
        store::ResolvedTx tx{};
        tx.num = TxNum(W(GraphArray::kTx).count());  // what OnTx checks; appends no transaction
        tx.first_new_addr = AddrId(a);
        tx.new_keys = key;
        AppendNames(tx);
        ++a;
        return status_;
      }));
  graph::GraphFileLengths l = Current();
  RETURN_IF_ERROR(graph::CheckLengthsMatch(l, state));
  RETURN_IF_ERROR(SyncAll());
  lengths_ = l;
  rocksdb::WriteOptions wo;
  wo.sync = true;
  const std::string v = graph::EncodeGraphFileLengths(lengths_);
  return store::FromRocks(
      store.db()->Put(wo, store.handle(store::Cf::kMeta),
                      rocksdb::Slice(graph::kMetaGraphFiles.data(), graph::kMetaGraphFiles.size()),
                      v),
      "writing meta/graph_files");
}

void GraphFilesObserver::UnspendInputs(uint64_t from, uint64_t to, uint64_t outputs, uint64_t txs) {
  files::FlatArrayWriter& in = W(GraphArray::kIn);
  files::FlatArrayWriter& spent = W(GraphArray::kSpentBy);
  for (uint64_t i = from; i < to; ++i) {
    uint64_t prev;
    std::memcpy(&prev, in.At(i), 8);
    if (prev >= outputs) continue;  // an output past the cut: overwritten when appended again
    uint64_t by;
    std::memcpy(&by, spent.At(prev), 8);
    // A spender below `txs` is committed (the tail may hold an older branch's inputs).
    if (by != graph::kUnspentRecord && by >= txs) {
      std::memcpy(spent.At(prev), &graph::kUnspentRecord, 8);
    }
  }
}

void GraphFilesObserver::OnTx(const store::ResolvedTx& tx) {
  if (!status_.ok()) return;
  files::FlatArrayWriter& txs = W(GraphArray::kTx);
  files::FlatArrayWriter& outs = W(GraphArray::kOut);
  files::FlatArrayWriter& ins = W(GraphArray::kIn);
  files::FlatArrayWriter& spent = W(GraphArray::kSpentBy);
  files::FlatArrayWriter& names = W(GraphArray::kNames);
  if (tx.num.value() != txs.count() || tx.first_new_addr.value() != names.count()) {
    status_ = absl::DataLossError(
        absl::StrCat(txs.path().parent_path().string(), ": the graph files hold ", txs.count(),
                     " transactions and ", names.count(), " addresses, tx ", tx.num.value(),
                     " comes with address ", tx.first_new_addr.value()));
    return;
  }
  const graph::TxRecord rec{outs.count(), ins.count(), tx.txid};
  status_ = txs.Append(&rec, 1);
  for (const store::ResolvedInput& in : tx.inputs) {
    if (!status_.ok()) return;
    if (in.prev_tx.value() >= tx.num.value()) {
      status_ = absl::DataLossError(absl::StrCat("tx ", tx.num.value(), " spends tx ",
                                                 in.prev_tx.value(), ", not an earlier one"));
      return;
    }
    uint64_t o = in.prev_out;
    if (o == store::kUnknownOutNum) {  // not given by the resolver: one read of the tx array
      graph::TxRecord prev;
      std::memcpy(&prev, txs.At(in.prev_tx.value()), sizeof(prev));
      o = prev.first_out + in.prev_vout;
    }
    if (o >= outs.count()) {
      status_ = absl::DataLossError(absl::StrCat("tx ", tx.num.value(), " spends output ", o,
                                                 " past the graph files' ", outs.count()));
      return;
    }
    status_ = ins.Append(&o, 1);
    const uint64_t num = tx.num.value();
    std::memcpy(spent.At(o), &num, 8);
  }
  for (const store::ResolvedOutput& out : tx.outputs) {
    if (!status_.ok()) return;
    const graph::OutRecord r{out.value, out.addr.value(), static_cast<uint8_t>(out.type), {}};
    status_ = outs.Append(&r, 1);
    if (status_.ok()) status_ = spent.Append(&graph::kUnspentRecord, 1);
  }
  AppendNames(tx);
}

void GraphFilesObserver::AppendNames(const store::ResolvedTx& tx) {
  files::FlatArrayWriter& names = W(GraphArray::kNames);
  for (const AddressKey& k : tx.new_keys) {
    if (!status_.ok()) return;
    graph::NameSlot slot{static_cast<uint8_t>(k.kind), k.witness_version, k.size, {}};
    const size_t head = std::min<size_t>(k.size, sizeof(slot.payload));
    std::memcpy(slot.payload, k.payload.data(), head);
    const uint32_t id = static_cast<uint32_t>(names.count());
    status_ = names.Append(&slot, 1);
    if (status_.ok() && k.size > head) {
      graph::LongNameRecord r{id, {}};
      std::memcpy(r.tail, k.payload.data() + head, k.size - head);
      status_ = W(GraphArray::kLongNames).Append(&r, 1);
    }
  }
}

graph::GraphFileLengths GraphFilesObserver::Current() const {
  graph::GraphFileLengths l = lengths_;
  for (size_t i = 0; i < graph::kGraphArrays; ++i) {
    l.n[i] = writers_[i]->count();
    l.high[i] = std::max(l.high[i], l.n[i]);
  }
  return l;
}

absl::Status GraphFilesObserver::SyncAll() {
  for (auto& w : writers_) RETURN_IF_ERROR(w->Sync());
  return absl::OkStatus();
}

absl::Status GraphFilesObserver::OnCommit(store::CommitBatch* batch) {
  RETURN_IF_ERROR(status_);
  // The records reach the disk before the rows that say they are committed.
  RETURN_IF_ERROR(SyncAll());
  lengths_ = Current();
  batch->Put(store::Cf::kMeta, graph::kMetaGraphFiles, graph::EncodeGraphFileLengths(lengths_));
  return absl::OkStatus();
}

absl::Status GraphFilesObserver::OnRewind(const store::Store& store, uint32_t height,
                                          const store::BlockRow& block,
                                          rocksdb::WriteBatch* batch) {
  RETURN_IF_ERROR(status_);
  files::FlatArrayWriter& txs = W(GraphArray::kTx);
  if (block.first_txnum >= txs.count() || block.first_outnum > W(GraphArray::kOut).count() ||
      block.first_addrid > W(GraphArray::kNames).count()) {
    return absl::DataLossError(absl::StrCat(txs.path().parent_path().string(),
                                            ": the graph files end before block ", height));
  }
  graph::TxRecord first;
  std::memcpy(&first, txs.At(block.first_txnum), sizeof(first));
  files::FlatArrayWriter& ins = W(GraphArray::kIn);
  UnspendInputs(first.first_in, ins.count(), block.first_outnum, block.first_txnum);
  txs.SetCount(block.first_txnum);
  ins.SetCount(first.first_in);
  W(GraphArray::kOut).SetCount(block.first_outnum);
  W(GraphArray::kSpentBy).SetCount(block.first_outnum);
  W(GraphArray::kNames).SetCount(block.first_addrid);
  files::FlatArrayWriter& longs = W(GraphArray::kLongNames);
  uint64_t n = longs.count();
  for (; n > 0; --n) {
    graph::LongNameRecord r;
    std::memcpy(&r, longs.At(n - 1), sizeof(r));
    if (r.addr < block.first_addrid) break;
  }
  longs.SetCount(n);
  RETURN_IF_ERROR(SyncAll());
  // The files keep the rewound records until the next run overwrites or cuts them, so readers of
  // the old tip keep a valid mapping (the high-water marks stay).
  lengths_ = Current();
  const std::string v = graph::EncodeGraphFileLengths(lengths_);
  return store::FromRocks(
      batch->Put(store.handle(store::Cf::kMeta),
                 rocksdb::Slice(graph::kMetaGraphFiles.data(), graph::kMetaGraphFiles.size()), v),
      "rewinding the graph files");
}

uint64_t GraphFilesObserver::MappedBytes() const {
  uint64_t bytes = 0;
  for (const auto& w : writers_) bytes += w->capacity() * w->spec().record_size;
  return bytes;
}

absl::Status GraphFilesObserver::OnRunEnd(const store::ChainState& durable) {
  // The room reserved to grow into goes, so that a finished run leaves the files a clean index
  // of the same chain leaves.
  for (size_t i = 0; i < graph::kGraphArrays; ++i) {
    RETURN_IF_ERROR(writers_[i]->Trim(lengths_.high[i]));
  }
  return absl::OkStatus();
}

}  // namespace ariadne::pipeline
