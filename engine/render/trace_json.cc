#include "engine/render/trace_json.h"

#include <map>

#include "engine/render/json_writer.h"
#include "engine/render/reply_json.h"

namespace ariadne::render {

void Collect(const v1::TraceEvent& event, CollectedTrace* t) {
  switch (event.event_case()) {
    case v1::TraceEvent::kNode:
      t->nodes.push_back(event.node());
      break;
    case v1::TraceEvent::kEdge:
      t->edges.push_back(event.edge());
      break;
    case v1::TraceEvent::kFlow:
      t->flows.push_back(event.flow());
      break;
    case v1::TraceEvent::kEndpoint:
      t->endpoints.push_back(event.endpoint());
      break;
    case v1::TraceEvent::kSummary:
      t->summary = event.summary();
      break;
    case v1::TraceEvent::kBatch:
      for (const v1::TraceEvent& e : event.batch().events()) Collect(e, t);
      break;
    default:
      break;
  }
}

void WriteTraceJson(const CollectedTrace& t, std::string* out) {
  JsonWriter w(out);
  const v1::TraceSummary& s = t.summary;
  w.BeginObject()
      .Field("seed", s.seed())
      .Field("direction", s.direction())
      .Field("taint", s.taint())
      .Field("seed_value", s.seed_value())
      .Field("transactions", s.transactions())
      .Field("truncated", s.truncated())
      .Key("tainted_by_reason")
      .BeginObject();
  std::map<std::string, int64_t> by(s.tainted_by_reason().begin(), s.tainted_by_reason().end());
  for (const auto& [reason, v] : by) w.Field(reason, v);
  w.EndObject();
  if (s.seed_amounts_size() > 0 || s.tainted_amounts_size() > 0) {
    // EVM: amounts per asset, decimal strings of base units.
    w.Key("seed_amounts").BeginArray();
    for (const auto& a : s.seed_amounts()) {
      w.BeginObject().Field("asset", a.asset()).Field("amount", a.amount()).EndObject();
    }
    w.EndArray().Key("tainted_amounts").BeginArray();
    for (const auto& a : s.tainted_amounts()) {
      w.BeginObject()
          .Field("reason", a.reason())
          .Field("asset", a.asset())
          .Field("amount", a.amount())
          .EndObject();
    }
    w.EndArray();
  }
  if (t.shape != v1::TraceRequest::EDGES) {
    w.Field("node_count", s.nodes()).Field("edge_count", s.edges());
  }
  if (t.shape == v1::TraceRequest::SUMMARY) {
    w.EndObject();
    return;
  }
  w.Key("nodes").BeginArray();
  for (const auto& n : t.nodes) {
    w.BeginObject().Field("id", n.id()).Field("kind", n.kind());
    if (n.kind() == "cluster" || n.cluster_id() != 0) w.Field("cluster_id", n.cluster_id());
    if (n.kind() == "cluster") w.Field("size", n.size());
    LabelsJson(n.labels(), true, &w);
    w.EndObject();
  }
  w.EndArray();
  if (t.shape == v1::TraceRequest::AGGREGATED) {
    w.Key("flows").BeginArray();
    for (const auto& f : t.flows) {
      w.BeginObject()
          .Field("from", f.from())
          .Field("to", f.to())
          .Field("value", f.value())
          .Field("tainted_value", f.tainted_value())
          .Field("transactions", f.transactions())
          .Field("edges", f.edges())
          .Field("hop", f.hop())
          .Field("first_block_height", f.first_block_height())
          .Field("last_block_height", f.last_block_height());
      if (!f.asset().empty()) {
        w.Field("asset", f.asset())
            .Field("amount", f.amount())
            .Field("tainted_amount", f.tainted_amount());
      }
      w.EndObject();
    }
    w.EndArray();
  }
  if (t.shape == v1::TraceRequest::EDGES) {
    w.Key("edges").BeginArray();
    for (const auto& e : t.edges) {
      w.BeginObject()
          .Field("from", e.from())
          .Field("to", e.to())
          .Field("txid", e.txid())
          .Field("block_height", e.block_height())
          .Field("value", e.value())
          .Field("tainted_value", e.tainted_value())
          .Field("hop", e.hop());
      if (!e.asset().empty()) {
        w.Field("asset", e.asset())
            .Field("amount", e.amount())
            .Field("tainted_amount", e.tainted_amount())
            .Field("transfer", e.transfer());
      }
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("endpoints").BeginArray();
  for (const auto& e : t.endpoints) {
    w.BeginObject()
        .Field("node", e.node())
        .Field("reason", e.reason())
        .Field("tainted_value", e.tainted_value())
        .Field("hop", e.hop());
    if (!e.asset().empty()) {
      w.Field("asset", e.asset()).Field("tainted_amount", e.tainted_amount());
    }
    w.EndObject();
  }
  w.EndArray().EndObject();
}

}  // namespace ariadne::render
