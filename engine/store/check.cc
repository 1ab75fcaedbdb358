#include "engine/store/check.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "engine/core/hash.h"
#include "engine/store/check_clusters.h"
#include "engine/store/codec.h"
#include "engine/store/height_index.h"

namespace ariadne::store {
namespace {

// An order-independent fingerprint of a set of (address, tx) pairs.
uint64_t PairHash(uint32_t addr, uint64_t tx) {
  uint64_t x = (uint64_t{addr} << 40) ^ tx ^ 0x9e3779b97f4a7c15ULL;
  x ^= x >> 31;
  x *= 0x7fb5d329728ea185ULL;
  x ^= x >> 27;
  x *= 0x81dadef4bc2dd44dULL;
  return x ^ (x >> 33);
}

class Checker {
 public:
  Checker(const Store& store, size_t max) : store_(store), max_(max) {}

  absl::StatusOr<CheckReport> Run();

 private:
  template <typename... Args>
  void Problem(const Args&... args) {
    if (report_.problems.size() < max_) report_.problems.push_back(absl::StrCat(args...));
  }
  std::unique_ptr<rocksdb::Iterator> Iter(Cf cf) const {
    rocksdb::ReadOptions ro;
    ro.fill_cache = false;
    ro.snapshot = snap_;
    return std::unique_ptr<rocksdb::Iterator>(store_.db()->NewIterator(ro, store_.handle(cf)));
  }
  absl::Status CheckHeaders();
  absl::Status CheckTxs();
  absl::Status CheckAddresses();
  absl::Status CheckHistoryAndStats();

