#include "engine/store/schema.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/core/hash.h"
#include "engine/store/codec.h"

namespace ariadne::store {
namespace {

constexpr std::string_view kCfNames[] = {
    "default", "meta", "headers", "block_hash", "block_index", "tx", "txid", "addr", "addr_key",
    "hist", "stats", "evidence", "cluster_pending", "labels",
    // EVM stores
    "evm_block", "evm_tx", "evm_txhash", "evm_transfer", "evm_account", "evm_account_key",
    "evm_hist", "evm_totals", "evm_asset", "evm_approval", "evm_evidence",
    // Bitcoin clustering
    "cluster_undo"};
static_assert(sizeof(kCfNames) / sizeof(kCfNames[0]) == kNumCfs);

absl::Status Corrupt(std::string_view what) {
  return absl::DataLossError(absl::StrCat("corrupt ", std::string(what), " row in the store"));
}

enum TxFlags : uint8_t { kCoinbase = 1, kSegwit = 2 };

}  // namespace

std::string_view CfName(Cf cf) { return kCfNames[static_cast<int>(cf)]; }

std::string EncodeState(const ChainState& s) {
  std::string out;
  PutSignedVarint(&out, s.tip_height);
  out.append(reinterpret_cast<const char*>(s.tip_hash.data()), 32);
  PutVarint(&out, s.tx_count);
  PutVarint(&out, s.output_count);
  PutVarint(&out, s.input_count);
  PutVarint(&out, s.addr_count);
  PutVarint(&out, s.utxo_count);
  PutSignedVarint(&out, s.utxo_value);
  return out;
}

absl::StatusOr<ChainState> DecodeState(std::string_view v) {
  RowReader r(v);
  ChainState s;
  s.tip_height = static_cast<int32_t>(r.SignedVarint());
  std::string_view h = r.Bytes(32);
  if (r.ok()) std::memcpy(s.tip_hash.data(), h.data(), 32);
  s.tx_count = r.Varint();
  s.output_count = r.Varint();
  s.input_count = r.Varint();
  s.addr_count = static_cast<uint32_t>(r.Varint());
  s.utxo_count = r.Varint();
  s.utxo_value = r.SignedVarint();
  if (!r.ok() || !r.done()) return Corrupt("meta/state");
  return s;
}

std::string EncodeFileEntry(const FileEntry& f) {
  std::string out;
  PutVarint(&out, f.scanned);
  out.append(reinterpret_cast<const char*>(f.xor_key.data()), 8);
  out.append(f.path);
  return out;
}

absl::StatusOr<FileEntry> DecodeFileEntry(std::string_view v) {
  RowReader r(v);
  FileEntry f;
  f.scanned = r.Varint();
  std::string_view key = r.Bytes(8);
  if (r.ok()) std::memcpy(f.xor_key.data(), key.data(), 8);
  f.path = std::string(r.Rest());
  if (!r.ok()) return Corrupt("meta/file");
  return f;
}

std::string FileKey(uint32_t file_id) {
  std::string k(kMetaFilePrefix);
  PutBE32(&k, file_id);
  return k;
}

namespace {
uint32_t Le32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
}  // namespace

BlockHash BlockRow::hash() const {
  return BlockHash::FromBytes(Sha256d(ByteSpan(header.data(), header.size())).data());
}
BlockHash BlockRow::prev_hash() const { return BlockHash::FromBytes(header.data() + 4); }
uint32_t BlockRow::time() const { return Le32(header.data() + 68); }
uint32_t BlockRow::bits() const { return Le32(header.data() + 72); }

std::string EncodeBlockRow(const BlockRow& r) {
  std::string out(reinterpret_cast<const char*>(r.header.data()), 80);
  PutVarint(&out, r.first_txnum);
  PutVarint(&out, r.tx_count);
  PutVarint(&out, r.first_outnum);
  PutVarint(&out, r.first_addrid);
  PutVarint(&out, r.size);
  return out;
}

absl::StatusOr<BlockRow> DecodeBlockRow(std::string_view v) {
  RowReader r(v);
  BlockRow b;
  std::string_view h = r.Bytes(80);
  if (r.ok()) std::memcpy(b.header.data(), h.data(), 80);
  b.first_txnum = r.Varint();
  b.tx_count = static_cast<uint32_t>(r.Varint());
  b.first_outnum = r.Varint();
  b.first_addrid = static_cast<uint32_t>(r.Varint());
  b.size = static_cast<uint32_t>(r.Varint());
  if (!r.ok() || !r.done()) return Corrupt("headers");
  return b;
}

std::string EncodeBlockIndexEntry(const BlockIndexEntry& e) {
  std::string out(reinterpret_cast<const char*>(e.prev_hash.data()), 32);
  PutVarint(&out, e.bits);
  PutVarint(&out, e.time);
  PutVarint(&out, e.file_id);
  PutVarint(&out, e.offset);
  PutVarint(&out, e.size);
  return out;
}

absl::StatusOr<BlockIndexEntry> DecodeBlockIndexEntry(std::string_view v) {
  RowReader r(v);
  BlockIndexEntry e;
  std::string_view h = r.Bytes(32);
  if (r.ok()) std::memcpy(e.prev_hash.data(), h.data(), 32);
  e.bits = static_cast<uint32_t>(r.Varint());
  e.time = static_cast<uint32_t>(r.Varint());
  e.file_id = static_cast<uint32_t>(r.Varint());
  e.offset = r.Varint();
  e.size = static_cast<uint32_t>(r.Varint());
  if (!r.ok() || !r.done()) return Corrupt("block_index");
  return e;
}

void EncodeTxRow(const TxRow& row, TxNum self, std::string* out) {
  out->append(reinterpret_cast<const char*>(row.txid.data()), 32);
  out->push_back(static_cast<char>((row.coinbase ? kCoinbase : 0) | (row.segwit ? kSegwit : 0)));
  PutVarint(out, static_cast<uint32_t>(row.version));
  PutVarint(out, row.locktime);
  PutVarint(out, row.size);
  PutVarint(out, row.vsize);
  PutVarint(out, static_cast<uint64_t>(row.fee));
  PutVarint(out, row.outputs.size());
  for (const TxOutRow& o : row.outputs) {
    PutVarint(out, static_cast<uint64_t>(o.value));
    PutVarint(out, o.addr.valid() ? uint64_t{o.addr.value()} + 1 : 0);
    out->push_back(static_cast<char>(o.type));
  }
  PutVarint(out, row.inputs.size());
  for (const TxInRow& in : row.inputs) {
    PutVarint(out, self.value() - in.prev_tx.value());
    PutVarint(out, in.prev_vout);
  }
}

absl::Status DecodeTxRow(std::string_view v, TxNum self, TxRow* row) {
  RowReader r(v);
  std::string_view id = r.Bytes(32);
  if (r.ok()) std::memcpy(row->txid.data(), id.data(), 32);
  uint8_t flags = r.U8();
  row->coinbase = flags & kCoinbase;
  row->segwit = flags & kSegwit;
  row->version = static_cast<int32_t>(static_cast<uint32_t>(r.Varint()));
  row->locktime = static_cast<uint32_t>(r.Varint());
  row->size = static_cast<uint32_t>(r.Varint());
  row->vsize = static_cast<uint32_t>(r.Varint());
  row->fee = static_cast<int64_t>(r.Varint());
  uint64_t n_out = r.Varint();
  row->outputs.clear();
  if (n_out > r.remaining() / 3) return Corrupt(absl::StrCat("tx ", self.value()));
  for (uint64_t i = 0; i < n_out && r.ok(); ++i) {
    TxOutRow o;
    o.value = static_cast<int64_t>(r.Varint());
    uint64_t a = r.Varint();
    o.addr = a == 0 ? AddrId() : AddrId(static_cast<uint32_t>(a - 1));
    uint8_t t = r.U8();
    if (t >= kNumScriptTypes) return Corrupt(absl::StrCat("tx ", self.value()));
    o.type = static_cast<ScriptType>(t);
    row->outputs.push_back(o);
  }
  uint64_t n_in = r.Varint();
  row->inputs.clear();
  if (n_in > r.remaining() / 2) return Corrupt(absl::StrCat("tx ", self.value()));
  for (uint64_t i = 0; i < n_in && r.ok(); ++i) {
    uint64_t delta = r.Varint();
    uint32_t vout = static_cast<uint32_t>(r.Varint());
    if (delta == 0 || delta > self.value()) return Corrupt(absl::StrCat("tx ", self.value()));
    row->inputs.push_back({TxNum(self.value() - delta), vout});
  }
  if (!r.ok() || !r.done()) return Corrupt(absl::StrCat("tx ", self.value()));
  return absl::OkStatus();
}

absl::StatusOr<Txid> DecodeTxRowTxid(std::string_view v) {
  if (v.size() < 32) return Corrupt("tx");
  return Txid::FromBytes(reinterpret_cast<const uint8_t*>(v.data()));
}

std::string EncodeAddrRow(const AddrRow& r) {
  std::string out;
  out.push_back(static_cast<char>(r.key.kind));
  out.push_back(static_cast<char>(r.type));
  out.push_back(static_cast<char>(r.key.witness_version));
  out.push_back(static_cast<char>(r.key.size));
  out.append(reinterpret_cast<const char*>(r.key.payload.data()), r.key.size);
  PutVarint(&out, r.multisig_keys.size());
  for (AddrId k : r.multisig_keys) PutVarint(&out, k.value());
  return out;
}

absl::StatusOr<AddrRow> DecodeAddrRow(std::string_view v) {
  RowReader r(v);
  AddrRow a;
  a.key.kind = static_cast<AddrKind>(r.U8());
  uint8_t type = r.U8();
  a.key.witness_version = r.U8();
  a.key.size = r.U8();
  if (type >= kNumScriptTypes || a.key.size > a.key.payload.size()) return Corrupt("addr");
  a.type = static_cast<ScriptType>(type);
  std::string_view p = r.Bytes(a.key.size);
  if (r.ok()) std::memcpy(a.key.payload.data(), p.data(), a.key.size);
  uint64_t n = r.Varint();
  if (n > 20) return Corrupt("addr");
  for (uint64_t i = 0; i < n && r.ok(); ++i) {
    a.multisig_keys.push_back(AddrId(static_cast<uint32_t>(r.Varint())));
  }
  if (!r.ok() || !r.done()) return Corrupt("addr");
  return a;
}

std::string EncodeStats(const AddrStats& s) {
  std::string out;
  PutVarint(&out, s.tx_count);
  PutVarint(&out, s.received);
  PutVarint(&out, s.sent);
  PutVarint(&out, s.output_count);
  PutVarint(&out, s.spent_count);
  PutVarint(&out, s.first_height);
  PutVarint(&out, s.last_height);
  return out;
}

absl::StatusOr<AddrStats> DecodeStats(std::string_view v) {
  RowReader r(v);
  AddrStats s;
  s.tx_count = r.Varint();
  s.received = r.Varint();
  s.sent = r.Varint();
  s.output_count = r.Varint();
  s.spent_count = r.Varint();
  s.first_height = static_cast<uint32_t>(r.Varint());
  s.last_height = static_cast<uint32_t>(r.Varint());
  if (!r.ok() || !r.done()) return Corrupt("stats");
  return s;
}

void MergeStats(const AddrStats& d, AddrStats* s) {
  s->tx_count += d.tx_count;
  s->received += d.received;
  s->sent += d.sent;
  s->output_count += d.output_count;
  s->spent_count += d.spent_count;
  s->first_height = std::min(s->first_height, d.first_height);
  s->last_height = std::max(s->last_height, d.last_height);
}

std::string EncodeClusterMeta(const ClusterMeta& m) {
  std::string out;
  out.push_back(static_cast<char>(m.gen));
  PutVarint(&out, m.processed_txs);
  PutVarint(&out, m.unions);
  out.append(m.policy);
  return out;
}

absl::StatusOr<ClusterMeta> DecodeClusterMeta(std::string_view v, std::string_view key) {
  RowReader r(v);
  ClusterMeta m;
  m.gen = r.U8();
  m.processed_txs = r.Varint();
  m.unions = r.Varint();
  m.policy = std::string(r.Rest());
  if (!r.ok()) return Corrupt("meta/" + std::string(key));
  return m;
}

std::string EvidenceKey(uint8_t gen, TxNum at, uint32_t index) {
  std::string k(1, static_cast<char>(gen));
  PutBE40(&k, at.value());
  PutBE32(&k, index);
  return k;
}

std::string EncodeEvidence(const EvidenceRow& e) {
  std::string out;
  PutVarint(&out, e.a);
  PutVarint(&out, e.b);
  out.push_back(static_cast<char>(e.kind));
  out.push_back(static_cast<char>(e.rule));
  if (e.at.value() > e.tx.value()) PutVarint(&out, e.at.value() - e.tx.value());
  return out;
}

absl::StatusOr<EvidenceRow> DecodeEvidence(std::string_view key, std::string_view value) {
  if (key.size() != 1 + kTxNumBytes + 4) return Corrupt("evidence");
  EvidenceRow e;
  e.at = TxNum(GetBE(key.data() + 1, kTxNumBytes));
  e.tx = e.at;
  RowReader r(value);
  e.a = static_cast<uint32_t>(r.Varint());
  e.b = static_cast<uint32_t>(r.Varint());
  e.kind = r.U8();
  e.rule = r.U8();
  if (r.ok() && !r.done()) {
    const uint64_t back = r.Varint();
    if (back == 0 || back > e.at.value()) return Corrupt("evidence");
    e.tx = TxNum(e.at.value() - back);
  }
  if (!r.ok() || !r.done() || e.kind > 1) return Corrupt("evidence");
  return e;
}

std::string PendingKey(uint8_t gen, uint64_t key) {
  std::string k(1, static_cast<char>(gen));
  PutBE64(&k, key);
  return k;
}

std::string EncodePending(const PendingRow& p) {
  std::string out;
  PutVarint(&out, p.anchor);
  PutVarint(&out, p.change);
  out.push_back(static_cast<char>(p.rule));
  PutSignedVarint(&out, p.version);
  out.push_back(p.locktime_set ? 1 : 0);
  return out;
}

absl::StatusOr<PendingRow> DecodePending(std::string_view v) {
  RowReader r(v);
  PendingRow p;
  p.anchor = static_cast<uint32_t>(r.Varint());
  p.change = static_cast<uint32_t>(r.Varint());
  p.rule = r.U8();
  p.version = static_cast<int32_t>(r.SignedVarint());
  p.locktime_set = r.U8() != 0;
  if (!r.ok() || !r.done()) return Corrupt("cluster_pending");
  return p;
}

std::string ClusterUndoKey(uint8_t gen, TxNum spend, uint16_t index) {
  std::string k(1, static_cast<char>(gen));
  PutBE40(&k, spend.value());
  k.push_back(static_cast<char>(index >> 8));
  k.push_back(static_cast<char>(index & 0xff));
  return k;
}

std::string EncodeUndoPending(const UndoPendingRow& u) {
  std::string out;
  PutVarint(&out, u.key);
  out += EncodePending(u.pending);
  return out;
}

absl::StatusOr<UndoPendingRow> DecodeUndoPending(std::string_view v) {
  RowReader r(v);
  UndoPendingRow u;
  u.key = r.Varint();
  if (!r.ok()) return Corrupt("cluster_undo");
  absl::StatusOr<PendingRow> p = DecodePending(r.Rest());
  if (!p.ok()) return Corrupt("cluster_undo");
  u.pending = *p;
  return u;
}

std::string EncodeClusterUndoMeta(const ClusterUndoMeta& m) {
  std::string out(1, static_cast<char>(m.gen));
  PutVarint(&out, m.blocks);
  PutVarint(&out, m.from_height);
  return out;
}

absl::StatusOr<ClusterUndoMeta> DecodeClusterUndoMeta(std::string_view v) {
  RowReader r(v);
  ClusterUndoMeta m;
  m.gen = r.U8();
  m.blocks = static_cast<uint32_t>(r.Varint());
  m.from_height = static_cast<uint32_t>(r.Varint());
  if (!r.ok() || !r.done()) return Corrupt("meta/cluster_undo");
  return m;
}

std::string LabelIdentity(const AddressKey& key) {
  std::string id(1, kLabelChainBitcoin);
  id.push_back(static_cast<char>(key.kind));
  id.push_back(static_cast<char>(key.witness_version));
  id.push_back(static_cast<char>(key.size));
  id.append(reinterpret_cast<const char*>(key.payload.data()), key.size);
  return id;
}

std::string LabelKey(std::string_view identity, const LabelRow& row) {
  // The hash makes one key per distinct (label, category, source): importing twice is a no-op.
  const std::string encoded = EncodeLabel(row);
  Uint256 h = Sha256(ByteSpan(reinterpret_cast<const uint8_t*>(encoded.data()), encoded.size()));
  std::string k(identity);
  k.append(reinterpret_cast<const char*>(h.data()), 8);
  return k;
}

std::string EncodeLabel(const LabelRow& row) {
  std::string out;
  for (const std::string* f : {&row.label, &row.category, &row.source, &row.actor}) {
    PutVarint(&out, f->size());
    out.append(*f);
  }
  return out;
}

absl::StatusOr<LabelRow> DecodeLabel(std::string_view v) {
  RowReader r(v);
  LabelRow row;
  for (std::string* f : {&row.label, &row.category, &row.source, &row.actor}) {
    uint64_t n = r.Varint();
    *f = std::string(r.Bytes(n));
  }
  if (!r.ok() || !r.done()) return Corrupt("labels");
  return row;
}

absl::StatusOr<AddressKey> LabelKeyAddress(std::string_view key) {
  if (key.empty() || key[0] != kLabelChainBitcoin) {
    return absl::FailedPreconditionError("not a Bitcoin label");
  }
  RowReader r(key.substr(1));
  AddressKey k;
  k.kind = static_cast<AddrKind>(r.U8());
  k.witness_version = r.U8();
  k.size = r.U8();
  if (k.size > k.payload.size()) return Corrupt("labels key");
  std::string_view p = r.Bytes(k.size);
  if (!r.ok()) return Corrupt("labels key");
  std::memcpy(k.payload.data(), p.data(), k.size);
  return k;
}

std::string HeightKey(uint32_t height) {
  std::string k;
  PutBE32(&k, height);
  return k;
}

std::string TxKey(TxNum n) {
  std::string k;
  PutBE40(&k, n.value());
  return k;
}

std::string TxidPrefix(const Txid& txid) {
  return std::string(reinterpret_cast<const char*>(txid.data()), kTxidPrefixBytes);
}

std::string TxidKey(const Txid& txid, TxNum n) {
  std::string k = TxidPrefix(txid);
  PutBE40(&k, n.value());
  return k;
}

std::string AddrKey(AddrId id) {
  std::string k;
  PutBE32(&k, id.value());
  return k;
}

std::string AddrKeyIndexPrefix(const AddressKey& key) {
  std::string k(kAddrKeyPrefixBytes, '\0');
  k[0] = static_cast<char>(key.kind);
  std::memcpy(k.data() + 1, key.payload.data(), std::min<size_t>(key.size, 8));
  return k;
}

std::string AddrKeyIndexKey(const AddressKey& key, AddrId id) {
  std::string k = AddrKeyIndexPrefix(key);
  PutBE32(&k, id.value());
  return k;
}

std::string HistKey(AddrId id, TxNum n) {
  std::string k;
  PutBE32(&k, id.value());
  PutBE40(&k, n.value());
  return k;
}

}  // namespace ariadne::store
