#include "engine/store/replay.h"

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/store/codec.h"
#include "engine/store/height_index.h"

namespace ariadne::store {

absl::Status ReplayTransactions(const Store& store, const ReplayOptions& options,
                                const std::function<void(const ResolvedTx&)>& fn) {
  auto state = store.ReadState();
  if (!state.ok()) return state.status();
  HeightIndex heights;
  if (absl::Status s = heights.Load(store); !s.ok()) return s;
  const uint64_t total = std::min(state->tx_count, options.max_txs);
  std::vector<uint64_t> first_out;
  first_out.reserve(total);
  std::vector<int64_t> value;
  std::vector<uint32_t> addr;
  std::vector<uint8_t> type;
  value.reserve(state->output_count);
  addr.reserve(state->output_count);
  type.reserve(state->output_count);
  std::vector<bool> seen(state->addr_count, false);
  std::vector<ResolvedInput> inputs;
  std::vector<ResolvedOutput> outputs;

  rocksdb::ReadOptions ro;
  ro.fill_cache = false;
  ro.readahead_size = 4 << 20;
  std::unique_ptr<rocksdb::Iterator> it(store.db()->NewIterator(ro, store.handle(Cf::kTx)));
  TxRow row;
  uint64_t n = 0;
  uint32_t height = 0;
  for (it->SeekToFirst(); it->Valid() && n < total; it->Next(), ++n) {
    absl::Status s =
        DecodeTxRow(std::string_view(it->value().data(), it->value().size()), TxNum(n), &row);
    if (!s.ok()) return s;
    while (height + 1 < heights.blocks() && heights.FirstTxNum(height + 1) <= n) ++height;
    inputs.clear();
    outputs.clear();
    // first_out holds the start of every earlier transaction; the last one ends at value.size().
    for (const TxInRow& in : row.inputs) {
      const uint64_t prev = in.prev_tx.value();
      const uint64_t end = prev + 1 < first_out.size() ? first_out[prev + 1] : value.size();
      const uint64_t o = first_out[prev] + in.prev_vout;
      if (o >= end) {
        return absl::DataLossError(absl::StrCat("tx ", n, " spends a missing output"));
      }
      inputs.push_back(
          {AddrId(addr[o]), value[o], static_cast<ScriptType>(type[o]), in.prev_tx, in.prev_vout});
    }
    first_out.push_back(value.size());
    for (const TxOutRow& o : row.outputs) {
      bool fresh = false;
      if (o.addr.valid() && o.addr.value() < seen.size() && !seen[o.addr.value()]) {
        seen[o.addr.value()] = true;
        fresh = true;
      }
      outputs.push_back({o.addr, o.value, o.type, fresh});
      value.push_back(o.value);
      addr.push_back(o.addr.value());
      type.push_back(static_cast<uint8_t>(o.type));
    }
    ResolvedTx tx{TxNum(n),    row.txid,     height,       heights.TimeOf(height),
                  row.version, row.locktime, row.coinbase, row.vsize,
                  row.fee,     inputs,       outputs};
    fn(tx);
    if (options.progress && n % 100'000 == 0) options.progress(n, total);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "replaying transactions");
  if (n != total)
    return absl::DataLossError(absl::StrCat("replay found ", n, " of ", total, " txs"));
  if (options.progress) options.progress(n, total);
  return absl::OkStatus();
}

}  // namespace ariadne::store