  const Store& store_;
  size_t max_;
  const rocksdb::Snapshot* snap_ = nullptr;
  CheckReport report_;
  ChainState state_;
  HeightIndex heights_;
  std::vector<uint64_t> block_first_tx_;
  std::vector<uint64_t> tx_first_out_;  // per tx, plus one past the end
  std::vector<uint64_t> txid_prefix_;
  std::vector<int64_t> out_value_;
  std::vector<uint32_t> out_addr_;
  std::vector<uint8_t> out_flags_;  // bit0 spent, bit1 op_return
  std::vector<AddrStats> stats_;    // recomputed, by AddrId
  uint64_t hist_fingerprint_ = 0;
  uint64_t hist_expected_ = 0;
};

absl::Status Checker::CheckHeaders() {
  auto it = Iter(Cf::kHeaders);
  uint32_t expect = 0;
  BlockHash prev;
  uint64_t next_tx = 0;  // first_outnum is checked against the tx rows in CheckTxs
  uint32_t last_addr = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expect) {
    uint32_t h = static_cast<uint32_t>(GetBE(it->key().data(), 4));
    if (h != expect) {
      Problem("headers: height ", h, " where ", expect, " was expected");
      expect = h;
    }
    auto row = DecodeBlockRow(std::string_view(it->value().data(), it->value().size()));
    if (!row.ok()) {
      Problem("headers: height ", h, ": ", row.status().message());
      continue;
    }
    if (h > 0 && row->prev_hash() != prev)
      Problem("headers: height ", h, " does not link to ", h - 1);
    if (row->first_txnum != next_tx)
      Problem("headers: height ", h, " first tx ", row->first_txnum, ", expected ", next_tx);
    if (row->first_addrid < last_addr)
      Problem("headers: height ", h, " first address id goes back");
    last_addr = row->first_addrid;
    auto found = store_.FindBlock(row->hash());
    if (!found.ok() || *found != h) Problem("block_hash: no entry for height ", h);
    prev = row->hash();
    block_first_tx_.push_back(row->first_txnum);
    heights_.Append(row->first_txnum, row->time());
    next_tx = row->first_txnum + row->tx_count;
    ++report_.blocks;
  }
  if (static_cast<int64_t>(report_.blocks) != state_.tip_height + 1) {
    Problem("state: tip height ", state_.tip_height, " but ", report_.blocks, " header rows");
  }
  if (report_.blocks > 0 && prev != state_.tip_hash)
    Problem("state: tip hash differs from the last header");
  if (next_tx != state_.tx_count)
    Problem("state: ", state_.tx_count, " txs, headers cover ", next_tx);
  uint64_t bh = 0;
  auto bit = Iter(Cf::kBlockHash);
  for (bit->SeekToFirst(); bit->Valid(); bit->Next()) ++bh;
  if (bh != report_.blocks) Problem("block_hash: ", bh, " rows for ", report_.blocks, " blocks");
  return FromRocks(it->status(), "reading headers");
}

absl::Status Checker::CheckTxs() {
  auto it = Iter(Cf::kTx);
  TxRow row;
  uint64_t expect = 0;
  size_t block = 0;
  tx_first_out_.reserve(state_.tx_count + 1);
  txid_prefix_.reserve(state_.tx_count);
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expect) {
    TxNum n(GetBE(it->key().data(), kTxNumBytes));
    if (n.value() != expect) {
      Problem("tx: number ", n.value(), " where ", expect, " was expected");
      return absl::OkStatus();  // the arrays below are indexed by TxNum: stop here
    }
    absl::Status s = DecodeTxRow(std::string_view(it->value().data(), it->value().size()), n, &row);
    if (!s.ok()) {
      Problem(s.message());
      return absl::OkStatus();
    }
    while (block + 1 < block_first_tx_.size() && block_first_tx_[block + 1] <= n.value()) ++block;
    const bool first_of_block =
        block < block_first_tx_.size() && block_first_tx_[block] == n.value();
    if (row.coinbase != first_of_block)
      Problem("tx ", n.value(), ": coinbase flag ", row.coinbase, " but first of its block is ",
              first_of_block);
    const uint32_t height = static_cast<uint32_t>(block);
    tx_first_out_.push_back(out_value_.size());
    txid_prefix_.push_back(row.txid.Prefix64());
    int64_t in_value = 0, out_value = 0;
    std::vector<std::pair<uint32_t, AddrStats>> touched;
    for (const TxInRow& in : row.inputs) {
      ++report_.inputs;
      if (in.prev_tx.value() >= n.value()) {
        Problem("tx ", n.value(), ": input spends a later transaction");
        continue;
      }
      // This tx's own entry is pushed already, so prev_tx + 1 is always present.
      uint64_t first = tx_first_out_[in.prev_tx.value()];
      uint64_t end = tx_first_out_[in.prev_tx.value() + 1];
      if (first + in.prev_vout >= end) {
        Problem("tx ", n.value(), ": input spends missing output ", in.prev_tx.value(), ":",
                in.prev_vout);
        continue;
      }
      uint64_t o = first + in.prev_vout;
      if (out_flags_[o] & 1)
        Problem("tx ", n.value(), ": output ", in.prev_tx.value(), ":", in.prev_vout,
                " spent twice");
      if (out_flags_[o] & 2) Problem("tx ", n.value(), ": spends an unspendable output");
      out_flags_[o] |= 1;
      in_value += out_value_[o];
      if (out_addr_[o] != AddrId::kInvalid) {
        AddrStats d;
        d.sent = static_cast<uint64_t>(out_value_[o]);
        d.spent_count = 1;
        touched.emplace_back(out_addr_[o], d);
      }
    }
    for (const TxOutRow& o : row.outputs) {
      out_value_.push_back(o.value);
      out_addr_.push_back(o.addr.value());
      // Not in the UTXO set: OP_RETURN outputs and the genesis coinbase.
      out_flags_.push_back(o.type == ScriptType::kOpReturn || n.value() == 0 ? 2 : 0);
      out_value += o.value;
      if (o.addr.valid()) {
        AddrStats d;
        d.received = static_cast<uint64_t>(o.value);
        d.output_count = 1;
        touched.emplace_back(o.addr.value(), d);
      }
    }
    report_.outputs += row.outputs.size();
    if (!row.coinbase && row.fee != in_value - out_value)
      Problem("tx ", n.value(), ": fee ", row.fee,
              " but inputs - outputs = ", in_value - out_value);
    std::sort(touched.begin(), touched.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < touched.size();) {
      AddrStats d = touched[i].second;
      size_t j = i + 1;
      for (; j < touched.size() && touched[j].first == touched[i].first; ++j)
        MergeStats(touched[j].second, &d);
      d.tx_count = 1;
      d.first_height = d.last_height = height;
      const uint32_t a = touched[i].first;
      if (a >= stats_.size()) {
        Problem("tx ", n.value(), ": address id ", a, " beyond the address count");
      } else {
        MergeStats(d, &stats_[a]);
      }
      hist_fingerprint_ += PairHash(a, n.value());
      ++hist_expected_;
      i = j;
    }
    ++report_.txs;
  }
  tx_first_out_.push_back(out_value_.size());
  if (report_.txs != state_.tx_count)
    Problem("state: ", state_.tx_count, " txs, ", report_.txs, " tx rows");
  if (report_.outputs != state_.output_count)
    Problem("state: ", state_.output_count, " outputs, ", report_.outputs, " in tx rows");
  if (report_.inputs != state_.input_count)
    Problem("state: ", state_.input_count, " inputs, ", report_.inputs, " in tx rows");
  for (size_t o = 0; o < out_flags_.size(); ++o) {
    if (out_flags_[o] == 0) {
      ++report_.utxo_count;
      report_.utxo_value += out_value_[o];
    }
  }
  if (report_.utxo_count != state_.utxo_count || report_.utxo_value != state_.utxo_value) {
    Problem("state: UTXO ", state_.utxo_count, " outputs / ", state_.utxo_value,
            " sat, recomputed ", report_.utxo_count, " / ", report_.utxo_value);
  }
  // Block output ranges.
  for (uint32_t h = 0; h < block_first_tx_.size(); ++h) {
    auto row = store_.ReadBlock(h);
    if (row.ok() && block_first_tx_[h] < tx_first_out_.size() &&
        row->first_outnum != tx_first_out_[block_first_tx_[h]]) {
      Problem("headers: height ", h, " first output ", row->first_outnum, ", recomputed ",
              tx_first_out_[block_first_tx_[h]]);
    }
  }
  // The txid index: one entry per transaction, with the right prefix.
  auto ti = Iter(Cf::kTxid);
  uint64_t entries = 0, sum = 0;
  for (ti->SeekToFirst(); ti->Valid(); ti->Next(), ++entries) {
    uint64_t n = GetBE(ti->key().data() + kTxidPrefixBytes, kTxNumBytes);
    uint64_t prefix;
    std::memcpy(&prefix, ti->key().data(), 8);
    if (n >= txid_prefix_.size() || txid_prefix_[n] != prefix) {
      Problem("txid: entry for tx ", n, " does not match its row");
    }
    sum += n;
  }
  const uint64_t t = report_.txs;
  if (entries != t || sum != (t == 0 ? 0 : t * (t - 1) / 2))
    Problem("txid: ", entries, " entries for ", t, " txs");
  return FromRocks(it->status(), "reading tx rows");
}

