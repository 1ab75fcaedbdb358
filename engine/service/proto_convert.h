// The adapter between proto/ariadne.proto and the engine's own types (engine/query): requests in,
// answers out, field by field. Nothing here decides anything: the checks are the queries'.
#ifndef ARIADNE_ENGINE_SERVICE_PROTO_CONVERT_H_
#define ARIADNE_ENGINE_SERVICE_PROTO_CONVERT_H_

#include "engine/query/requests.h"
#include "engine/query/results.h"
#include "proto/ariadne.pb.h"

namespace ariadne::service {

// ---- Requests
query::HistoryRequest FromProto(const v1::GetAddressHistoryRequest& r);
query::ClusterSelector FromProto(const v1::GetClusterRequest& r);
query::MembersRequest FromProto(const v1::GetClusterMembersRequest& r);
query::TraceRequest FromProto(const v1::TraceRequest& r);
query::PathsRequest FromProto(const v1::PathsRequest& r);
query::ExposureRequest FromProto(const v1::ExposureRequest& r);

// ---- Answers (each Out: the message, which the caller gives cleared)
void ToProto(const query::ChainStatus& s, v1::ChainStatus* out);
void ToProto(const query::AddressSummary& s, v1::AddressSummary* out);
void ToProto(const query::HistoryEntry& e, v1::HistoryEntry* out);
void ToProto(const query::Transaction& t, v1::Transaction* out);
void ToProto(const query::ClusterSummary& c, v1::ClusterSummary* out);
void ToProto(const query::ClusterMember& m, v1::ClusterMember* out);
void ToProto(const query::Explanation& x, v1::ExplainReply* out);
void ToProto(const query::TraceNode& n, v1::TraceNode* out);
void ToProto(const query::TraceEdge& e, v1::TraceEdge* out);
void ToProto(const query::TraceFlow& f, v1::TraceFlow* out);
void ToProto(const query::TraceEndpoint& e, v1::TraceEndpoint* out);
void ToProto(const query::TraceSummary& s, v1::TraceSummary* out);
void ToProto(const query::Paths& p, v1::PathsReply* out);
void ToProto(const query::Exposure& x, v1::ExposureReply* out);

}  // namespace ariadne::service

#endif  // ARIADNE_ENGINE_SERVICE_PROTO_CONVERT_H_
