#include "bench/peers/postgres/questions.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ariadne::bench::peers {
namespace {

constexpr std::array<absl::string_view, kNumQuestions> kNames = {
    "ping",
    "summary",
    "history",
    "transaction",
    "trace_fwd_poison",
    "trace_fwd_haircut",
    "trace_back_poison",
    "trace_back_haircut",
    "paths",
    "exposure",
};

bool Forward(Question q) {
  return q == Question::kTraceForwardPoison || q == Question::kTraceForwardHaircut;
}
bool Poison(Question q) {
  return q == Question::kTraceForwardPoison || q == Question::kTraceBackwardPoison;
}

// Labels as "label|category|source", sorted and ';'-joined, from either side.
std::string LabelList(std::vector<std::string> labels) {
  std::sort(labels.begin(), labels.end());
  return absl::StrJoin(labels, ";");
}
std::string LabelList(absl::string_view joined) {
  if (joined.empty()) return "";
  return LabelList(std::vector<std::string>(absl::StrSplit(joined, ';')));
}
std::string LabelList(const google::protobuf::RepeatedPtrField<v1::Label>& labels) {
  std::vector<std::string> v;
  for (const v1::Label& l : labels)
    v.push_back(absl::StrCat(l.label(), "|", l.category(), "|", l.source()));
  return LabelList(std::move(v));
}

// The line of a text column of row `i` ("" for NULL).
std::string Col(const PgResult& r, int row, int col) { return std::string(r.Get(row, col)); }

int64_t ColInt(const PgResult& r, int row, int col) {
  int64_t v = 0;
  if (!r.IsNull(row, col)) (void)absl::SimpleAtoi(r.Get(row, col), &v);
  return v;
}

std::chrono::system_clock::time_point Deadline(const QuestionParams& p) {
  return std::chrono::system_clock::now() +
         std::chrono::milliseconds(static_cast<int64_t>(p.deadline_s * 1000));
}

absl::Status FromGrpc(const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

// ---------------------------------------------------------------------------------------------
// Canonical lines shared by both sides

std::string SummaryLine(absl::string_view address, absl::string_view type, int64_t txs,
                        int64_t received, int64_t sent, int64_t balance, int64_t first,
                        int64_t last, int64_t outputs, int64_t unspent, absl::string_view labels) {
  return absl::StrCat("address ", address, " type ", type, " txs ", txs, " received ", received,
                      " sent ", sent, " balance ", balance, " first ", first, " last ", last,
                      " outputs ", outputs, " unspent ", unspent, " labels ", labels);
}

std::string EdgeLine(absl::string_view from, absl::string_view to, absl::string_view txid,
                     int64_t height, int64_t value, int64_t tainted, int64_t hop) {
  return absl::StrCat("edge ", from, " ", to, " ", txid, " ", height, " ", value, " ", tainted, " ",
                      hop);
}

std::string EndLine(absl::string_view node, absl::string_view reason, int64_t tainted,
                    int64_t hop) {
  return absl::StrCat("end ", node, " ", reason, " ", tainted, " ", hop);
}

std::string ExposureLine(absl::string_view kind, absl::string_view name, int64_t rd, int64_t ri,
                         int64_t sd, int64_t si) {
  return absl::StrCat(kind, " ", name, " ", rd, " ", ri, " ", sd, " ", si);
}

}  // namespace

absl::string_view QuestionName(Question q) { return kNames[static_cast<int>(q)]; }

absl::StatusOr<Question> ParseQuestion(absl::string_view name) {
  for (int i = 0; i < kNumQuestions; ++i) {
    if (kNames[i] == name) return static_cast<Question>(i);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown question '", name, "' (", absl::StrJoin(kNames, ", "), ")"));
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

std::string PgStatement(Question q) {
  switch (q) {
    case Question::kPing:
      return "SELECT 1";
    case Question::kSummary:
      return R"sql(
SELECT a.address, a.type, a.tx_count, a.received, a.sent, a.received - a.sent, a.first_height,
       a.last_height, a.output_count, a.output_count - a.spent_count,
       (SELECT string_agg(l.label || '|' || l.category || '|' || l.source, ';')
        FROM label l WHERE l.addr_id = a.addr_id)
FROM address a WHERE a.address = $1)sql";
    case Question::kHistory:
      // One row past the page gives the last entry's cursor (the next entry's TxNum).
      return R"sql(
SELECT encode(t.txid, 'hex'), t.height, b.time, p.received, p.sent,
       coalesce((lead(p.tx_id) OVER (ORDER BY p.tx_id))::text, '')
FROM (SELECT h.tx_id, h.received, h.sent FROM addr_tx h
      WHERE h.addr_id = (SELECT addr_id FROM address WHERE address = $1)
      ORDER BY h.tx_id LIMIT $2::int + 1) p
     JOIN tx t ON t.tx_id = p.tx_id JOIN block b ON b.height = t.height
ORDER BY p.tx_id LIMIT $2::int)sql";
    case Question::kTransaction:
      return R"sql(
WITH t AS (SELECT * FROM tx WHERE txid = decode($1, 'hex'))
SELECT 0 AS part, 0 AS n, encode(t.txid, 'hex'), t.height::text, encode(b.hash, 'hex'),
       b.time::text, (CASE WHEN t.coinbase THEN 0 ELSE t.in_value - t.out_value END)::text,
       t.coinbase::text, t.size::text, t.vsize::text, t.version::text, t.locktime::text
FROM t JOIN block b ON b.height = t.height
UNION ALL
SELECT 1, i.vin, encode(pt.txid, 'hex'), p.vout::text, coalesce(a.address, ''), i.value::text,
       p.type, NULL, NULL, NULL, NULL, NULL
FROM t JOIN input i ON i.tx_id = t.tx_id JOIN output p ON p.out_id = i.prev_out
     JOIN tx pt ON pt.tx_id = p.tx_id LEFT JOIN address a ON a.addr_id = i.addr_id
UNION ALL
SELECT 2, o.vout, o.type, coalesce(a.address, ''), o.value::text,
       coalesce(encode(st.txid, 'hex'), ''), NULL, NULL, NULL, NULL, NULL, NULL
FROM t JOIN output o ON o.tx_id = t.tx_id
     LEFT JOIN address a ON a.addr_id = o.addr_id LEFT JOIN tx st ON st.tx_id = o.spent_tx
ORDER BY 1, 2)sql";
    case Question::kTraceForwardPoison:
    case Question::kTraceForwardHaircut:
    case Question::kTraceBackwardPoison:
    case Question::kTraceBackwardHaircut:
      return "SELECT kind, a, b, txid, height, value, tainted, hop FROM "
             "peers_trace($1, $2::boolean, $3::boolean, $4::int, $5::bigint)";
    case Question::kPaths:
      return "SELECT path, step, txid, height, vout, value, from_owner, to_owner FROM "
             "peers_paths($1, $2, $3::int, $4::int)";
    case Question::kExposure:
      return "SELECT kind, entity, category, received_direct, received_indirect, sent_direct, "
             "sent_indirect FROM peers_exposure($1, $2::int)";
  }
  return "";
}