absl::Status Checker::CheckAddresses() {
  auto it = Iter(Cf::kAddr);
  uint32_t expect = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expect) {
    uint32_t id = static_cast<uint32_t>(GetBE(it->key().data(), 4));
    if (id != expect) {
      Problem("addr: id ", id, " where ", expect, " was expected");
      expect = id;
    }
    auto row = DecodeAddrRow(std::string_view(it->value().data(), it->value().size()));
    if (!row.ok()) {
      Problem("addr ", id, ": ", row.status().message());
      continue;
    }
    auto found = store_.FindAddress(row->key);
    if (!found.ok() || found->value() != id)
      Problem("addr_key: address id ", id, " is not found by its key");
    ++report_.addresses;
  }
  if (report_.addresses != state_.addr_count)
    Problem("state: ", state_.addr_count, " addresses, ", report_.addresses, " rows");
  uint64_t keys = 0;
  auto ki = Iter(Cf::kAddrKey);
  for (ki->SeekToFirst(); ki->Valid(); ki->Next()) ++keys;
  if (keys != report_.addresses)
    Problem("addr_key: ", keys, " entries for ", report_.addresses, " addresses");
  return FromRocks(it->status(), "reading addresses");
}

absl::Status Checker::CheckHistoryAndStats() {
  auto it = Iter(Cf::kHist);
  uint64_t fingerprint = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    fingerprint += PairHash(static_cast<uint32_t>(GetBE(it->key().data(), 4)),
                            GetBE(it->key().data() + 4, kTxNumBytes));
    ++report_.history_rows;
  }
  if (report_.history_rows != hist_expected_ || fingerprint != hist_fingerprint_) {
    Problem("hist: ", report_.history_rows, " rows, the tx rows imply ", hist_expected_,
            fingerprint == hist_fingerprint_ ? "" : " (and different ones)");
  }
  auto si = Iter(Cf::kStats);
  std::vector<bool> seen(stats_.size(), false);
  for (si->SeekToFirst(); si->Valid(); si->Next()) {
    uint32_t id = static_cast<uint32_t>(GetBE(si->key().data(), 4));
    auto s = DecodeStats(std::string_view(si->value().data(), si->value().size()));
    if (!s.ok() || id >= stats_.size()) {
      Problem("stats: bad row for address ", id);
      continue;
    }
    seen[id] = true;
    if (!(*s == stats_[id])) {
      Problem("stats: address ", id, " has tx_count ", s->tx_count, " received ", s->received,
              " sent ", s->sent, " heights ", s->first_height, "..", s->last_height,
              "; recomputed ", stats_[id].tx_count, " / ", stats_[id].received, " / ",
              stats_[id].sent, " / ", stats_[id].first_height, "..", stats_[id].last_height);
    }
  }
  for (size_t id = 0; id < stats_.size(); ++id) {
    if (!seen[id] && stats_[id].tx_count != 0) Problem("stats: address ", id, " has no row");
  }
  return FromRocks(si->status(), "reading stats");
}

absl::StatusOr<CheckReport> Checker::Run() {
  auto state = store_.ReadState();
  if (!state.ok()) return state.status();
  state_ = *state;
  snap_ = store_.db()->GetSnapshot();
  stats_.resize(state_.addr_count);
  absl::Status s = CheckHeaders();
  if (s.ok()) s = CheckTxs();
  if (s.ok()) s = CheckAddresses();
  if (s.ok()) s = CheckHistoryAndStats();
  if (s.ok()) s = CheckClusterRows(store_, snap_, state_, max_, &report_);
  store_.db()->ReleaseSnapshot(snap_);
  if (!s.ok()) return s;
  return report_;
}

}  // namespace

absl::StatusOr<CheckReport> CheckStore(const Store& store, size_t max_problems) {
  Checker c(store, max_problems);
  return c.Run();
}

}  // namespace ariadne::store
