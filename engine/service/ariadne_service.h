// The gRPC service: answers proto/ariadne.proto from the Engine (store rows by key, and the
// in-memory graph, clusters and labels). The only engine module that speaks protobuf, and the only
// one that may use heuristics/.
#ifndef ARIADNE_ENGINE_SERVICE_ARIADNE_SERVICE_H_
#define ARIADNE_ENGINE_SERVICE_ARIADNE_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "engine/service/engine.h"
#include "proto/ariadne.grpc.pb.h"

namespace ariadne::service {

struct ServiceOptions {
  // Default 1000: entries per page when a request gives no limit.
  uint32_t default_page = 1000;
  // Default 10000: the largest page a request may ask for (larger is RESOURCE_EXHAUSTED).
  uint32_t max_page = 10000;
  // Default 10000 and 1,000,000: edges of a trace when the request gives no limit, and at most.
  uint32_t default_trace_edges = 10'000;
  uint32_t max_trace_edges = 1'000'000;
  // Default 50: the most hops a trace may ask for.
  uint32_t max_trace_hops = 50;
};

class AriadneService final : public v1::Ariadne::Service {
 public:
  // Args: engine: must outlive the service.
  AriadneService(const Engine* engine, ServiceOptions options)
      : engine_(engine), options_(options) {}

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

 private:
  absl::StatusOr<AddrId> ResolveAddress(const std::string& address) const;
  std::string AddressString(AddrId id) const;
  // An address, or "cluster:<id>": the addresses it stands for (one, or the cluster's members).
  absl::StatusOr<std::vector<uint32_t>> ResolveSubject(const std::string& subject,
                                                       bool by_cluster) const;
  template <typename Request>
  absl::StatusOr<ClusterId> ResolveCluster(const Request& req) const;
  void AddLabels(AddrId a, google::protobuf::RepeatedPtrField<v1::Label>* out) const;
  void AddClusterLabels(ClusterId c, google::protobuf::RepeatedPtrField<v1::Label>* out) const;
  std::string TxidString(TxNum t) const;

  const Engine* engine_;
  ServiceOptions options_;
};

// Returns: the gRPC status with the same code and message (absl codes mirror gRPC's).
grpc::Status ToGrpc(const absl::Status& s);

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_ARIADNE_SERVICE_H_
