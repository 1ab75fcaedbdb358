#include "indexer/evm/evm_undo.h"

#include "absl/strings/str_cat.h"
#include "engine/core/strings.h"
#include "engine/store/codec.h"

namespace ariadne::evm {

std::string EvmUndoKey(uint64_t number) {
  std::string k(kMetaEvmUndoPrefix);
  store::PutBE64(&k, number);
  return k;
}

store::EvmTotals EvmTotalsDelta(uint8_t what, uint64_t block, const store::U256& amount) {
  store::EvmTotals one;
  one.first_block = one.last_block = block;
  switch (what) {
    case 0:
      one.received = amount;
      one.received_count = 1;
      break;
    case 1:
      one.sent = amount;
      one.sent_count = 1;
      break;
    case 2:
      one.fees = amount;
      break;
    default:
      one.tx_count = 1;
      break;
  }
  return one;
}

std::string EncodeEvmBlockUndo(const EvmBlockUndo& u) {
  std::string out;
  const std::string state = store::EncodeEvmState(u.before);
  store::PutVarint(&out, state.size());
  out += state;
  store::PutVarint(&out, u.hist.size());
  for (const auto& [account, tx] : u.hist) {
    store::PutBE32(&out, account);
    store::PutBE40(&out, tx);
  }
  store::PutVarint(&out, u.totals.size());
  for (const EvmBlockUndo::Totals& t : u.totals) {
    store::PutBE64(&out, t.key);
    if (!t.before.has_value()) {
      out.push_back(0);
      continue;
    }
    out.push_back(1);
    const std::string v = store::EncodeEvmTotals(*t.before);
    store::PutVarint(&out, v.size());
    out += v;
  }
  return out;
}

absl::StatusOr<EvmBlockUndo> DecodeEvmBlockUndo(std::string_view v, uint64_t number) {
  auto bad = [number](std::string_view what) {
    return absl::DataLossError(
        absl::StrCat("undo record of EVM block ", number, " (meta evm/undo): ", AV(what)));
  };
  store::RowReader r(v);
  EvmBlockUndo u;
  const uint64_t state_size = r.Varint();
  if (!r.ok() || state_size > r.remaining()) return bad("truncated state");
  auto state = store::DecodeEvmState(r.Bytes(state_size));
  if (!state.ok()) return bad(SV(state.status().message()));
  u.before = *state;
  const uint64_t hist = r.Varint();
  if (!r.ok() || hist > r.remaining() / 9) return bad("bad history count");
  u.hist.reserve(hist);
  for (uint64_t i = 0; i < hist; ++i) {
    const uint32_t account = static_cast<uint32_t>(r.BE(4));
    u.hist.emplace_back(account, r.BE(5));
  }
  const uint64_t totals = r.Varint();
  if (!r.ok() || totals > r.remaining() / 9) return bad("bad totals count");
  u.totals.reserve(totals);
  for (uint64_t i = 0; i < totals && r.ok(); ++i) {
    EvmBlockUndo::Totals t;
    t.key = r.BE(8);
    if (r.U8() == 1) {
      const uint64_t size = r.Varint();
      if (!r.ok() || size > r.remaining()) return bad("truncated totals");
      auto before = store::DecodeEvmTotals(r.Bytes(size));
      if (!before.ok()) return bad(SV(before.status().message()));
      t.before = *before;
    }
    u.totals.push_back(std::move(t));
  }
  if (!r.ok() || !r.done()) return bad("truncated or trailing bytes");
  return u;
}

}  // namespace ariadne::evm
