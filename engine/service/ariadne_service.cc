#include "engine/service/ariadne_service.h"

#include <google/protobuf/descriptor.h>

#include <string_view>

#include "engine/core/status_macros.h"
#include "engine/service/proto_convert.h"
#include "engine/service/trace_events.h"

namespace ariadne::service {
namespace {

using query::ChainBackend;
namespace pb = google::protobuf;

// The methods answered without the gateway's second hop (direct_answers.h): each is a few point
// reads. Explain walks a cluster's evidence and stays forwarded.
constexpr std::string_view kPointMethods[] = {"GetStatus", "GetAddress", "GetTransaction",
                                              "GetCluster"};

// Returns: whether the call was cancelled (by the client or its deadline).
query::CancelFn CancelOf(grpc::ServerContext* ctx) {
  return [ctx] { return ctx->IsCancelled(); };
}

// Streams each answered row as one message.
template <typename Row, typename Proto, typename Base>
class StreamSink : public Base {
 public:
  explicit StreamSink(grpc::ServerWriter<Proto>* writer) : writer_(writer) {}

 protected:
  bool Write(const Row& row) {
    message_.Clear();
    ToProto(row, &message_);
    return writer_->Write(message_);
  }

 private:
  grpc::ServerWriter<Proto>* writer_;
  Proto message_;
};

class HistoryStream : public StreamSink<query::HistoryEntry, v1::HistoryEntry, query::HistorySink> {
 public:
  using StreamSink::StreamSink;
  bool Entry(const query::HistoryEntry& e) override { return Write(e); }
};

class MemberStream : public StreamSink<query::ClusterMember, v1::ClusterMember, query::MemberSink> {
 public:
  using StreamSink::StreamSink;
  bool Member(const query::ClusterMember& m) override { return Write(m); }
};

// A trace's events, one per message or packed into batches (trace_events.h).
class TraceStream : public query::TraceSink {
 public:
  TraceStream(grpc::ServerWriter<v1::TraceEvent>* writer, uint32_t per_message)
      : writer_(writer), events_(writer, per_message) {}
  bool Node(const query::TraceNode& n) override {
    event_.Clear();
    ToProto(n, event_.mutable_node());
    return events_.Add(&event_);
  }
  bool Edge(const query::TraceEdge& e) override {
    event_.Clear();
    ToProto(e, event_.mutable_edge());
    return events_.Add(&event_);
  }
  bool Flow(const query::TraceFlow& f) override {
    event_.Clear();
    ToProto(f, event_.mutable_flow());
    return events_.Add(&event_);
  }
  bool Endpoint(const query::TraceEndpoint& e) override {
    event_.Clear();
    ToProto(e, event_.mutable_endpoint());
    return events_.Add(&event_);
  }
  bool Summary(const query::TraceSummary& s) override {
    if (!events_.Flush()) return false;
    event_.Clear();
    ToProto(s, event_.mutable_summary());
    writer_->Write(event_);  // the last message: a client gone now has the whole trace anyway
    return true;
  }

 private:
  grpc::ServerWriter<v1::TraceEvent>* writer_;
  TraceEventSink events_;
  v1::TraceEvent event_;
};

}  // namespace

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

template <typename Query>
grpc::Status AriadneService::Answer(Query query) const {
  const std::shared_ptr<const Engine> snapshot = source_->Get();
  if (snapshot == nullptr) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the store is still loading");
  }
  return ToGrpc(query(snapshot->backend()));
}

grpc::Status AriadneService::GetStatus(grpc::ServerContext*, const v1::GetStatusRequest*,
                                       v1::ChainStatus* resp) {
  return Answer([&](const ChainBackend& b) -> absl::Status {
    ASSIGN_OR_RETURN(const query::ChainStatus s, b.Status());
    ToProto(s, resp);
    return absl::OkStatus();
  });
}

grpc::Status AriadneService::GetAddress(grpc::ServerContext*, const v1::GetAddressRequest* req,
                                        v1::AddressSummary* resp) {
  return Answer([&](const ChainBackend& b) -> absl::Status {
    ASSIGN_OR_RETURN(const query::AddressSummary s, b.Address(req->address()));
    ToProto(s, resp);
    return absl::OkStatus();
  });
}

grpc::Status AriadneService::GetAddressHistory(grpc::ServerContext* ctx,
                                               const v1::GetAddressHistoryRequest* req,
                                               grpc::ServerWriter<v1::HistoryEntry>* writer) {
  return Answer([&](const ChainBackend& b) {
    HistoryStream sink(writer);
    return b.History(FromProto(*req), options_, CancelOf(ctx), &sink);
  });
}

