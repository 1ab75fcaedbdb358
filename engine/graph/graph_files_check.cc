#include "engine/graph/graph_files_check.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "engine/graph/graph_files.h"
#include "engine/store/codec.h"
#include "engine/store/scan.h"

namespace ariadne::graph {
namespace {

absl::Status Differs(const GraphFiles& f, GraphArray a, uint64_t record, std::string_view what) {
  return absl::DataLossError(absl::StrCat(f.at(a).path().string(), ": record ", record, ": ",
                                          std::string(what), " differs from the store's rows"));
}

}  // namespace

absl::StatusOr<GraphFilesReport> CheckGraphFiles(const store::Store& store) {
  GraphFilesReport r;
  ASSIGN_OR_RETURN(const std::shared_ptr<const GraphFiles> files, OpenGraphFiles(store));
  if (files == nullptr) return r;
  r.present = true;
  const GraphFiles& f = *files;
  const TxRecord* txs = f.at(GraphArray::kTx).As<TxRecord>();
  const OutRecord* outs = f.at(GraphArray::kOut).As<OutRecord>();
  const uint64_t* ins = f.at(GraphArray::kIn).As<uint64_t>();
  const uint64_t* spent = f.at(GraphArray::kSpentBy).As<uint64_t>();
  const uint64_t tx_count = f.lengths.of(GraphArray::kTx);
  const uint64_t out_count = f.lengths.of(GraphArray::kOut);
  const uint64_t in_count = f.lengths.of(GraphArray::kIn);
  store::TxRow row;
  RETURN_IF_ERROR(
      store::ScanRows(store, store::Cf::kTx, "", [&](std::string_view key, std::string_view value) {
        const uint64_t t = r.txs;
        if (t >= tx_count || store::GetBE(key.data(), store::kTxNumBytes) != t) {
          return absl::DataLossError(absl::StrCat(
              "tx rows and ", f.at(GraphArray::kTx).path().string(), " disagree at tx ", t));
        }
        RETURN_IF_ERROR(store::DecodeTxRow(value, TxNum(t), &row));
        if (txs[t].first_out != r.outputs || txs[t].first_in != r.inputs) {
          return Differs(f, GraphArray::kTx, t, "where its outputs or inputs start");
        }
        if (txs[t].txid != row.txid) return Differs(f, GraphArray::kTx, t, "the txid");
        for (const store::TxInRow& in : row.inputs) {
          const uint64_t p = in.prev_tx.value();
          if (p >= t || r.inputs >= in_count)
            return Differs(f, GraphArray::kIn, r.inputs, "the input");
          const uint64_t o = txs[p].first_out + in.prev_vout;
          if (ins[r.inputs] != o) return Differs(f, GraphArray::kIn, r.inputs, "the spent output");
          if (o >= out_count || spent[o] != t) {
            return Differs(f, GraphArray::kSpentBy, o, "the spender");
          }
          ++r.inputs;
        }
        for (const store::TxOutRow& o : row.outputs) {
          const uint64_t n = r.outputs;
          if (n >= out_count || outs[n].value != o.value || outs[n].addr != o.addr.value() ||
              outs[n].type != static_cast<uint8_t>(o.type)) {
            return Differs(f, GraphArray::kOut, n, "value, address or type");
          }
          ++r.outputs;
        }
        ++r.txs;
        return absl::OkStatus();
      }));
  if (r.txs != tx_count || r.outputs != out_count || r.inputs != in_count) {
    return absl::DataLossError(absl::StrCat(f.at(GraphArray::kTx).path().parent_path().string(),
                                            ": the files hold ", tx_count, " txs, ", out_count,
                                            " outputs and ", in_count, " inputs; the rows ", r.txs,
                                            ", ", r.outputs, " and ", r.inputs));
  }
  // Every spent-by is unspent, set by one of the inputs checked above, or set by a transaction
  // of a stopped run past the committed ones (readers take it as unspent; the next indexing run
  // resets it before it appends).
  uint64_t spent_entries = 0;
  for (uint64_t o = 0; o < out_count; ++o) {
    if (spent[o] == kUnspentRecord) continue;
    if (spent[o] >= tx_count) {
      ++r.uncommitted_spends;
      continue;
    }
    ++spent_entries;
  }
  if (spent_entries != in_count) {
    return absl::DataLossError(absl::StrCat(f.at(GraphArray::kSpentBy).path().string(), ": ",
                                            spent_entries, " outputs spent, the rows have ",
                                            in_count, " inputs"));
  }
  const NameSlot* slots = f.at(GraphArray::kNames).As<NameSlot>();
  const LongNameRecord* longs = f.at(GraphArray::kLongNames).As<LongNameRecord>();
  const uint64_t addr_count = f.lengths.of(GraphArray::kNames);
  const uint64_t long_count = f.lengths.of(GraphArray::kLongNames);
  RETURN_IF_ERROR(store::ScanRows(
      store, store::Cf::kAddr, "", [&](std::string_view key, std::string_view value) {
        const uint64_t a = r.addresses;
        if (a >= addr_count || key.size() != 4 || store::GetBE(key.data(), 4) != a) {
          return absl::DataLossError(absl::StrCat(
              "addr rows and ", f.at(GraphArray::kNames).path().string(), " disagree at ", a));
        }
        ASSIGN_OR_RETURN(const store::AddrRow row, store::DecodeAddrRow(value));
        const AddressKey& k = row.key;
        const NameSlot& s = slots[a];
        const size_t head = std::min<size_t>(k.size, sizeof(s.payload));
        if (s.kind != static_cast<uint8_t>(k.kind) || s.witness_version != k.witness_version ||
            s.size != k.size || std::memcmp(s.payload, k.payload.data(), head) != 0) {
          return Differs(f, GraphArray::kNames, a, "the address key");
        }
        if (k.size > head) {
          const uint64_t l = r.long_names;
          if (l >= long_count || longs[l].addr != a ||
              std::memcmp(longs[l].tail, k.payload.data() + head, k.size - head) != 0) {
            return Differs(f, GraphArray::kLongNames, l, "the key's tail");
          }
          ++r.long_names;
        }
        ++r.addresses;
        return absl::OkStatus();
      }));
  if (r.addresses != addr_count || r.long_names != long_count) {
    return absl::DataLossError(absl::StrCat(
        f.at(GraphArray::kNames).path().string(), ": holds ", addr_count, " addresses (",
        long_count, " long), the rows ", r.addresses, " (", r.long_names, ")"));
  }
  return r;
}

}  // namespace ariadne::graph
