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

 private:
  // Each helper works on the engine snapshot of the request that calls it.
  static absl::StatusOr<AddrId> ResolveAddress(const Engine& engine, const std::string& address);
  static std::string AddressString(const Engine& engine, AddrId id);
  // An address, or "cluster:<id>": the addresses it stands for (one, or the cluster's members).
  static absl::StatusOr<std::vector<uint32_t>> ResolveSubject(const Engine& engine,
                                                              const std::string& subject,
                                                              bool by_cluster);
  template <typename Request>
  static absl::StatusOr<ClusterId> ResolveCluster(const Engine& engine, const Request& req);
  static void AddLabels(const Engine& engine, AddrId a,
                        google::protobuf::RepeatedPtrField<v1::Label>* out);
  static void AddClusterLabels(const Engine& engine, ClusterId c,
                               google::protobuf::RepeatedPtrField<v1::Label>* out);
  static std::string TxidString(const Engine& engine, TxNum t);

  const EngineSource* source_;
  ServiceOptions options_;
};

// Returns: the gRPC status with the same code and message (absl codes mirror gRPC's).
grpc::Status ToGrpc(const absl::Status& s);

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_ARIADNE_SERVICE_H_
