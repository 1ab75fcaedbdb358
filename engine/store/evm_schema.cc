#include "engine/store/evm_schema.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "engine/store/codec.h"

namespace ariadne::store {
namespace {

absl::Status Corrupt(std::string_view what) {
  return absl::DataLossError(absl::StrCat("corrupt ", std::string(what), " row in the store"));
}

U256 ReadU256(RowReader& r) {
  const uint8_t n = r.U8();
  if (n > 32) {
    r.Bytes(r.remaining() + 1);  // fails the reader
    return U256();
  }
  std::string_view b = r.Bytes(n);
  if (!r.ok()) return U256();
  auto v = U256::FromBigEndian(ByteSpan(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
  return v.ok() ? *v : U256();
}

template <typename Tag>
void PutHash(std::string* out, const Hash256<Tag>& h) {
  out->append(reinterpret_cast<const char*>(h.data()), 32);
}

template <typename Tag>
Hash256<Tag> ReadHash(RowReader& r) {
  std::string_view b = r.Bytes(32);
  if (!r.ok()) return Hash256<Tag>();
  return Hash256<Tag>::FromBytes(reinterpret_cast<const uint8_t*>(b.data()));
}

void PutAddress(std::string* out, const Address& a) {
  out->append(reinterpret_cast<const char*>(a.data()), Address::kSize);
}

Address ReadAddress(RowReader& r) {
  std::string_view b = r.Bytes(Address::kSize);
  if (!r.ok()) return Address();
  return Address::FromBytes(reinterpret_cast<const uint8_t*>(b.data()));
}

// Saturating 256-bit sum: sets *overflow instead of wrapping.
void SatAdd(const U256& delta, U256* into, bool* overflow) {
  if (!U256::CheckedAdd(*into, delta, into)) {
    *into = U256::Max();
    *overflow = true;
  }
}

}  // namespace

void PutU256(std::string* out, const U256& v) {
  uint8_t word[32];
  v.ToWord(word);
  const size_t n = v.ByteLength();
  out->push_back(static_cast<char>(n));
  out->append(reinterpret_cast<const char*>(word + 32 - n), n);
}

std::string_view AssetStandardName(AssetStandard s) {
  switch (s) {
    case AssetStandard::kNative:
      return "native";
    case AssetStandard::kErc20:
      return "erc20";
    case AssetStandard::kErc721:
      return "erc721";
    case AssetStandard::kErc1155:
      return "erc1155";
  }
  return "unknown";
}

std::string_view EvmHeuristicName(EvmHeuristic h) {
  switch (h) {
    case EvmHeuristic::kDepositAddressReuse:
      return "deposit_address_reuse";
    case EvmHeuristic::kAirdropMultiParticipation:
      return "airdrop_multi_participation";
    case EvmHeuristic::kSelfAuthorization:
      return "self_authorization";
  }
  return "unknown";
}

// ---- state

std::string EncodeEvmState(const EvmChainState& s) {
  std::string out;
  PutSignedVarint(&out, s.tip_number);
  PutHash(&out, s.tip_hash);
  PutVarint(&out, s.chain_id);
  PutVarint(&out, s.block_count);
  PutVarint(&out, s.tx_count);
  PutVarint(&out, s.transfer_count);
  PutVarint(&out, s.log_count);
  PutVarint(&out, s.account_count);
  PutVarint(&out, s.asset_count);
  PutVarint(&out, s.approval_count);
  PutVarint(&out, s.gaps);
  if (s.traces_counted) PutVarint(&out, s.blocks_without_traces);
  return out;
}

absl::StatusOr<EvmChainState> DecodeEvmState(std::string_view v) {
  RowReader r(v);
  EvmChainState s;
  s.tip_number = r.SignedVarint();
  s.tip_hash = ReadHash<evm::EvmBlockHashTag>(r);
  s.chain_id = r.Varint();
  s.block_count = r.Varint();
  s.tx_count = r.Varint();
  s.transfer_count = r.Varint();
  s.log_count = r.Varint();
  const uint64_t accounts = r.Varint();
  const uint64_t assets = r.Varint();
  s.approval_count = r.Varint();
  s.gaps = r.Varint();
  s.traces_counted = r.ok() && !r.done();
  if (s.traces_counted) s.blocks_without_traces = r.Varint();
  if (!r.ok() || !r.done() || accounts > UINT32_MAX || assets > UINT32_MAX) {
    return Corrupt("meta/evm/state");
  }
  s.account_count = static_cast<uint32_t>(accounts);
  s.asset_count = static_cast<uint32_t>(assets);
  return s;
}

// ---- blocks

std::string EvmBlockKey(uint64_t number) {
  std::string k;
  PutBE64(&k, number);
  return k;
}

std::string EncodeEvmBlockRow(const EvmBlockRow& b) {
  std::string out;
  PutHash(&out, b.hash);
  PutHash(&out, b.parent_hash);
  PutVarint(&out, b.timestamp);
  PutAddress(&out, b.miner);
  PutVarint(&out, b.first_tx);
  PutVarint(&out, b.tx_count);
  PutVarint(&out, b.first_transfer);
  PutVarint(&out, b.transfer_count);
  PutVarint(&out, b.log_count);
  PutVarint(&out, b.gas_used);
  out.push_back(static_cast<char>(b.provenance));
  return out;
}

absl::StatusOr<EvmBlockRow> DecodeEvmBlockRow(std::string_view v) {
  RowReader r(v);
  EvmBlockRow b;
  b.hash = ReadHash<evm::EvmBlockHashTag>(r);
  b.parent_hash = ReadHash<evm::EvmBlockHashTag>(r);
  b.timestamp = r.Varint();
  b.miner = ReadAddress(r);
  b.first_tx = r.Varint();
  b.tx_count = static_cast<uint32_t>(r.Varint());
  b.first_transfer = r.Varint();
  b.transfer_count = static_cast<uint32_t>(r.Varint());
  b.log_count = static_cast<uint32_t>(r.Varint());
  b.gas_used = r.Varint();
  b.provenance = r.U8();
  if (!r.ok() || !r.done()) return Corrupt("evm_block");
  return b;
}

// ---- transactions

namespace {
enum EvmTxFlags : uint8_t { kHasTo = 1, kHasCreated = 2 };
}  // namespace

void EncodeEvmTxRow(const EvmTxRow& t, std::string* out) {
  PutHash(out, t.hash);
  PutVarint(out, t.block);
  PutVarint(out, t.index);
  out->push_back(static_cast<char>(t.type));
  out->push_back(static_cast<char>(t.status));
  out->push_back(static_cast<char>((t.has_to ? kHasTo : 0) | (t.has_created ? kHasCreated : 0)));
  PutVarint(out, t.from);
  if (t.has_to) PutVarint(out, t.to);
  if (t.has_created) PutVarint(out, t.created);
  PutVarint(out, t.nonce);
  PutU256(out, t.value);
  PutU256(out, t.fee);
  PutVarint(out, t.gas_used);
  PutU256(out, t.effective_gas_price);
  PutVarint(out, t.first_transfer);
  PutVarint(out, t.transfer_count);
  PutVarint(out, t.log_count);
  out->append(reinterpret_cast<const char*>(t.selector.data()), 4);
}

absl::StatusOr<EvmTxRow> DecodeEvmTxRow(std::string_view v) {
  RowReader r(v);
  EvmTxRow t;
  t.hash = ReadHash<evm::EvmTxHashTag>(r);
  t.block = r.Varint();
  t.index = static_cast<uint32_t>(r.Varint());
  t.type = r.U8();
  t.status = r.U8();
  const uint8_t flags = r.U8();
  t.has_to = flags & kHasTo;
  t.has_created = flags & kHasCreated;
  t.from = static_cast<uint32_t>(r.Varint());
  if (t.has_to) t.to = static_cast<uint32_t>(r.Varint());
  if (t.has_created) t.created = static_cast<uint32_t>(r.Varint());
  t.nonce = r.Varint();
  t.value = ReadU256(r);
  t.fee = ReadU256(r);
  t.gas_used = r.Varint();
  t.effective_gas_price = ReadU256(r);
  t.first_transfer = r.Varint();
  t.transfer_count = static_cast<uint32_t>(r.Varint());
  t.log_count = static_cast<uint32_t>(r.Varint());
  std::string_view sel = r.Bytes(4);
  if (r.ok()) std::memcpy(t.selector.data(), sel.data(), 4);
  if (!r.ok() || !r.done() || t.type > 4 || t.status > 2) return Corrupt("evm_tx");
  return t;
}

std::string EvmTxKey(uint64_t n) {
  std::string k;
  PutBE40(&k, n);
  return k;
}

std::string EvmTxHashPrefix(const evm::EvmTxHash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), kEvmTxHashPrefixBytes);
}

std::string EvmTxHashKey(const evm::EvmTxHash& hash, TxNum n) {
  std::string k = EvmTxHashPrefix(hash);
  PutBE40(&k, n.value());
  return k;
}

// ---- transfers

std::string EvmTransferKey(uint64_t n) {
  std::string k;
  PutBE40(&k, n);
  return k;
}

void EncodeEvmTransferRow(const EvmTransferRow& t, std::string* out) {
  out->push_back(static_cast<char>(t.kind));
  PutVarint(out, t.from);
  PutVarint(out, t.to);
  PutVarint(out, t.asset);
  PutU256(out, t.amount);
  PutU256(out, t.token_id);
  PutVarint(out, t.tx);
  PutVarint(out, t.log_index == UINT32_MAX ? 0 : uint64_t{t.log_index} + 1);
}

absl::StatusOr<EvmTransferRow> DecodeEvmTransferRow(std::string_view v) {
  RowReader r(v);
  EvmTransferRow t;
  t.kind = r.U8();
  t.from = static_cast<uint32_t>(r.Varint());
  t.to = static_cast<uint32_t>(r.Varint());
  t.asset = static_cast<uint32_t>(r.Varint());
  t.amount = ReadU256(r);
  t.token_id = ReadU256(r);
  t.tx = r.Varint();
  const uint64_t li = r.Varint();
  t.log_index = li == 0 ? UINT32_MAX : static_cast<uint32_t>(li - 1);
  if (!r.ok() || !r.done() || t.kind > kEvmFeeTransfer) return Corrupt("evm_transfer");
  return t;
}

// ---- accounts

std::string EvmAccountKey(uint32_t id) {
  std::string k;
  PutBE32(&k, id);
  return k;
}

std::string EvmAccountKeyIndexKey(const Address& a) {
  return std::string(reinterpret_cast<const char*>(a.data()), Address::kSize);
}

std::string EncodeEvmAccountRow(const EvmAccountRow& a) {
  std::string out;
  PutAddress(&out, a.address);
  PutVarint(&out, a.first_block);
  out.push_back(a.contract ? 1 : 0);
  return out;
}

absl::StatusOr<EvmAccountRow> DecodeEvmAccountRow(std::string_view v) {
  RowReader r(v);
  EvmAccountRow a;
  a.address = ReadAddress(r);
  a.first_block = r.Varint();
  a.contract = r.U8() != 0;
  if (!r.ok() || !r.done()) return Corrupt("evm_account");
  return a;
}

std::string EvmHistKey(uint32_t account, uint64_t tx) {
  std::string k;
  PutBE32(&k, account);
  PutBE40(&k, tx);
  return k;
}

// ---- totals

std::string EvmTotalsKey(uint32_t account, uint32_t asset) {
  std::string k;
  PutBE32(&k, account);
  PutBE32(&k, asset);
  return k;
}

std::string EncodeEvmTotals(const EvmTotals& t) {
  std::string out;
  out.push_back(t.overflow ? 1 : 0);
  PutU256(&out, t.received);
  PutU256(&out, t.sent);
  PutU256(&out, t.fees);
  PutVarint(&out, t.received_count);
  PutVarint(&out, t.sent_count);
  PutVarint(&out, t.tx_count);
  // UINT64_MAX (never seen) is stored as 0, other blocks + 1.
  PutVarint(&out, t.first_block == UINT64_MAX ? 0 : t.first_block + 1);
  PutVarint(&out, t.last_block);
  return out;
}

absl::StatusOr<EvmTotals> DecodeEvmTotals(std::string_view v) {
  RowReader r(v);
  EvmTotals t;
  t.overflow = r.U8() != 0;
  t.received = ReadU256(r);
  t.sent = ReadU256(r);
  t.fees = ReadU256(r);
  t.received_count = r.Varint();
  t.sent_count = r.Varint();
  t.tx_count = r.Varint();
  const uint64_t first = r.Varint();
  t.first_block = first == 0 ? UINT64_MAX : first - 1;
  t.last_block = r.Varint();
  if (!r.ok() || !r.done()) return Corrupt("evm_totals");
  return t;
}

void MergeEvmTotals(const EvmTotals& d, EvmTotals* into) {
  SatAdd(d.received, &into->received, &into->overflow);
  SatAdd(d.sent, &into->sent, &into->overflow);
  SatAdd(d.fees, &into->fees, &into->overflow);
  into->overflow |= d.overflow;
  into->received_count += d.received_count;
  into->sent_count += d.sent_count;
  into->tx_count += d.tx_count;
  into->first_block = std::min(into->first_block, d.first_block);
  into->last_block = std::max(into->last_block, d.last_block);
}

// ---- assets

std::string EvmAssetKey(uint32_t id) {
  std::string k;
  PutBE32(&k, id);
  return k;
}

std::string EncodeEvmAssetRow(const EvmAssetRow& a) {
  std::string out;
  out.push_back(static_cast<char>(a.standard));
  PutAddress(&out, a.contract);
  PutVarint(&out, a.first_block);
  return out;
}

absl::StatusOr<EvmAssetRow> DecodeEvmAssetRow(std::string_view v) {
  RowReader r(v);
  EvmAssetRow a;
  const uint8_t s = r.U8();
  a.contract = ReadAddress(r);
  a.first_block = r.Varint();
  if (!r.ok() || !r.done() || s > 3) return Corrupt("evm_asset");
  a.standard = static_cast<AssetStandard>(s);
  return a;
}

// ---- approvals

std::string EvmApprovalKey(uint64_t tx, uint32_t log_index) {
  std::string k;
  PutBE40(&k, tx);
  PutBE32(&k, log_index);
  return k;
}

std::string EncodeEvmApprovalRow(const EvmApprovalRow& a) {
  std::string out;
  PutVarint(&out, a.owner);
  PutVarint(&out, a.spender);
  PutVarint(&out, a.asset);
  PutU256(&out, a.value);
  return out;
}

absl::StatusOr<EvmApprovalRow> DecodeEvmApprovalRow(std::string_view v) {
  RowReader r(v);
  EvmApprovalRow a;
  a.owner = static_cast<uint32_t>(r.Varint());
  a.spender = static_cast<uint32_t>(r.Varint());
  a.asset = static_cast<uint32_t>(r.Varint());
  a.value = ReadU256(r);
  if (!r.ok() || !r.done()) return Corrupt("evm_approval");
  return a;
}

// ---- clustering

std::string EvmEvidenceKey(uint8_t gen, uint64_t tx, uint32_t index) {
  std::string k(1, static_cast<char>(gen));
  PutBE40(&k, tx);
  PutBE32(&k, index);
  return k;
}

std::string EncodeEvmEvidence(const EvmEvidenceRow& e) {
  std::string out;
  PutVarint(&out, e.a);
  PutVarint(&out, e.b);
  out.push_back(static_cast<char>(e.heuristic));
  PutVarint(&out, e.via);
  PutVarint(&out, e.related_tx == UINT64_MAX ? 0 : e.related_tx + 1);
  return out;
}

absl::StatusOr<EvmEvidenceRow> DecodeEvmEvidence(std::string_view key, std::string_view value) {
  if (key.size() != 1 + 5 + 4) return Corrupt("evm_evidence");
  EvmEvidenceRow e;
  e.tx = GetBE(key.data() + 1, 5);
  RowReader r(value);
  e.a = static_cast<uint32_t>(r.Varint());
  e.b = static_cast<uint32_t>(r.Varint());
  const uint8_t h = r.U8();
  e.via = static_cast<uint32_t>(r.Varint());
  const uint64_t rel = r.Varint();
  if (!r.ok() || !r.done() || h >= kNumEvmHeuristics) return Corrupt("evm_evidence");
  e.heuristic = static_cast<EvmHeuristic>(h);
  e.related_tx = rel == 0 ? UINT64_MAX : rel - 1;
  return e;
}

}  // namespace ariadne::store
