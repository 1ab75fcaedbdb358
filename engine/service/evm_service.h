// The gRPC methods of proto/ariadne.proto answered for an EVM store (the account model): the same
// RPCs as for Bitcoin, with the EVM fields of the messages. AriadneService hands each call to the
// function here when its engine's store is of an EVM chain (Engine::is_evm()).
//
// Addresses are shown in EIP-55 checksum form and accepted in any case; mixed case with a wrong
// checksum is INVALID_ARGUMENT naming the address. Transactions are named by their hash (0x + 64
// hex digits). Amounts are decimal strings of 256-bit values in base units.
#ifndef ARIADNE_ENGINE_SERVICE_EVM_SERVICE_H_
#define ARIADNE_ENGINE_SERVICE_EVM_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "engine/service/ariadne_service.h"
#include "engine/service/engine.h"
#include "proto/ariadne.grpc.pb.h"

namespace ariadne::service::evm_rpc {

grpc::Status GetStatus(const Engine& engine, v1::ChainStatus* resp);
grpc::Status GetAddress(const Engine& engine, const v1::GetAddressRequest& req,
                        v1::AddressSummary* resp);
grpc::Status GetAddressHistory(grpc::ServerContext* ctx, const Engine& engine,
                               const ServiceOptions& options,
                               const v1::GetAddressHistoryRequest& req,
                               grpc::ServerWriter<v1::HistoryEntry>* writer);
grpc::Status GetTransaction(const Engine& engine, const v1::GetTransactionRequest& req,
                            v1::Transaction* resp);
grpc::Status GetCluster(const Engine& engine, const v1::GetClusterRequest& req,
                        v1::ClusterSummary* resp);
grpc::Status GetClusterMembers(grpc::ServerContext* ctx, const Engine& engine,
                               const ServiceOptions& options,
                               const v1::GetClusterMembersRequest& req,
                               grpc::ServerWriter<v1::ClusterMember>* writer);
grpc::Status Explain(const Engine& engine, const v1::ExplainRequest& req, v1::ExplainReply* resp);
grpc::Status Trace(grpc::ServerContext* ctx, const Engine& engine, const ServiceOptions& options,
                   const v1::TraceRequest& req, grpc::ServerWriter<v1::TraceEvent>* writer);
grpc::Status FindPaths(grpc::ServerContext* ctx, const Engine& engine, const v1::PathsRequest& req,
                       v1::PathsReply* resp);
grpc::Status GetExposure(grpc::ServerContext* ctx, const Engine& engine,
                         const v1::ExposureRequest& req, v1::ExposureReply* resp);

}  // namespace ariadne::service::evm_rpc

#endif  // ARIADNE_ENGINE_SERVICE_EVM_SERVICE_H_