std::vector<std::string> PgParams(Question q, const Subject& s, const QuestionParams& p) {
  switch (q) {
    case Question::kPing:
      return {};
    case Question::kSummary:
      return {s.address};
    case Question::kHistory:
      return {s.address, absl::StrCat(p.history_limit)};
    case Question::kTransaction:
      return {s.txid};
    case Question::kTraceForwardPoison:
    case Question::kTraceForwardHaircut:
    case Question::kTraceBackwardPoison:
    case Question::kTraceBackwardHaircut:
      return {s.address, Forward(q) ? "true" : "false", Poison(q) ? "true" : "false",
              absl::StrCat(p.hops), absl::StrCat(p.max_edges)};
    case Question::kPaths:
      return {s.address, s.path_to, absl::StrCat(p.path_max_hops), absl::StrCat(p.max_paths)};
    case Question::kExposure:
      return {s.address, absl::StrCat(p.hops)};
  }
  return {};
}

absl::StatusOr<Answer> PgAnswer(Question q, const PgResult& r) {
  Answer a;
  switch (q) {
    case Question::kPing:
      a.push_back(Col(r, 0, 0));
      return a;
    case Question::kSummary:
      if (r.rows() != 1) return absl::NotFoundError("no such address");
      a.push_back(SummaryLine(r.Get(0, 0), r.Get(0, 1), ColInt(r, 0, 2), ColInt(r, 0, 3),
                              ColInt(r, 0, 4), ColInt(r, 0, 5), ColInt(r, 0, 6), ColInt(r, 0, 7),
                              ColInt(r, 0, 8), ColInt(r, 0, 9), LabelList(r.Get(0, 10))));
      return a;
    case Question::kHistory:
      for (int i = 0; i < r.rows(); ++i) {
        a.push_back(absl::StrCat(r.Get(i, 0), " ", r.Get(i, 1), " ", r.Get(i, 2), " ", r.Get(i, 3),
                                 " ", r.Get(i, 4), " ", r.Get(i, 5)));
      }
      return a;
    case Question::kTransaction:
      for (int i = 0; i < r.rows(); ++i) {
        const int64_t part = ColInt(r, i, 0);
        if (part == 0) {
          a.push_back(absl::StrCat("tx ", r.Get(i, 2), " ", r.Get(i, 3), " ", r.Get(i, 4), " ",
                                   r.Get(i, 5), " ", r.Get(i, 6), " ", r.Get(i, 7), " ",
                                   r.Get(i, 8), " ", r.Get(i, 9), " ", r.Get(i, 10), " ",
                                   r.Get(i, 11)));
        } else if (part == 1) {
          a.push_back(absl::StrCat("in ", r.Get(i, 2), " ", r.Get(i, 3), " ", r.Get(i, 4), " ",
                                   r.Get(i, 5), " ", r.Get(i, 6)));
        } else {
          a.push_back(absl::StrCat("out ", r.Get(i, 1), " ", r.Get(i, 2), " ", r.Get(i, 3), " ",
                                   r.Get(i, 4), " ", r.Get(i, 5)));
        }
      }
      if (a.empty()) return absl::NotFoundError("no such transaction");
      return a;
    case Question::kTraceForwardPoison:
    case Question::kTraceForwardHaircut:
    case Question::kTraceBackwardPoison:
    case Question::kTraceBackwardHaircut: {
      std::map<std::string, int64_t> totals;
      int64_t nodes = 0;
      for (int i = 0; i < r.rows(); ++i) {
        const absl::string_view kind = r.Get(i, 0);
        if (kind == "s") {
          if (r.Get(i, 2) == "truncated") {
            return Answer{"truncated", absl::StrCat("seed_value ", r.Get(i, 5))};
          }
          a.push_back(absl::StrCat("summary seed_value ", r.Get(i, 5), " transactions ",
                                   r.Get(i, 6), " edges ", r.Get(i, 7)));
        } else if (kind == "n") {
          ++nodes;
          a.push_back(absl::StrCat("node ", r.Get(i, 1), " ", LabelList(r.Get(i, 2))));
        } else if (kind == "e") {
          a.push_back(EdgeLine(r.Get(i, 1), r.Get(i, 2), r.Get(i, 3), ColInt(r, i, 4),
                               ColInt(r, i, 5), ColInt(r, i, 6), ColInt(r, i, 7)));
        } else if (kind == "x") {
          a.push_back(EndLine(r.Get(i, 1), r.Get(i, 2), ColInt(r, i, 6), ColInt(r, i, 7)));
          totals[std::string(r.Get(i, 2))] += ColInt(r, i, 6);
        }
      }
      a.push_back(absl::StrCat("nodes ", nodes));
      for (const auto& [reason, v] : totals) {
        if (v != 0) a.push_back(absl::StrCat("total ", reason, " ", v));
      }
      std::sort(a.begin(), a.end());
      return a;
    }
    case Question::kPaths: {
      int64_t path = 0, bottleneck = INT64_MAX;
      for (int i = 0; i < r.rows(); ++i) {
        const int64_t p = ColInt(r, i, 0);
        if (p == 0) {
          if (path > 0) a.push_back(absl::StrCat("path ", path, " bottleneck ", bottleneck));
          a.insert(a.begin(), absl::StrCat("paths hops ", r.Get(i, 1), " truncated ",
                                           ColInt(r, i, 3) != 0 ? "true" : "false"));
          return a;
        }
        if (p != path) {
          if (path > 0) a.push_back(absl::StrCat("path ", path, " bottleneck ", bottleneck));
          path = p;
          bottleneck = INT64_MAX;
        }
        bottleneck = std::min(bottleneck, ColInt(r, i, 5));
        a.push_back(absl::StrCat("step ", p, ".", r.Get(i, 1), " ", r.Get(i, 2), " ", r.Get(i, 3),
                                 " ", r.Get(i, 6), " ", r.Get(i, 7), " ", r.Get(i, 5), " ",
                                 r.Get(i, 4)));
      }
      return absl::InternalError("peers_paths returned no summary row");
    }
    case Question::kExposure: {
      Answer head;
      for (int i = 0; i < r.rows(); ++i) {
        const absl::string_view kind = r.Get(i, 0);
        if (kind == "t") {
          head.push_back(absl::StrCat("exposure received ", r.Get(i, 3), " sent ", r.Get(i, 5)));
          if (r.Get(i, 2) == "truncated") {
            head.push_back("truncated");
            return head;
          }
        } else if (kind == "c") {
          a.push_back(ExposureLine("category", r.Get(i, 2), ColInt(r, i, 3), ColInt(r, i, 4),
                                   ColInt(r, i, 5), ColInt(r, i, 6)));
        } else {
          a.push_back(ExposureLine("entity", absl::StrCat(r.Get(i, 1), "|", r.Get(i, 2)),
                                   ColInt(r, i, 3), ColInt(r, i, 4), ColInt(r, i, 5),
                                   ColInt(r, i, 6)));
        }
      }
      std::sort(a.begin(), a.end());
      a.insert(a.begin(), head.begin(), head.end());
      return a;
    }
  }
  return absl::InternalError("unknown question");
}

