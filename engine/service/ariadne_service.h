// The gRPC service: an adapter from proto/ariadne.proto to the queries of the engine's chain
// backend (engine/query/chain_backend.h), the same for every chain. Each method takes the engine
// snapshot of its request (UNAVAILABLE while the store is still loading), turns the request into
// the engine's types, runs the query and turns its answer, or its status, into proto.
#ifndef ARIADNE_ENGINE_SERVICE_ARIADNE_SERVICE_H_
#define ARIADNE_ENGINE_SERVICE_ARIADNE_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "engine/query/requests.h"
#include "engine/service/direct_answers.h"
#include "engine/service/engine.h"
#include "proto/ariadne.grpc.pb.h"

namespace ariadne::service {

// The request limits of the service (engine/query/requests.h documents every field).
using ServiceOptions = query::RequestLimits;

// Its point questions (status, address, transaction, cluster) are also DirectAnswers: the gateway
// answers them without the second hop. Those methods do not use their ServerContext, which is null
// when they are answered so.
class AriadneService final : public v1::Ariadne::Service, public DirectAnswers {
 public:
  // Args: source: must outlive the service.
  AriadneService(const EngineSource* source, ServiceOptions options)
      : source_(source), options_(options) {}

  grpc::Status GetStatus(grpc::ServerContext* ctx, const v1::GetStatusRequest* req,
                         v1::ChainStatus* resp) override;
  grpc::Status GetAddress(grpc::ServerContext* ctx, const v1::GetAddressRequest* req,
                          v1::AddressSummary* resp) override;
  grpc::Status GetAddressHistory(grpc::ServerContext* ctx, const v1::GetAddressHistoryRequest* req,
                                 grpc::ServerWriter<v1::HistoryEntry>* writer) override;
  grpc::Status GetTransaction(grpc::ServerContext* ctx, const v1::GetTransactionRequest* req,
                              v1::Transaction* resp) override;
  grpc::Status GetCluster(grpc::ServerContext* ctx, const v1::GetClusterRequest* req,
                          v1::ClusterSummary* resp) override;
  grpc::Status GetClusterMembers(grpc::ServerContext* ctx, const v1::GetClusterMembersRequest* req,
                                 grpc::ServerWriter<v1::ClusterMember>* writer) override;
  grpc::Status Explain(grpc::ServerContext* ctx, const v1::ExplainRequest* req,
                       v1::ExplainReply* resp) override;
  grpc::Status Trace(grpc::ServerContext* ctx, const v1::TraceRequest* req,
                     grpc::ServerWriter<v1::TraceEvent>* writer) override;
  grpc::Status FindPaths(grpc::ServerContext* ctx, const v1::PathsRequest* req,
                         v1::PathsReply* resp) override;
  grpc::Status GetExposure(grpc::ServerContext* ctx, const v1::ExposureRequest* req,
                           v1::ExposureReply* resp) override;

  bool Answers(const google::protobuf::MethodDescriptor& method) const override;
  grpc::Status Answer(const google::protobuf::MethodDescriptor& method,
                      const google::protobuf::Message& request,
                      google::protobuf::Message* response) override;

 private:
  // A unary method of the service.
  template <typename Req, typename Resp>
  using UnaryMethod = grpc::Status (AriadneService::*)(grpc::ServerContext*, const Req*, Resp*);
  // Calls `method` with no context. Returns: INTERNAL when the messages are not its types.
  template <typename Req, typename Resp>
  grpc::Status CallDirect(UnaryMethod<Req, Resp> method, const google::protobuf::Message& request,
                          google::protobuf::Message* response);

  // Runs `query` on the backend of the current engine: UNAVAILABLE while none is loaded.
  template <typename Query>
  grpc::Status Answer(Query query) const;

  const EngineSource* source_;
  ServiceOptions options_;
};

// Returns: the gRPC status with the same code and message (absl codes mirror gRPC's).
grpc::Status ToGrpc(const absl::Status& s);

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_ARIADNE_SERVICE_H_
