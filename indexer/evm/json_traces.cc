#include "indexer/evm/json_traces.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/core/status_macros.h"
#include "indexer/evm/json_rpc.h"

namespace ariadne::evm {
namespace json_detail {
namespace {

CallKind ParityKind(std::string_view type, std::string_view call_type) {
  if (type == "call") {
    if (call_type == "call") return CallKind::kCall;
    if (call_type == "callcode") return CallKind::kCallCode;
    if (call_type == "delegatecall") return CallKind::kDelegateCall;
    if (call_type == "staticcall") return CallKind::kStaticCall;
    return CallKind::kOther;
  }
  if (type == "create") return CallKind::kCreate;
  if (type == "suicide" || type == "selfdestruct") return CallKind::kSelfDestruct;
  return CallKind::kOther;
}

CallKind GethKind(std::string_view type) {
  if (type == "CALL") return CallKind::kCall;
  if (type == "CALLCODE") return CallKind::kCallCode;
  if (type == "DELEGATECALL") return CallKind::kDelegateCall;
  if (type == "STATICCALL") return CallKind::kStaticCall;
  if (type == "CREATE") return CallKind::kCreate;
  if (type == "CREATE2") return CallKind::kCreate2;
  if (type == "SELFDESTRUCT") return CallKind::kSelfDestruct;
  return CallKind::kOther;
}

// Appends one geth call frame and its children (pre-order) as frames of tx_index.
void ParseGethFrame(Walk& w, element frame, uint32_t tx_index, std::vector<uint32_t>& path,
                    std::vector<JsonFrame>* out) {
  if (path.size() > kMaxCallDepth) {
    w.Fail("geth call trace deeper than the EVM call depth");
    return;
  }
  JsonFrame f;
  f.tx_index = tx_index;
  f.kind = GethKind(w.Str(frame, "type"));
  f.error = w.Has(frame, "error");
  if (f.kind == CallKind::kSelfDestruct) {
    // Old callTracer versions give SELFDESTRUCT frames no from/to/value (nothing to transfer).
    f.from = w.OptAddr(frame, "from").value_or(Address());
    f.to = w.OptAddr(frame, "to").value_or(Address());
    f.value = w.OptQuantity(frame, "value").value_or(U256());
  } else if (f.kind != CallKind::kOther) {
    f.from = w.Addr(frame, "from");
    f.to = w.OptAddr(frame, "to").value_or(Address());
    f.value = w.OptQuantity(frame, "value").value_or(U256());
  }
  f.trace_address = path;
  if (!w.ok()) return;
  out->push_back(std::move(f));
  uint32_t child = 0;
  for (element c : w.Array(frame, "calls", /*required=*/false)) {
    path.push_back(child++);
    ParseGethFrame(w, c, tx_index, path, out);
    path.pop_back();
    if (!w.ok()) return;
  }
}

}  // namespace

// Parses parity trace_block entries. Reward traces (no transactionPosition) are skipped.
void ParseParity(Walk& w, array traces, JsonTraces* out) {
  size_t i = 0;
  for (element t : traces) {
    w.set_context(absl::StrCat(out->source, ": trace ", i++));
    if (!w.Has(t, "transactionPosition")) continue;
    if (!out->block_number.has_value()) out->block_number = w.OptQ64(t, "blockNumber");
    if (!out->block_hash.has_value()) {
      if (auto h = w.OptHash(t, "blockHash")) out->block_hash = RetagHash<EvmBlockHash>(*h);
    }
    JsonFrame f;
    f.tx_index =
        static_cast<uint32_t>(std::min<uint64_t>(w.Q64(t, "transactionPosition"), UINT32_MAX));
    const std::string_view type = w.Str(t, "type");
    element action;
    if (!w.Find(t, "action", &action)) {
      w.FailField("action", "missing");
      return;
    }
    std::string_view call_type;
    if (type == "call") call_type = w.Str(action, "callType");
    f.kind = ParityKind(type, call_type);
    f.error = w.Has(t, "error");
    if (f.kind == CallKind::kSelfDestruct) {
      f.from = w.Addr(action, "address");
      f.to = w.Addr(action, "refundAddress");
      f.value = w.Quantity(action, "balance");
    } else if (f.kind == CallKind::kCreate) {
      f.from = w.Addr(action, "from");
      f.value = w.Quantity(action, "value");
      element result;
      if (w.Find(t, "result", &result)) f.to = w.OptAddr(result, "address").value_or(Address());
    } else if (f.kind != CallKind::kOther) {
      f.from = w.Addr(action, "from");
      f.to = w.Addr(action, "to");
      f.value = w.OptQuantity(action, "value").value_or(U256());
    }
    for (element a : w.Array(t, "traceAddress")) {
      uint64_t x;
      if (a.get_uint64().get(x) != simdjson::SUCCESS || x > UINT32_MAX) {
        w.FailField("traceAddress", "not an array of small unsigned integers");
        return;
      }
      f.trace_address.push_back(static_cast<uint32_t>(x));
      if (f.trace_address.size() > kMaxCallDepth) {
        w.FailField("traceAddress", "deeper than the EVM call depth");
        return;
      }
    }
    if (!w.ok()) return;
    out->frames.push_back(std::move(f));
  }
}

void ParseGeth(Walk& w, array entries, JsonTraces* out) {
  uint32_t i = 0;
  for (element e : entries) {
    w.set_context(absl::StrCat(out->source, ": geth trace of transaction ", i));
    if (auto h = w.OptHash(e, "txHash")) out->tx_hashes.push_back(RetagHash<EvmTxHash>(*h));
    element result;
    if (!w.Find(e, "result", &result)) {
      w.FailField("result", "missing (a geth trace entry without a result)");
      return;
    }
    std::vector<uint32_t> path;
    ParseGethFrame(w, result, i, path, &out->frames);
    if (!w.ok()) return;
    ++i;
  }
}

absl::Status AddFrames(const std::vector<JsonFrame>& frames, EvmBlockBuilder* builder) {
  builder->SetHasTraces();
  for (const JsonFrame& f : frames) {
    builder->AddCallFrame(f.tx_index, f.kind, f.from, f.to, f.value, f.error, f.trace_address);
  }
  return absl::OkStatus();
}

}  // namespace json_detail

namespace {

using json_detail::element;
using json_detail::JsonFrame;
using json_detail::JsonTraces;
using json_detail::kMaxJsonDepth;
using json_detail::Walk;

absl::StatusOr<element> ParseText(simdjson::dom::parser& parser, const simdjson::padded_string& s) {
  element doc;
  if (auto e = parser.parse(s).get(doc); e != simdjson::SUCCESS) {
    return absl::DataLossError(absl::StrCat("malformed JSON (", simdjson::error_message(e), ")"));
  }
  return doc;
}

}  // namespace

absl::Status AddGethCallTrace(std::string_view json, uint32_t tx_index, EvmBlockBuilder* builder) {
  simdjson::dom::parser parser;
  if (parser.allocate(json.size() + 64, kMaxJsonDepth) != simdjson::SUCCESS) {
    return absl::ResourceExhaustedError("cannot allocate the JSON parser");
  }
  const simdjson::padded_string text(json.data(), json.size());
  ASSIGN_OR_RETURN(element doc, ParseText(parser, text));
  Walk w("geth call trace");
  std::vector<JsonFrame> frames;
  std::vector<uint32_t> path;
  json_detail::ParseGethFrame(w, doc, tx_index, path, &frames);
  if (!w.ok()) return w.status();
  return json_detail::AddFrames(frames, builder);
}

absl::Status AddParityTraces(std::string_view json, EvmBlockBuilder* builder) {
  simdjson::dom::parser parser;
  if (parser.allocate(json.size() + 64, kMaxJsonDepth) != simdjson::SUCCESS) {
    return absl::ResourceExhaustedError("cannot allocate the JSON parser");
  }
  const simdjson::padded_string text(json.data(), json.size());
  ASSIGN_OR_RETURN(element doc, ParseText(parser, text));
  if (!doc.is_array()) return absl::DataLossError("parity traces: not a JSON array");
  Walk w("parity traces");
  JsonTraces t;
  t.source = "parity traces";
  json_detail::ParseParity(w, doc.get_array().value_unsafe(), &t);
  if (!w.ok()) return w.status();
  return json_detail::AddFrames(t.frames, builder);
}

}  // namespace ariadne::evm