// ---------------------------------------------------------------------------------------------
// Ariadne

AriadneClient::AriadneClient(const std::string& target, int index) {
  grpc::ChannelArguments args;
  // Its own subchannel, hence its own connection, like a separate client.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("ariadne.peers_bench.client", index);
  args.SetMaxReceiveMessageSize(256 << 20);
  channel_ = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  stub_ = v1::Ariadne::NewStub(channel_);
  generic_ = std::make_unique<grpc::GenericStub>(channel_);
}

bool AriadneClient::WaitConnected(double seconds) {
  return channel_->WaitForConnected(std::chrono::system_clock::now() +
                                    std::chrono::milliseconds(static_cast<int64_t>(seconds * 1e3)));
}

absl::Status AriadneClient::Ping() {
  // grpc.health.v1.Health/Check with an empty HealthCheckRequest: zero bytes each way but the
  // status, the floor of a gRPC round trip.
  grpc::ClientContext ctx;
  grpc::Slice none("");
  grpc::ByteBuffer request(&none, 1), reply;
  grpc::Status status;
  auto rpc = generic_->PrepareUnaryCall(&ctx, "/grpc.health.v1.Health/Check", request, &cq_);
  rpc->StartCall();
  rpc->Finish(&reply, &status, &cq_);
  void* tag;
  bool ok;
  cq_.Next(&tag, &ok);
  return FromGrpc(status);
}

