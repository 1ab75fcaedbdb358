#include "indexer/evm/receipt.h"

#include <cstring>

#include "engine/core/keccak.h"

namespace ariadne::evm {
namespace {

// Reads the status-or-post-state field into *out.
void ReadStatus(RlpReader& r, Receipt* out) {
  const uint64_t off = r.offset();
  ByteSpan s = r.Bytes("receipt status");
  if (!r.ok()) return;
  if (s.size() == 32) {
    out->has_status = false;
    out->post_state = H256::FromBytes(s.data());
  } else if (s.empty() || (s.size() == 1 && s[0] == 1)) {
    out->has_status = true;
    out->success = !s.empty();
  } else {
    r.FailAt("receipt status is neither 0, 1 nor a 32-byte state root", "receipt status", off);
  }
}

// Checks the logs list and counts its logs.
void ReadLogs(RlpReader& r, Receipt* out) {
  RlpItem logs;
  const uint64_t off = r.offset();
  if (!r.Next(&logs, "receipt logs")) {
    if (r.ok()) r.FailAt("missing field (too few items in the list)", "receipt logs", off);
    return;
  }
  if (!logs.is_list) {
    r.FailAt("expected an RLP list, found a string", "receipt logs", off);
    return;
  }
  out->logs_encoding = logs.encoding;
  RlpReader list(logs.payload, logs.payload_offset(), r.error());
  uint32_t n = 0;
  while (list.ok() && !list.AtEnd()) {
    RlpReader log = list.List("log");
    log.Addr("log address");
    RlpReader topics = log.List("log topics");
    size_t t = 0;
    while (topics.ok() && !topics.AtEnd()) {
      if (t == kMaxTopics) {
        topics.Fail("more than 4 topics in a log", "log topics");
        break;
      }
      topics.Hash("log topic");
      ++t;
    }
    log.Bytes("log data");
    log.ExpectEnd("log");
    ++n;
  }
  out->log_count = n;
}

// Decodes the fields of a receipt list (either shape) from r.
void DecodeFields(RlpReader& r, TxType envelope_type, bool typed_envelope, Receipt* out) {
  // Tell the shapes apart by the third item: a 256-byte bloom (consensus) or an integer (eth/69).
  RlpReader probe = r;
  RlpItem a, b, c;
  probe.Next(&a);
  probe.Next(&b);
  const bool have_c = probe.Next(&c);
  if (!r.ok()) return;
  const bool consensus = have_c && !c.is_list && c.payload.size() == kBloomSize;
  if (consensus) {
    out->type = envelope_type;
    ReadStatus(r, out);
    out->cumulative_gas_used = r.U64("receipt cumulativeGasUsed");
    out->bloom = r.Bytes("receipt bloom");
  } else {
    if (typed_envelope) {
      r.Fail("typed receipt without a bloom", "receipt");
      return;
    }
    const uint64_t type_offset = r.offset();
    const uint64_t type = r.U64("receipt type");
    if (r.ok() && type > 4) {
      r.FailAt("unsupported receipt type", "receipt type", type_offset);
      return;
    }
    out->type = static_cast<TxType>(type);
    ReadStatus(r, out);
    out->cumulative_gas_used = r.U64("receipt cumulativeGasUsed");
  }
  ReadLogs(r, out);
  r.ExpectEnd("receipt");
}

}  // namespace

void DecodeReceipt(const RlpItem& item, RlpError* err, Receipt* out) {
  *out = Receipt();
  out->offset = item.offset;
  if (item.is_list) {
    RlpReader r(item.payload, item.payload_offset(), err);
    DecodeFields(r, TxType::kLegacy, false, out);
    return;
  }
  // A typed consensus receipt: type byte, then the RLP list.
  ByteSpan p = item.payload;
  if (p.empty() || p[0] < 1 || p[0] > 4) {
    err->Set("typed receipt with an unsupported type byte", "receipt", item.payload_offset());
    return;
  }
  RlpReader outer(p.subspan(1), item.payload_offset() + 1, err);
  RlpReader r = outer.List("typed receipt payload");
  outer.ExpectEnd("typed receipt");
  if (!err->ok()) return;
  DecodeFields(r, static_cast<TxType>(p[0]), true, out);
}

void ForEachLog(const Receipt& receipt, absl::FunctionRef<void(const LogView&)> fn) {
  RlpError err;
  RlpReader outer(receipt.logs_encoding, 0, &err);
  RlpReader list = outer.List("logs");
  LogView v;
  while (list.ok() && !list.AtEnd()) {
    v.offset = list.offset();
    RlpReader log = list.List("log");
    v.address = log.Addr("log address");
    RlpReader topics = log.List("log topics");
    v.topic_count = 0;
    while (topics.ok() && !topics.AtEnd() && v.topic_count < kMaxTopics) {
      v.topics[v.topic_count++] = topics.Hash("log topic");
    }
    v.data = log.Bytes("log data");
    if (!err.ok()) return;
    fn(v);
  }
}

namespace {

void BloomBits(ByteSpan item, std::array<uint16_t, 3>& bits) {
  uint8_t h[32];
  Keccak256(item, h);
  for (int i = 0; i < 3; ++i) {
    bits[i] = static_cast<uint16_t>(((h[2 * i] << 8) | h[2 * i + 1]) & 2047);
  }
}

void SetBits(const std::array<uint16_t, 3>& bits, uint8_t bloom[kBloomSize]) {
  for (uint16_t bit : bits)
    bloom[kBloomSize - 1 - bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
}

}  // namespace

void AddToBloom(ByteSpan item, uint8_t bloom[kBloomSize]) {
  std::array<uint16_t, 3> bits;
  BloomBits(item, bits);
  SetBits(bits, bloom);
}

size_t BloomCache::KeyHash::operator()(const Key& k) const {
  // The last 8 bytes: random for hashes and addresses, and for address topics (zero-padded on
  // the left) too.
  uint64_t v = 0;
  if (k.size >= 8) std::memcpy(&v, k.bytes.data() + k.size - 8, sizeof(v));
  return static_cast<size_t>((v ^ k.size) * 0x9e3779b97f4a7c15ULL);
}

void BloomCache::Add(ByteSpan item, uint8_t bloom[kBloomSize]) {
  if (item.size() > 32) {
    AddToBloom(item, bloom);
    return;
  }
  Key k;
  std::memcpy(k.bytes.data(), item.data(), item.size());
  k.size = static_cast<uint8_t>(item.size());
  auto it = bits_.find(k);
  if (it == bits_.end()) {
    if (bits_.size() >= (1u << 16)) bits_.clear();
    std::array<uint16_t, 3> bits;
    BloomBits(item, bits);
    it = bits_.emplace(k, bits).first;
  }
  SetBits(it->second, bloom);
}

void ComputeBloom(const Receipt& receipt, uint8_t bloom[kBloomSize], BloomCache* cache) {
  std::memset(bloom, 0, kBloomSize);
  ForEachLog(receipt, [&](const LogView& log) {
    if (cache != nullptr) {
      cache->Add(log.address.span(), bloom);
      for (size_t t = 0; t < log.topic_count; ++t) cache->Add(log.topics[t].span(), bloom);
    } else {
      AddToBloom(log.address.span(), bloom);
      for (size_t t = 0; t < log.topic_count; ++t) AddToBloom(log.topics[t].span(), bloom);
    }
  });
}

void EncodeConsensusReceipt(TxType type, bool has_status, bool success, const H256& post_state,
                            uint64_t cumulative_gas_used, const uint8_t bloom[kBloomSize],
                            ByteSpan logs_encoding, std::vector<uint8_t>* out) {
  if (type != TxType::kLegacy) out->push_back(static_cast<uint8_t>(type));
  RlpWriter w(out);
  const size_t list = w.BeginList();
  if (has_status) {
    w.U64(success ? 1 : 0);
  } else {
    w.Hash(post_state);
  }
  w.U64(cumulative_gas_used);
  w.Bytes(ByteSpan(bloom, kBloomSize));
  w.Raw(logs_encoding);
  w.EndList(list);
}

}  // namespace ariadne::evm