grpc::Status AriadneService::GetTransaction(grpc::ServerContext*,
                                            const v1::GetTransactionRequest* req,
                                            v1::Transaction* resp) {
  return Answer([&](const ChainBackend& b) -> absl::Status {
    ASSIGN_OR_RETURN(const query::Transaction t, b.Tx(req->txid()));
    ToProto(t, resp);
    return absl::OkStatus();
  });
}

grpc::Status AriadneService::GetCluster(grpc::ServerContext*, const v1::GetClusterRequest* req,
                                        v1::ClusterSummary* resp) {
  return Answer([&](const ChainBackend& b) -> absl::Status {
    ASSIGN_OR_RETURN(const query::ClusterSummary c, b.Cluster(FromProto(*req)));
    ToProto(c, resp);
    return absl::OkStatus();
  });
}

grpc::Status AriadneService::GetClusterMembers(grpc::ServerContext* ctx,
                                               const v1::GetClusterMembersRequest* req,
                                               grpc::ServerWriter<v1::ClusterMember>* writer) {
  return Answer([&](const ChainBackend& b) {
    MemberStream sink(writer);
    return b.Members(FromProto(*req), options_, CancelOf(ctx), &sink);
  });
}

grpc::Status AriadneService::Explain(grpc::ServerContext*, const v1::ExplainRequest* req,
                                     v1::ExplainReply* resp) {
  return Answer([&](const ChainBackend& b) -> absl::Status {
    ASSIGN_OR_RETURN(const query::Explanation x, b.Explain(req->from(), req->to()));
    ToProto(x, resp);
    return absl::OkStatus();
  });
}

grpc::Status AriadneService::Trace(grpc::ServerContext* ctx, const v1::TraceRequest* req,
                                   grpc::ServerWriter<v1::TraceEvent>* writer) {
  return Answer([&](const ChainBackend& b) {
    TraceStream sink(writer, req->events_per_message());
    return b.Trace(FromProto(*req), options_, CancelOf(ctx), &sink);
  });
}

grpc::Status AriadneService::FindPaths(grpc::ServerContext* ctx, const v1::PathsRequest* req,
                                       v1::PathsReply* resp) {
  return Answer([&](const ChainBackend& b) -> absl::Status {
    ASSIGN_OR_RETURN(const query::Paths p, b.FindPaths(FromProto(*req), options_, CancelOf(ctx)));
    ToProto(p, resp);
    return absl::OkStatus();
  });
}

grpc::Status AriadneService::GetExposure(grpc::ServerContext* ctx, const v1::ExposureRequest* req,
                                         v1::ExposureReply* resp) {
  return Answer([&](const ChainBackend& b) -> absl::Status {
    ASSIGN_OR_RETURN(const query::Exposure x,
                     b.GetExposure(FromProto(*req), options_, CancelOf(ctx)));
    ToProto(x, resp);
    return absl::OkStatus();
  });
}

bool AriadneService::Answers(const pb::MethodDescriptor& method) const {
  if (method.service()->full_name() != v1::Ariadne::service_full_name()) return false;
  for (std::string_view name : kPointMethods) {
    if (method.name() == name) return true;
  }
  return false;
}

template <typename Req, typename Resp>
grpc::Status AriadneService::CallDirect(UnaryMethod<Req, Resp> method, const pb::Message& request,
                                        pb::Message* response) {
  if (request.GetDescriptor() != Req::descriptor() ||
      response->GetDescriptor() != Resp::descriptor()) {
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        "a direct answer was asked with messages of the wrong type");
  }
  return (this->*method)(nullptr, static_cast<const Req*>(&request), static_cast<Resp*>(response));
}

grpc::Status AriadneService::Answer(const pb::MethodDescriptor& method, const pb::Message& request,
                                    pb::Message* response) {
  const std::string& name = method.name();
  if (name == "GetStatus") return CallDirect(&AriadneService::GetStatus, request, response);
  if (name == "GetAddress") return CallDirect(&AriadneService::GetAddress, request, response);
  if (name == "GetTransaction") {
    return CallDirect(&AriadneService::GetTransaction, request, response);
  }
  if (name == "GetCluster") return CallDirect(&AriadneService::GetCluster, request, response);
  return grpc::Status(grpc::StatusCode::INTERNAL,
                      "no direct answer for " + method.full_name() + " (Answers() refused it)");
}

}  // namespace ariadne::service