absl::Status AriadneClient::Ask(Question q, const Subject& s, const QuestionParams& p,
                                Answer* answer) {
  if (q == Question::kPing) {
    absl::Status st = Ping();
    if (st.ok() && answer != nullptr) answer->push_back("1");
    return st;
  }
  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline(p));
  switch (q) {
    case Question::kPing:
      break;
    case Question::kSummary: {
      v1::GetAddressRequest req;
      req.set_address(s.address);
      v1::AddressSummary r;
      grpc::Status st = stub_->GetAddress(&ctx, req, &r);
      if (!st.ok()) return FromGrpc(st);
      if (answer != nullptr) {
        answer->push_back(SummaryLine(r.address(), r.type(), static_cast<int64_t>(r.tx_count()),
                                      r.received(), r.sent(), r.balance(), r.first_seen_height(),
                                      r.last_seen_height(), static_cast<int64_t>(r.output_count()),
                                      static_cast<int64_t>(r.unspent_count()),
                                      LabelList(r.labels())));
      }
      return absl::OkStatus();
    }
    case Question::kHistory: {
      v1::GetAddressHistoryRequest req;
      req.set_address(s.address);
      req.set_limit(p.history_limit);
      auto reader = stub_->GetAddressHistory(&ctx, req);
      v1::HistoryEntry e;
      while (reader->Read(&e)) {
        if (answer != nullptr) {
          answer->push_back(absl::StrCat(e.txid(), " ", e.block_height(), " ", e.block_time(), " ",
                                         e.received(), " ", e.sent(), " ", e.cursor()));
        }
      }
      return FromGrpc(reader->Finish());
    }
    case Question::kTransaction: {
      v1::GetTransactionRequest req;
      req.set_txid(s.txid);
      v1::Transaction t;
      grpc::Status st = stub_->GetTransaction(&ctx, req, &t);
      if (!st.ok()) return FromGrpc(st);
      if (answer != nullptr) {
        answer->push_back(absl::StrCat("tx ", t.txid(), " ", t.block_height(), " ", t.block_hash(),
                                       " ", t.block_time(), " ", t.fee(), " ",
                                       t.coinbase() ? "true" : "false", " ", t.size(), " ",
                                       t.vsize(), " ", t.version(), " ", t.locktime()));
        for (const v1::TxInput& in : t.inputs()) {
          answer->push_back(absl::StrCat("in ", in.prev_txid(), " ", in.prev_vout(), " ",
                                         in.address(), " ", in.value(), " ", in.type()));
        }
        for (const v1::TxOutput& o : t.outputs()) {
          answer->push_back(absl::StrCat("out ", o.vout(), " ", o.type(), " ", o.address(), " ",
                                         o.value(), " ", o.spent_by()));
        }
      }
      return absl::OkStatus();
    }
    case Question::kTraceForwardPoison:
    case Question::kTraceForwardHaircut:
    case Question::kTraceBackwardPoison:
    case Question::kTraceBackwardHaircut: {
      v1::TraceRequest req;
      req.set_seed(s.address);
      req.set_direction(Forward(q) ? v1::TraceRequest::FORWARD : v1::TraceRequest::BACKWARD);
      req.set_taint(Poison(q) ? "poison" : "haircut");
      req.set_hops(p.hops);
      req.set_max_edges(p.max_edges);
      req.set_events_per_message(p.events_per_message);
      auto reader = stub_->Trace(&ctx, req);
      v1::TraceEvent ev;
      Answer lines;
      bool truncated = false;
      int64_t seed_value = 0;
      auto add = [&](const v1::TraceEvent& e) {
        switch (e.event_case()) {
          case v1::TraceEvent::kNode:
            lines.push_back(
                absl::StrCat("node ", e.node().id(), " ", LabelList(e.node().labels())));
            break;
          case v1::TraceEvent::kEdge: {
            const v1::TraceEdge& d = e.edge();
            lines.push_back(EdgeLine(d.from(), d.to(), d.txid(), d.block_height(), d.value(),
                                     d.tainted_value(), d.hop()));
            break;
          }
          case v1::TraceEvent::kEndpoint: {
            const v1::TraceEndpoint& d = e.endpoint();
            lines.push_back(EndLine(d.node(), d.reason(), d.tainted_value(), d.hop()));
            break;
          }
          case v1::TraceEvent::kSummary: {
            const v1::TraceSummary& d = e.summary();
            truncated = d.truncated();
            seed_value = d.seed_value();
            lines.push_back(absl::StrCat("summary seed_value ", d.seed_value(), " transactions ",
                                         d.transactions(), " edges ", d.edges()));
            lines.push_back(absl::StrCat("nodes ", d.nodes()));
            for (const auto& [reason, v] : d.tainted_by_reason()) {
              lines.push_back(absl::StrCat("total ", reason, " ", v));
            }
            break;
          }
          default:
            break;
        }
      };
      while (reader->Read(&ev)) {
        if (answer == nullptr) continue;
        if (ev.has_batch()) {
          for (const v1::TraceEvent& e : ev.batch().events()) add(e);
        } else {
          add(ev);
        }
      }
      absl::Status st = FromGrpc(reader->Finish());
      if (!st.ok() || answer == nullptr) return st;
      if (truncated) {
        answer->push_back("truncated");
        answer->push_back(absl::StrCat("seed_value ", seed_value));
      } else {
        std::sort(lines.begin(), lines.end());
        *answer = std::move(lines);
      }
      return absl::OkStatus();
    }
    case Question::kPaths: {
      v1::PathsRequest req;
      req.set_from(s.address);
      req.set_to(s.path_to);
      req.set_max_hops(p.path_max_hops);
      req.set_max_paths(p.max_paths);
      v1::PathsReply r;
      grpc::Status st = stub_->FindPaths(&ctx, req, &r);
      if (!st.ok()) return FromGrpc(st);
      if (answer != nullptr) {
        answer->push_back(
            absl::StrCat("paths hops ", r.hops(), " truncated ", r.truncated() ? "true" : "false"));
        for (int i = 0; i < r.paths_size(); ++i) {
          const v1::Path& path = r.paths(i);
          for (int k = 0; k < path.steps_size(); ++k) {
            const v1::PathStep& step = path.steps(k);
            answer->push_back(absl::StrCat("step ", i + 1, ".", k + 1, " ", step.txid(), " ",
                                           step.block_height(), " ", step.from(), " ", step.to(),
                                           " ", step.value(), " ", step.vout()));
          }
          answer->push_back(absl::StrCat("path ", i + 1, " bottleneck ", path.bottleneck()));
        }
      }
      return absl::OkStatus();
    }
    case Question::kExposure: {
      v1::ExposureRequest req;
      req.set_address(s.address);
      req.set_hops(p.hops);
      v1::ExposureReply r;
      grpc::Status st = stub_->GetExposure(&ctx, req, &r);
      if (!st.ok()) return FromGrpc(st);
      if (answer != nullptr) {
        answer->push_back(absl::StrCat("exposure received ", r.received(), " sent ", r.sent()));
        if (r.truncated()) {
          answer->push_back("truncated");
          return absl::OkStatus();
        }
        Answer rows;
        for (const v1::ExposureEntry& e : r.categories()) {
          rows.push_back(ExposureLine("category", e.category(), e.received_direct(),
                                      e.received_indirect(), e.sent_direct(), e.sent_indirect()));
        }
        for (const v1::ExposureEntry& e : r.entities()) {
          rows.push_back(ExposureLine("entity", absl::StrCat(e.entity(), "|", e.category()),
                                      e.received_direct(), e.received_indirect(), e.sent_direct(),
                                      e.sent_indirect()));
        }
        std::sort(rows.begin(), rows.end());
        answer->insert(answer->end(), rows.begin(), rows.end());
      }
      return absl::OkStatus();
    }
  }
  return absl::InternalError("unknown question");
}

}  // namespace ariadne::bench::peers
