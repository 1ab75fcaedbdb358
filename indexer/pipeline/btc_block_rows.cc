// A block's rows: inputs resolved, ids assigned, rows built, batches handed to commit (btc_run.h).
#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/hash.h"
#include "engine/core/status_macros.h"
#include "engine/store/codec.h"
#include "indexer/pipeline/btc_run.h"

namespace ariadne::pipeline {

std::string BtcRun::KeyBytes(const AddressKey& k) {
  std::string out;
  out.reserve(2 + k.size);
  out.push_back(static_cast<char>(k.kind));
  out.push_back(static_cast<char>(k.witness_version));
  out.append(reinterpret_cast<const char*>(k.payload.data()), k.size);
  return out;
}

absl::StatusOr<std::pair<AddrId, bool>> BtcRun::FindOrCreateAddress(const AddressKey& key,
                                                                    ScriptType type,
                                                                    ByteSpan script) {
  ++result_->lookups.address_lookups;
  AddrId id = addr_cache_.Find(key);
  if (id.valid()) {
    ++result_->lookups.address_cache_hits;
    return std::make_pair(id, false);
  }
  if (!addr_cache_.complete() && addr_filter_->MayContain(key) &&
      (rewound_addresses_.empty() || !rewound_addresses_.contains(KeyBytes(key)))) {
    ++result_->lookups.address_store_reads;
    absl::StatusOr<AddrId> found = lookup_.FindAddress(key);
    if (found.ok()) {
      ++result_->lookups.address_store_found;
      addr_cache_.Insert(key, *found);
      return std::make_pair(*found, false);
    }
    if (!absl::IsNotFound(found.status())) return found.status();
  }
  id = AddrId(state_.addr_count++);
  // From now on the store holds it again (the cache may drop it: the next lookup reads the store).
  if (!rewound_addresses_.empty()) rewound_addresses_.erase(KeyBytes(key));
  new_keys_.push_back(key);
  addr_cache_.Insert(key, id);
  addr_filter_->Insert(key);
  store::AddrRow row;
  row.key = key;
  row.type = type;
  if (type == ScriptType::kMultisig) {
    // Each key of a bare multisig is also represented, as the P2PKH address of the key.
    for (ByteSpan pubkey : MultisigKeys(script)) {
      AddressKey k;
      k.kind = AddrKind::kKeyHash;
      k.size = 20;
      Hash160Bytes h = Hash160(pubkey);
      std::memcpy(k.payload.data(), h.data(), 20);
      ASSIGN_OR_RETURN(auto key_id, FindOrCreateAddress(k, ScriptType::kP2pk, ByteSpan()));
      row.multisig_keys.push_back(key_id.first);
    }
  }
  building_->Put(Cf::kAddr, store::AddrKey(id), store::EncodeAddrRow(row));
  building_->Put(Cf::kAddrKey, store::AddrKeyIndexKey(key, id), "");
  return std::make_pair(id, true);
}

absl::Status BtcRun::ResolveInput(const btc::TxIn& in, const btc::Tx& tx, uint32_t index,
                                  uint32_t height, store::ResolvedInput* out) {
  const Txid prev = in.prev_txid();
  const uint32_t vout = in.prev_vout();
  TxNum num;
  CachedOutput o;
  uint64_t out_num = store::kUnknownOutNum;
  PrevoutCache::Result r = prevout_cache_.Spend(prev, vout, &num, &o, &out_num);
  ++result_->lookups.prevout_lookups;
  if (r == PrevoutCache::Result::kOk) ++result_->lookups.prevout_cache_hits;
  if (r == PrevoutCache::Result::kMissing && !prevout_cache_.complete()) {
    ++result_->lookups.prevout_store_reads;
    absl::StatusOr<TxNum> found = lookup_.FindTx(prev, &lookup_row_);
    if (found.ok()) {
      cached_.clear();
      for (const store::TxOutRow& x : lookup_row_.outputs) {
        cached_.push_back({x.value, x.addr.value(), x.type, false});
      }
      // The row does not give the output numbers: the graph files look them up.
      prevout_cache_.Add(prev, *found, store::kUnknownOutNum, cached_);
      r = prevout_cache_.Spend(prev, vout, &num, &o, &out_num);
    } else if (!absl::IsNotFound(found.status())) {
      return found.status();
    }
  }
  if (r != PrevoutCache::Result::kOk) {
    const char* why = r == PrevoutCache::Result::kMissing   ? "an unknown transaction"
                      : r == PrevoutCache::Result::kBadVout ? "a missing output of"
                                                            : "an already spent output of";
    return absl::DataLossError(absl::StrCat("block at height ", height, ", tx ", tx.txid.ToHex(),
                                            " input ", index, " spends ", why, " ", prev.ToHex(),
                                            ":", vout));
  }
  *out = {AddrId(o.addr), o.value, o.type, num, vout, out_num};
  return absl::OkStatus();
}

absl::Status BtcRun::ProcessBlock(BlockItem& item) {
  const store::CommitBatch::Mark mark = building_->GetMark();
  const store::ChainState saved = state_;
  const uint64_t saved_batch_txs = batch_txs_;
  block_stats_.clear();
  pending_.clear();
  block_inputs_.clear();
  block_outputs_.clear();
  block_keys_.clear();
  absl::Status s = ProcessBlockRows(item);
  if (!s.ok()) {
    // Nothing of a failed block is committed: the batch ends with the last good block.
    building_->Rollback(mark);
    state_ = saved;
    batch_txs_ = saved_batch_txs;
    return s;
  }
  for (const auto& [addr, d] : block_stats_) store::MergeStats(d, &batch_stats_[addr]);
  for (PendingTx& p : pending_) {
    p.tx.inputs = std::span<const store::ResolvedInput>(block_inputs_.data() + p.first_input,
                                                        p.tx.inputs.size());
    p.tx.outputs = std::span<const store::ResolvedOutput>(block_outputs_.data() + p.first_output,
                                                          p.tx.outputs.size());
    p.tx.new_keys =
        std::span<const AddressKey>(block_keys_.data() + p.first_key, p.tx.new_keys.size());
    for (store::IndexObserver* o : observers_) o->OnTx(p.tx);
  }
  heights_.Append(state_.tx_count - item.block.txs.size(), item.block.header.time);
  result_->txs += item.block.txs.size();
  result_->inputs += item.block.inputs.size() - 1;  // the coinbase's input spends nothing
  result_->outputs += item.block.outputs.size();
  result_->bytes += item.block.size;
  result_->blocks_applied++;
  return absl::OkStatus();
}

absl::Status BtcRun::ProcessBlockRows(BlockItem& item) {
  const btc::Block& block = item.block;
  const uint32_t height = item.height;
  store::BlockRow brow;
  std::memcpy(brow.header.data(), item.bytes.data(), 80);
  brow.first_txnum = state_.tx_count;
  brow.tx_count = static_cast<uint32_t>(block.txs.size());
  brow.first_outnum = state_.output_count;
  brow.first_addrid = state_.addr_count;
  brow.size = block.size;
  building_->Put(Cf::kHeaders, store::HeightKey(height), store::EncodeBlockRow(brow));
  value_.clear();
  store::PutVarint(&value_, height);
  building_->Put(Cf::kBlockHash, HashView(block.header.hash), value_);

  for (size_t t = 0; t < block.txs.size(); ++t) {
    const btc::Tx& tx = block.txs[t];
    const TxNum num(state_.tx_count);
    const bool coinbase = t == 0;
    if (coinbase != (tx.input_count == 1 && block.input(tx, 0).IsCoinbase())) {
      return absl::DataLossError(absl::StrCat("block at height ", height, ": transaction ", t,
                                              coinbase ? " should be" : " is", " a coinbase"));
    }
    row_.txid = tx.txid;
    row_.coinbase = coinbase;
    row_.segwit = tx.segwit;
    row_.version = tx.version;
    row_.locktime = tx.locktime;
    row_.size = tx.size;
    row_.vsize = tx.vsize();
    row_.inputs.clear();
    row_.outputs.clear();
    inputs_.clear();
    outputs_.clear();
    new_keys_.clear();
    const uint32_t first_new_addr = state_.addr_count;
    touched_.clear();

    int64_t in_value = 0;
    if (!coinbase) {
      for (uint32_t i = 0; i < tx.input_count; ++i) {
        store::ResolvedInput ri;
        RETURN_IF_ERROR(ResolveInput(block.input(tx, i), tx, i, height, &ri));
        inputs_.push_back(ri);
        row_.inputs.push_back({ri.prev_tx, ri.prev_vout});
        in_value += ri.value;
        if (ri.addr.valid()) {
          store::AddrStats d;
          d.sent = static_cast<uint64_t>(ri.value);
          d.spent_count = 1;
          touched_.emplace_back(ri.addr.value(), d);
        }
      }
    }
    int64_t out_value = 0, spendable_value = 0;
    uint64_t spendable = 0;
    cached_.clear();
    for (uint32_t i = 0; i < tx.output_count; ++i) {
      const btc::TxOut& o = block.output(tx, i);
      const ScriptType type = ClassifyScript(o.script);
      const AddressKey key = ScriptAddressKey(o.script, type);
      AddrId addr;
      bool fresh = false;
      if (key.kind != AddrKind::kNone) {
        ASSIGN_OR_RETURN(auto found, FindOrCreateAddress(key, type, o.script));
        addr = found.first;
        fresh = found.second;
      }
      outputs_.push_back({addr, o.value, type, fresh});
      row_.outputs.push_back({o.value, addr, type});
      cached_.push_back({o.value, addr.value(), type, false});
      out_value += o.value;
      // Not in the UTXO set: OP_RETURN outputs, and the genesis coinbase (unspendable by
      // consensus; Bitcoin Core never adds it either).
      if (type == ScriptType::kOpReturn || height == 0) {
        cached_.back().spent = true;
      } else {
        ++spendable;
        spendable_value += o.value;
      }
      if (addr.valid()) {
        store::AddrStats d;
        d.received = static_cast<uint64_t>(o.value);
        d.output_count = 1;
        touched_.emplace_back(addr.value(), d);
      }
    }
    if (!coinbase && in_value < out_value) {
      return absl::DataLossError(absl::StrCat("block at height ", height, ", tx ", tx.txid.ToHex(),
                                              ": outputs exceed inputs"));
    }
    row_.fee = coinbase ? 0 : in_value - out_value;

    value_.clear();
    store::EncodeTxRow(row_, num, &value_);
    building_->Put(Cf::kTx, store::TxKey(num), value_);
    building_->Put(Cf::kTxid, store::TxidKey(tx.txid, num), "");

    // One history row and one tx_count per distinct address of the transaction.
    ForEachTouchedAddress([&](uint32_t a, store::AddrStats d) {
      d.first_height = height;
      d.last_height = height;
      building_->Put(Cf::kHist, store::HistKey(AddrId(a), num), "");
      store::MergeStats(d, &block_stats_[a]);
    });

    prevout_cache_.Add(tx.txid, num, state_.output_count, cached_);
    state_.tx_count++;
    state_.output_count += tx.output_count;
    state_.input_count += coinbase ? 0 : tx.input_count;
    state_.utxo_count = state_.utxo_count + spendable - (coinbase ? 0 : tx.input_count);
    state_.utxo_value += spendable_value - in_value;
    ++batch_txs_;

    if (!observers_.empty()) {
      PendingTx p;
      p.tx = store::ResolvedTx{num,        tx.txid,     height,   block.header.time,
                               tx.version, tx.locktime, coinbase, tx.vsize(),
                               row_.fee,   {},          {},       AddrId(first_new_addr),
                               {}};
      // Only the sizes for now: the block vectors may still grow (spans are set at dispatch).
      p.tx.inputs = std::span<const store::ResolvedInput>(
          static_cast<const store::ResolvedInput*>(nullptr), inputs_.size());
      p.tx.outputs = std::span<const store::ResolvedOutput>(
          static_cast<const store::ResolvedOutput*>(nullptr), outputs_.size());
      p.first_input = block_inputs_.size();
      p.tx.new_keys =
          std::span<const AddressKey>(static_cast<const AddressKey*>(nullptr), new_keys_.size());
      p.first_output = block_outputs_.size();
      p.first_key = block_keys_.size();
      block_keys_.insert(block_keys_.end(), new_keys_.begin(), new_keys_.end());
      block_inputs_.insert(block_inputs_.end(), inputs_.begin(), inputs_.end());
      block_outputs_.insert(block_outputs_.end(), outputs_.begin(), outputs_.end());
      pending_.push_back(p);
    }
  }
  state_.tip_height = static_cast<int32_t>(height);
  state_.tip_hash = block.header.hash;
  return absl::OkStatus();
}

absl::Status BtcRun::HandOff(bool final) {
  // Wait for the previous commit: after it everything up to this batch's start is durable, which
  // is what allows the caches to drop entries.
  if (commit_done_.valid()) {
    RETURN_IF_ERROR(commit_done_.get());
    RETURN_IF_ERROR(lookup_.Refresh());
  }
  if (batch_txs_ == 0 && building_->rows() == 0) return absl::OkStatus();
  addr_cache_.MaybeRotate();
  prevout_cache_.Evict(TxNum(batch_first_txnum_));

  for (const auto& [addr, d] : batch_stats_) {
    building_->Merge(Cf::kStats, store::AddrKey(AddrId(addr)), store::EncodeStats(d));
  }
  // erase(range) keeps the table's capacity (clear() would free it and the next batch would grow
  // it again, page by page).
  batch_stats_.erase(batch_stats_.begin(), batch_stats_.end());
  for (store::IndexObserver* o : observers_) RETURN_IF_ERROR(o->OnCommit(building_.get()));
  if (reorg_from_.has_value() && state_.tip_height >= *reorg_from_) {
    building_->Delete(Cf::kMeta, store::kMetaReorg);  // the new branch reached the old tip
    reorg_from_.reset();
  }
  building_->Put(Cf::kMeta, store::kMetaState, store::EncodeState(state_));
  std::swap(building_, committing_);
  batch_txs_ = 0;
  batch_first_txnum_ = state_.tx_count;
  store::CommitBatch* batch = committing_.get();
  store::Committer* committer = committer_.get();
  commit_done_ =
      std::async(std::launch::async, [committer, batch] { return committer->Commit(batch); });
  if (final) RETURN_IF_ERROR(commit_done_.get());
  return absl::OkStatus();
}

}  // namespace ariadne::pipeline
