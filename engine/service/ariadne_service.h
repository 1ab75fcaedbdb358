// The gRPC service: answers proto/ariadne.proto from the store (rows by key) and the in-memory
// transaction graph (spenders, amounts). The only engine module that speaks protobuf.
#ifndef ARIADNE_ENGINE_SERVICE_ARIADNE_SERVICE_H_
#define ARIADNE_ENGINE_SERVICE_ARIADNE_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/status.h"
#include "engine/graph/tx_graph.h"
#include "engine/store/height_index.h"
#include "engine/store/store.h"
#include "proto/ariadne.grpc.pb.h"

namespace ariadne::service {

struct ServiceOptions {
  // Default 1000: history entries per page when the request gives no limit.
  uint32_t default_history_page = 1000;
  // Default 10000: the largest page a request may ask for (larger is RESOURCE_EXHAUSTED).
  uint32_t max_history_page = 10000;
};

// What the service reads. Owned by the caller; must outlive the service.
struct EngineView {
  const store::Store* store = nullptr;
  const graph::TxGraph* graph = nullptr;
  const store::HeightIndex* heights = nullptr;
};

class AriadneService final : public v1::Ariadne::Service {
 public:
  AriadneService(EngineView view, ServiceOptions options) : view_(view), options_(options) {}

  grpc::Status GetStatus(grpc::ServerContext* ctx, const v1::GetStatusRequest* req,
                         v1::ChainStatus* resp) override;
  grpc::Status GetAddress(grpc::ServerContext* ctx, const v1::GetAddressRequest* req,
                          v1::AddressSummary* resp) override;
  grpc::Status GetAddressHistory(grpc::ServerContext* ctx,
                                 const v1::GetAddressHistoryRequest* req,
                                 grpc::ServerWriter<v1::HistoryEntry>* writer) override;
  grpc::Status GetTransaction(grpc::ServerContext* ctx, const v1::GetTransactionRequest* req,
                              v1::Transaction* resp) override;

 private:
  absl::StatusOr<AddrId> ResolveAddress(const std::string& address) const;
  std::string AddressString(AddrId id) const;

  EngineView view_;
  ServiceOptions options_;
};

// Returns: the gRPC status with the same code and message (absl codes mirror gRPC's).
grpc::Status ToGrpc(const absl::Status& s);

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_ARIADNE_SERVICE_H_
