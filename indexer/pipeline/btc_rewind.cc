// Rewinding the tip block out of the store (btc_run.h).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/store/codec.h"
#include "engine/store/rewind_reads.h"
#include "indexer/pipeline/btc_run.h"

namespace ariadne::pipeline {

absl::Status BtcRun::RewindTip(bool last_rewind) {
  // Every row the block touched is read in key order with one call per kind of row (a range scan
  // for its transactions and new addresses, one MultiGet for the outputs it spent and for the
  // stats of the addresses it touched, one iterator for their history): one RocksDB call per row
  // made a rewound transaction cost 25 times what indexing it does.
  const uint32_t h = static_cast<uint32_t>(state_.tip_height);
  ASSIGN_OR_RETURN(store::BlockRow b, store_->ReadBlock(h));
  rocksdb::WriteBatch wb;
  std::vector<store::TxRow> rows;
  RETURN_IF_ERROR(store::ReadTxRange(*store_, TxNum(b.first_txnum), b.tx_count, &rows));
  // The transactions whose outputs the block spends (some of them in the block itself).
  std::vector<TxNum> spent;
  for (const store::TxRow& row : rows) {
    for (const store::TxInRow& in : row.inputs) spent.push_back(in.prev_tx);
  }
  std::sort(spent.begin(), spent.end());
  spent.erase(std::unique(spent.begin(), spent.end()), spent.end());
  std::vector<store::TxRow> prevs;
  RETURN_IF_ERROR(store::MultiReadTx(*store_, spent, &prevs));
  absl::flat_hash_map<uint32_t, store::AddrStats> minus;
  uint64_t inputs = 0;
  int64_t in_value_total = 0, spendable_value = 0;
  uint64_t spendable = 0;
  for (uint64_t i = 0; i < rows.size(); ++i) {
    const uint64_t n = b.first_txnum + i;
    const store::TxRow& row = rows[i];
    wb.Delete(store_->handle(Cf::kTx), store::TxKey(TxNum(n)));
    wb.Delete(store_->handle(Cf::kTxid), store::TxidKey(row.txid, TxNum(n)));
    touched_.clear();
    for (const store::TxInRow& in : row.inputs) {
      const store::TxRow& prev =
          prevs[std::lower_bound(spent.begin(), spent.end(), in.prev_tx) - spent.begin()];
      if (in.prev_vout >= prev.outputs.size()) {
        return absl::DataLossError(absl::StrCat("tx row ", n, " spends output ", in.prev_vout,
                                                " of tx row ", in.prev_tx.value(), ", which has ",
                                                prev.outputs.size()));
      }
      const store::TxOutRow& o = prev.outputs[in.prev_vout];
      in_value_total += o.value;
      ++inputs;
      if (o.addr.valid()) {
        store::AddrStats d;
        d.sent = static_cast<uint64_t>(o.value);
        d.spent_count = 1;
        touched_.emplace_back(o.addr.value(), d);
      }
    }
    for (const store::TxOutRow& o : row.outputs) {
      if (o.type != ScriptType::kOpReturn && h != 0) {
        ++spendable;
        spendable_value += o.value;
      }
      if (o.addr.valid()) {
        store::AddrStats d;
        d.received = static_cast<uint64_t>(o.value);
        d.output_count = 1;
        touched_.emplace_back(o.addr.value(), d);
      }
    }
    ForEachTouchedAddress([&](uint32_t a, const store::AddrStats& d) {
      wb.Delete(store_->handle(Cf::kHist), store::HistKey(AddrId(a), TxNum(n)));
      store::MergeStats(d, &minus[a]);
    });
  }
  heights_.TruncateAbove(static_cast<int32_t>(h) - 1);
  // Addresses older than the block lose what it added to their stats; their last height is that
  // of their last transaction before it (one reused iterator over their history).
  std::vector<AddrId> older;
  for (const auto& [addr, d] : minus) {
    if (addr < b.first_addrid) older.push_back(AddrId(addr));  // newer ones are removed below
  }
  std::sort(older.begin(), older.end());
  std::vector<store::AddrStats> stats;
  RETURN_IF_ERROR(store::MultiReadStats(*store_, older, &stats));
  std::vector<AddrId> still_used;
  for (size_t i = 0; i < older.size(); ++i) {
    store::AddrStats& s = stats[i];
    const store::AddrStats& d = minus[older[i].value()];
    if (s.tx_count < d.tx_count) {
      return absl::DataLossError(absl::StrCat("stats of address ", older[i].value(), " count ",
                                              s.tx_count, " transactions, but block ", h,
                                              " alone has ", d.tx_count, " of them"));
    }
    s.tx_count -= d.tx_count;
    s.received -= d.received;
    s.sent -= d.sent;
    s.output_count -= d.output_count;
    s.spent_count -= d.spent_count;
    if (s.tx_count == 0) {
      s.first_height = store::AddrStats().first_height;
      s.last_height = 0;
    } else {
      still_used.push_back(older[i]);
    }
  }
  std::vector<TxNum> last;
  RETURN_IF_ERROR(store::LastHistoryBefore(*store_, still_used, TxNum(b.first_txnum), &last));
  for (size_t i = 0, u = 0; i < older.size(); ++i) {
    store::AddrStats& s = stats[i];
    if (s.tx_count != 0) {
      if (!last[u].valid()) {
        return absl::DataLossError(
            absl::StrCat("history and stats of address ", older[i].value(), " disagree"));
      }
      s.last_height = heights_.HeightOf(last[u++]);
    }
    wb.Put(store_->handle(Cf::kStats), store::AddrKey(older[i]), store::EncodeStats(s));
  }
  std::vector<store::AddrRow> created;
  RETURN_IF_ERROR(store::ReadAddressRange(*store_, AddrId(b.first_addrid),
                                          AddrId(state_.addr_count), &created));
  for (const store::AddrRow& a : created) {
    if (rewound_addresses_.size() >= kMaxRewoundAddresses) break;
    rewound_addresses_.insert(KeyBytes(a.key));
  }
  for (uint32_t id = b.first_addrid; id < state_.addr_count; ++id) {
    wb.Delete(store_->handle(Cf::kAddr), store::AddrKey(AddrId(id)));
    wb.Delete(store_->handle(Cf::kAddrKey),
              store::AddrKeyIndexKey(created[id - b.first_addrid].key, AddrId(id)));
    wb.Delete(store_->handle(Cf::kStats), store::AddrKey(AddrId(id)));
  }
  wb.Delete(store_->handle(Cf::kHeaders), store::HeightKey(h));
  wb.Delete(store_->handle(Cf::kBlockHash), ToSlice(HashView(b.hash())));
  state_.tip_height = static_cast<int32_t>(h) - 1;
  state_.tip_hash = h == 0 ? BlockHash() : b.prev_hash();
  state_.tx_count = b.first_txnum;
  state_.output_count = b.first_outnum;
  state_.addr_count = b.first_addrid;
  state_.input_count -= inputs;
  state_.utxo_count = state_.utxo_count - spendable + inputs;
  state_.utxo_value = state_.utxo_value - spendable_value + in_value_total;
  wb.Put(store_->handle(Cf::kMeta), ToSlice(store::kMetaState), store::EncodeState(state_));
  // The observers' rows (e.g. the clustering's) go back in the same atomic write.
  for (store::IndexObserver* o : observers_) {
    RETURN_IF_ERROR(o->OnRewind(*store_, h, b, &wb));
  }
  // Each rewind is one atomic write, so a kill or a power loss leaves the store at a block
  // boundary whether or not it was synced (the WAL recovers a prefix of the writes): only the last
  // rewind waits for the disk, which syncs the earlier ones with it. A sync per block cost up to
  // 0.2 s each on a busy disk.
  rocksdb::WriteOptions wo;
  wo.sync = last_rewind;
  RETURN_IF_ERROR(store::FromRocks(store_->db()->Write(wo, &wb), "rewinding a block"));
  result_->blocks_rewound++;
  return absl::OkStatus();
}

}  // namespace ariadne::pipeline
